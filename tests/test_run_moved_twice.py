"""Run now twice the same day: each run's "Moved to stage" count opens the
accounts that run moved, not every account that entered the stage that day
(the other run's, or a move by hand)."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

DAY = date(2026, 4, 30)
MANAGER = "base.group_user,patient_collections.group_collections_manager"


@tagged("post_install", "-at_install")
@freeze_time("2026-04-30 15:00:00")
class TestRunMovedTwice(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.company_user("pc_rmt_manager", MANAGER)

    def account(self, name, days, amount=100.0):
        partner = self.env["res.partner"].create({"name": name, "is_patient": True, **TEST_ADDRESS})
        due = DAY - timedelta(days=days)
        return self.make_invoice(partner, amount, due, due_date=due).patient_account_id

    def moved_line(self, run):
        lines = run.line_ids.with_user(self.manager)
        return lines.filtered(lambda line: line.kind == "moved" and line.stage_id == self.first)

    def test_second_run_of_the_day_lists_its_own_moves(self):
        early = self.account("Testmoved Early", 45) | self.account("Testmoved Early Two", 50)
        first_run = self.Run.run()
        self.assertEqual(early.stage_id, self.first)
        late = self.account("Testmoved Late", 45)
        second_run = self.Run.run()
        self.assertEqual(late.stage_id, self.first)
        first_line, second_line = self.moved_line(first_run), self.moved_line(second_run)
        self.assertEqual((first_line.count, second_line.count), (2, 1))
        self.assertEqual(sorted(first_line._accounts_behind()), sorted(early.ids))
        action = second_line.action_open_accounts()
        shown = self.env["patient.account"].with_user(self.manager).search(action["domain"])
        self.assertEqual(shown, late, "the count and the list behind it agree")

    def test_every_moved_count_matches_its_list(self):
        self.account("Testmoved One", 45)
        self.account("Testmoved Two", 100)
        run = self.Run.run()
        for line in run.line_ids.filtered(lambda line: line.kind == "moved"):
            self.assertEqual(len(line._accounts_behind()), line.count, line.display_name)
