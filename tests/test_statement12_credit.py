"""A statement with a credit balance printed "Su saldo -63,60 € · Monto a pagar
ahora 0,00 € · Fecha límite de pago 22/12/2026": a pay-by date with nothing to
pay (statement12).  Read on the PDF's text."""

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase
from .test_statement_content import page_text


@tagged("post_install", "-at_install")
class TestStatement12Credit(PortalCase):
    """The guarantor's account owes nothing: no pay-by date, the credit said plainly,
    on the statement, its slip and what the portal's statement download gives."""

    def make_credit(self):
        today = fields.Date.today()
        self.make_invoice(self.child, 363.60, today, move_type="out_refund")
        self.account._refresh_balances()
        self.assertEqual(self.account.balance_due, -63.60)

    def assert_a_credit_nothing_to_pay(self, text):
        self.assertIn("You have a credit of $ 63.60: nothing to pay.", text)
        self.assertIn("Your credit $ 63.60", text)
        for words in ("Please pay by", "Your balance", "Amount due now", "Amount enclosed"):
            self.assertNotIn(words, text)

    def test_a_credit_has_no_pay_by_date_and_says_so(self):
        self.make_credit()
        values = self.account._statement_values()[0]
        self.assertEqual(values["due_date"], "")
        text = page_text(self.account._statement_pdfs()[0])
        self.assertEqual(text.count("You have a credit of $ 63.60: nothing to pay."), 2)  # the slip
        self.assert_a_credit_nothing_to_pay(text)

    def test_no_dunning_message_to_a_guarantor_in_credit(self):
        stage = self.account.stage_id
        stage.statement_message = "Testdunning: this balance is overdue, pay now."
        self.assertIn("Testdunning", page_text(self.account._statement_pdfs()[0]))
        self.make_credit()
        self.assertNotIn("Testdunning", page_text(self.account._statement_pdfs()[0]))

    def test_the_portal_download_of_a_credit(self):
        self.make_credit()
        token = self.account._portal_ensure_token()
        response = self.url_open(self.url(self.account, token, "/statement"))
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assert_a_credit_nothing_to_pay(page_text(response.content))

    def test_paid_in_full_has_no_pay_by_date(self):
        self.pay(self.old_invoice | self.new_invoice, 300.0, fields.Date.today())
        self.account._refresh_balances()
        text = page_text(self.account._statement_pdfs()[0])
        self.assertNotIn("Please pay by", text)
        self.assertNotIn("credit of", text)
        self.assertIn("Amount due now $ 0.00", text)

    def test_a_balance_still_has_its_pay_by_date(self):
        text = page_text(self.account._statement_pdfs()[0])
        self.assertIn("Please pay by", text)
        self.assertIn("Amount due now $ 300.00", text)
        self.assertIn("Amount enclosed", text)
        self.assertNotIn("credit of", text)
