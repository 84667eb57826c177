"""Attacks on patient data over real HTTP: what portal, public and plain internal
users, and specialists of another company, get back from the routes a browser can
call, and what the access log says about it."""

import json
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlencode

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import PatientCollectionsCommon

REPORT = "patient_collections.report_patient_statement"
SPEC = {"name": {}, "balance_due": {}, "partner_id": {"fields": {"display_name": {}}}}
BALANCE = 4321.87
# the routes below log refused accesses (and the export controller logs any error)
NOISY_LOGGERS = ("odoo.http", "odoo.addons.web.controllers.export")


@tagged("post_install", "-at_install")
class TestPhiHttp(PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}

        def user(login, groups):
            return new_test_user(cls.env, login=login, password=login, groups=groups, **common)

        cls.portal_user = user("pc_http_portal", "base.group_portal")
        cls.plain_user = user("pc_http_plain", "base.group_user")
        cls.specialist = user(
            "pc_http_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
        )
        cls.exporter = user(
            "pc_http_exporter",
            "base.group_user,base.group_allow_export,"
            "patient_collections.group_collections_specialist",
        )
        invoice_date = date.today() - timedelta(days=40)
        cls.invoice = cls.make_invoice(cls.child, BALANCE, invoice_date)
        cls.account = cls.invoice.patient_account_id
        # a message a portal follower would normally see (a comment, not a note)
        cls.account.sudo().message_post(
            body=f"Statement question on {cls.account.name} from Testparent Alpha",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.account.sudo()._send_statements()
        cls.statement = (
            cls.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "patient.account"), ("res_id", "=", cls.account.id)])
        )
        cls.report_url = f"/report/pdf/{REPORT}/{cls.account.id}"

    def setUp(self):
        super().setUp()
        self.assertTrue(self.account.name)
        self.assertEqual(len(self.statement), 1, "one statement PDF attached to the account")
        self.assertTrue(self.statement.raw.startswith(b"%PDF"))
        self.assertEqual(self.account.balance_due, BALANCE)

    # ------------------------------------------------------------------ helpers

    def secrets(self, account=None):
        account = account or self.account
        return [
            account.name,
            account.partner_id.name,
            "Testchild Alpha",
            f"{account.balance_due:.2f}",
            f"{account.balance_due:,.2f}",
        ]

    def assertNoPhi(self, content, account=None):
        text = content.decode(errors="replace") if isinstance(content, bytes) else content
        self.assertNotIn("%PDF", text[:20])
        for secret in self.secrets(account):
            self.assertNotIn(secret, text)

    def login(self, user):
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)

    def jsonrpc(self, route, params):
        """POST a JSON-RPC call; return (raw response, decoded body)."""
        payload = {"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
        response = self.url_open(
            route, data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        try:
            body = response.json()
        except ValueError:
            body = {}
        return response, body

    def call_kw(self, method, args, kwargs=None, model="patient.account"):
        return self.jsonrpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def web_read(self, account, context=None):
        kwargs = {"specification": SPEC}
        if context:
            kwargs["context"] = context
        return self.call_kw("web_read", [account.ids], kwargs)

    def assertRpcRefused(self, response, body, error_name, account=None):
        self.assertNotIn("result", body, f"data returned: {body.get('result')}")
        self.assertIn("error", body)
        self.assertEqual(body["error"]["data"]["name"], error_name)
        self.assertNoPhi(response.content, account)

    def export(self, ids, fields=("name", "balance_due", "partner_id"), fmt="csv"):
        data = {
            "model": "patient.account",
            "fields": [{"name": name, "label": name} for name in fields],
            "ids": ids,
            "domain": [],
            "import_compat": False,
            "context": {},
        }
        return self.url_open(f"/web/export/{fmt}?" + urlencode({"data": json.dumps(data)}))

    def logs(self, user, event, account=None):
        account = account or self.account
        return (
            self.env["patient.access.log"]
            .sudo()
            .search(
                [
                    ("user_id", "=", user.id),
                    ("event", "=", event),
                    ("res_model", "=", "patient.account"),
                    "|",
                    ("res_id", "=", account.id),
                    ("res_ids", "=", str(account.id)),
                ]
            )
        )

    def log_sequence(self):
        self.env.cr.execute("SELECT last_value FROM patient_access_log_id_seq")
        return self.env.cr.fetchone()[0]

    @contextmanager
    def assertLogRowWritten(self):
        """A refused request wrote its access log row.

        Over HTTP in registry test mode, ``_log_denied``'s own cursor is a
        TestCursor whose savepoint is nested in the request cursor's savepoint:
        the request's rollback (it failed) discards the row, so it cannot be
        searched afterwards.  The id sequence is not transactional: that it moved
        shows the row was inserted during the request."""
        before = self.log_sequence()
        yield
        self.assertGreater(self.log_sequence(), before, "a 'denied' row was written")

    def assertDeniedLogged(self, user, account, detail, attempt):
        """The same refusal made in-process (no request rollback): the 'denied'
        row is visible, with what it should say."""
        self.assertFalse(self.logs(user, "denied", account))
        with self.assertRaises(AccessError):
            attempt(account.with_user(user))
        self.assertRecordValues(
            self.logs(user, "denied", account),
            [
                {
                    "company_id": account.company_id.id,
                    "res_id": account.id,
                    "record_count": 1,
                    "detail": detail,
                }
            ],
        )

    def thread_routes_refused(self, expect_session_error):
        """/mail/thread/* and the portal chatter routes give nothing of the account."""
        for extra in ({}, {"hash": "0" * 64, "pid": self.guarantor.id}, {"token": "x" * 32}):
            response, body = self.jsonrpc(
                "/mail/thread/data",
                {
                    "thread_model": "patient.account",
                    "thread_id": self.account.id,
                    "request_list": ["followers", "attachments", "suggestedRecipients"],
                    **extra,
                },
            )
            self.assertNoPhi(response.content)
            self.assertNotIn(self.statement.name, response.text)
            threads = body.get("result", {}).get("Thread", [])
            for thread in threads:
                self.assertFalse(thread.get("hasReadAccess"), thread)
                self.assertFalse(thread.get("attachments"), thread)
            self.assertFalse(body.get("result", {}).get("ir.attachment"))
            self.assertFalse(body.get("result", {}).get("mail.followers"))

        response, body = self.jsonrpc(
            "/mail/thread/messages",
            {"thread_model": "patient.account", "thread_id": self.account.id},
        )
        self.assertNoPhi(response.content)
        if expect_session_error:
            self.assertEqual(body["error"]["data"]["name"], "odoo.http.SessionExpiredException")
        else:
            self.assertEqual(body["result"]["messages"], [])
            self.assertFalse(body["result"]["data"].get("mail.message"))
        for extra in ({}, {"token": "x" * 32}):
            response, body = self.jsonrpc(
                "/mail/chatter_fetch",
                {"thread_model": "patient.account", "thread_id": self.account.id, **extra},
            )
            self.assertNoPhi(response.content)
            self.assertFalse(body.get("result", {}).get("messages"), body)
        response, body = self.jsonrpc(
            "/portal/chatter_init",
            {"thread_model": "patient.account", "thread_id": self.account.id, "token": "x"},
        )
        self.assertNoPhi(response.content)
        self.assertNotIn("result", body)

    # ------------------------------------------------------------------ 1. portal / public

    @mute_logger(*NOISY_LOGGERS)
    def test_portal_user_reaches_nothing(self):
        self.login(self.portal_user)
        for method, args, kwargs in (
            ("web_search_read", [[]], {"specification": {"name": {}, "balance_due": {}}}),
            ("web_read", [self.account.ids], {"specification": {"name": {}}}),
            ("search_read", [[]], {"fields": ["name", "balance_due"]}),
            ("name_search", [], {"name": ""}),
        ):
            response, body = self.call_kw(method, args, kwargs)
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError")

        self.thread_routes_refused(expect_session_error=False)

        response = self.url_open(self.report_url)
        self.assertNotEqual(response.status_code, 200)
        self.assertNoPhi(response.content)

        for url in (
            f"/web/content/{self.statement.id}",
            f"/web/content/{self.statement.id}?download=true",
            f"/web/content/ir.attachment/{self.statement.id}/datas",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNoPhi(response.content)

        for fmt in ("csv", "xlsx"):
            response = self.export(self.account.ids, fmt=fmt)
            self.assertNotEqual(response.status_code, 200)
            self.assertNoPhi(response.content)

    @mute_logger(*NOISY_LOGGERS)
    def test_public_visitor_reaches_nothing(self):
        self.login(None)
        for method, args, kwargs in (
            ("web_search_read", [[]], {"specification": {"name": {}, "balance_due": {}}}),
            ("web_read", [self.account.ids], {"specification": {"name": {}}}),
            ("name_search", [], {"name": ""}),
        ):
            response, body = self.call_kw(method, args, kwargs)
            self.assertRpcRefused(response, body, "odoo.http.SessionExpiredException")

        self.thread_routes_refused(expect_session_error=True)

        response = self.url_open(self.report_url, allow_redirects=False)
        self.assertIn(response.status_code, (303, 302))
        self.assertIn("/web/login", response.headers["Location"])
        self.assertNoPhi(self.url_open(self.report_url).content)

        for url in (
            f"/web/content/{self.statement.id}",
            f"/web/content/{self.statement.id}?download=true",
            f"/web/content/ir.attachment/{self.statement.id}/datas",
        ):
            response = self.url_open(url, allow_redirects=False)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNoPhi(response.content)

        for fmt in ("csv", "xlsx"):
            response = self.export(self.account.ids, fmt=fmt)
            self.assertNoPhi(response.content)
            response = self.url_open(
                f"/web/export/{fmt}?" + urlencode({"data": "{}"}), allow_redirects=False
            )
            self.assertIn(response.status_code, (303, 302))

    def test_specialist_reaches_chatter_and_statement(self):
        """The positive control of the two tests above: the same requests work for
        a specialist, so their refusals are the protection, not a wrong request."""
        self.login(self.specialist)
        response, body = self.jsonrpc(
            "/mail/thread/messages",
            {"thread_model": "patient.account", "thread_id": self.account.id},
        )
        self.assertTrue(body["result"]["messages"])
        self.assertIn(self.account.name, response.text)
        response, body = self.jsonrpc(
            "/mail/thread/data",
            {
                "thread_model": "patient.account",
                "thread_id": self.account.id,
                "request_list": ["attachments"],
            },
        )
        self.assertIn(self.statement.name, response.text)
        response = self.url_open(f"/web/content/{self.statement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))

    # ------------------------------------------------------------------ 2. plain internal user

    @mute_logger(*NOISY_LOGGERS)
    def test_plain_internal_user_reaches_nothing(self):
        self.login(self.plain_user)
        for method, args, kwargs in (
            ("web_search_read", [[]], {"specification": {"name": {}, "balance_due": {}}}),
            ("web_read", [self.account.ids], {"specification": {"name": {}}}),
            ("read", [self.account.ids, ["name", "balance_due"]], {}),
            ("search_read", [[]], {"fields": ["name"]}),
            ("name_search", [], {"name": ""}),
        ):
            response, body = self.call_kw(method, args, kwargs)
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError")
        for model in ("patient.account.line", "patient.interaction", "patient.access.log"):
            response, body = self.call_kw(
                "web_search_read", [[]], {"specification": {"display_name": {}}}, model=model
            )
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError")

        self.thread_routes_refused(expect_session_error=False)

        with self.assertLogRowWritten():
            response = self.url_open(self.report_url)
        self.assertEqual(response.status_code, 403)
        self.assertNoPhi(response.content)
        self.assertFalse(self.logs(self.plain_user, "print"))
        self.assertDeniedLogged(
            self.plain_user,
            self.account,
            REPORT,
            lambda account: (
                self.env["ir.actions.report"]
                .with_user(account.env.user)
                ._render_qweb_pdf(REPORT, account.ids)
            ),
        )

        response = self.url_open(f"/web/content/{self.statement.id}")
        self.assertIn(response.status_code, (403, 404))
        self.assertNoPhi(response.content)

    # ------------------------------------------------------------------ 3. other company

    @mute_logger(*NOISY_LOGGERS)
    def test_specialist_cannot_open_other_company_account(self):
        other_company = self.setup_other_company(name="PC Http Other Practice")["company"]
        other_account = self.make_invoice(
            self.other_guarantor, 987.65, date.today() - timedelta(days=10), company=other_company
        ).patient_account_id
        self.assertEqual(other_account.company_id, other_company)
        self.login(self.specialist)

        with self.assertLogRowWritten():
            response, body = self.web_read(other_account)
        self.assertRpcRefused(response, body, "odoo.exceptions.AccessError", other_account)
        self.assertNotIn("Testperson Gamma", response.text)
        self.assertFalse(self.logs(self.specialist, "open", other_account))

        # asking for the other company in the context does not help
        response, body = self.web_read(other_account, {"allowed_company_ids": [other_company.id]})
        self.assertRpcRefused(response, body, "odoo.exceptions.AccessError", other_account)
        self.assertFalse(self.logs(self.specialist, "open", other_account))

        response = self.url_open(f"/report/pdf/{REPORT}/{other_account.id}")
        self.assertEqual(response.status_code, 403)
        self.assertNoPhi(response.content, other_account)

        # while their own company's account opens
        response, body = self.web_read(self.account)
        self.assertEqual(body["result"][0]["name"], self.account.name)

        self.assertDeniedLogged(
            self.specialist, other_account, "open", lambda account: account.web_read(SPEC)
        )

    # ------------------------------------------------------------------ 4. specialist

    def test_specialist_open_is_logged(self):
        self.login(self.specialist)
        response, body = self.web_read(self.account)
        self.assertEqual(response.status_code, 200)
        record = body["result"][0]
        self.assertEqual(record["name"], self.account.name)
        self.assertEqual(record["balance_due"], BALANCE)
        opened = self.logs(self.specialist, "open")
        self.assertEqual(len(opened), 1)
        self.assertRecordValues(
            opened,
            [
                {
                    "user_id": self.specialist.id,
                    "company_id": self.account.company_id.id,
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                    "record_ref": self.account.name,
                    "record_count": 1,
                    "ip_address": "127.0.0.1",
                }
            ],
        )
        self.assertNotIn("Alpha", opened.record_ref)

    def test_specialist_print_is_logged(self):
        self.login(self.specialist)
        response = self.url_open(self.report_url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        printed = self.logs(self.specialist, "print")
        self.assertEqual(len(printed), 1)
        self.assertRecordValues(
            printed,
            [
                {
                    "res_id": self.account.id,
                    "record_ref": self.account.name,
                    "detail": REPORT,
                    "ip_address": "127.0.0.1",
                }
            ],
        )

    def test_export_needs_the_export_right(self):
        self.login(self.exporter)
        response = self.export(self.account.ids)
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertIn(self.account.name, response.text)
        self.assertIn(f"{BALANCE:.2f}", response.text)
        exported = self.logs(self.exporter, "export")
        self.assertEqual(len(exported), 1)
        self.assertRecordValues(
            exported,
            [
                {
                    "record_count": 1,
                    "res_ids": str(self.account.id),
                    "field_names": "balance_due, name, partner_id",
                    "ip_address": "127.0.0.1",
                }
            ],
        )

        # the same specialist without the export right: refused and logged
        self.login(self.specialist)
        self.assertFalse(self.specialist.has_group("base.group_allow_export"))
        with mute_logger(*NOISY_LOGGERS):
            for fmt in ("csv", "xlsx"):
                with self.assertLogRowWritten():
                    response = self.export(self.account.ids, fmt=fmt)
                self.assertEqual(response.status_code, 500)
                self.assertIn("AccessError", response.text)
                self.assertNoPhi(response.content)
            # the search the web client makes when exporting "all records"
            response = self.url_open(
                "/web/export/csv?"
                + urlencode(
                    {
                        "data": json.dumps(
                            {
                                "model": "patient.account",
                                "fields": [{"name": "name", "label": "name"}],
                                "ids": False,
                                "domain": [],
                                "import_compat": True,
                                "context": {},
                            }
                        )
                    }
                )
            )
            self.assertEqual(response.status_code, 500)
            self.assertNoPhi(response.content)
            response, body = self.call_kw("export_data", [self.account.ids, ["name"]])
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError")
        self.assertFalse(self.logs(self.specialist, "export"))
        self.assertDeniedLogged(
            self.specialist,
            self.account,
            "export without the export right",
            lambda account: account.export_data(["name", "balance_due"]),
        )
