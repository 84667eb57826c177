"""The files of patient data through Odoo's own routes, over real HTTP: nobody
makes them public or shares them by token, ``/web/content`` serves them by the
user's own rights only, and every read, export or refusal of them (an
assistance application's proof of income too, a plan's agreement read over RPC)
writes its access log line."""

import base64
import json
from datetime import date, timedelta
from urllib.parse import urlencode

from odoo.fields import Command
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from . import test_access_log_reads as access_log_reads
from .common import PatientCollectionsCommon

PDF = b"%PDF-1.4 synthetic test file"
SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
ACCOUNTANT = "base.group_user,patient_collections.group_collections_accountant"
# the routes below log refused accesses (and the export controller logs any error)
NOISY_LOGGERS = ("odoo.http", "odoo.addons.web.controllers.export")


class PhiFilesCommon(PatientCollectionsCommon, HttpCase):
    """An account with a statement file, and an assistance application with a
    pay stub, both attached as the module attaches them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user("pc13_specialist", SPECIALIST)
        cls.accountant = cls.company_user("pc13_accountant", ACCOUNTANT)
        cls.exporter = cls.company_user("pc13_exporter", SPECIALIST + ",base.group_allow_export")
        invoice = cls.make_invoice(cls.child, 250.0, date.today() - timedelta(days=40))
        cls.account = invoice.patient_account_id
        cls.application = (
            cls.env["patient.financial.assistance"]
            .sudo()
            .create({"account_id": cls.account.id, "household_size": 3, "annual_income": 20000})
        )
        Attachment = cls.env["ir.attachment"].sudo()
        cls.statement = Attachment.create(
            {
                "name": "statement-test.pdf",
                "raw": PDF,
                "mimetype": "application/pdf",
                "res_model": "patient.account",
                "res_id": cls.account.id,
            }
        )
        cls.pay_stub = Attachment.create(
            {
                "name": "paystub-test.pdf",
                "raw": PDF,
                "mimetype": "application/pdf",
                "res_model": "patient.financial.assistance",
                "res_id": cls.application.id,
            }
        )
        # as the form links the documents it uploaded
        cls.application.write({"attachment_ids": [Command.link(cls.pay_stub.id)]})
        cls.files = cls.statement | cls.pay_stub

    def login(self, user):
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)

    # the web client's JSON-RPC call, as the access log's read tests make it
    call_kw = access_log_reads.TestAccessLogReads.call_kw

    def assertRefused(self, body):
        self.assertNotIn("result", body, f"answered: {str(body.get('result'))[:200]}")
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")

    # the access log's lines written since a mark, as the access log's read tests read them
    mark = access_log_reads.TestAccessLogReads.mark
    new_lines = access_log_reads.TestAccessLogReads.new_lines


@tagged("post_install", "-at_install")
class TestPhi13FileSharing(PhiFilesCommon):
    """Defect 1: a specialist published a statement to the anonymous web
    (``public``) and shared a pay stub by token; ``/web/content`` served both
    without a session."""

    def test_nobody_publishes_or_shares_a_patient_file(self):
        self.login(self.specialist)
        for file in self.files:
            for method, args in (
                ("write", [file.ids, {"public": True}]),
                ("write", [file.ids, {"access_token": "forged-token"}]),
            ):
                with self.subTest(file=file.name, method=method, args=args):
                    self.assertRefused(self.call_kw("ir.attachment", method, args))
            for sharing in ({"public": True}, {"access_token": "forged-token"}):
                with self.subTest(file=file.name, create=sharing):
                    vals = {
                        "name": "shared-test.pdf",
                        "datas": base64.b64encode(PDF).decode(),
                        "res_model": file.res_model,
                        "res_id": file.res_id,
                        **sharing,
                    }
                    self.assertRefused(self.call_kw("ir.attachment", "create", [vals]))
        self.env.invalidate_all()
        self.assertRecordValues(self.files, [{"public": False, "access_token": False}] * 2)
        self.assertFalse(
            self.env["ir.attachment"].sudo().search([("name", "=", "shared-test.pdf")])
        )
        # the administrator neither
        with self.assertRaisesRegex(Exception, "cannot be made public"):
            self.statement.with_user(self.env.ref("base.user_admin")).write({"public": True})
        # Odoo's own code asking for a link (the mail gateway's inline images, an image
        # pasted in a message): a token stored nowhere, the file keeps none
        token = self.call_kw("ir.attachment", "generate_access_token", [self.files.ids])
        self.assertEqual(len(token["result"]), len(self.files))
        self.pay_stub.sudo().generate_access_token()
        self.env.invalidate_all()
        self.assertFalse(any(self.files.sudo().mapped("access_token")))
        # a file of no patient data: shared as Odoo shares it
        own = (
            self.env["ir.attachment"]
            .with_user(self.specialist)
            .create({"name": "note-test.txt", "raw": b"synthetic"})
        )
        own.generate_access_token()
        own.write({"public": True})
        self.assertTrue(own.access_token and own.public)

    @mute_logger(*NOISY_LOGGERS)
    def test_web_content_ignores_public_flag_and_token(self):
        # shared before this version (an older database may hold such flags)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_attachment SET public = true, access_token = 'tok-' || id WHERE id IN %s",
            [tuple(self.files.ids)],
        )
        self.env.invalidate_all()
        public_user = self.env.ref("base.public_user")
        mark = self.mark()
        self.login(None)
        for file in self.files:
            for url in (
                f"/web/content/{file.id}",
                f"/web/content/{file.id}?access_token=tok-{file.id}",
                f"/web/content/ir.attachment/{file.id}/datas?access_token=tok-{file.id}",
            ):
                with self.subTest(url=url):
                    response = self.url_open(url)
                    self.assertNotEqual(response.status_code, 200)
                    self.assertNotIn(b"%PDF", response.content)
        self.assertFalse(self.new_lines(mark, event="download"))
        denied = self.new_lines(mark, event="denied", user_id=public_user.id)
        self.assertEqual(
            set(denied.mapped("res_model")), {"patient.account", "patient.financial.assistance"}
        )
        # the plain internal user with the token: refused too
        plain = self.company_user("pc13_plain", "base.group_user")
        self.login(plain)
        response = self.url_open(
            f"/web/content/{self.statement.id}?access_token=tok-{self.statement.id}"
        )
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"%PDF", response.content)
        # the specialist opens the statement by his own rights, logged as a download
        mark = self.mark()
        self.login(self.specialist)
        response = self.url_open(f"/web/content/{self.statement.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF)
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "download",
                    "user_id": self.specialist.id,
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                    "detail": f"ir.attachment,{self.statement.id}",
                }
            ],
        )

    def test_upgrade_makes_old_shared_patient_files_private(self):
        """Flags and tokens an older database holds: the module's upgrade clears
        them on patient files, and leaves other files' as they are."""
        other = self.env["ir.attachment"].create(
            {"name": "brochure.pdf", "raw": PDF, "res_model": "res.partner", "res_id": 1}
        )
        shared = self.files | other
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_attachment SET public = true, access_token = 'tok-' || id WHERE id IN %s",
            [tuple(shared.ids)],
        )
        self.env.invalidate_all()
        self.env["ir.attachment"].init()  # what -u patient_collections runs
        self.env.invalidate_all()
        self.assertRecordValues(
            shared,
            [
                {"public": False, "access_token": False},
                {"public": False, "access_token": False},
                {"public": True, "access_token": f"tok-{other.id}"},
            ],
        )


