"""A practice's own stage names and statement messages never reached readers in
another language: the fields are translatable, so a message rewritten in English
left the shipped Spanish on a Spanish guarantor's statement, and Spanish staff saw
the shipped column name (stage18).  Now the practice's text reaches every reader
(its own translation in a language first); a stage it never changed reads in the
shipped translation.  Spanish terms come from the module's i18n/es.po."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_statement_content import page_text

TODAY = date(2026, 5, 4)
SHIPPED_EN = "Your balance is now past due. Please pay by the due date below"
SHIPPED_ES = "Su saldo ya está vencido. Por favor, pague antes de la fecha de vencimiento"
OWN_EN = "Testclinic Cedar: please call our billing office at 555-0100."
OWN_ES = "Clínica Testclinic: llame a nuestra oficina de facturación al 555-0100."


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStageTexts(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("es_419", "es_ES"):
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["patient_collections"], ["es_419", "es_ES"], overwrite=True
        )
        cls.env.company.partner_id.lang = "en_US"
        cls.guarantor.lang = "es_419"
        cls.other_guarantor.lang = "en_US"
        cls.first = cls.env.ref("patient_collections.stage_first_statement")
        cls.spanish = cls.owing(cls.child)
        cls.english = cls.owing(cls.other_guarantor)

    @classmethod
    def owing(cls, patient):
        day = TODAY - timedelta(days=40)
        invoice = cls.make_invoice(patient, 120.0, day, due_date=day)
        account = invoice.patient_account_id
        account._refresh_balances()
        account._import_history(stage=cls.first.id)
        return account

    def message(self, account):
        """The stage message of the account's statement (in its guarantor's
        language), as the statement's text is built."""
        return account._statement_values()[0]["stage_message"]

    def column(self, lang):
        """The Board column's title of the first-statement stage for staff in ``lang``."""
        groups = (
            self.env["patient.account"]
            .with_context(lang=lang)
            .web_read_group([("id", "=", self.english.id)], ["stage_id"], ["stage_id"])["groups"]
        )
        return next(
            group["stage_id"][1] for group in groups if group["stage_id"][0] == self.first.id
        )

    def test_a_stage_never_changed_reads_in_the_shipped_translation(self):
        self.assertIn(SHIPPED_ES, self.message(self.spanish))
        self.assertIn(SHIPPED_EN, self.message(self.english))
        self.assertEqual(self.column("es_419"), "Primer estado de cuenta")
        self.assertEqual(self.column("en_US"), "First statement")

    def test_an_english_edit_reaches_a_spanish_guarantor_and_spanish_staff(self):
        self.first.with_context(lang="en_US").write(
            {"name": "Cedar letter one", "statement_message": OWN_EN}
        )
        self.assertEqual(self.message(self.spanish), OWN_EN)
        text = page_text(self.spanish._statement_pdfs()[0])
        self.assertIn(OWN_EN, text)
        self.assertNotIn(SHIPPED_ES, text)
        self.assertIn("Monto a pagar ahora", text, "the rest of the statement in Spanish")
        self.assertEqual(self.column("es_419"), "Cedar letter one")
        self.assertEqual(self.first.with_context(lang="es_ES").display_name, "Cedar letter one")
        # the other stages, never changed, still in Spanish
        second = self.env.ref("patient_collections.stage_second_statement")
        self.assertEqual(
            second.with_context(lang="es_419").display_name, "Segundo estado de cuenta"
        )

    def test_a_spanish_edit_reaches_english_and_es_ES_readers(self):
        self.first.with_context(lang="es_419").write(
            {"name": "Carta uno de Cedar", "statement_message": OWN_ES}
        )
        self.assertEqual(self.message(self.english), OWN_ES)
        self.assertEqual(self.message(self.spanish), OWN_ES)
        self.guarantor.lang = "es_ES"
        self.assertEqual(self.message(self.spanish), OWN_ES)
        self.assertEqual(self.column("en_US"), "Carta uno de Cedar")
        self.assertEqual(self.column("es_ES"), "Carta uno de Cedar")

    def test_the_practices_own_translation_goes_to_its_language(self):
        self.first.with_context(lang="en_US").statement_message = OWN_EN
        self.first.with_context(lang="es_419").statement_message = OWN_ES
        self.assertEqual(self.message(self.spanish), OWN_ES)
        self.assertEqual(self.message(self.english), OWN_EN)
        self.guarantor.lang = "es_ES"
        self.assertEqual(self.message(self.spanish), OWN_ES, "Spanish of Spain too")
        # the translation dialog's way gives the same
        self.first.update_field_translations("name", {"en_US": "Letter one", "es_419": "Carta uno"})
        self.assertEqual(self.column("es_419"), "Carta uno")
        self.assertEqual(self.column("en_US"), "Letter one")

    def test_the_company_texts_follow_the_same_rule(self):
        """A "How to pay" changed in Spanish only is the practice's text for
        every reader, as a stage's message (one rule for both)."""
        company = self.env.company
        company.with_context(lang="es_419").collections_payment_instructions = OWN_ES
        self.assertEqual(
            company.with_context(lang="en_US")._collections_statement_text(
                "collections_payment_instructions"
            ),
            OWN_ES,
        )
        self.assertIn(OWN_ES, page_text(self.english._statement_pdfs()[0]))
