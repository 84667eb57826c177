"""Send Statements when nothing qualifies: the manager is told, besides which
settings to widen, how many of the accounts asked for are left out by their own
situation (asked to cease communication, on hold), which the form cannot widen."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.patient_protected import trusted
from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestStatementSendWhy(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ceased, _invoice = cls.owing_account("Sendwhy Ceased", days=40)
        trusted(cls.ceased).write({"cease_communication": True})
        cls.held, _invoice = cls.owing_account("Sendwhy Held", days=40)
        trusted(cls.held)._set_hold("other", note="Synthetic")

    def wizard(self, accounts, **vals):
        return (
            self.env["patient.statement.send"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=accounts.ids)
            .create(vals)
        )

    def test_says_why_the_accounts_asked_for_are_left_out(self):
        wizard = self.wizard(self.ceased | self.held)
        self.assertEqual(wizard.qualifying_count, 0)
        with self.assertRaises(UserError) as caught:
            wizard.action_send()
        message = str(caught.exception)
        self.assertIn("No account qualifies", message)
        self.assertIn(
            "Accounts asked for whose guarantor asked to cease communication: 1.", message
        )
        self.assertIn("Accounts asked for on hold: 1.", message)
        self.assertFalse(self.ceased.last_statement_date)
        self.assertFalse(self.held.last_statement_date)

    def test_held_account_sent_when_holds_are_included(self):
        wizard = self.wizard(self.ceased | self.held, exclude_holds=False)
        self.assertEqual(wizard.qualifying_count, 1)
        wizard.action_send()
        self.assertTrue(self.held.last_statement_date)
        self.assertFalse(self.ceased.last_statement_date)
