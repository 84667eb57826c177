"""List reads, file downloads and report routes over real HTTP, with two
companies and every role: one access log line per call (model, count, ids,
fields), refusals logged, identifiers only; no report route answers a 500."""

import json
from datetime import date, timedelta
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PatientCollectionsCommon
from .common_http import call_kw

STATEMENT = "patient_collections.report_patient_statement"
AGREEMENT = "patient_collections.report_payment_plan_agreement"
# the routes below log refused accesses
NOISY_LOGGERS = ("odoo.http", "odoo.addons.web.controllers.report")
KANBAN_SPEC = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "balance_due": {},
    "days_past_due": {},
    "priority_score": {},
    "hold_reason": {},
    "stage_id": {"fields": {"display_name": {}}},
    "interaction_ids": {"fields": {"outcome": {}, "note": {}}},
}
GROUP_FIELDS = ["balance_due:sum"]


@tagged("post_install", "-at_install")
class TestAccessLogReads(PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="PC Reads Other Practice")["company"]
        user = cls.company_user
        specialist_groups = "base.group_user,patient_collections.group_collections_specialist"
        cls.users = {
            "specialist": user("pc_reads_specialist", specialist_groups),
            "manager": user(
                "pc_reads_manager", "base.group_user,patient_collections.group_collections_manager"
            ),
            "accountant": user(
                "pc_reads_accountant",
                "base.group_user,patient_collections.group_collections_accountant",
            ),
        }
        cls.specialist = cls.users["specialist"]
        cls.specialist_b = user("pc_reads_specialist_b", specialist_groups, company=cls.company_b)
        cls.plain_user = user("pc_reads_plain", "base.group_user")
        cls.billing = user(
            "pc_reads_billing",
            "account.group_account_invoice,patient_collections.group_collections_accountant",
        )
        cls.portal_user = user("pc_reads_portal", "base.group_portal")

        invoice_date = date.today() - timedelta(days=45)
        cls.account = cls.make_invoice(cls.child, 432.10, invoice_date).patient_account_id
        cls.account_2 = cls.make_invoice(
            cls.other_guarantor, 210.55, invoice_date
        ).patient_account_id
        cls.accounts_a = cls.account | cls.account_2
        cls.account_b = cls.make_invoice(
            cls.other_guarantor, 987.65, invoice_date, company=cls.company_b
        ).patient_account_id
        cls.interaction = cls.env["patient.interaction"].create(
            {"account_id": cls.account.id, "channel": "phone_in", "outcome": "hardship"}
        )
        cls.account.sudo()._send_statements()
        cls.account_b.sudo()._send_statements()
        Attachment = cls.env["ir.attachment"].sudo()
        cls.statement = Attachment.search(
            [("res_model", "=", "patient.account"), ("res_id", "=", cls.account.id)]
        )
        cls.statement_b = Attachment.search(
            [("res_model", "=", "patient.account"), ("res_id", "=", cls.account_b.id)]
        )
        action = (
            cls.env["patient.payment.plan.create"]
            .with_context(
                active_model="patient.account",
                active_id=cls.account.id,
                active_ids=cls.account.ids,
            )
            .create(
                {
                    "installment_count": 3,
                    "frequency": "monthly",
                    "first_due_date": date.today() + timedelta(days=10),
                }
            )
            .action_confirm()
        )
        cls.plan = cls.env["patient.payment.plan"].browse(action["res_id"])

    def setUp(self):
        super().setUp()
        self.assertEqual(len(self.statement), 1)
        self.assertEqual(len(self.statement_b), 1)
        self.assertEqual(self.accounts_a.company_id, self.company_a)
        self.assertEqual(self.account_b.company_id, self.company_b)

    # ------------------------------------------------------------------ helpers

    def login(self, user):
        self.authenticate(user.login, user.login)

    def call_kw(self, model, method, args, kwargs=None):
        response = call_kw(self, model, method, args, kwargs)
        self.assertEqual(response.status_code, 200)
        return response.json()

    def mark(self):
        self.env["patient.access.log"].flush_model()
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM patient_access_log")
        return self.env.cr.fetchone()[0]

    def new_lines(self, mark, **domain):
        self.env.invalidate_all()
        return (
            self.env["patient.access.log"]
            .sudo()
            .search(
                [("id", ">", mark)] + [(key, "=", value) for key, value in domain.items()],
                order="id",
            )
        )

    def secrets(self):
        return [
            "Testparent",
            "Testchild",
            "Testperson",
            "Alpha",
            "Gamma",
            "MRN-T-",
            "2015-06-01",
            "Financial hardship",
            "hardship",
            "432.1",
            "210.55",
            "987.65",
        ]

    def assertIdentifiersOnly(self, lines):
        self.assertTrue(lines)
        for line in lines:
            text = " ".join(
                str(value or "")
                for value in line.read(["record_ref", "detail", "field_names"])[0].values()
            )
            for secret in self.secrets():
                self.assertNotIn(secret, text, f"{secret!r} in log line {line.id}")

    def list_calls(self, model="patient.account", spec=None, fields=None, domain=None):
        """(method, args, kwargs, key of the records in the answer) of each list read."""
        spec = spec or KANBAN_SPEC
        fields = fields or list(spec)
        domain = domain or []
        return [
            ("search_read", [domain], {"fields": fields}),
            ("web_search_read", [domain], {"specification": spec, "limit": 80}),
            ("web_read_group", [domain, GROUP_FIELDS, ["stage_id"]], {}),
            ("read_group", [domain, GROUP_FIELDS, ["stage_id"]], {"lazy": False}),
            (
                "read_progress_bar",
                [
                    domain,
                    "stage_id",
                    {"field": "hold_reason", "colors": {}, "sum_field": "balance_due"},
                ],
                {},
            ),
        ]

    # ------------------------------------------------------------------ list reads

    def test_list_reads_one_line_per_call_every_role(self):
        """Each list read of accounts, by each role of company A, writes exactly one
        'list' line: the method, the accounts read (count and ids), the fields; no
        'open' line for the records of the list nor for the interactions read
        inside it."""
        for role, user in self.users.items():
            self.login(user)
            for method, args, kwargs in self.list_calls():
                if role == "accountant" and method in ("search_read", "web_search_read"):
                    # accountants do not read interactions: ask for the account fields only
                    spec = {k: v for k, v in KANBAN_SPEC.items() if k != "interaction_ids"}
                    if method == "search_read":
                        kwargs = {"fields": list(spec)}
                    else:
                        kwargs = {"specification": spec, "limit": 80}
                with self.subTest(role=role, method=method):
                    mark = self.mark()
                    body = self.call_kw("patient.account", method, args, kwargs)
                    self.assertIn("result", body, body.get("error"))
                    lines = self.new_lines(mark)
                    self.assertEqual(lines.mapped("event"), ["list"], "one line per call")
                    self.assertRecordValues(
                        lines,
                        [
                            {
                                "user_id": user.id,
                                "company_id": self.company_a.id,
                                "res_model": "patient.account",
                                "record_count": 2,
                                "detail": method,
                                "ip_address": "127.0.0.1",
                            }
                        ],
                    )
                    self.assertEqual(
                        set(map(int, lines.res_ids.split(","))), set(self.accounts_a.ids)
                    )
                    self.assertIn("balance_due", lines.field_names)
                    if method in ("search_read", "web_search_read"):
                        self.assertEqual(
                            lines.res_ids, ",".join(str(r["id"]) for r in self.rows(body))
                        )
                        self.assertIn("partner_id", lines.field_names)
                        self.assertEqual(
                            set(lines.record_ref.split(", ")), set(self.accounts_a.mapped("name"))
                        )
                    else:
                        self.assertIn("stage_id", lines.field_names)
                    self.assertIdentifiersOnly(lines)

    @staticmethod
    def rows(body):
        result = body["result"]
        return result["records"] if isinstance(result, dict) else result

    def test_other_company_lists_its_own(self):
        self.login(self.specialist_b)
        mark = self.mark()
        body = self.call_kw(
            "patient.account", "web_search_read", [[]], {"specification": KANBAN_SPEC}
        )
        self.assertEqual([r["id"] for r in self.rows(body)], self.account_b.ids)
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "list",
                    "user_id": self.specialist_b.id,
                    "company_id": self.company_b.id,
                    "record_count": 1,
                    "res_id": self.account_b.id,
                    "res_ids": str(self.account_b.id),
                    "record_ref": self.account_b.name,
                }
            ],
        )

    def test_interaction_list_names_no_outcome(self):
        """An interaction is referred to by its account number and id, never by its
        display name (which says the outcome)."""
        self.assertIn("hardship", self.interaction.display_name.lower())
        self.login(self.specialist)
        mark = self.mark()
        body = self.call_kw(
            "patient.interaction",
            "web_search_read",
            [[("id", "=", self.interaction.id)]],
            {"specification": {"display_name": {}, "outcome": {}, "channel": {}}},
        )
        self.assertEqual(len(self.rows(body)), 1)
        lines = self.new_lines(mark)
        self.assertRecordValues(
            lines,
            [
                {
                    "event": "list",
                    "res_model": "patient.interaction",
                    "res_id": self.interaction.id,
                    "record_ref": f"{self.account.name} #{self.interaction.id}",
                    "field_names": "channel, display_name, id, outcome",
                }
            ],
        )
        self.assertIdentifiersOnly(lines)

    def test_form_open_stays_one_open_line(self):
        self.login(self.specialist)
        mark = self.mark()
        body = self.call_kw(
            "patient.account",
            "web_read",
            [self.account.ids],
            {
                "specification": {
                    **KANBAN_SPEC,
                    "plan_ids": {"fields": {"name": {}, "total_amount": {}}},
                    "open_item_ids": {"fields": {"amount_residual": {}}},
                }
            },
        )
        self.assertEqual(body["result"][0]["id"], self.account.id)
        self.assertRecordValues(
            self.new_lines(mark), [{"event": "open", "res_id": self.account.id}]
        )

    def test_lines_inside_a_list_are_not_lines_of_their_own(self):
        """The installments of listed plans, the open items of listed accounts: part
        of the one line of the list read."""
        self.login(self.specialist)
        mark = self.mark()
        self.call_kw(
            "patient.payment.plan",
            "web_search_read",
            [[]],
            {"specification": {"name": {}, "installment_ids": {"fields": {"amount": {}}}}},
        )
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "list",
                    "res_model": "patient.payment.plan",
                    "record_count": 1,
                    "record_ref": self.plan.name,
                }
            ],
        )
        # while the installments listed on their own are a list read of their own
        mark = self.mark()
        body = self.call_kw(
            "patient.payment.plan.installment",
            "search_read",
            [[("plan_id", "=", self.plan.id)]],
            {"fields": ["amount", "due_date"]},
        )
        self.assertEqual(len(body["result"]), 3)
        lines = self.new_lines(mark)
        self.assertRecordValues(
            lines,
            [
                {
                    "event": "list",
                    "res_model": "patient.payment.plan.installment",
                    "record_count": 3,
                    "field_names": "amount, due_date, plan_id",
                }
            ],
        )
        self.assertTrue(lines.record_ref.startswith(f"{self.plan.name} #"))

    def test_configuration_lists_are_not_logged(self):
        self.login(self.users["manager"])
        mark = self.mark()
        self.call_kw("patient.account.stage", "search_read", [[]], {"fields": ["name"]})
        self.call_kw("patient.access.log", "search_read", [[]], {"fields": ["event"]})
        self.assertFalse(self.new_lines(mark))

    # ------------------------------------------------------------------ refusals

    @mute_logger(*NOISY_LOGGERS)
    def test_refused_list_reads_are_logged(self):
        """A plain internal or portal user listing accounts, an accountant listing
        interactions, a specialist of A naming company B in the context: refused,
        and each refusal is one 'denied' line (kept after the rollback)."""
        cases = [
            (self.plain_user, "patient.account", {}),
            (self.portal_user, "patient.account", {}),
            (self.users["accountant"], "patient.interaction", {}),
            (self.specialist, "patient.account", {"allowed_company_ids": [self.company_b.id]}),
        ]
        for user, model, context in cases:
            self.login(user)
            spec = {"display_name": {}}
            for method, args, kwargs in (
                ("search_read", [[]], {"fields": ["display_name"]}),
                ("web_search_read", [[]], {"specification": spec}),
                ("web_read_group", [[], ["__count"], ["company_id"]], {}),
                ("read_group", [[], ["__count"], ["company_id"]], {}),
            ):
                with self.subTest(user=user.login, model=model, method=method):
                    mark = self.mark()
                    body = self.call_kw(model, method, args, {**kwargs, "context": context})
                    self.assertNotIn("result", body)
                    self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
                    self.assertRecordValues(
                        self.new_lines(mark),
                        [
                            {
                                "event": "denied",
                                "user_id": user.id,
                                "res_model": model,
                                "detail": method,
                                "record_count": 0,
                                "company_id": user.company_id.id,
                            }
                        ],
                    )

    # ------------------------------------------------------------------ contacts, invoices

    def test_contact_and_invoice_lists_with_patient_fields(self):
        patients = self.guarantor | self.child | self.child_2 | self.other_guarantor
        cases = [
            # (model, method, args, kwargs, logged)
            (
                "res.partner",
                "search_read",
                [[("id", "in", patients.ids)]],
                {"fields": ["name", "patient_mrn"]},
                True,
            ),
            (
                "res.partner",
                "web_search_read",
                [[("is_patient", "=", True), ("id", "in", patients.ids)]],
                {"specification": {"display_name": {}}},
                True,
            ),
            (
                "res.partner",
                "web_read_group",
                [[("id", "in", patients.ids)], ["__count"], ["guarantor_id"]],
                {},
                True,
            ),
            (
                "res.partner",
                "search_read",
                [[("id", "in", patients.ids)]],
                {"fields": ["name", "email"]},
                False,
            ),
            (
                "account.move",
                "web_search_read",
                [[("patient_id", "!=", False)]],
                {"specification": {"name": {}, "insurance_status": {}}},
                True,
            ),
            (
                "account.move",
                "read_group",
                [[("move_type", "=", "out_invoice")], ["__count"], ["insurance_status"]],
                {},
                True,
            ),
            (
                "account.move",
                "search_read",
                [[("move_type", "=", "out_invoice")]],
                {"fields": ["name", "amount_total"]},
                False,
            ),
        ]
        for model, method, args, kwargs, logged in cases:
            # contacts as a specialist, invoices as an accountant who bills
            self.login(self.specialist if model == "res.partner" else self.billing)
            with self.subTest(model=model, method=method, kwargs=kwargs):
                mark = self.mark()
                body = self.call_kw(model, method, args, kwargs)
                self.assertIn("result", body, body.get("error"))
                lines = self.new_lines(mark)
                if not logged:
                    self.assertFalse(lines)
                    continue
                self.assertEqual(lines.mapped("event"), ["list"])
                self.assertEqual(lines.res_model, model)
                self.assertEqual(lines.detail, method)
                self.assertTrue(lines.record_count)
                self.assertFalse(lines.record_ref, "contacts and invoices are named by id only")
                self.assertIdentifiersOnly(lines)
                if method == "search_read" or method == "web_search_read":
                    ids = [row["id"] for row in self.rows(body)]
                    self.assertEqual(lines.record_count, len(ids))
                    self.assertEqual(lines.res_ids, ",".join(map(str, ids)))
                if model == "res.partner" and method == "search_read":
                    self.assertEqual(lines.field_names, "id, name, patient_mrn")

    @mute_logger(*NOISY_LOGGERS)
    def test_patient_contact_opened_with_clinical_identifiers(self):
        """Opening a patient's contact with their medical record number or date of
        birth (the form, read over the API) is an open of patient data: one line
        naming the fields, never their values; a refusal is logged too. Other
        reads of contacts, another practice's patient and a form's onchange are not."""
        vendor = self.env["res.partner"].create({"name": "Test Supply Vendor"})
        spec = {"display_name": {}, "patient_mrn": {}, "patient_birthdate": {}}
        self.login(self.specialist)
        mark = self.mark()
        body = self.call_kw("res.partner", "web_read", [self.child.ids], {"specification": spec})
        self.assertEqual(self.rows(body)[0]["patient_mrn"], "MRN-T-002")
        line = self.new_lines(mark)
        self.assertEqual(line.mapped("event"), ["open"])
        self.assertEqual((line.res_model, line.res_id), ("res.partner", self.child.id))
        self.assertEqual(
            (line.detail, line.field_names), ("open", "patient_birthdate, patient_mrn")
        )
        self.assertFalse(line.record_ref, "a contact is named by id only")
        self.assertEqual(line.company_id, self.company_a)
        self.assertIdentifiersOnly(line)
        # the account's "Access Log" button lists the opens of its patients' contacts
        action = self.account.with_user(self.users["manager"]).action_view_access_log()
        Log = self.env["patient.access.log"].with_user(self.users["manager"])
        self.assertIn(line, Log.search(action["domain"]).sudo())
        self.assertNotIn(line, Log.search(self.account_2.action_view_access_log()["domain"]))

        mark = self.mark()
        body = self.call_kw("res.partner", "read", [self.child.ids, ["name", "patient_mrn"]])
        line = self.new_lines(mark)
        self.assertEqual(line.mapped("event"), ["open"])
        self.assertEqual((line.detail, line.field_names), ("read", "patient_mrn"))

        not_logged = [
            ("web_read", [self.child.ids], {"specification": {"display_name": {}, "email": {}}}),
            ("web_read", [vendor.ids], {"specification": spec}),
            (
                "onchange",
                [self.child.ids, {"name": "Test Renamed"}, ["name"], spec],
                {},
            ),
        ]
        for method, args, kwargs in not_logged:
            with self.subTest(method=method, args=args):
                mark = self.mark()
                body = self.call_kw("res.partner", method, args, kwargs)
                self.assertIn("result", body, body.get("error"))
                self.assertFalse(self.new_lines(mark))

        # another practice's specialist reads the fields empty: nothing of the patient seen
        self.login(self.specialist_b)
        mark = self.mark()
        body = self.call_kw("res.partner", "web_read", [self.child.ids], {"specification": spec})
        self.assertFalse(self.rows(body)[0]["patient_mrn"])
        self.assertFalse(self.new_lines(mark))

        # an accountant who bills (no clinical identifiers): a whole read does not
        # reach them, asking for them is refused and logged
        self.login(self.billing)
        mark = self.mark()
        body = self.call_kw("res.partner", "read", [self.child.ids])
        self.assertNotIn("patient_mrn", self.rows(body)[0])
        self.assertFalse(self.new_lines(mark))
        body = self.call_kw("res.partner", "web_read", [self.child.ids], {"specification": spec})
        self.assertIn("error", body)
        line = self.new_lines(mark)
        self.assertEqual(line.mapped("event"), ["denied"])
        self.assertEqual((line.res_id, line.user_id), (self.child.id, self.billing))

    @mute_logger(*NOISY_LOGGERS)
    def test_patient_data_read_inside_other_records_is_logged(self):
        """What a read shows of patients inside the records it reads is logged
        too (a guarantor's dependents in the contact form, a contact's or an
        invoice's contact in a list); a read naming no field reads them all; and
        the line is the practice's whose patient was seen, not the user's default."""
        self.login(self.specialist)
        inside = {"fields": {"display_name": {}, "patient_mrn": {}}}
        mark = self.mark()
        body = self.call_kw(
            "res.partner",
            "web_read",
            [self.guarantor.ids],
            # the guarantor's form: their own record number and their dependents'
            {"specification": {"patient_mrn": {}, "patient_dependent_ids": inside}},
        )
        self.assertIn("MRN-T-003", json.dumps(body["result"]))
        lines = self.new_lines(mark)
        self.assertEqual(set(lines.mapped("event")), {"open"})
        self.assertEqual(
            sorted(lines.mapped("res_id")), sorted((self.guarantor | self.child | self.child_2).ids)
        )
        self.assertIdentifiersOnly(lines)

        # (a whole contact: its invoices too, so a specialist who bills)
        billing_specialist = self.company_user(
            "pc_reads_specialist_billing",
            "account.group_account_invoice,patient_collections.group_collections_specialist",
        )
        self.login(billing_specialist)
        mark = self.mark()
        body = self.call_kw("res.partner", "read", [self.child.ids, []])
        self.assertEqual(self.rows(body)[0]["patient_mrn"], "MRN-T-002")
        line = self.new_lines(mark)
        self.assertEqual(line.mapped("event"), ["open"])
        self.assertEqual(line.field_names, "patient_birthdate, patient_mrn")

        invoice = self.account.invoice_ids[:1]
        for user, model, ids, field in (
            (self.specialist, "res.partner", self.child.ids, "commercial_partner_id"),
            (billing_specialist, "account.move", invoice.ids, "partner_id"),
        ):
            with self.subTest(model=model):
                self.login(user)
                mark = self.mark()
                body = self.call_kw(
                    model,
                    "web_search_read",
                    [],
                    {"domain": [("id", "in", ids)], "specification": {field: inside}},
                )
                self.assertIn("MRN-T-00", json.dumps(body["result"]))
                line = self.new_lines(mark)
                self.assertEqual(line.mapped("event"), ["list"])
                self.assertIn(f"{field}.patient_mrn", line.field_names)

        both = self.company_user(
            "pc_reads_two_practices",
            "base.group_user,patient_collections.group_collections_specialist",
            company=self.company_b,
            company_ids=(self.company_a | self.company_b).ids,
        )

        def read_mrn(user, company_ids):
            """The child's record number read by ``user``, naming ``company_ids``:
            the answer and the log lines it wrote."""
            self.login(user)
            mark = self.mark()
            body = self.call_kw(
                "res.partner",
                "web_read",
                [self.child.ids],
                {
                    "specification": {"patient_mrn": {}},
                    "context": {"allowed_company_ids": company_ids},
                },
            )
            return body, self.new_lines(mark)

        body, line = read_mrn(both, [self.company_a.id])
        self.assertEqual(self.rows(body)[0]["patient_mrn"], "MRN-T-002")
        self.assertEqual((line.event, line.company_id), ("open", self.company_a))
        # a refusal naming a company the user is not in is logged all the same
        body, line = read_mrn(self.billing, [self.company_b.id, self.company_a.id])
        self.assertIn("error", body)
        self.assertEqual((line.event, line.user_id), ("denied", self.billing))

        # nor around the log and the scope through the contact's user (a portal
        # patient's): there, for administrators only
        patient_user = self.company_user(
            "pc_reads_patient_user", "base.group_portal", partner_id=self.child_2.id
        )
        self.login(self.specialist)
        mine = [("id", "=", patient_user.id)]
        for method, args, kwargs in (
            ("search_read", [], {"domain": mine, "fields": ["patient_mrn"]}),
            ("read", [patient_user.ids, ["patient_birthdate"]], {}),
            ("web_read", [patient_user.ids], {"specification": {"guarantor_id": {}}}),
        ):
            with self.subTest(method=method):
                body = self.call_kw("res.users", method, args, kwargs)
                self.assertIn("error", body)
                self.assertNotIn("MRN-T-003", json.dumps(body))

    @mute_logger(*NOISY_LOGGERS)
    def test_refused_contact_list_is_logged(self):
        """An accountant may not read medical record numbers: the refused list read
        is in the log, with the field asked."""
        accountant = self.users["accountant"]
        self.login(accountant)
        mark = self.mark()
        body = self.call_kw("res.partner", "search_read", [[]], {"fields": ["name", "patient_mrn"]})
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "denied",
                    "user_id": accountant.id,
                    "res_model": "res.partner",
                    "detail": "search_read",
                    "field_names": "name, patient_mrn",
                }
            ],
        )

    # ------------------------------------------------------------------ downloads

    def test_statement_downloads_are_logged(self):
        self.login(self.specialist)
        urls = [
            f"/web/content/{self.statement.id}",
            f"/web/content/{self.statement.id}?download=true",
            f"/web/content/ir.attachment/{self.statement.id}/datas",
            f"/web/content?model=ir.attachment&id={self.statement.id}",
            f"/web/image/{self.statement.id}",
        ]
        for url in urls:
            with self.subTest(url=url):
                mark = self.mark()
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                lines = self.new_lines(mark)
                self.assertRecordValues(
                    lines,
                    [
                        {
                            "event": "download",
                            "user_id": self.specialist.id,
                            "company_id": self.company_a.id,
                            "res_model": "patient.account",
                            "res_id": self.account.id,
                            "record_ref": self.account.name,
                            "detail": f"ir.attachment,{self.statement.id}",
                            "ip_address": "127.0.0.1",
                        }
                    ],
                )
                self.assertIdentifiersOnly(lines)

        with self.subTest(route="call_kw read datas"):
            mark = self.mark()
            body = self.call_kw("ir.attachment", "read", [self.statement.ids, ["name", "datas"]])
            self.assertTrue(body["result"][0]["datas"])
            self.assertRecordValues(
                self.new_lines(mark),
                [{"event": "download", "res_id": self.account.id, "field_names": "datas"}],
            )
        with self.subTest(route="call_kw search_read datas"):
            mark = self.mark()
            self.call_kw(
                "ir.attachment",
                "search_read",
                [[("id", "=", self.statement.id)]],
                {"fields": ["datas"]},
            )
            self.assertEqual(self.new_lines(mark).mapped("event"), ["download"])
        with self.subTest(route="list of attachments, no file"):
            mark = self.mark()
            self.call_kw(
                "ir.attachment",
                "search_read",
                [[("id", "=", self.statement.id)]],
                {"fields": ["name", "mimetype"]},
            )
            self.assertFalse(self.new_lines(mark))

    def test_plan_agreement_download_is_logged(self):
        self.plan.sudo().write({"agreement": self.statement.datas, "agreement_filename": "a.pdf"})
        self.login(self.specialist)
        mark = self.mark()
        response = self.url_open(f"/web/content/patient.payment.plan/{self.plan.id}/agreement")
        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(
            self.new_lines(mark),
            [
                {
                    "event": "download",
                    "res_model": "patient.payment.plan",
                    "res_id": self.plan.id,
                    "record_ref": self.plan.name,
                    "field_names": "agreement",
                }
            ],
        )

    @mute_logger(*NOISY_LOGGERS)
    def test_refused_downloads(self):
        """The other company's statement: refused; no download line, and the
        refusal logged when it reached the module's check."""
        for user in (self.specialist_b, self.plain_user):
            self.login(user)
            for url in (
                f"/web/content/{self.statement.id}",
                f"/web/content/ir.attachment/{self.statement.id}/datas",
            ):
                with self.subTest(user=user.login, url=url):
                    mark = self.mark()
                    response = self.url_open(url)
                    self.assertIn(response.status_code, (403, 404))
                    self.assertNotIn(b"%PDF", response.content[:10])
                    self.assertRecordValues(
                        self.new_lines(mark),
                        [
                            {
                                "event": "denied",
                                "user_id": user.id,
                                "res_model": "patient.account",
                                "res_id": self.account.id,
                                "detail": f"ir.attachment,{self.statement.id}",
                            }
                        ],
                    )

    # ------------------------------------------------------------------ report routes

    def report_cases(self, account, plan):
        ids = account.id
        return [
            # (url, status wanted for a user who may read the account)
            (f"/report/pdf/{STATEMENT}/{ids}", 200),
            (f"/report/html/{STATEMENT}/{ids}", 200),
            (f"/report/text/{STATEMENT}/{ids}", 400),
            (f"/report/pdf/{STATEMENT}", 400),
            (f"/report/pdf/{STATEMENT}/abc", 400),
            (f"/report/pdf/{STATEMENT}/{ids},{ids}", 200),
            (f"/report/pdf/{STATEMENT}/99999999999", 400),
            (f"/report/pdf/{STATEMENT}/2147483000", 403),
            (f"/report/xyz/{STATEMENT}/{ids}", 404),
            (f"/report/pdf/{STATEMENT}/{ids}?context=notjson", 400),
            (f"/report/pdf/{STATEMENT}/{ids}?context=[1]", 400),
            (f"/report/pdf/{STATEMENT}/{ids}?options=notjson", 400),
            (f"/report/pdf/{AGREEMENT}/{plan.id}", 200),
            (f"/report/html/{AGREEMENT}/{plan.id}", 200),
            (f"/report/text/{AGREEMENT}/{plan.id}", 400),
        ]

    def download(self, url, report_type="qweb-pdf", context=None):
        params = {"data": json.dumps([url, report_type])}
        if context is not None:
            params["context"] = context
        return self.url_open("/report/download?" + urlencode(params))

    @mute_logger(*NOISY_LOGGERS)
    def test_report_routes_never_answer_500(self):
        roles = {
            **self.users,
            "specialist_b": self.specialist_b,
            "plain": self.plain_user,
        }
        for role, user in roles.items():
            self.login(user)
            readable = role in ("specialist", "manager", "accountant")
            for url, status in self.report_cases(self.account, self.plan):
                with self.subTest(role=role, url=url):
                    mark = self.mark()
                    response = self.url_open(url)
                    want = status if readable or status in (400, 404) else 403
                    if url.endswith((f"/{STATEMENT}", "/abc")):
                        want = 400
                    self.assertEqual(response.status_code, want, response.text[:300])
                    lines = self.new_lines(mark)
                    if want == 200 and "/pdf/" in url:
                        self.assertTrue(response.content.startswith(b"%PDF"))
                        self.assertEqual(lines.mapped("event"), ["print"])
                    elif want == 200:
                        self.assertIn(b"<object", response.content)
                        self.assertIn(b"/report/pdf/", response.content)
                        self.assertFalse(lines)
                    elif want == 403 and "2147483000" not in url:
                        self.assertEqual(lines.mapped("event"), ["denied"])
                    else:
                        self.assertNotIn("print", lines.mapped("event"))
                    self.assertNotIn(b"Testparent", response.content)
                    if lines:
                        self.assertIdentifiersOnly(lines)

    @mute_logger(*NOISY_LOGGERS)
    def test_report_download_route(self):
        self.login(self.specialist)
        url = f"/report/pdf/{STATEMENT}/{self.account.id}"
        mark = self.mark()
        response = self.download(url)
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertIn(self.account.name, response.headers["Content-Disposition"])
        self.assertEqual(self.new_lines(mark).mapped("event"), ["print"])

        cases = [
            # (data, context, status)
            (f"/report/pdf/{STATEMENT}/{self.account_b.id}", None, 403),
            (f"/report/pdf/{STATEMENT}/{self.account.id}", "notjson", 400),
            (f"/report/pdf/{STATEMENT}", None, 400),
            (f"/report/text/{STATEMENT}/{self.account.id}", None, 400),
        ]
        for url, context, status in cases:
            with self.subTest(url=url, context=context):
                mark = self.mark()
                report_type = "qweb-text" if "/text/" in url else "qweb-pdf"
                response = self.download(url, report_type, context)
                self.assertEqual(response.status_code, status, response.text[:300])
                self.assertNotIn(b"%PDF", response.content[:10])
                if status == 403:
                    error = json.loads(response.text.replace("&#34;", '"').replace("&quot;", '"'))
                    self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
                    self.assertRecordValues(
                        self.new_lines(mark),
                        [{"event": "denied", "res_id": self.account_b.id, "detail": STATEMENT}],
                    )
        for data in ("notjson", json.dumps([f"/report/html/{STATEMENT}/1", "qweb-html"]), "[]"):
            with self.subTest(data=data):
                response = self.url_open("/report/download?" + urlencode({"data": data}))
                self.assertEqual(response.status_code, 400)

    def test_report_html_refused_for_other_company(self):
        self.login(self.specialist)
        mark = self.mark()
        with mute_logger(*NOISY_LOGGERS):
            response = self.url_open(
                f"/report/html/{STATEMENT}/{self.account_b.id}?"
                + urlencode({"context": json.dumps({"allowed_company_ids": [self.company_b.id]})})
            )
        self.assertEqual(response.status_code, 403)
        self.assertRecordValues(
            self.new_lines(mark),
            [{"event": "denied", "res_id": self.account_b.id, "detail": STATEMENT}],
        )
