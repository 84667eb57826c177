"""An online payment taken but not booked yet (the provider confirmed it, or it
is pending, and Odoo has not made the payment of it) is still owed no more: a
second tab, or a second click before the first payment is booked, may pay at
most what is left, so the guarantor is never charged twice for one balance."""

from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from . import test_guarantor_desk
from .test_portal import PortalCase


@tagged("post_install", "-at_install")
class TestPortalPaymentInProgress(PortalCase):
    transactions = test_guarantor_desk.TestGuarantorOddInputs.patient_transactions

    def test_confirmed_payment_not_booked_yet_leaves_nothing_to_pay(self):
        tx = self.patient_tx(300.0)
        tx._set_done()  # the provider took the money; post-processing comes later
        self.assertEqual(self.account.balance_due, 300.0)
        self.assertTrue(self.account._portal_payment_problems(300.0))
        self.assertTrue(self.account._portal_payment_problems(10.0))
        token = self.account._portal_ensure_token()
        # the second tab: its form was opened before the first payment
        route = self.url(self.account, suffix="/transaction")
        params = self.transaction_params(token, 300.0)
        self.assertRaises(JsonRpcException, self.make_jsonrpc_request, route, params=params)
        self.assertEqual(self.transactions(), tx)
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=balance")
        self.assertIn("message=pay_in_progress", page.url)
        page = self.url_open(page.url)
        self.assertIn("still being processed", page.text)
        # booked: paid once, nothing due
        tx._post_process()
        self.assertEqual(self.account.balance_due, 0.0)

    def test_pending_payment_leaves_the_rest_to_pay(self):
        self.patient_tx(100.0)._set_pending()
        self.assertTrue(self.account._portal_payment_problems(200.01))
        self.assertFalse(self.account._portal_payment_problems(200.0))
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=balance")
        self.assertEqual(page.status_code, 200)
        self.assertIn('data-amount="200.0"', page.text)
        self.make_jsonrpc_request(
            self.url(self.account, suffix="/transaction"),
            params=self.transaction_params(token, 200.0),
        )

    def test_abandoned_cancelled_or_failed_payments_do_not_count(self):
        self.patient_tx(300.0, suffix="d")  # a form opened and left: a draft
        self.patient_tx(300.0, suffix="c")._set_canceled()
        self.patient_tx(300.0, suffix="e")._set_error("declined")
        self.assertFalse(self.account._portal_payment_problems(300.0))
