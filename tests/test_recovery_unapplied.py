"""A recovery after a bad-debt write-off is money received beyond what the account
still owes, counted once, whether the accountant has matched the payment to the new
visit it pays yet or not."""

from freezegun import freeze_time

from odoo.tests import tagged

from .test_writeoffs import DAY, WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestRecoveryUnapplied(WriteoffCommon):
    def recoveries(self, account):
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        return Report.search([("account_id", "=", account.id), ("kind", "=", "recovery")])

    def test_unapplied_payment_of_a_new_visit_is_no_recovery(self):
        account, _invoice = self.account_owing(60.0)
        self.writeoff(account, self.manager, reason="bad_debt")
        visit = self.make_invoice(account.partner_id, 80.0, DAY)
        # 100 received, not matched yet: 80 of it pays the new visit
        payment = self.received(account.partner_id, 100.0)
        self.assertEqual(self.recoveries(account).mapped("amount"), [20.0])
        # matched: the same 20, once
        lines = (payment.move_id | visit).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        lines.reconcile()
        self.assertEqual(visit.payment_state, "paid")
        self.assertEqual(self.recoveries(account).mapped("amount"), [20.0])

    def test_two_unapplied_payments_of_a_visit_recover_nothing(self):
        account, _invoice = self.account_owing(60.0)
        self.writeoff(account, self.manager, reason="bad_debt")
        self.make_invoice(account.partner_id, 80.0, DAY)
        self.received(account.partner_id, 50.0)
        self.received(account.partner_id, 30.0)
        self.assertFalse(self.recoveries(account))
        self.received(account.partner_id, 45.0)
        self.assertEqual(self.recoveries(account).mapped("amount"), [45.0])
