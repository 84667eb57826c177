"""Today's refusals clicked in the browser by the role that meets them
(static/tests/tours/patient_collections_tours14b.js), then the database state
those clicks must have left:

1. an accountant's Reset to Draft on a write-off's journal entry is refused
   (reverse the entry instead): the write-off and its entry stay posted;
2. a specialist's second write-off on an account, within the limit alone but
   above it with the first, goes to a manager: nothing posted;
3. a manager's Archive of the last Resolved stage is refused: it stays active."""

from datetime import date

from odoo.tests import HttpCase, tagged

from .common_tours import TourMixin
from .test_tours_roles import ACCOUNT_FORM
from .test_writeoffs import WriteoffCommon


@tagged("post_install", "-at_install")
class TestTours14b(TourMixin, WriteoffCommon, HttpCase):
    def named_account(self, name, amount):
        account, _invoice = self.account_owing(amount, days=100, today=date.today())
        account.partner_id.name = name
        return account

    def test_accountant_cannot_reset_a_write_off_entry(self):
        account = self.named_account("Tourfourteenb Guarantor", 100.0)
        # the write-offs list names who wrote it off: the accountant finds it by them
        manager = self.company_user(
            "pc_t14b_manager",
            "base.group_user,patient_collections.group_collections_manager",
            name="Tourfourteenb Writeoff",
        )
        writeoff = self.writeoff(account, manager, amount=40.0)
        self.assertEqual((writeoff.state, writeoff.move_id.state), ("posted", "posted"))
        self.run_tour("/odoo", "pc_tours14b_writeoff_entry_kept", self.accountant)
        self.assertRecordValues(writeoff, [{"state": "posted"}])
        self.assertRecordValues(writeoff.move_id, [{"state": "posted"}])
        self.assertEqual(account.balance_due, 60.0)

    def test_specialist_s_second_write_off_goes_to_a_manager(self):
        self.assertEqual(self.env.company.collections_writeoff_limit, 50.0)
        account = self.named_account("Tourfourteenb Secondpart", 300.0)
        first = self.writeoff(account, self.specialist, amount=30.0)
        self.assertEqual((first.state, account.balance_due), ("posted", 270.0))
        self.run_tour(ACCOUNT_FORM % account.id, "pc_tours14b_second_writeoff", self.specialist)
        second = account.writeoff_ids - first
        self.assertRecordValues(
            second,
            [{"state": "to_approve", "amount": 30.0, "requested_by_id": self.specialist.id}],
        )
        self.assertFalse(second.move_id, "nothing posted before a manager approves")
        self.assertEqual(account.balance_due, 270.0)

    def test_manager_cannot_archive_the_last_resolved_stage(self):
        resolved = self.env.ref("patient_collections.stage_resolved")
        self.assertEqual(
            self.env["patient.account.stage"].search([("is_closed", "=", True)]), resolved
        )
        self.run_tour("/odoo", "pc_tours14b_resolved_stage_kept", self.manager)
        self.assertTrue(resolved.active)
        self.assertTrue(resolved.is_closed)
