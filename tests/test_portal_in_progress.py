"""An online payment taken but not booked yet (the provider confirmed it, or it
is pending, and Odoo has not made the payment of it) is still owed no more: a
second tab, or a second click before the first payment is booked, may pay at
most what is left, so the guarantor is never charged twice for one balance.
The account page says so before any click: the amount in progress, and a Pay
form for the rest only (none when nothing is left)."""

import re
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from . import test_guarantor_desk
from .test_portal import PortalCase

PLAN_WAITS = (
    "An online payment you made is still being processed: you can set up a payment plan for "
    "what is left once it is booked."
)
PLAN_WAITS_RE = re.compile(r'class="[^"]*o_patient_plan_waits[^"]*"[^>]*>(.*?)</p>', re.S)
NOTICE_RE = re.compile(r'class="[^"]*o_patient_payment_in_progress[^"]*"[^>]*>(.*?)</div>', re.S)
BALANCE_CHOICE_RE = re.compile(
    r'<label class="form-check-label" for="pay_balance">(.*?)</label>', re.S
)


@tagged("post_install", "-at_install")
class TestPortalPaymentInProgress(PortalCase):
    transactions = test_guarantor_desk.TestGuarantorOddInputs.patient_transactions

    def account_page(self):
        """The account page as the token visitor opens it: (notice text or None,
        the "full balance" choice's text or None when there is no Pay form)."""
        page = self.url_open(self.url(self.account, self.account._portal_ensure_token()))
        self.assertEqual(page.status_code, 200)
        notice = NOTICE_RE.search(page.text)
        choice = BALANCE_CHOICE_RE.search(page.text)
        if choice:
            self.assertIn('class="btn btn-primary o_patient_pay_button"', page.text)
        else:
            self.assertNotIn("o_patient_pay_button", page.text)
        return (
            " ".join(notice.group(1).split()) if notice else None,
            " ".join(choice.group(1).split()) if choice else None,
        )

    def money(self, amount):
        return " ".join(self.account.currency_id.format(amount).split())

    # ------------------------------------------------------------------ the page, before any click

    def test_page_without_payment_in_progress_offers_the_full_balance(self):
        notice, choice = self.account_page()
        self.assertIsNone(notice)
        self.assertEqual(choice, f"The full balance, {self.money(300.0)}")

    def test_page_tells_the_whole_balance_is_in_progress_and_offers_no_form(self):
        self.patient_tx(300.0)._set_done()  # confirmed by the provider, not booked
        notice, choice = self.account_page()
        self.assertIsNone(choice, "nothing more may be paid: no Pay form")
        self.assertIn(f"An online payment of {self.money(300.0)} you made", notice)
        self.assertIn("nothing more is due now", notice)

    def test_page_offers_the_rest_of_a_balance_partly_in_progress(self):
        self.patient_tx(100.0)._set_pending()
        self.patient_tx(20.0, suffix="a")._set_done()  # confirmed, not booked
        notice, choice = self.account_page()
        self.assertIn(f"An online payment of {self.money(120.0)} you made", notice)
        self.assertIn(f"you can pay the rest, {self.money(180.0)}, below", notice)
        self.assertEqual(choice, f"The rest of the balance, {self.money(180.0)}")
        # the choice pays that rest
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=balance")
        self.assertIn('data-amount="180.0"', page.text)

    def test_page_values_of_a_payment_in_progress(self):
        values = self.account._portal_values()
        self.assertEqual((values["payment_in_progress"], values["payable"]), (0, 300.0))
        self.assertTrue(values["can_pay"])
        self.patient_tx(300.0)._set_done()
        values = self.account._portal_values()
        self.assertEqual((values["payment_in_progress"], values["payable"]), (300.0, 0.0))
        self.assertFalse(values["can_pay"])

    # ------------------------------------------------------------------ paying

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

    def test_a_payment_odoo_stopped_processing_no_longer_holds_the_guarantor_back(self):
        """Odoo post-processes a transaction for four days: a wire transfer
        promised and never made, or a confirmed payment it could not book, then
        stops counting as in progress (the accountants settle it)."""
        promised = self.patient_tx(100.0, suffix="w")
        promised._set_pending()
        unbooked = self.patient_tx(50.0, suffix="u")
        unbooked._set_done()
        self.assertEqual(self.account._portal_payments_in_progress(), 150.0)
        now = fields.Datetime.now()
        promised.last_state_change = now - timedelta(days=3, hours=23)
        unbooked.last_state_change = now - timedelta(days=4, hours=1)
        self.assertEqual(self.account._portal_payments_in_progress(), 100.0)
        promised.last_state_change = now - timedelta(days=5)
        self.assertEqual(self.account._portal_payments_in_progress(), 0.0)
        self.assertFalse(self.account._portal_payment_problems(300.0))
        self.assertEqual(self.account_page(), (None, f"The full balance, {self.money(300.0)}"))

    def test_abandoned_cancelled_or_failed_payments_do_not_count(self):
        self.patient_tx(300.0, suffix="d")  # a form opened and left: a draft
        self.patient_tx(300.0, suffix="c")._set_canceled()
        self.patient_tx(300.0, suffix="e")._set_error("declined")
        self.assertFalse(self.account._portal_payment_problems(300.0))

    # ------------------------------------------------------------------ a plan waits

    def plan_section(self):
        """The account page's plan section (token link): (its sentence while a plan
        waits for the payment, or None; whether the plan form is there)."""
        page = self.url_open(self.url(self.account, self.account._portal_ensure_token()))
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_patient_plan", page.text, "the Pay over time section is shown")
        waits = PLAN_WAITS_RE.search(page.text)
        return (
            " ".join(waits.group(1).split()) if waits else None,
            "o_patient_plan_button" in page.text,
        )

    def test_no_plan_form_while_a_payment_is_in_progress(self):
        """A plan set up now would schedule money already paid: no form, one
        sentence saying when it comes back; back once the payment is booked."""
        self.assertEqual(self.plan_section(), (None, True))
        tx = self.patient_tx(100.0)
        tx._set_pending()
        self.assertEqual(self.plan_section(), (PLAN_WAITS, False))
        self.assertTrue(self.account._portal_values()["plan_waits_for_payment"])
        tx._set_done()
        self.assertEqual(self.plan_section(), (PLAN_WAITS, False))
        tx._post_process()  # booked: 200.00 left, a plan may cover it
        self.assertEqual(self.account.balance_due, 200.0)
        self.assertEqual(self.plan_section(), (None, True))

    def test_plan_route_refuses_while_a_payment_is_in_progress(self):
        """The page opened in another tab before the payment (or a forged form):
        refused with the page's sentence, no plan, no request for the specialist."""
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        self.patient_tx(100.0)._set_pending()
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": "3", "access_token": token},
        )
        self.assertIn("message=plan_in_progress", response.url)
        self.assertIn(PLAN_WAITS, " ".join(response.text.split()))
        # outside the policy (an activity otherwise), by amount: refused the same way
        for data in ({"installment_count": "100"}, {"installment_amount": "120"}):
            response = self.url_open(
                self.url(self.account, suffix="/plan"),
                data=dict(data, csrf_token=csrf, access_token=token),
            )
            self.assertIn("message=plan_in_progress", response.url)
        self.assertFalse(self.account.plan_ids)
        self.assertFalse(
            self.account.activity_ids.filtered(
                lambda a: a.summary == "Payment plan requested on the portal"
            )
        )
        with self.assertRaises(UserError):
            self.account._portal_plan_request(3)
        self.assertFalse(
            self.env["patient.payment.plan"].search([("account_id", "=", self.account.id)])
        )
