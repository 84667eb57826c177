"""What a statement tells the guarantor, read from the PDF's text (issue 14):
the amount due now, totals that reconcile with insurance pending apart, dates in
the language's format, the billing office's contact, no final notice during a
dispute, and the account's portal link (issue 16)."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import TEST_ADDRESS, PatientCollectionsCommon
from .test_statements import pdf_text

TODAY = date(2026, 5, 4)


def page_text(pdf):
    """The PDF's text, its line breaks and spaces as single spaces."""
    return " ".join("".join(pdf_text(pdf)).replace("\xa0", " ").split())


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatementContent(PatientCollectionsCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.lang = "en_US"
        cls.invoice = cls.make_invoice(
            cls.child,
            600.0,
            TODAY - timedelta(days=40),
            due_date=TODAY - timedelta(days=40),
            service_date=TODAY - timedelta(days=45),
        )
        cls.pending = cls.make_invoice(
            cls.child, 200.0, TODAY - timedelta(days=10), insurance_status="pending"
        )
        cls.account = cls.invoice.patient_account_id
        cls.account._refresh_balances()

    def render(self, accounts=None):
        accounts = accounts or self.account
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "patient_collections.action_report_patient_statement", accounts.ids
        )
        return page_text(pdf)

    def make_plan(self):
        action = (
            self.env["patient.payment.plan.create"]
            .with_context(
                active_model="patient.account",
                active_id=self.account.id,
                active_ids=self.account.ids,
            )
            .create(
                {
                    "installment_count": 6,
                    "frequency": "monthly",
                    "first_due_date": TODAY + timedelta(days=10),
                }
            )
            .action_confirm()
        )
        return self.env["patient.payment.plan"].browse(action["res_id"])

    def test_totals_reconcile_with_insurance_pending_apart(self):
        self.assertEqual(self.account.balance_due, 600.0)
        text = self.render()
        self.assertIn("Insurance pending: not part of the amount due", text)
        self.assertIn("Total $ 800.00", text)
        self.assertIn("Insurance pending (not due yet) $ -200.00", text)
        self.assertIn("Your balance $ 600.00", text)
        self.assertIn("Amount due now $ 600.00", text)
        self.assertNotIn("Amount due now $ 800.00", text)

    def test_amount_due_is_the_installment_on_a_plan(self):
        plan = self.make_plan()
        self.assertEqual(plan.next_due_amount, 100.0)
        text = self.render()
        self.assertIn("Amount due now $ 100.00", text)
        self.assertIn("Your balance $ 600.00", text)
        self.assertIn("Please pay by 05/14/2026", text)
        self.assertIn(f"Payment plan {plan.name}: pay $ 100.00 by 05/14/2026", text)
        values = self.account._statement_values()[0]
        # the rest is the plan less what is asked now (600 - 100), not the balance
        plan_line = values["plan_line"].replace("\xa0", " ")
        self.assertIn("The rest of the plan ($ 500.00) follows its schedule.", plan_line)
        self.assertNotIn("not part of the plan", plan_line)
        self.assertIn("($ 500.00)", text)
        self.assertNotIn("($ 600.00)", text)
        self.assertEqual(values["amount_due"].replace("\xa0", " "), "$ 100.00")

    def test_a_charge_after_the_plan_is_said_to_be_off_the_plan(self):
        """A visit billed after the plan was agreed is neither asked now nor on
        the plan: the statement says so rather than counting it in the plan."""
        plan = self.make_plan()
        self.make_invoice(self.child, 200.0, TODAY - timedelta(days=1))
        self.account._refresh_balances()
        self.assertEqual(self.account.balance_due, 800.0)
        line = self.account._statement_values()[0]["plan_line"].replace("\xa0", " ")
        self.assertIn(f"Payment plan {plan.name}: pay $ 100.00 by 05/14/2026.", line)
        self.assertIn("The rest of the plan ($ 500.00) follows its schedule.", line)
        self.assertIn("$ 200.00 of your balance is not part of the plan", line)

    def test_dates_in_the_company_language_format(self):
        text = self.render()
        self.assertIn("Statement date 05/04/2026", text)
        self.assertIn("03/20/2026", text)  # the date of service
        self.assertNotIn("2026-05-04", text)
        self.assertNotIn("2026-03-20", text)
        french = self.env.ref("base.lang_fr")
        french.active = True
        self.guarantor.lang = False  # a guarantor without a language: the company's
        self.env.company.partner_id.lang = "fr_FR"
        self.assertIn("04/05/2026", self.render())

    def test_descriptions_print_whole(self):
        description = "Comprehensive office visit, established patient, level four, with labs"
        self.invoice.invoice_line_ids.sudo().with_context(check_move_validity=False).write(
            {"name": description}
        )
        self.assertIn(description, self.render())

    def test_no_final_notice_on_a_disputed_account(self):
        final = self.env.ref("patient_collections.stage_final_notice")
        self.account._import_history(stage=final.id)
        self.assertIn("FINAL NOTICE", self.render())
        self.assertFalse(self.account._statement_final_notice_withheld())
        self.account._set_hold("dispute")
        text = self.render()
        self.assertNotIn("FINAL NOTICE", text.upper())
        self.assertIn("We are reviewing the question you raised about this bill", text)
        # the print button says why, then prints the statement without it
        action = self.account.action_print_statement()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("dispute hold: no final notice", action["params"]["message"])
        report = self.env.ref("patient_collections.action_report_patient_statement")
        self.assertEqual(action["params"]["next"], report.report_action(self.account))
        # the statement step says why too
        wizard = (
            self.env["patient.statement.send"]
            .with_context(active_model="patient.account", active_ids=self.account.ids)
            .create({})
        )
        self.assertEqual(wizard.qualifying_count, 0)
        self.assertIn("no final notice goes out", wizard.final_notice_note)

    def test_no_final_notice_during_a_financial_assistance_application(self):
        self.account._import_history(
            stage=self.env.ref("patient_collections.stage_final_notice").id
        )
        self.account._set_hold("financial_assistance")
        text = self.render()
        self.assertNotIn("FINAL NOTICE", text.upper())
        self.assertIn("application for financial assistance", text)

    def test_billing_office_on_letterhead_and_slip(self):
        self.env.company.write(
            {
                "collections_remit_to_address": "PO Box 4455\nSpringfield, IL 62701",
                "collections_billing_phone": "+1 555 0100",
                "collections_office_hours": "Monday to Friday, 8 am to 5 pm",
            }
        )
        text = self.render()
        self.assertIn("Billing questions: +1 555 0100", text)
        self.assertIn("Office hours: Monday to Friday, 8 am to 5 pm", text)
        self.assertIn("Remit to", text)
        self.assertIn("PO Box 4455 Springfield, IL 62701", text)

    def test_billing_office_settings_are_bounded(self):
        settings = self.env["res.config.settings"].create({})
        for vals in (
            {"collections_billing_phone": "555\n0100"},
            {"collections_office_hours": "x" * 201},
            {"collections_remit_to_address": "\n".join("line" for _ in range(6))},
            {"collections_remit_to_address": 42},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.env.company.write(vals)
        with self.assertRaises(ValidationError):
            settings.write({"collections_billing_phone": "1" * 41})
        self.assertFalse(self.env.company.collections_billing_phone)

    def test_statement_carries_the_portal_link_and_its_qr_code(self):
        text = self.render()
        token = self.account.access_token
        self.assertTrue(token)
        url = f"/my/patient-accounts/{self.account.id}?access_token={token}"
        self.assertIn(url, text.replace(" ", ""))
        self.assertIn("Scan to pay online", text)
        self.assertNotIn("MRN", url)
        self.assertNotIn(self.account.name, url)

    def test_emailed_statement_links_to_the_portal(self):
        self.guarantor.email = "testparent.alpha@example.com"
        self.account.statement_delivery = "email"
        with self.mock_mail_gateway():
            self.account._send_statements(email=True)
        message = self.account.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        token = self.account.access_token
        link = f"/my/patient-accounts/{self.account.id}?access_token={token}"
        self.assertIn(link, message.body)
        self.assertNotIn("Alpha", message.subject)
        mails = [mail for mail in self._mails if "testparent.alpha" in str(mail["email_to"])]
        self.assertEqual(len(mails), 1)
        self.assertIn(link.split("?")[0], mails[0]["body"])
        self.assertIn(f"access_token={token}", mails[0]["body"])


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatementQueries(PatientCollectionsCommon):
    def accounts_on_plans(self, count, prefix):
        accounts = self.env["patient.account"]
        for number in range(count):
            partner = self.env["res.partner"].create(
                {"name": f"Testguarantor {prefix}{number}", "is_patient": True, **TEST_ADDRESS}
            )
            invoice = self.make_invoice(partner, 300.0, TODAY - timedelta(days=20))
            self.make_invoice(partner, 50.0, TODAY - timedelta(days=5), insurance_status="pending")
            accounts |= invoice.patient_account_id
        accounts._refresh_balances()
        for account in accounts:
            self.env["patient.payment.plan.create"].with_context(
                active_model="patient.account", active_id=account.id, active_ids=account.ids
            ).create(
                {"installment_count": 3, "frequency": "monthly", "first_due_date": TODAY}
            ).action_confirm()
        accounts._portal_urls()  # the tokens, made once
        return accounts

    def count_queries(self, accounts):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        values = accounts._statement_values()
        self.assertEqual(len(values), len(accounts))
        return self.env.cr.sql_log_count - before

    def test_statement_values_read_each_kind_once_whatever_the_accounts(self):
        few = self.accounts_on_plans(2, "a")
        many = self.accounts_on_plans(6, "b")
        queries = self.count_queries(few)
        self.assertGreater(queries, 3)
        self.assertEqual(self.count_queries(many), queries)
        values = many._statement_values()
        self.assertTrue(all(v["amount_due"].replace("\xa0", " ") == "$ 100.00" for v in values))
