"""A write-off settles the ledger as an accountant would: the balance it writes
off already nets the account's unapplied credits, so they are matched with its
debts first and no credit and debt stay open side by side, aged apart."""

from freezegun import freeze_time

from odoo.tests import tagged

from .test_writeoffs import DAY, WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffLedger(WriteoffCommon):
    def test_unapplied_payment_is_applied_before_the_writeoff(self):
        account, invoice = self.account_owing(100.0, days=100)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": account.partner_id.id,
                "amount": 40.0,
                "date": DAY,
            }
        )
        payment.action_post()
        self.assertEqual(account.balance_due, 60.0)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.assertEqual(writeoff.amount, 60.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertTrue(payment.is_reconciled)
        self.assertRecordValues(
            account,
            [
                {
                    "balance_due": 0.0,
                    "days_past_due": 0,
                    "aging_current": 0.0,
                    "aging_91_120": 0.0,
                }
            ],
        )