@tagged("post_install", "-at_install")
class TestPhi13AssistanceFiles(PhiFilesCommon):
    """Defect 2: an assistance application's proof of income was read with no
    log line, through the file route and over RPC; the refused attempt neither."""

    def test_assistance_documents_are_logged_like_the_other_patient_files(self):
        self.login(self.specialist)
        mark = self.mark()
        response = self.url_open(f"/web/content/{self.pay_stub.id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, PDF)
        calls = (
            ("ir.attachment", "read", [self.pay_stub.ids, ["datas"]], {}),
            (
                "ir.attachment",
                "search_read",
                [[("id", "=", self.pay_stub.id)]],
                {"fields": ["datas"]},
            ),
            (
                "patient.financial.assistance",
                "web_read",
                [self.application.ids],
                {"specification": {"attachment_ids": {"fields": {"name": {}, "datas": {}}}}},
            ),
        )
        for model, method, args, kwargs in calls:
            body = self.call_kw(model, method, args, kwargs)
            self.assertIn("result", body, body.get("error"))
            self.assertIn(base64.b64encode(PDF).decode(), json.dumps(body["result"]))
        downloads = self.new_lines(mark, event="download")
        self.assertRecordValues(
            downloads,
            [
                {
                    "user_id": self.specialist.id,
                    "res_model": "patient.financial.assistance",
                    "res_id": self.application.id,
                    "detail": f"ir.attachment,{self.pay_stub.id}",
                    "field_names": field_names,
                }
                for field_names in ("raw", "datas", "datas", "datas")
            ],
        )

    @mute_logger(*NOISY_LOGGERS)
    def test_refused_assistance_document_is_logged(self):
        """The accountant may not read assistance applications: refused, logged."""
        self.login(self.accountant)
        mark = self.mark()
        response = self.url_open(f"/web/content/{self.pay_stub.id}")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"%PDF", response.content)
        self.assertRefused(self.call_kw("ir.attachment", "read", [self.pay_stub.ids, ["datas"]]))
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "denied",
                    "user_id": self.accountant.id,
                    "res_model": "patient.financial.assistance",
                    "res_id": self.application.id,
                    "detail": f"ir.attachment,{self.pay_stub.id}",
                    "field_names": field_names,
                }
                for field_names in ("raw", "datas")
            ],
        )
        self.assertFalse(self.new_lines(mark, event="download"))


