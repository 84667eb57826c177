"""A write-off settles the ledger as an accountant would: the balance it writes
off already nets the account's unapplied credits, so they are matched with its
debts first and no credit and debt stay open side by side, aged apart."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_writeoffs import DAY, WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffLedger(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0), ("2026-03-01", 2.5)])

    def test_writeoff_of_a_foreign_currency_invoice_closes_it(self):
        """An invoice in euros booked at one rate, written off at another: the
        write-off takes off its open euros with its open dollars, so it closes in
        both and nothing is left to write off again the next night."""
        partner = self.env["res.partner"].create(
            {"name": "Testwriteoff Euro Person", "is_patient": True}
        )
        when = DAY - timedelta(days=60)
        invoice = self.make_invoice(partner, 100.0, when, service_date=when, currency=self.eur)
        account = invoice.patient_account_id
        self.assertEqual(account.balance_due, 50.0)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.assertEqual(writeoff.amount, 50.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance_due, 0.0)
        receivable = writeoff.move_id.line_ids.filtered(lambda line: line.credit)
        self.assertRecordValues(
            receivable, [{"currency_id": self.eur.id, "amount_currency": -100.0, "credit": 50.0}]
        )

    def test_unapplied_payment_is_applied_before_the_writeoff(self):
        account, invoice = self.account_owing(100.0, days=100)
        payment = self.received(account.partner_id, 40.0)
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

    def test_recovery_is_only_what_comes_back_of_the_writeoff(self):
        account, invoice = self.account_owing(200.0, days=100)
        self.writeoff(account, self.manager, amount=50.0, reason="bad_debt")
        self.assertEqual(account.balance_due, 150.0)
        self.pay(invoice, 150.0, DAY)  # the part not written off
        visit = self.make_invoice(account.partner_id, 80.0, DAY)
        self.pay(visit, 80.0, DAY)  # a new visit
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        recoveries = Report.search([("account_id", "=", account.id), ("kind", "=", "recovery")])
        self.assertFalse(recoveries)
        # money beyond what is owed: the written-off balance coming back
        self.received(account.partner_id, 30.0)
        recoveries = Report.search([("account_id", "=", account.id), ("kind", "=", "recovery")])
        self.assertEqual(recoveries.mapped("amount"), [30.0])

    def test_writeoff_dated_as_its_entry_past_a_lock_date(self):
        account, invoice = self.account_owing(100.0, days=100)
        self.env.company.fiscalyear_lock_date = DAY
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertGreater(writeoff.move_id.date, DAY)
        self.assertEqual(writeoff.date, writeoff.move_id.date)
