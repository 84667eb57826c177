"""The portal's forms with what a new user types: an amount in a currency of 0 or
3 decimals (the amount input's step is the currency's, the server refuses what
the input does not allow, with the reason), a number of installments written
"1_0" (Python's int() read it as 10) or "3.0", and a question sent twice (a
double click, back and resubmit: one interaction, one request)."""

import json
import re

from odoo.tests import tagged

from .test_portal import PortalCase

ALERT_RE = re.compile(r'<div class="alert [^"]*" role="(?:status|alert)">(.*?)</div>', re.S)
STEP_RE = re.compile(r'<input type="number" name="amount"[^>]* step="([^"]*)"')
PLAN_STEP_RE = re.compile(
    r'<input type="number" min="0" id="installment_amount"[^>]* step="([^"]*)"'
)


class Portal12Case(PortalCase):
    def alert(self, response):
        found = ALERT_RE.search(response.text)
        return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()) if found else None

    def patient_transactions(self):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )

    def transaction_error(self, token, amount):
        """The transaction route's error message, or None when it made a transaction."""
        response = self.url_open(
            self.url(self.account, suffix="/transaction"),
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "params": self.transaction_params(
                        token, amount, landing_route=self.url(self.account, token)
                    ),
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        error = response.json().get("error")
        return error and error["data"]["message"]

    def pay_other(self, token, amount):
        return self.url_open(
            self.url(self.account, token, "/pay") + f"&choice=other&amount={amount}"
        )


@tagged("post_install", "-at_install")
class TestPortal12CurrencyDecimals(Portal12Case):
    def set_decimals(self, rounding, decimals):
        """The company's currency made a yen-like (1.0) or dinar-like (0.001) one
        (Odoo refuses fewer decimals once entries exist: written in SQL, rolled back)."""
        currency = self.account.currency_id
        currency.flush_recordset()
        self.env.cr.execute(
            "UPDATE res_currency SET rounding = %s, decimal_places = %s WHERE id = %s",
            [rounding, decimals, currency.id],
        )
        currency.invalidate_recordset()
        self.assertEqual(currency.decimal_places, decimals)

    def test_whole_currency(self):
        self.set_decimals(1.0, 0)
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token))
        self.assertEqual(STEP_RE.search(page.text).group(1), "1")
        self.assertEqual(PLAN_STEP_RE.search(page.text).group(1), "1")
        self.assertIn('min="10" max="300"', page.text)
        # 60.5 cannot be typed in the input: the server says why, nothing is made
        response = self.pay_other(token, "60.5")
        self.assertIn("message=pay_decimals", response.url)
        self.assertEqual(
            self.alert(response),
            "That amount has decimals: enter a whole amount, without decimals.",
        )
        self.assertIn("cannot be paid online", self.transaction_error(token, 60.5))
        self.assertFalse(self.patient_transactions())
        # 60 is paid
        page = self.pay_other(token, "60")
        self.assertIn("o_payment_form", page.text)
        self.assertIsNone(self.transaction_error(token, 60.0))
        self.assertEqual(self.patient_transactions().amount, 60.0)

    def test_three_decimals_currency(self):
        self.set_decimals(0.001, 3)
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token))
        self.assertEqual(STEP_RE.search(page.text).group(1), "0.001")
        self.assertIn('min="10.000" max="300.000"', page.text)
        response = self.pay_other(token, "60.1255")
        self.assertIn("message=pay_decimals", response.url)
        self.assertEqual(
            self.alert(response),
            "That amount has too many decimals: enter it with at most 3 decimals.",
        )
        self.assertIn("cannot be paid online", self.transaction_error(token, 60.1255))
        page = self.pay_other(token, "60.125")
        self.assertIn("o_payment_form", page.text)
        self.assertIsNone(self.transaction_error(token, 60.125))
        self.assertEqual(self.patient_transactions().amount, 60.125)

    def test_cents_currency(self):
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token))
        self.assertEqual(STEP_RE.search(page.text).group(1), "0.01")
        response = self.pay_other(token, "60.125")
        self.assertIn("message=pay_decimals", response.url)
        self.assertEqual(
            self.alert(response),
            "That amount has too many decimals: enter it with at most 2 decimals.",
        )
        # the whole balance with a float's own error is no decimal more
        self.assertTrue(self.account._portal_amount_fits_currency(300.00000000001))


