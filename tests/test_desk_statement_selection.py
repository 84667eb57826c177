"""Send Statements opened on selected accounts sends theirs only: when none of
the selection can be read (archived since, or of a company the user is not
working in), nothing goes out, never every account of the practice."""

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestDeskStatementSelection(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.archived, _invoice = cls.owing_account("Desk Selection Archived")
        cls.other, _invoice = cls.owing_account("Desk Selection Other")
        cls.archived.with_user(cls.manager).action_archive()

    def test_an_archived_selection_sends_nothing(self):
        Send = (
            self.env["patient.statement.send"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=self.archived.ids)
        )
        form = Form(Send)
        self.assertEqual(form.qualifying_count, 0, "the dialog counts the selection only")
        wizard = form.save()
        with self.assertRaises(UserError) as caught:
            wizard.action_send()
        self.assertIn("archived", str(caught.exception))
        self.assertFalse(self.other.last_statement_date)
        self.assertFalse(self.archived.last_statement_date)

    def test_a_selection_sends_its_own(self):
        wizard = (
            self.env["patient.statement.send"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=self.other.ids)
            .create({})
        )
        self.assertEqual(wizard.qualifying_count, 1)
        wizard.action_send()
        self.assertTrue(self.other.last_statement_date)
