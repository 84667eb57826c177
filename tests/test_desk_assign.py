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
