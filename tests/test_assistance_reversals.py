"""An approved financial assistance stays in the ledger, and a write-off is
reversed once: Odoo's Reverse on an approved discount's credit note, on the
reversal of a write-off's whole entry, or on a write-off the assistance counted
would ask the household again for what was forgiven or written off."""

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_money12_assistance_ledger import FULL, HALF, Money12Common
from .test_writeoffs import DAY


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestAssistanceKeptOnReversal(Money12Common):
    def reverse_wizard(self, moves):
        return (
            self.env["account.move.reversal"]
            .with_user(self.accountant)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"journal_id": moves.journal_id.id, "date": DAY})
        )

    def test_approved_discount_credit_note_is_not_reversed(self):
        account, invoice = self.account_owing(200.0, days=30)
        application = self.approve(account, **FULL)
        credit_note = application.sudo().credit_note_ids
        self.assertEqual((invoice.amount_residual, account.balance_due), (0.0, 0.0))
        for method in ("refund_moves", "modify_moves"):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(
                    UserError, "cannot be reset to draft, cancelled or reversed"
                ),
            ):
                getattr(self.reverse_wizard(credit_note), method)()
        self.assertFalse(credit_note.reversal_move_ids)
        self.assertEqual(application.state, "approved")
        self.assertEqual((invoice.amount_residual, account.balance_due), (0.0, 0.0))

    def test_reversal_of_a_whole_entry_reversal_is_refused(self):
        account, _invoice = self.account_owing(200.0, days=120)
        writeoff = self.writeoff(account, self.manager)
        [reversal] = self.reverse_entry(writeoff)
        self.assertEqual((writeoff.state, account.balance_due), ("reversed", 200.0))
        with self.assertRaisesRegex(UserError, "cannot be reversed in turn"):
            self.reverse_wizard(reversal).refund_moves()
        self.assertFalse(reversal.reversal_move_ids)
        self.assertEqual((writeoff.state, account.balance_due), ("reversed", 200.0))

    def test_write_off_the_assistance_counted_stays(self):
        account, invoice = self.account_owing(200.0, days=30)
        writeoff = self.writeoff(account, self.manager, amount=120.0)
        application = self.approve(account, **FULL)
        self.assertEqual(application.discount_amount, 80.0, "the write-off is part of it")
        with self.assertRaisesRegex(UserError, "part of the financial assistance"):
            writeoff.with_user(self.manager).action_reverse("Disputed by the guarantor")
        with self.assertRaisesRegex(UserError, "part of the financial assistance"):
            self.reverse_entry(writeoff)
        self.assertEqual(writeoff.state, "posted")
        self.assertFalse(writeoff.move_id.reversal_move_ids)
        self.assertEqual((invoice.amount_residual, account.balance_due), (0.0, 0.0))

    def test_write_off_after_the_approval_is_reversed(self):
        account, invoice = self.account_owing(200.0, days=30)
        self.approve(account, **HALF)
        self.assertEqual(account.balance_due, 100.0)
        writeoff = self.writeoff(account, self.manager)
        self.assertEqual(account.balance_due, 0.0)
        writeoff.with_user(self.manager).action_reverse("Disputed by the guarantor")
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual((invoice.amount_residual, account.balance_due), (100.0, 100.0))
