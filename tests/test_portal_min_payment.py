"""The least the guarantor may pay as "another amount" is the company's minimum
(10.00 here), or what is left to pay when less is left: the whole rest can
always be paid.  The account page says what the pay route accepts, in the label
and in the amount input's bounds; both come from one rule
(``_portal_min_payment``).  The page said "at least 10.00" with 3.00 left, which
the server took."""

import re

from odoo.tests import tagged

from . import test_guarantor_desk
from .test_portal import PortalCase

OTHER_CHOICE_RE = re.compile(r'<label class="form-check-label" for="pay_other">(.*?)</label>', re.S)
AMOUNT_INPUT_RE = re.compile(r'<input[^>]*name="amount"[^>]*>')
BOUND_RE = re.compile(r'\b(min|max)="([^"]*)"')


@tagged("post_install", "-at_install")
class TestPortalMinPayment(PortalCase):
    transactions = test_guarantor_desk.TestGuarantorOddInputs.patient_transactions

    def another_amount(self):
        """The account page (token link): ("Another amount" label text, {min, max}
        of the amount input)."""
        page = self.url_open(self.url(self.account, self.account._portal_ensure_token()))
        self.assertEqual(page.status_code, 200)
        label = " ".join(OTHER_CHOICE_RE.search(page.text).group(1).split())
        bounds = dict(BOUND_RE.findall(AMOUNT_INPUT_RE.search(page.text).group(0)))
        return label, bounds

    def money(self, amount):
        return " ".join(self.account.currency_id.format(amount).split())

    def leave(self, amount):
        """A payment of all but ``amount``, booked: ``amount`` is left to pay."""
        tx = self.patient_tx(300.0 - amount, suffix="booked")
        tx._set_done()
        tx._post_process()
        self.assertEqual(self.account.balance_due, amount)
        return tx

    def test_more_than_the_minimum_left_the_page_says_the_minimum(self):
        label, bounds = self.another_amount()
        self.assertEqual(label, f"Another amount (at least {self.money(10.0)})")
        self.assertEqual(bounds, {"min": "10.00", "max": "300.00"})
        self.assertEqual(self.account._portal_min_payment(), 10.0)

    def test_less_than_the_minimum_left_is_paid_with_another_amount(self):
        """3.00 left, 10.00 the minimum: the page asks for at least 3.00, which the
        pay page and the transaction route take; less is refused."""
        booked = self.leave(3.0)
        label, bounds = self.another_amount()
        self.assertEqual(label, f"Another amount (at least {self.money(3.0)})")
        self.assertEqual(bounds, {"min": "3.00", "max": "3.00"})
        self.assertEqual(self.account._portal_min_payment(), 3.0)
        self.assertFalse(self.account._portal_payment_problems(3.0))
        self.assertTrue(self.account._portal_payment_problems(2.99))
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=other&amount=3")
        self.assertEqual(page.status_code, 200)
        self.assertIn('data-amount="3.0"', page.text)
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=other&amount=2.99")
        self.assertIn("message=pay_invalid", page.url)
        self.make_jsonrpc_request(
            self.url(self.account, suffix="/transaction"),
            params=self.transaction_params(token, 3.0),
        )
        self.assertEqual(self.transactions().mapped("amount"), [3.0, booked.amount])

    def test_less_than_the_minimum_left_beside_a_payment_in_progress(self):
        """295.00 being processed: 5.00 is left, and at least 5.00 is asked."""
        self.patient_tx(295.0)._set_pending()
        label, bounds = self.another_amount()
        self.assertEqual(label, f"Another amount (at least {self.money(5.0)})")
        self.assertEqual(bounds, {"min": "5.00", "max": "5.00"})
        self.assertEqual(self.account._portal_min_payment(), 5.0)
        self.assertFalse(self.account._portal_payment_problems(5.0))
        self.assertTrue(self.account._portal_payment_problems(4.99))
