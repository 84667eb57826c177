"""The account page's plan and Pay forms submitted when they no longer apply: a
second click on "Set up my plan" (or a page opened before the plan was set up,
or before the balance was paid) makes nothing and sends no request to the
specialist, and the guarantor reads why; so does the Pay form of a balance paid
since; the plan's next installment is offered as a Pay choice only when the pay
route takes it."""

import re

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase

REQUESTED = "Payment plan requested on the portal"
ALERT_RE = re.compile(r'<div class="alert [^"]*" role="(?:status|alert)">(.*?)</div>', re.S)
INSTALLMENT_RE = re.compile(
    r'<label class="form-check-label" for="pay_installment">(.*?)</label>', re.S
)


@tagged("post_install", "-at_install")
class TestPortalPlanForm(PortalCase):
    def patient_transactions(self):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )

    def submit_plan(self, token, csrf, count):
        return self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": str(count), "access_token": token},
        )

    def alert(self, response):
        found = ALERT_RE.search(response.text)
        return " ".join(found.group(1).split()) if found else None

    def requests_to_the_specialist(self):
        return self.account.activity_ids.filtered(lambda activity: activity.summary == REQUESTED)

    def test_a_second_submit_keeps_the_plan_and_asks_nobody(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        response = self.submit_plan(token, csrf, 3)
        self.assertIn("message=plan_created", response.url)
        plan = self.account.active_plan_id
        self.assertEqual(len(plan.installment_ids), 3)
        # the same form again (a double click, another tab): 6 installments asked
        response = self.submit_plan(token, csrf, 6)
        self.assertIn("message=plan_exists", response.url)
        self.assertEqual(
            self.alert(response), "You already have a payment plan: its schedule is below."
        )
        self.assertEqual(self.account.active_plan_id, plan)
        self.assertEqual(len(plan.installment_ids), 3)
        self.assertFalse(self.requests_to_the_specialist(), "no review of a plan that stands")
        # an online payment in progress besides: still the plan that stands, not "set up
        # a plan for what is left once the payment is booked"
        self.patient_tx(50.0)._set_pending()
        response = self.submit_plan(token, csrf, 6)
        self.assertIn("message=plan_exists", response.url)
        self.assertEqual(self.account.active_plan_id, plan)

    def test_a_paid_balance_is_not_spread(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)  # the page, opened before the payment
        self.pay(self.old_invoice | self.new_invoice, 300.0, fields.Date.today())
        self.assertEqual(self.account.balance_due, 0.0)
        response = self.submit_plan(token, csrf, 3)
        self.assertIn("message=plan_nothing_due", response.url)
        self.assertEqual(
            self.alert(response),
            "Nothing is due on this account now: there is no balance to pay over time.",
        )
        self.assertFalse(self.account.plan_ids)
        self.assertFalse(self.requests_to_the_specialist())

    def test_a_paid_balance_is_not_paid_again(self):
        token = self.account._portal_ensure_token()
        self.pay(self.old_invoice | self.new_invoice, 300.0, fields.Date.today())
        # the Pay form of a page opened before the payment
        for query in ("&choice=balance", "&choice=other&amount=50"):
            response = self.url_open(self.url(self.account, token, "/pay") + query)
            self.assertIn("message=pay_nothing_due", response.url, query)
            self.assertEqual(
                self.alert(response), "Nothing is due on this account now: there is nothing to pay."
            )
        self.assertFalse(self.patient_transactions())

    def test_an_installment_above_what_may_be_paid_is_not_offered(self):
        token = self.account._portal_ensure_token()
        self.submit_plan(token, self.csrf(self.account, token), 3)
        self.assertEqual(self.account._portal_next_installment_amount(), 100.0)
        page = self.url_open(self.url(self.account, token))
        choice = INSTALLMENT_RE.search(page.text)
        self.assertEqual(
            " ".join(choice.group(1).split()),
            "The next installment, " + " ".join(self.account.currency_id.format(100.0).split()),
        )
        # 250.00 paid online in another tab, not booked yet: 50.00 may still be paid
        self.patient_tx(250.0)._set_pending()
        self.assertEqual(self.account._portal_payable(), 50.0)
        page = self.url_open(self.url(self.account, token))
        self.assertIn("o_patient_pay_button", page.text)
        self.assertIsNone(INSTALLMENT_RE.search(page.text), "the pay route refuses 100.00")
        response = self.url_open(self.url(self.account, token, "/pay") + "&choice=installment")
        self.assertIn("message=pay_in_progress", response.url)

    def test_an_amount_a_month_too_small_says_what_to_change(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        url = self.url(self.account, suffix="/plan")
        # 0.01 a month of 300.00: 30000 installments, more than the portal takes
        response = self.url_open(
            url, data={"csrf_token": csrf, "installment_amount": "0.01", "access_token": token}
        )
        self.assertIn("message=plan_too_many", response.url)
        self.assertEqual(
            self.alert(response),
            "That is more than 520 installments: choose fewer installments or a larger amount "
            "per month.",
        )
        # less than a cent is no amount: 1e-310 divided the balance to infinity (a 500)
        for amount in ("0.001", "1e-310", "5e-324"):
            response = self.url_open(
                url, data={"csrf_token": csrf, "installment_amount": amount, "access_token": token}
            )
            self.assertEqual(response.status_code, 200, amount)
            self.assertIn("message=plan_invalid", response.url, amount)
        self.assertFalse(self.account.plan_ids)
        self.assertFalse(self.requests_to_the_specialist())

    def test_no_plan_form_nor_request_while_no_payment_is_asked_for(self):
        """On a dispute hold the page said no payment is asked for and still offered
        Pay over time; each submit filed another to-do for the specialist (t19b)."""
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)  # the page opened before the hold
        self.account._set_hold("dispute")
        page = self.url_open(self.url(self.account, token)).text
        self.assertNotIn("o_patient_plan_button", page)
        self.assertIn("o_patient_pay_button", page)  # paying of one's own accord stays
        for _submit in range(2):
            response = self.submit_plan(token, csrf, 3)
            self.assertIn("message=plan_on_hold", response.url)
        self.assertIn(
            "No payment plan is set up while your account is under review", self.alert(response)
        )
        self.assertFalse(self.account.plan_ids)
        self.assertFalse(self.requests_to_the_specialist())
