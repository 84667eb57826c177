import base64
import io
from datetime import date, timedelta

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import TEST_ADDRESS, PatientCollectionsCommon

TODAY = date(2026, 5, 4)


def pdf_text(pdf):
    return [
        "" if page is None else page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatements(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guarantor.write(
            {
                "street": "12 Elm Street",
                "city": "Springfield",
                "zip": "62701",
                "patient_birthdate": "1980-02-03",
            }
        )
        cls.invoice = cls.make_invoice(
            cls.child,
            60.0,
            TODAY - timedelta(days=40),
            due_date=TODAY - timedelta(days=40),
            amount_charges=250.0,
            amount_insurance_paid=150.0,
            amount_adjustment=40.0,
            amount_copay=20.0,
            amount_deductible=40.0,
            service_date=TODAY - timedelta(days=45),
        )
        cls.account = cls.invoice.patient_account_id
        cls.report = "patient_collections.action_report_patient_statement"

    def render(self, accounts, user=None):
        Report = self.env["ir.actions.report"]
        if user:
            Report = Report.with_user(user)
        pdf, kind = Report._render_qweb_pdf(self.report, accounts.ids)
        self.assertEqual(kind, "pdf")
        return pdf

    def test_statement_content_without_clinical_identifiers(self):
        text = "".join(pdf_text(self.render(self.account)))
        self.assertIn(self.account.name, text)
        self.assertIn("Testparent Alpha", text)
        self.assertIn("$ 60.00", text.replace("\xa0", " "))
        self.assertIn("250.00", text)  # the EOB: charges
        self.assertNotIn("MRN-T-001", text)
        self.assertNotIn("MRN-T-002", text)
        self.assertNotIn("1980", text)
        self.assertNotIn("2015", text)

    def test_accents_and_non_latin_names(self):
        self.guarantor.name = "Zoë Ångström-Łukasz Ψυχή"
        text = "".join(pdf_text(self.render(self.account)))
        self.assertIn("Zoë Ångström-Łukasz Ψυχή", text)

    def test_long_history_flows_onto_pages_with_repeated_headers(self):
        for index in range(70):
            self.make_invoice(self.child, 10.0 + index, TODAY - timedelta(days=index))
        pages = pdf_text(self.render(self.account))
        self.assertGreater(len(pages), 1)
        pages_with_rows = [page for page in pages if "Office visit" in page]
        self.assertGreater(len(pages_with_rows), 1, "the invoices themselves span pages")
        for page in pages_with_rows:
            self.assertIn("Description", page, "column headers repeated")
        for number, page in enumerate(pages, start=1):
            self.assertIn(f"Page {number} of {len(pages)}", page)

    def test_batch_sends_once_a_day(self):
        other = self.make_invoice(self.other_guarantor, 80.0, TODAY - timedelta(days=20))
        accounts = self.account | other.patient_account_id
        wizard = (
            self.env["patient.statement.send"]
            .with_context(active_model="patient.account", active_ids=accounts.ids)
            .create({})
        )
        self.assertEqual(wizard.qualifying_count, 2)
        action = wizard.action_send()
        self.assertIn(f"/web/content/patient.statement.send/{wizard.id}/merged_pdf/", action["url"])
        self.assertEqual(len(pdf_text(base64.b64decode(wizard.merged_pdf))), 2)
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", False), ("name", "like", "Statements %")]
            ),
            "no file of its own, to be shared by a link",
        )
        self.assertRecordValues(
            accounts,
            [{"last_statement_date": TODAY, "first_statement_date": TODAY}] * 2,
        )
        letters = accounts.interaction_ids.filtered(lambda i: i.channel == "letter")
        self.assertEqual(len(letters), 2)
        attached = self.env["ir.attachment"].search(
            [("res_model", "=", "patient.account"), ("res_id", "in", accounts.ids)]
        )
        self.assertEqual(len(attached), 2)
        again = (
            self.env["patient.statement.send"]
            .with_context(active_model="patient.account", active_ids=accounts.ids)
            .create({})
        )
        self.assertEqual(again.qualifying_count, 0)
        with self.assertRaisesRegex(UserError, "No account qualifies"):
            again.action_send()
        self.assertEqual(len(accounts.interaction_ids.filtered(lambda i: i.channel == "letter")), 2)
        with freeze_time("2026-06-10"):
            self.assertEqual(accounts._send_statements() and 1, 1)
        self.assertEqual(self.account.first_statement_date, TODAY, "first statement kept")

    def test_statement_letter_leaves_open_activities_alone(self):
        todo = self.account.activity_schedule("mail.mail_activity_data_todo", user_id=self.env.uid)
        self.account._send_statements()
        self.assertTrue(todo.exists(), "a statement does not complete the specialist's to-do")

    def test_cycle_respects_holds_and_cease(self):
        held = self.make_invoice(self.other_guarantor, 80.0, TODAY - timedelta(days=20))
        held_account = held.patient_account_id
        held_account._set_hold("dispute")
        ceasing = self.env["res.partner"].create({"name": "Testperson Cease", "is_patient": True})
        ceasing_account = self.make_invoice(
            ceasing, 90.0, TODAY - timedelta(days=20)
        ).patient_account_id
        self.env["patient.interaction"].create(
            {"account_id": ceasing_account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        run = self.env["patient.collection.run"].run()
        self.assertEqual(self.account.last_statement_date, TODAY)
        self.assertFalse(held_account.last_statement_date)
        self.assertFalse(ceasing_account.last_statement_date)
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, 1)
        batch = self.env["ir.attachment"].search(
            [("res_model", "=", "patient.collection.run"), ("res_id", "=", run.id)]
        )
        self.assertEqual(len(pdf_text(batch.raw)), 1)
        second = self.env["patient.collection.run"].run()
        self.assertFalse(second.line_ids.filtered(lambda line: line.kind == "statement_sent"))
        with freeze_time("2026-06-04"):  # a 30-day cycle later
            self.env["patient.collection.run"].run()
            self.assertEqual(self.account.last_statement_date, date(2026, 6, 4))

    def postal_account(self):
        """A second guarantor, on paper: their account owes 80.00."""
        partner = self.env["res.partner"].create(
            {"name": "Testpostal Beta", "is_patient": True, **TEST_ADDRESS}
        )
        due = TODAY - timedelta(days=40)
        return self.make_invoice(partner, 80.0, due, due_date=due).patient_account_id

    def test_the_mail_house_file_holds_only_the_statements_not_emailed(self):
        postal = self.postal_account()
        self.guarantor.email = "testparent.alpha@example.com"
        self.account.statement_delivery = "email"
        merged = (self.account | postal)._send_statements(email=True)
        text = "".join(pdf_text(merged.raw))
        self.assertIn(postal.name, text)
        self.assertNotIn(self.account.name, text, "emailed: not printed and mailed too")
        self.assertIn("(1).pdf", merged.name)
        # both got today's statement, each in its own way
        self.assertEqual((self.account | postal).mapped("last_statement_date"), [TODAY] * 2)
        self.assertEqual(self.account.interaction_ids.channel, "email")
        self.assertEqual(postal.interaction_ids.channel, "letter")

    def test_sending_only_emails_downloads_nothing(self):
        self.guarantor.email = "testparent.alpha@example.com"
        self.account.statement_delivery = "email"
        wizard = (
            self.env["patient.statement.send"]
            .with_context(active_model="patient.account", active_ids=self.account.ids)
            .create({"email": True})
        )
        action = wizard.action_send()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("1 statement(s) sent by email", action["params"]["message"])
        self.assertEqual(self.account.last_statement_date, TODAY)
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", False), ("name", "like", "Statements %")]
            ),
            "no file for the mail house",
        )

    def test_a_statement_stays_on_its_account(self):
        self.account._send_statements()
        statement = self.env["ir.attachment"].search(
            [("res_model", "=", "patient.account"), ("res_id", "=", self.account.id)], limit=1
        )
        self.assertTrue(statement)
        specialist = new_test_user(
            self.env,
            login="pc_stmt_detacher",
            groups="patient_collections.group_collections_specialist",
        )
        other = self.postal_account()
        for vals in (
            {"res_model": False, "res_id": 0, "public": True},
            {"res_model": False, "res_id": 0},
            {"res_id": other.id},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, "stays attached"):
                statement.with_user(specialist).write(vals)
            with self.subTest(copy=vals), self.assertRaisesRegex(AccessError, "stays attached"):
                statement.with_user(specialist).copy(vals)
        self.assertRecordValues(
            statement,
            [{"res_model": "patient.account", "res_id": self.account.id, "public": False}],
        )

    def test_email_statement_has_no_phi_in_subject_or_preview(self):
        self.guarantor.email = "testparent.alpha@example.com"
        self.account.statement_delivery = "email"
        self.account._send_statements(email=True)
        message = self.account.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertTrue(message)
        self.assertIn(self.account.name, message.subject)
        for text in (message.subject, message.preview or "", message.body):
            self.assertNotIn("Alpha", text)
            self.assertNotIn("Testchild", text)
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertEqual(
            self.account.interaction_ids.filtered(lambda i: i.channel == "email").outcome, "other"
        )

    def test_who_may_print(self):
        company = self.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        for login, groups in (
            ("pc_st_specialist", "patient_collections.group_collections_specialist"),
            ("pc_st_manager", "patient_collections.group_collections_manager"),
            ("pc_st_accountant", "patient_collections.group_collections_accountant"),
        ):
            user = new_test_user(self.env, login=login, groups=groups, **common)
            self.assertTrue(self.render(self.account, user).startswith(b"%PDF"))
        plain = new_test_user(self.env, login="pc_st_plain", groups="base.group_user", **common)
        with self.assertRaises(AccessError):
            self.render(self.account, plain)