@tagged("post_install", "-at_install")
class TestPortal12FormNumbers(Portal12Case):
    def submit_plan(self, token, csrf, **data):
        return self.url_open(
            self.url(self.account, suffix="/plan"),
            data=dict({"csrf_token": csrf, "access_token": token}, **data),
        )

    def test_installment_counts_digits_only(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        for count in ("1_0", "3.5", "-2", "\u0663", "3e0", "0x3", " 1 0 "):
            response = self.submit_plan(token, csrf, installment_count=count)
            self.assertIn("message=plan_count_invalid", response.url, count)
            self.assertEqual(
                self.alert(response),
                "The number of installments must be a whole number, such as 6: enter it with "
                "digits only.",
            )
            self.assertFalse(self.account.plan_ids, count)
        # an unreadable count is not replaced by the amount a month beside it
        response = self.submit_plan(token, csrf, installment_count="1_0", installment_amount="100")
        self.assertIn("message=plan_count_invalid", response.url)
        self.assertFalse(self.account.plan_ids)
        # "3.0" is three (a number input may send it so)
        response = self.submit_plan(token, csrf, installment_count="3.0")
        self.assertIn("message=plan_created", response.url)
        self.assertEqual(len(self.account.active_plan_id.installment_ids), 3)

    def test_a_forms_address_opened_leads_to_the_account(self):
        token = self.account._portal_ensure_token()
        for suffix in ("/plan", "/question"):
            response = self.url_open(self.url(self.account, token, suffix))
            self.assertEqual(response.status_code, 200, suffix)
            self.assertTrue(response.url.endswith(self.url(self.account, token)), response.url)
        self.assertFalse(self.account.plan_ids)
        # another's account stays out of reach
        response = self.url_open(self.url(self.other_account, token, "/plan"))
        self.assertEqual(response.status_code, 404)

    def test_amounts_digits_only(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        # "1_00" a month was read as 100 (3 installments)
        response = self.submit_plan(token, csrf, installment_amount="1_00")
        self.assertIn("message=plan_invalid", response.url)
        self.assertFalse(self.account.plan_ids)
        for amount in ("6_0", "inf", "nan", "\u0666\u0660"):
            response = self.pay_other(token, amount)
            self.assertIn("message=pay_invalid", response.url, amount)
        self.assertFalse(self.patient_transactions())


@tagged("post_install", "-at_install")
class TestPortal12QuestionTwice(Portal12Case):
    def questions(self):
        return (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )

    def test_the_same_question_posted_twice_is_kept_once(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        csrf = self.csrf(self.account)
        data = {"csrf_token": csrf, "topic": "insurance", "text": "Why was the\r\nclaim denied?"}
        url = self.url(self.account, suffix="/question")
        first = self.url_open(url, data=data)
        second = self.url_open(url, data=data)
        for response in (first, second):
            self.assertIn("message=question_sent", response.url)
            self.assertEqual(self.alert(response), "Your question was sent to our billing office.")
        self.assertEqual(len(self.questions()), 1)
        asked = self.account.activity_ids.filtered(
            lambda activity: activity.summary.startswith("Question from the portal")
        )
        self.assertEqual(len(asked), 1)
        # another question, or the same under another topic, is a new one
        self.url_open(url, data=dict(data, text="And the second visit?"))
        self.url_open(url, data=dict(data, topic="other"))
        self.assertEqual(len(self.questions()), 3)
