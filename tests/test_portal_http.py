"""Every route of the guarantor's portal against every visitor who has no business
there: no, a wrong or another account's token, another guarantor, an internal
user, an account of another company, an archived account.  Each gets the same
answer (404, or a JSON error for the transaction route), nothing of the patient
in it, and one "denied" line in the access log; the page of 50 open items costs
the queries of 2."""

import json
import re

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase

SESSION_CSRF_RE = re.compile(r'csrf_token: "([^"]+)"')

# (route suffix, HTTP method, form data); the transaction route is JSON
ROUTES = (
    ("", "GET", None),
    ("/statement", "GET", None),
    ("/pay", "GET", {"choice": "other", "amount": "50"}),
    ("/plan", "POST", {"installment_count": "3"}),
    ("/question", "POST", {"topic": "other", "text": "Why this charge?"}),
)


@tagged("post_install", "-at_install")
class TestPortalHttp(PortalCase):
    """Refusals on every route, the secrets kept, the access log written."""

    def setUp(self):
        super().setUp()
        self.token = self.account._portal_ensure_token()
        self.other_token = self.other_account._portal_ensure_token()

    # ------------------------------------------------------------------ helpers

    def session_csrf(self, login):
        """A valid CSRF token of the current session (the refusal must come from the
        portal's check, not from a missing token)."""
        page = self.url_open("/my" if login else "/web/login")
        self.assertEqual(page.status_code, 200)
        return SESSION_CSRF_RE.search(page.text).group(1)

    def request(self, account, suffix, method, data, token=None, login=None):
        if method == "GET":
            url = self.url(account, token, suffix)
            if data:
                url += ("&" if token else "?") + "&".join(f"{k}={v}" for k, v in data.items())
            return self.url_open(url)
        form = dict(data, csrf_token=self.session_csrf(login))
        if token:
            form["access_token"] = token
        return self.url_open(self.url(account, suffix=suffix), data=form)

    def transaction(self, account, token, **extra):
        """The JSON transaction route: the error message, or None when it answered."""
        response = self.url_open(
            self.url(account, suffix="/transaction"),
            data=self.jsonrpc(self.transaction_params(token, **extra)),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        self.assert_no_secret(response.text)
        error = response.json().get("error")
        return error and error["data"]["message"]

    @staticmethod
    def jsonrpc(params):
        return json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})

    def assert_no_secret(self, text):
        for secret in (
            "Testparent",
            "Testchild",
            "Testperson",
            "MRN-T",
            self.account.name,
            self.other_account.name,
            "300.00",
        ):
            self.assertNotIn(secret, text)

    def denied_count(self):
        return (
            self.env["patient.access.log"]
            .sudo()
            .search_count([("event", "=", "denied"), ("res_model", "=", "patient.account")])
        )

    def assert_every_route_refused(self, account, token=None, login=None, who=""):
        for suffix, method, data in ROUTES:
            with self.subTest(who=who, route=suffix or "/", token=bool(token)):
                before = self.denied_count()
                response = self.request(account, suffix, method, data, token, login)
                self.assertEqual(response.status_code, 404)
                self.assert_no_secret(response.text)
                self.assertNotIn("%PDF", response.text)
                self.assertEqual(self.denied_count(), before + 1, "one denied line per refusal")
        with self.subTest(who=who, route="/transaction", token=bool(token)):
            before = self.denied_count()
            self.assertEqual(self.transaction(account, token), "The access token is invalid.")
            self.assertEqual(self.denied_count(), before + 1)

    def assert_nothing_happened(self):
        self.assertFalse(
            self.env["payment.transaction"].sudo().search([("patient_account_id", "!=", False)])
        )
        self.assertFalse(
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "in", (self.account | self.other_account).ids)])
        )
        self.assertFalse(self.account.active_plan_id)
        self.assertFalse(self.log_lines(self.account, "open"))
        self.assertFalse(self.log_lines(self.account, "download"))

    # ------------------------------------------------------------------ refusals

    def test_public_visitor_without_the_right_token(self):
        for token in (None, "x" * 36, self.other_token, self.token.upper()):
            self.assert_every_route_refused(self.account, token, who="public")
        denied = self.log_lines(self.account, "denied")
        self.assertEqual(denied.mapped("user_id"), self.env.ref("base.public_user"))
        self.assertTrue(all(denied.mapped("ip_address")))
        self.assertTrue(all(detail.startswith("portal") for detail in denied.mapped("detail")))
        # an account that does not exist answers the same
        self.assert_every_route_refused(self.Account.browse(999999), self.token, who="missing")
        self.assert_nothing_happened()

    def test_another_guarantor_with_or_without_their_token(self):
        self.authenticate("pc_portal_gamma", "pc_portal_gamma")
        for token in (None, self.other_token):
            self.assert_every_route_refused(self.account, token, "pc_portal_gamma", "guarantor")
        self.assertEqual(self.log_lines(self.account, "denied").mapped("user_id"), self.other_user)
        # their own account opens
        self.assertEqual(self.url_open(self.url(self.other_account)).status_code, 200)
        self.assert_nothing_happened_to_this_account()

    def assert_nothing_happened_to_this_account(self):
        self.assertFalse(self.account.active_plan_id)
        self.assertFalse(self.log_lines(self.account, "open"))
        self.assertFalse(
            self.env["patient.interaction"].sudo().search([("account_id", "=", self.account.id)])
        )

    def test_internal_user_is_refused_the_portal(self):
        """A collections manager reads the account in the back office, never on the
        portal: the same 404 as anyone, the list too."""
        self.authenticate("pc_portal_specialist", "pc_portal_specialist")
        self.assert_every_route_refused(self.account, None, "pc_portal_specialist", "internal")
        before = self.denied_count()
        listing = self.url_open("/my/patient-accounts")
        self.assertEqual(listing.status_code, 404)
        self.assert_no_secret(listing.text)
        self.assertEqual(self.denied_count(), before + 1)
        self.assert_nothing_happened()

    def test_public_visitor_gets_the_login_page_for_the_list(self):
        response = self.url_open("/my/patient-accounts")
        self.assertIn("/web/login", response.url)
        self.assert_no_secret(response.text)

    def test_other_company_account_with_this_token(self):
        other_company = self.setup_other_company()["company"]
        invoice = self.make_invoice(
            self.guarantor, 50.0, fields.Date.today(), company=other_company
        )
        account = invoice.patient_account_id
        self.assertEqual(account.company_id, other_company)
        self.assert_every_route_refused(account, self.token, who="other company")
        # its own token opens it (and nothing of the first practice's account shows)
        page = self.url_open(self.url(account, account._portal_ensure_token()))
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(self.account.name, page.text)

    def test_archived_account_refused_to_its_token_and_guarantor(self):
        self.account.active = False
        self.assert_every_route_refused(self.account, self.token, who="archived, token")
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        self.assert_every_route_refused(self.account, None, "pc_portal_alpha", "archived, user")
        self.assertFalse(self.log_lines(self.account, "open"))

    def test_token_visitor_neither_sees_nor_saves_payment_details(self):
        """The link pays; the guarantor's saved cards and saving one need a login."""
        saved = self._create_token(partner_id=self.guarantor.id)
        pay_url = self.url(self.account, self.token, "/pay") + "&choice=balance"
        page = self.url_open(pay_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(f"o_payment_token_{saved.id}", page.text)
        self.assertNotIn("o_payment_tokenize_checkbox", page.text)
        for extra in ({"token_id": saved.id, "flow": "token"}, {"tokenization_requested": True}):
            self.assertEqual(
                self.transaction(self.account, self.token, **extra),
                "Sign in to use or save payment details.",
            )
        self.assertFalse(
            self.env["payment.transaction"].sudo().search([("patient_account_id", "!=", False)])
        )
        # the guarantor, signed in, sees their saved card
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open(self.url(self.account, suffix="/pay") + "?choice=balance")
        self.assertIn(f"o_payment_token_{saved.id}", page.text)

    # ------------------------------------------------------------------ what is logged

    def test_every_route_logs_the_guarantors_visit(self):
        """Opening, downloading, paying, a plan and a question: each an access-log
        line with the portal user (or "token link") and the address."""
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        for suffix, method, data in ROUTES:
            response = self.request(self.account, suffix, method, data, login="pc_portal_alpha")
            self.assertEqual(response.status_code, 200, suffix)
        lines = self.log_lines(self.account, "open") | self.log_lines(self.account, "download")
        self.assertEqual(
            sorted(lines.mapped(lambda line: line.field_names or "")),
            # the page itself three times: opened, then after the plan and the question
            ["", "", "", "pay", "plan", "question", "statement"],
        )
        self.assertEqual(lines.mapped("user_id"), self.guarantor_user)
        self.assertEqual(set(lines.mapped("detail")), {"portal"})
        self.assertTrue(all(lines.mapped("ip_address")))

    # ------------------------------------------------------------------ queries

    def test_account_page_queries_do_not_grow_with_50_items(self):
        """The account page as the token visitor sees it: 50 open items cost the
        queries of 2 (one read of the items, no query per item)."""
        url = self.url(self.account, self.token)

        def count_page_queries():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            page = self.url_open(url)
            count = self.cr.sql_log_count - before
            self.assertEqual(page.status_code, 200)
            return count, page.text.count('class="card mb-2"')

        self.url_open(url)  # warm the caches of the first request (views, routing)
        few, items = count_page_queries()
        self.assertEqual(items, 2)
        self.add_open_items(48)
        many, items = count_page_queries()
        self.assertEqual(items, 50)
        self.assertLessEqual(many, few, f"{few} queries for 2 items, {many} for 50")
