"""What credit notes, financial-assistance discounts and write-offs take off an
invoice prints on the statement as an adjustment, never as "Paid": the guarantor
reads what was billed, what was taken off, what they are responsible for, what
they paid and what is left.  Read on the PDF's text."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_money12_assistance_ledger import HALF, Money12Common
from .test_statement_content import page_text
from .test_writeoffs import DAY


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 15:00:00")
class TestStatement19Credits(Money12Common):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.lang = "en_US"

    def render(self, account):
        account._refresh_balances()
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "patient_collections.action_report_patient_statement", account.ids
        )
        return page_text(pdf)

    def test_a_credit_note_is_an_adjustment_and_only_the_payment_is_paid(self):
        account, invoice = self.corrected_by_credit_note(amount=600.0, credited=100.0)
        self.pay(invoice, 200.0, DAY)
        self.assertEqual(account.balance_due, 300.0)
        text = self.render(account)
        # charges, adjustment, responsibility, paid, balance
        self.assertIn("$ 600.00 $ 100.00 $ 500.00 $ 200.00 $ 300.00", text)
        self.assertNotIn("$ 400.00", text)  # the credit and the payment as one "Paid"

    def test_an_assistance_discount_is_not_printed_as_paid(self):
        account, invoice = self.account_owing(200.0, days=60)
        self.approve(account, **HALF)
        self.assertEqual(invoice.amount_residual, 100.0)
        text = self.render(account)
        self.assertIn("$ 200.00 $ 100.00 $ 100.00 $ 0.00 $ 100.00", text)

    def test_a_partial_write_off_is_an_adjustment(self):
        account, invoice = self.account_owing(300.0, days=200)
        self.writeoff(account, self.manager, amount=50.0, reason="small_balance")
        self.assertEqual(invoice.amount_residual, 250.0)
        text = self.render(account)
        self.assertIn("$ 300.00 $ 50.00 $ 250.00 $ 0.00 $ 250.00", text)

    def test_a_credit_note_partly_used_shows_the_use_as_an_adjustment(self):
        """Paid 150 of 200, then a credit note of 100: 50 of it settles the invoice,
        50 is the guarantor's credit.  Its row read "Paid $ -50.00"."""
        account, invoice = self.account_owing(200.0, days=60)
        self.pay(invoice, 150.0, DAY)
        note = self.make_invoice(invoice.patient_id, 100.0, DAY, move_type="out_refund")
        receivable = (invoice | note).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        receivable.reconcile()
        self.assertEqual((invoice.amount_residual, note.amount_residual), (0.0, 50.0))
        text = self.render(account)
        self.assertIn("$ -100.00 $ -50.00 $ -50.00 $ 0.00 $ -50.00", text)

    def test_a_credit_notes_exchange_difference_is_no_payment(self):
        """A EUR invoice (2 EUR to the dollar) credited at a later rate (2.5): the rate
        difference Odoo books on the invoice went to "Paid" ($ 4.00) though nobody
        paid (tester t19b).  It goes with the credit note's adjustment."""
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0), ("2026-03-01", 2.5)])
        account, _invoice = self.account_owing(10.0, days=60)  # a guarantor and their account
        invoice = self.make_invoice(
            account.partner_id, 100.0, DAY - timedelta(days=60), currency=eur
        )
        note = self.make_invoice(
            account.partner_id, 40.0, DAY, move_type="out_refund", currency=eur
        )
        (invoice | note).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.amount_residual_signed, 30.0)  # $50 less $16 and $4
        text = self.render(account)
        self.assertIn("$ 50.00 $ 20.00 $ 30.00 $ 0.00 $ 30.00", text)
