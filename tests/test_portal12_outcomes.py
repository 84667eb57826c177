"""What the account page says after the payment form: Odoo's status page sends
the guarantor back to it (``message=paid``) whether the payment went through,
was cancelled or failed; a cancelled or failed one read "Thank you: your payment
is being processed"."""

import json

from odoo import fields
from odoo.tests import tagged

from .test_portal12_forms import Portal12Case


@tagged("post_install", "-at_install")
class TestPortal12PaymentOutcome(Portal12Case):
    def paid_page_after(self, outcome):
        token = self.account._portal_ensure_token()
        self.assertIsNone(self.transaction_error(token, 60.0))
        tx = self.patient_transactions()
        outcome(tx)
        return self.url_open(self.url(self.account, token) + "&message=paid")

    def test_a_cancelled_payment_says_so(self):
        page = self.paid_page_after(lambda tx: tx._set_canceled())
        self.assertEqual(
            self.alert(page),
            "Your payment was cancelled: nothing was paid. You can pay again below.",
        )
        self.assertIn("o_patient_pay_button", page.text)

    def test_a_failed_payment_says_so(self):
        page = self.paid_page_after(lambda tx: tx._set_error("Card declined"))
        self.assertEqual(
            self.alert(page),
            "Your payment could not be processed: nothing was paid. Try again below, with "
            "another card or payment method, or call our billing office.",
        )
        self.assertNotIn("Card declined", page.text)

    def test_a_payment_in_progress_is_thanked(self):
        page = self.paid_page_after(lambda tx: tx._set_pending())
        self.assertIn("Thank you: your payment is being processed.", self.alert(page))

    def test_a_booked_payment_is_thanked_as_received(self):
        def booked(tx):
            tx._set_done()
            tx._post_process()

        page = self.paid_page_after(booked)
        self.assertEqual(
            self.alert(page), "Thank you: your payment was received. The balance below includes it."
        )
        self.assertNotIn("being processed", page.text)

    def test_another_accounts_transaction_is_not_read(self):
        """The session's transaction of another account: this page thanks as before."""
        page = self.paid_page_after(lambda tx: tx._set_canceled())
        token = self.other_account._portal_ensure_token()
        page = self.url_open(self.url(self.other_account, token) + "&message=paid")
        self.assertIn("Thank you", self.alert(page))


@tagged("post_install", "-at_install")
class TestPortal12PaidMoreThanOwed(Portal12Case):
    """An online payment confirmed after the balance was paid at the desk: the
    page read "Balance due $ -60.00 · Not yet due", the receipt "Your balance
    due is now $ -60.00"."""

    def test_paid_more_than_owed_is_a_credit(self):
        tx = self.patient_tx(60.0)  # paid online from a page opened before
        self.pay(self.old_invoice | self.new_invoice, 300.0, fields.Date.today())
        tx._set_done()
        tx._post_process()
        self.assertEqual(self.account.balance_due, -60.0)
        receipt = self.account.message_ids.filtered(lambda m: m.subject == "Payment received")
        self.assertIn("You now have a credit of", receipt.body)
        self.assertIn("60.00", receipt.body)
        self.assertNotIn("-", receipt.body.split("credit of")[1])
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token))
        self.assertIn("Your credit", page.text)
        self.assertIn("Your account is in credit", page.text)
        self.assertNotIn("o_patient_balance_due", page.text)
        self.assertNotIn("o_patient_pay_button", page.text)


@tagged("post_install", "-at_install")
class TestPortal12TokenLanguage(Portal12Case):
    """A token visitor reads the page in the guarantor's language: the template
    was Spanish, but the words computed on the account ("58 days past due", the
    items' explanations) and every amount ("300.00" for "300,00") stayed in the
    visitor's language."""

    def test_token_page_words_and_amounts_in_the_guarantors_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["patient_collections"], ["es_ES"])
        self.guarantor.lang = "es_ES"
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token))
        self.assertIn("Saldo pendiente", page.text)  # the template
        self.assertIn("días de atraso", page.text)
        self.assertNotIn("days past due", page.text)
        self.assertNotIn("Charges for your visit", page.text)
        self.assertIn("300,00", page.text)
        self.assertNotIn("300.00", page.text.replace('max="300.00"', ""))
        page = self.pay_other(token, "60")
        self.assertIn("60,00", page.text)


@tagged("post_install", "-at_install")
class TestPortal12OddTokens(Portal12Case):
    """A token link with a non-ASCII character (a link mangled by a mail client,
    typed by hand) answered a 500: Odoo's consteq compares ASCII strings only."""

    def test_odd_tokens_are_refused_like_any_wrong_token(self):
        self.account._portal_ensure_token()
        for suffix in ("", "/statement", "/pay"):
            response = self.url_open(self.url(self.account, "\u00fc", suffix))
            self.assert_refused(response)
        denied = self.log_lines(self.account, "denied")
        self.assertEqual(len(denied), 3)
        for token in ("\u00fc", 12345, ["x"]):
            response = self.url_open(
                self.url(self.account, suffix="/transaction"),
                data=json.dumps({"jsonrpc": "2.0", "params": self.transaction_params(token, 60.0)}),
                headers={"Content-Type": "application/json"},
            )
            error = response.json()["error"]["data"]
            self.assertEqual(error["message"], "The access token is invalid.", token)
        self.assertFalse(self.patient_transactions())
