"""The Assign to Specialists dialog as the web client drives it: its preview is
computed in onchanges, on new records standing for the selected accounts."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common_desk import DeskCommon
from .test_tours_roles import SPECIALIST


@tagged("post_install", "-at_install")
class TestDeskAssignDialog(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.second = cls.company_user("pc_desk_specialist_b", SPECIALIST)
        cls.first_account, _invoice = cls.owing_account("Desk Assign One", amount=200.0)
        cls.second_account, _invoice = cls.owing_account("Desk Assign Two", amount=200.0)
        cls.accounts = cls.first_account | cls.second_account
        cls.Assign = cls.env["patient.account.assign"].with_user(cls.manager)

    def dialog(self):
        return Form(
            self.Assign.with_context(active_model="patient.account", active_ids=self.accounts.ids)
        )

    def test_preview_of_each_mode_in_the_dialog(self):
        for mode in ("round_robin", "balanced"):
            with self.subTest(mode=mode):
                form = self.dialog()
                form.mode = mode
                form.user_ids.add(self.specialist)
                form.user_ids.add(self.second)
                preview = str(form.preview_html)
                self.assertIn(self.specialist.name, preview)
                self.assertIn(self.second.name, preview)
                wizard = form.save()
                wizard.action_assign()
                self.assertEqual(len(self.accounts.user_id), 2, "one account each")
        form = self.dialog()
        form.user_id = self.second
        self.assertIn("$\xa0400.00", str(form.preview_html))

    def test_only_existing_accounts_and_specialists(self):
        Assign = self.Assign.with_context(
            active_model="patient.account", active_ids=self.accounts.ids
        )
        count = self.env["patient.account"].search_count([])
        refusals = {
            "a created account": {
                "account_ids": [Command.create({"partner_id": self.specialist.partner_id.id})],
                "user_id": self.second.id,
            },
            "a missing account": {
                "account_ids": [Command.set([999999])],
                "user_id": self.second.id,
            },
            "a missing specialist": {"mode": "balanced", "user_ids": [Command.set([999999])]},
        }
        for case, vals in refusals.items():
            with self.subTest(case=case):
                with self.assertRaises(ValidationError) as caught:
                    Assign.create(vals)
                self.assertNotIn("another model requires", str(caught.exception))
        self.assertEqual(self.env["patient.account"].search_count([]), count)

    def test_assigning_manager_without_email(self):
        """Odoo's assignment email goes from the assigner's address: without one the
        accounts are still assigned (no email), and the dialog says why none went."""
        Message = self.env["mail.message"].sudo()  # user notifications: their recipients only
        notices = [("model", "=", "patient.account"), ("subject", "like", "You have been assigned")]
        before = Message.search_count(notices)
        self.manager.email = False
        form = self.dialog()
        form.user_id = self.second
        result = form.save().action_assign()
        self.assertEqual(self.accounts.user_id, self.second)
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("no email address", result["params"]["message"])
        self.assertEqual(result["params"]["next"]["type"], "ir.actions.act_window_close")
        self.assertEqual(Message.search_count(notices), before)
        self.manager.email = "pc.desk.manager@example.com"
        form = self.dialog()
        form.user_id = self.specialist
        result = form.save().action_assign()
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertEqual(self.accounts.user_id, self.specialist)
        self.assertEqual(Message.search_count(notices), before + 2, "one notice per account")
