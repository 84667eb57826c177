"""What the account's board and form show: the Agency placement stage folded
(also in a database installed before), the open items in the account's
currency, and the chatter lines of interactions as sentences."""

import html
from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.patient_collections.models.patient_account_stage import FOLD_DONE_PARAM
from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"


@tagged("post_install", "-at_install")
class TestDefaultFolds(PatientCollectionsCommon):
    def setUp(self):
        super().setUp()
        self.agency = self.env.ref("patient_collections.stage_agency")
        self.params = self.env["ir.config_parameter"].sudo()

    def as_before_the_fold(self):
        """A database installed before the fold shipped: unfolded, never applied."""
        self.agency.fold = False
        self.params.set_param(FOLD_DONE_PARAM, False)

    def test_installed_folded(self):
        self.assertTrue(self.agency.fold)
        self.assertTrue(self.env.ref("patient_collections.stage_resolved").fold)
        self.assertFalse(self.env.ref("patient_collections.stage_new").fold)
        self.assertTrue(self.params.get_param(FOLD_DONE_PARAM))

    def test_an_older_database_gets_the_fold_once(self):
        self.as_before_the_fold()
        self.env["patient.account.stage"]._apply_default_folds()
        self.assertTrue(self.agency.fold)
        # the practice unfolds it again: the next update keeps its choice
        self.agency.fold = False
        self.env["patient.account.stage"]._apply_default_folds()
        self.assertFalse(self.agency.fold)

    def test_a_stage_the_practice_changed_is_left_alone(self):
        self.as_before_the_fold()
        self.agency.name = "Outside agency"
        self.env["patient.account.stage"]._apply_default_folds()
        self.assertFalse(self.agency.fold)
        self.assertTrue(self.params.get_param(FOLD_DONE_PARAM), "judged once, not again")


@tagged("post_install", "-at_install")
class TestOpenItemsCurrency(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])

    def test_open_items_in_the_accounts_currency(self):
        usd_invoice = self.make_invoice(self.child, 80.0, "2026-01-05")
        self.make_invoice(self.child, 100.0, "2026-01-06", currency=self.eur)
        account = usd_invoice.patient_account_id
        self.env.flush_all()  # the open items are an SQL view
        company_currency = self.env.company.currency_id
        self.assertEqual(account.currency_id, company_currency)
        lines = account.open_item_ids.sorted("invoice_date")
        self.assertEqual(lines.currency_id, company_currency | self.eur)
        self.assertEqual(lines.company_currency_id, company_currency)
        self.assertEqual(lines.mapped("amount_total"), [80.0, 100.0], "invoice currency")
        # 100 EUR at 2 EUR a dollar: 50 dollars, like the open amount
        self.assertEqual(lines.mapped("amount_total_account"), [80.0, 50.0])
        self.assertEqual(lines.mapped("amount_residual"), [80.0, 50.0])
        view = self.env["patient.account"].get_view(
            self.env.ref("patient_collections.patient_account_view_form").id
        )["arch"]
        self.assertIn('name="amount_total_account"', view)
        self.assertNotIn('name="amount_total"', view, "no amount in the invoice's currency")


@tagged("post_install", "-at_install")
# within the contact hours (08:00-21:00 in the company's time zone): its calls and
# emailed statements are contacts the rules refuse in the evening
@freeze_time("2026-05-04 15:00:00")
class TestChatterSentences(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account = cls.make_invoice(cls.child, 90.0, "2026-01-05").patient_account_id
        cls.specialist = cls.company_user("pc_sentence_specialist", SPECIALIST, lang="en_US")
        cls.account.user_id = cls.specialist

    def lines(self):
        self.account.invalidate_recordset(["message_ids"])
        return html.unescape(" ".join(self.account.message_ids.mapped("body")))

    def test_calls_and_promises(self):
        Interaction = self.env["patient.interaction"].with_user(self.specialist)
        today = date.today()
        Interaction.create(
            {"account_id": self.account.id, "channel": "phone_out", "outcome": "left_voicemail"}
        )
        promise = Interaction.create(
            {
                "account_id": self.account.id,
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_amount": 50.0,
                "promise_date": today + timedelta(days=5),
            }
        )
        lines = self.lines()
        self.assertIn("Call: left voicemail", lines)
        when = (today + timedelta(days=5)).strftime("%m/%d/%Y")
        self.assertIn(f"Incoming call: promise to pay $\xa050.00 on {when}", lines)
        self.assertNotIn("Left voicemail", lines, "no selection label pasted in")
        promise.with_user(self.env.user).action_void("Logged twice")
        self.assertIn("Voided: Incoming call: promise to pay", self.lines())

    def test_statements_read_as_sent(self):
        self.account.stage_id = self.env.ref("patient_collections.stage_first_statement")
        self.account.with_user(self.specialist)._statement_record_sent(
            self.account.browse(), date.today()
        )
        letter = self.account.interaction_ids
        self.assertEqual((letter.channel, letter.outcome), ("letter", "other"))
        self.assertTrue(letter.is_statement)
        self.assertIn("Statement mailed", self.lines())
        self.assertNotIn("Letter: Other", self.lines())

    def test_a_plain_letter_is_no_statement(self):
        trusted(self.env["patient.interaction"]).create(
            {"account_id": self.account.id, "channel": "letter", "outcome": "other"}
        )
        self.assertIn("Letter sent", self.lines())
        self.assertFalse(self.account.interaction_ids.is_statement)

    def test_a_client_cannot_mark_a_statement(self):
        with self.assertRaises(AccessError):
            self.env["patient.interaction"].with_user(self.specialist).create(
                {
                    "account_id": self.account.id,
                    "channel": "letter",
                    "outcome": "other",
                    "is_statement": True,
                }
            )


@tagged("post_install", "-at_install")
class TestDialogInputs(PatientCollectionsCommon):
    def test_every_dialog_of_the_module_shows_its_empty_inputs(self):
        """Each wizard's form, and the interaction form the Log Interaction dialog opens,
        carry the class that draws empty fields as inputs (static/src/dialogs)."""
        forms = self.env["ir.ui.view"].search(
            [("type", "=", "form"), ("inherit_id", "=", False), ("model", "!=", False)]
        )
        wizards = self.env["ir.model.data"].search(
            [("module", "=", "patient_collections"), ("model", "=", "ir.ui.view")]
        )
        ours = forms.filtered(
            lambda view: view.id in wizards.mapped("res_id") and self.env[view.model]._transient
        ) | self.env.ref("patient_collections.patient_interaction_view_form_quick")
        self.assertGreaterEqual(len(ours), 9)
        missing = ours.filtered(lambda view: "o_patient_dialog" not in view.arch_db)
        self.assertFalse(missing.mapped("name"))