@tagged("post_install", "-at_install")
class TestStatementReportUrl(HttpCase):
    def test_report_url_refused_to_plain_users(self):
        partner = self.env["res.partner"].create({"name": "Testperson Url", "is_patient": True})
        account = self.env["patient.account"].create({"partner_id": partner.id})
        new_test_user(
            self.env, login="pc_url_plain", password="pc_url_plain", groups="base.group_user"
        )
        new_test_user(
            self.env,
            login="pc_url_specialist",
            password="pc_url_specialist",
            groups="base.group_user,patient_collections.group_collections_specialist",
        )
        url = f"/report/pdf/patient_collections.report_patient_statement/{account.id}"
        self.authenticate("pc_url_specialist", "pc_url_specialist")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.authenticate("pc_url_plain", "pc_url_plain")
        response = self.url_open(url)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"%PDF", response.content[:10])
        self.assertNotIn(b"Testperson Url", response.content)

    def test_the_mail_house_file_downloads_for_its_sender_only(self):
        """The wizard's merged PDF is the sender's: its download link works for
        them, and for nobody else, public or colleague."""
        users = [
            new_test_user(
                self.env,
                login=login,
                password=login,
                groups="base.group_user,patient_collections.group_collections_specialist",
            )
            for login in ("pc_merged_sender", "pc_merged_colleague")
        ]
        wizard = self.env["patient.statement.send"].with_user(users[0]).create({})
        wizard.sudo().write(
            {"merged_pdf": base64.b64encode(b"%PDF-1.4 testmerged"), "merged_name": "S.pdf"}
        )
        url = f"/web/content/patient.statement.send/{wizard.id}/merged_pdf/S.pdf?download=true"
        self.authenticate("pc_merged_sender", "pc_merged_sender")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"%PDF-1.4 testmerged")
        for login in ("pc_merged_colleague", None):
            self.authenticate(login, login)
            response = self.url_open(url)
            self.assertNotEqual(response.status_code, 200)
            self.assertNotIn(b"testmerged", response.content)


@tagged("post_install", "-at_install")
class TestStatementMoney(PatientCollectionsCommon):
    def test_formatter_matches_currency_format(self):
        eur = self.setup_other_currency("EUR")
        eur.position = "after"
        Account = self.env["patient.account"]
        for currency in (self.env.company.currency_id, eur):
            format_money = Account._money_formatter(currency)
            for amount in (0.0, 0.005, 1.5, -42.125, 1234567.891, -0.01):
                self.assertEqual(format_money(amount), currency.format(amount))
