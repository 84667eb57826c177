"""Attacks on patient data over real HTTP: what portal, public and plain internal
users, and specialists of another company, get back from the routes a browser can
call, and what the access log says about it."""

import json
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged
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
        user = cls.company_user
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

    @contextmanager
    def assertDenied(self, user, account, detail):
        """The refused request left exactly one 'denied' line in the access log,
        visible after the request's rollback, saying who, what, how and from where."""
        before = self.logs(user, "denied", account)
        yield
        self.assertRecordValues(
            self.logs(user, "denied", account) - before,
            [
                {
                    "company_id": account.company_id.id,
                    "res_id": account.id,
                    "res_ids": str(account.id),
                    "record_count": 1,
                    "detail": detail,
                    "ip_address": "127.0.0.1",
                }
            ],
        )

    def thread_routes_refused(self, share):
        """/mail/thread/* and the portal chatter routes give nothing of the account.

        ``share``: a portal or public visitor, whom the module's
        ``_get_thread_with_access`` turns away before Odoo's portal checks a hash
        or token (internal users reach those checks, which fail with an error on
        a model without ``access_token``)."""
        no_access = {
            "mail.thread": [
                {
                    "hasReadAccess": False,
                    "hasWriteAccess": False,
                    "id": self.account.id,
                    "model": "patient.account",
                }
            ]
        }
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
            if share or not extra:
                self.assertEqual(body.get("result"), no_access, extra)
            else:
                self.assertNotIn("result", body, extra)

        response, body = self.jsonrpc(
            "/mail/thread/messages",
            {"thread_model": "patient.account", "thread_id": self.account.id},
        )
        self.assertNoPhi(response.content)
        if self.session.uid:
            self.assertEqual(body.get("result"), {"data": {}, "messages": []})
        else:
            self.assertEqual(body["error"]["data"]["name"], "odoo.http.SessionExpiredException")

        params = {"thread_model": "patient.account", "thread_id": self.account.id}
        response, body = self.jsonrpc("/mail/chatter_fetch", params)
        self.assertNoPhi(response.content)
        self.assertEqual(body.get("result"), {"data": {"mail.message": []}, "messages": []})
        response, body = self.jsonrpc("/mail/chatter_fetch", {**params, "token": "x" * 32})
        self.assertNoPhi(response.content)
        self.assertNotIn("result", body)
        if share:
            self.assertEqual(body["error"]["data"]["name"], "werkzeug.exceptions.Forbidden")
        response, body = self.jsonrpc("/portal/chatter_init", {**params, "token": "x" * 32})
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

        self.thread_routes_refused(share=True)

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

        self.thread_routes_refused(share=True)

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

        self.thread_routes_refused(share=False)

        with self.assertDenied(self.plain_user, self.account, REPORT):
            response = self.url_open(self.report_url)
        self.assertEqual(response.status_code, 403)
        self.assertNoPhi(response.content)
        self.assertFalse(self.logs(self.plain_user, "print"))

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

        with self.assertDenied(self.specialist, other_account, "open"):
            response, body = self.web_read(other_account)
        self.assertRpcRefused(response, body, "odoo.exceptions.AccessError", other_account)
        self.assertNotIn("Testperson Gamma", response.text)
        self.assertFalse(self.logs(self.specialist, "open", other_account))

        with self.assertDenied(self.specialist, other_account, REPORT):
            response = self.url_open(f"/report/pdf/{REPORT}/{other_account.id}")
        self.assertEqual(response.status_code, 403)
        self.assertNoPhi(response.content, other_account)

        # while their own company's account opens
        response, body = self.web_read(self.account)
        self.assertEqual(body["result"][0]["name"], self.account.name)

    @mute_logger(*NOISY_LOGGERS)
    def test_forged_company_context_is_refused_and_logged(self):
        """A specialist of company A names company B in the request's context (the
        web client sends it; the user controls it): refused, and the probe is in
        the access log like any other refusal."""
        other_company = self.setup_other_company(name="PC Http Forged Practice")["company"]
        other_account = self.make_invoice(
            self.other_guarantor, 987.65, date.today() - timedelta(days=10), company=other_company
        ).patient_account_id
        forged = {"allowed_company_ids": [other_company.id]}
        self.login(self.specialist)

        with self.subTest(route="call_kw web_read"):
            with self.assertDenied(self.specialist, other_account, "open"):
                response, body = self.web_read(other_account, forged)
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError", other_account)
            self.assertFalse(self.logs(self.specialist, "open", other_account))

        with self.subTest(route="report"):
            url = f"/report/pdf/{REPORT}/{other_account.id}?" + urlencode(
                {"context": json.dumps(forged)}
            )
            with self.assertDenied(self.specialist, other_account, REPORT):
                response = self.url_open(url)
            self.assertEqual(response.status_code, 403)
            self.assertNoPhi(response.content, other_account)
            self.assertFalse(self.logs(self.specialist, "print", other_account))

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

    def test_external_api_reads_are_logged(self):
        """A script reading accounts through the external JSON-RPC API is a look at
        patient data too; a refused one is logged as such."""

        def external_read(user, account):
            return self.jsonrpc(
                "/jsonrpc",
                {
                    "service": "object",
                    "method": "execute_kw",
                    "args": [
                        self.env.cr.dbname,
                        user.id,
                        user.login,
                        "patient.account",
                        "read",
                        [account.ids, ["name", "balance_due"]],
                    ],
                },
            )

        _response, body = external_read(self.specialist, self.account)
        self.assertEqual(body["result"][0]["name"], self.account.name)
        opened = self.logs(self.specialist, "open")
        self.assertEqual(len(opened), 1)
        self.assertEqual(opened.detail, "read")
        self.assertEqual(opened.record_ref, self.account.name)
        before = self.logs(self.plain_user, "denied")
        response, body = external_read(self.plain_user, self.account)
        denied = self.logs(self.plain_user, "denied") - before
        # the RPC service runs without the HTTP request: no address to record
        self.assertRecordValues(
            denied, [{"res_id": self.account.id, "detail": "read", "ip_address": False}]
        )
        self.assertNotIn("result", body)
        self.assertNoPhi(response.content)

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
                with self.assertDenied(self.specialist, self.account, "export"):
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
            with self.assertDenied(self.specialist, self.account, "export"):
                response, body = self.call_kw("export_data", [self.account.ids, ["name"]])
            self.assertRpcRefused(response, body, "odoo.exceptions.AccessError")
        self.assertFalse(self.logs(self.specialist, "export"))
