"""Issue 14, manager tools: a count of the run opens the accounts behind it, and
bulk assignment previews who gets what (server side; the browser flow is in
tests/test_tours_manager_accountant.py)."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.patient_protected import trusted
from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

DAY = date(2026, 4, 30)
MANAGER = "base.group_user,patient_collections.group_collections_manager"
SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"


@tagged("post_install", "-at_install")
@freeze_time("2026-04-30 15:00:00")
class TestRunLineAccounts(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.company_user("pc_rla_manager", MANAGER)
        cls.specialists = [
            cls.company_user(f"pc_rla_specialist_{n}", SPECIALIST, name=f"Testassign Person {n}")
            for n in range(2)
        ]

    def account(self, name, days, amount=100.0):
        partner = self.env["res.partner"].create({"name": name, "is_patient": True, **TEST_ADDRESS})
        due = DAY - timedelta(days=days)
        return self.make_invoice(partner, amount, due, due_date=due).patient_account_id

    def test_each_count_opens_its_accounts(self):
        moving = self.account("Testline Moving", 45)
        held = self.account("Testline Held", 45) | self.account("Testline Held Two", 60)
        for account in held:
            trusted(account)._set_hold("other", note="Synthetic")
        current = self.account("Testline Current", 0)
        run = self.Run.run()
        lines = run.line_ids.with_user(self.manager)
        moved = lines.filtered(lambda line: line.kind == "moved" and line.stage_id == self.first)
        on_hold = lines.filtered(lambda line: line.reason == "on_hold")
        self.assertEqual((moved.count, on_hold.count), (1, 2))
        self.assertEqual(moved._accounts_behind(), moving.ids)
        action = on_hold.action_open_accounts()
        self.assertEqual(action["res_model"], "patient.account")
        shown = self.env["patient.account"].with_user(self.manager).search(action["domain"])
        self.assertEqual(shown, held)
        self.assertNotIn(current, shown)
        for line in lines.filtered("reason"):
            self.assertEqual(len(line._accounts_behind()), line.count, line.display_name)

    def test_assignment_preview_tells_who_gets_what(self):
        accounts = (
            self.account("Testassign One", 40, 300.0)
            | self.account("Testassign Two", 40, 100.0)
            | self.account("Testassign Three", 40, 100.0)
        )
        first, second = self.specialists
        wizard = (
            self.env["patient.account.assign"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=accounts.ids)
            .create({"mode": "balanced", "user_ids": [(6, 0, [first.id, second.id])]})
        )
        preview = str(wizard.preview_html)
        self.assertIn("Testassign Person 0", preview)
        self.assertIn("Testassign Person 1", preview)
        self.assertIn("300.00", preview)  # the largest balance to the first
        self.assertIn("200.00", preview)  # the two others to the second
        wizard.action_assign()
        self.assertEqual(accounts.sorted("balance_due")[-1].user_id, first)
        self.assertEqual(len(accounts.filtered(lambda a: a.user_id == second)), 2)
