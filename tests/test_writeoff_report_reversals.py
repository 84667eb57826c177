"""The Write-offs and Recoveries report sees every reversal of a write-off: the
Reverse button's (its own entry, linked by ``reversal_move_id``, no
``reversed_entry_id``) as Odoo's Reverse Entry's, negative on its own day, once,
posted only."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .test_writeoff_reversal import ReversalCommon
from .test_writeoffs import DAY

LATER = date(2026, 4, 2)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffReportReversals(ReversalCommon):
    def rows(self, account):
        self.env.flush_all()
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        return sorted(
            Report.search([("account_id", "=", account.id)]).mapped(
                lambda row: (row.kind, row.date, row.amount, row.move_id.id)
            )
        )

    def test_reversed_alone_shows_negative_on_its_day(self):
        account, _invoice = self.account_owing(44.44, days=100)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        with freeze_time("2026-04-02 12:00:00"):
            reversal = self.reverse(writeoff, self.manager)
        self.assertFalse(reversal.reversed_entry_id, "the Reverse button sets no reversed entry")
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual(
            self.rows(account),
            [
                ("writeoff", DAY, 44.44, writeoff.move_id.id),
                ("writeoff", LATER, -44.44, reversal.id),
            ],
        )
        # reset to draft: the write-off stands, the report has no reversal
        reversal.with_user(self.accountant).button_draft()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(self.rows(account), [("writeoff", DAY, 44.44, writeoff.move_id.id)])

    def test_one_of_a_shared_entry_reversed_alone(self):
        ((mine, _i), (other, _j)), writeoffs = self.run_small_balances(7.5, 5.0)
        reversal = self.reverse(writeoffs[0], self.manager)
        shared = writeoffs.move_id
        self.assertEqual(
            self.rows(mine),
            [("writeoff", DAY, -7.5, reversal.id), ("writeoff", DAY, 7.5, shared.id)],
        )
        self.assertEqual(self.rows(other), [("writeoff", DAY, 5.0, shared.id)])

    def test_linked_both_ways_counted_once(self):
        """An entry that is both the write-off's own reversal and marked as
        reversing its entry (or two posted reversals: a ledger from before the
        module refused the second) is one reversal in the report."""
        account, _invoice = self.account_owing(30.0, days=100)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        reversal = self.reverse(writeoff, self.manager)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET reversed_entry_id = %s WHERE id = %s",
            (writeoff.move_id.id, reversal.id),
        )
        self.assertEqual(
            self.rows(account),
            [("writeoff", DAY, -30.0, reversal.id), ("writeoff", DAY, 30.0, writeoff.move_id.id)],
        )