@tagged("post_install", "-at_install")
class TestPhi13AttachmentExport(PhiFilesCommon):
    """Defect 3: exporting attachments handed out the statement and the pay
    stub in base64 with no log line."""

    def export(self, ids, fields=("name", "datas")):
        data = {
            "model": "ir.attachment",
            "fields": [{"name": name, "label": name} for name in fields],
            "ids": ids,
            "domain": [],
            "import_compat": False,
            "context": {},
        }
        return self.url_open("/web/export/csv?" + urlencode({"data": json.dumps(data)}))

    def test_export_of_patient_files_is_logged(self):
        self.login(self.exporter)
        mark = self.mark()
        response = self.export(self.files.ids)
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn(base64.b64encode(PDF).decode(), response.text)
        lines = self.new_lines(mark, event="export")
        self.assertRecordValues(
            lines.sorted("res_model"),
            [
                {
                    "user_id": self.exporter.id,
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                    "field_names": "datas, name",
                    "detail": f"ir.attachment,{self.statement.id}",
                },
                {
                    "user_id": self.exporter.id,
                    "res_model": "patient.financial.assistance",
                    "res_id": self.application.id,
                    "field_names": "datas, name",
                    "detail": f"ir.attachment,{self.pay_stub.id}",
                },
            ],
        )

    @mute_logger(*NOISY_LOGGERS)
    def test_export_needs_the_export_right(self):
        self.login(self.specialist)
        mark = self.mark()
        response = self.export(self.files.ids)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(base64.b64encode(PDF).decode(), response.text)
        self.assertFalse(self.new_lines(mark, event="export"))
        self.assertEqual(len(self.new_lines(mark, event="denied", user_id=self.specialist.id)), 2)


@tagged("post_install", "-at_install")
class TestPhi13AgreementRead(PhiFilesCommon):
    """Defect 7: a plan's signed agreement read over RPC was logged as an open
    without field names, not as a download."""

    def test_rpc_reads_of_the_agreement_are_downloads(self):
        plan = self.confirm_plan(self.account, date.today() + timedelta(days=10))
        plan.sudo().write({"agreement": base64.b64encode(PDF), "agreement_filename": "a.pdf"})
        agreement = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.payment.plan"),
                    ("res_id", "=", plan.id),
                    ("res_field", "=", "agreement"),
                ]
            )
        )
        self.assertEqual(len(agreement), 1)
        self.login(self.specialist)
        mark = self.mark()
        for method, args, kwargs in (
            ("read", [plan.ids, ["agreement"]], {}),
            ("search_read", [[("id", "=", plan.id)]], {"fields": ["name", "agreement"]}),
            ("web_read", [plan.ids], {"specification": {"agreement": {}}}),
        ):
            body = self.call_kw("patient.payment.plan", method, args, kwargs)
            self.assertIn(base64.b64encode(PDF).decode(), json.dumps(body.get("result")))
        self.assertRecordValues(
            self.new_lines(mark, event="download"),
            [
                {
                    "user_id": self.specialist.id,
                    "res_model": "patient.payment.plan",
                    "res_id": plan.id,
                    "record_ref": plan.name,
                    "field_names": "agreement",
                    "detail": f"ir.attachment,{agreement.id}",
                }
            ]
            * 3,
        )
        # the form's read (sizes only, no file): an open, no download
        mark = self.mark()
        body = self.call_kw(
            "patient.payment.plan",
            "web_read",
            [plan.ids],
            {"specification": {"agreement": {}}, "context": {"bin_size": True}},
        )
        self.assertNotIn(base64.b64encode(PDF).decode(), json.dumps(body.get("result")))
        self.assertFalse(self.new_lines(mark, event="download"))
