"""The shipped template and Spanish translation against the installed module (issue 14).

``i18n/patient_collections.pot`` must hold every term the module has now (a string added
without ``make pot`` fails here), and loading Spanish must change what staff and patients
read: menus, stages, field labels, selection values and the messages raised from code."""

import fnmatch
import os
from pathlib import Path

from babel.messages.pofile import read_po

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

from ..models.patient_protected import trusted

MODULE = "patient_collections"
I18N = Path(__file__).resolve().parents[1] / "i18n"
# what does not ship (scripts/i18n.sh leaves the same out of the export)
NOT_SHIPPED = {"tests", "bench", "scripts"}


class ShippedTerms(TranslationModuleReader):
    """Odoo's export of the module's terms, its file scan kept to the folders that ship: a
    checkout also holds .venv/, .build/ (a link back to itself) and developer tools."""

    def _export_translatable_resources(self):
        folder = get_module_path(MODULE)
        addons = os.path.dirname(folder)
        for root, dirs, files in os.walk(folder):
            dirs[:] = [
                name
                for name in dirs
                if not (name.startswith(".") or (root == folder and name in NOT_SHIPPED))
            ]
            for name in fnmatch.filter(files, "*.py"):
                self._babel_extract_terms(
                    name, addons, root, "python", extract_keywords={"_": None, "_lt": None}
                )
            if fnmatch.fnmatch(root, "*/static/src*"):
                for name in fnmatch.filter(files, "*.js"):
                    self._babel_extract_terms(
                        name, addons, root, "javascript", extract_keywords={"_t": None}
                    )
                for name in fnmatch.filter(files, "*.xml"):
                    self._babel_extract_terms(
                        name, addons, root, "odoo.tools.translate:babel_extract_qweb"
                    )


def catalog(name):
    with (I18N / name).open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spanish = catalog("es.po")
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms([MODULE], ["es_ES"], overwrite=True)

    def test_the_template_holds_every_term_of_the_module(self):
        template = set(catalog(f"{MODULE}.pot"))
        terms = {
            source
            for _module, _type, _name, _id, source, *_rest in ShippedTerms(
                self.env.cr, modules=[MODULE]
            )
            if source
        }
        missing = sorted(terms - template)
        self.assertFalse(
            missing,
            f"{len(missing)} terms not in i18n/{MODULE}.pot (run `make pot`): {missing[:5]}",
        )

    def test_spanish_reaches_menus_stages_fields_and_selections(self):
        es = self.env(context={"lang": "es_ES"})
        menu = es.ref("patient_collections.collections_menu_root")
        self.assertEqual(menu.name, self.spanish["Collections"])
        stage = es["patient.account.stage"].search([], order="sequence", limit=1)
        english = stage.with_context(lang="en_US").name
        self.assertEqual(stage.name, self.spanish[english])
        field = es["ir.model.fields"]._get("patient.account", "balance_due")
        english = field.with_context(lang="en_US").field_description
        self.assertEqual(field.field_description, self.spanish[english])
        self.assertNotEqual(field.field_description, english)
        labels = dict(es["patient.account"]._fields["hold_reason"]._description_selection(es))
        self.assertEqual(labels["dispute"], self.spanish["Dispute"])

    def test_the_run_summary_reads_in_the_language_of_its_reader(self):
        """The nightly run runs as the superuser: its summary is not in that
        user's language but in the reader's."""
        run = trusted(self.env["patient.collection.run"]).create(
            {"name": "RUN/TEST", "date": "2026-05-04", "trigger": "cron",
             "company_id": self.env.company.id}
        )  # fmt: skip
        trusted(self.env["patient.collection.run.line"]).create(
            {"run_id": run.id, "kind": "plan_defaulted", "count": 3}
        )
        self.assertEqual(run.with_context(lang="en_US").summary, "Payment plan defaulted: 3")
        self.assertEqual(
            run.with_context(lang="es_ES").summary,
            f"{self.spanish['Payment plan defaulted']}: 3",
        )

    def test_spanish_reaches_messages_raised_from_code(self):
        account = self.env["patient.account"].with_context(lang="es_ES")
        labels = account._statement_labels()
        self.assertEqual(labels["title"], self.spanish["Patient Statement"])
        self.assertNotEqual(labels["title"], "Patient Statement")
