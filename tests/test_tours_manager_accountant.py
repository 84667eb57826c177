"""Issue 14 in the browser, as the roles that do it
(static/src/tours/collections_manager_accountant_tours.js): an accountant's
payment reaching the plan across time zones, a manager's morning (run, the
accounts behind a reason, bulk assignment with preview and confirmation), "Run
now" handing the rest to the scheduled action, and the statement settings seen
in the printed statement's PDF text."""

from datetime import datetime, timedelta
from unittest.mock import patch

import pytz

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon
from .common_tours import TourMixin
from .test_statement_content import page_text

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)
INVOICE_FORM = "/odoo/action-account.action_move_out_invoice_type/%s"
ACCOUNT_FORM = "/odoo/action-patient_collections.patient_account_action/%s"
SETTINGS = "/odoo/action-patient_collections.action_collections_company_settings"
RUNS = "/odoo/action-patient_collections.patient_collection_run_action"
# Kiritimati is UTC+14, Honolulu UTC-10: the company's date is always the day
# after the accountant's, whenever the test runs.
COMPANY_TZ = "Pacific/Kiritimati"
ACCOUNTANT_TZ = "Pacific/Honolulu"


def date_in(tz):
    return datetime.now(pytz.timezone(tz)).date()


@tagged("post_install", "-at_install")
class TestManagerAccountantTours(TourMixin, PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.specialist = user("pc_t14_specialist", SPECIALIST, name="Tourmorning Specialist")
        cls.assignee = user("pc_t14_assignee", SPECIALIST, name="Tourmorning Assignee")
        cls.manager = user("pc_t14_manager", MANAGER, name="Tourmorning Manager")
        cls.accountant = user(
            "pc_t14_accountant", ACCOUNTANT, name="Tourtz Accountant", tz=ACCOUNTANT_TZ
        )
        cls.today = fields.Date.context_today(cls.env.user)

    def account_owing(self, name, amount, days_past_due=40, user=None):
        guarantor = self.env["res.partner"].create({"name": name, "is_patient": True})
        invoice = self.make_invoice(guarantor, amount, self.today - timedelta(days=days_past_due))
        account = invoice.patient_account_id
        if user:
            account.user_id = user
        return invoice, account

    # ------------------------------------------------------------------ accountant

    def test_accountant_west_of_the_company_pays_into_the_plan(self):
        """The plan starts on the company's date (Kiritimati); the accountant in
        Honolulu registers the payment on the invoice, Odoo dates it the day
        before: it still counts toward the plan, and the account and the plan
        agree on what is owed."""
        self.env.company.collections_tz = COMPANY_TZ
        invoice, account = self.account_owing("Tourtz Guarantor", 600.0, user=self.specialist)
        company_today = date_in(COMPANY_TZ)
        plan = account.with_user(self.specialist)._create_payment_plan(
            {"installment_count": 6, "first_due_date": company_today + timedelta(days=30)}
        )
        self.assertEqual(plan.activation_date, company_today)
        self.agreed_an_hour_earlier(plan)  # before the accountant pays
        self.run_tour(
            INVOICE_FORM % invoice.id, "pc14_accountant_pays_across_time_zones", self.accountant
        )
        payment = self.env["account.payment"].search(
            [("partner_id", "=", account.partner_id.id), ("create_uid", "=", self.accountant.id)]
        )
        self.assertEqual(payment.amount, 100.0)
        accountant_today = date_in(ACCOUNTANT_TZ)
        self.assertEqual(payment.date, accountant_today, "dated by the accountant's calendar")
        self.assertLess(payment.date, plan.activation_date, "the day before the plan started")
        self.assertEqual(plan.amount_paid, 100.0)
        first = plan.installment_ids.sorted("due_date")[0]
        self.assertRecordValues(first, [{"amount_paid": 100.0, "state": "paid"}])
        account._refresh_balances()
        self.assertEqual(account.balance_due, 500.0)
        self.assertEqual(plan.amount_remaining, account.balance_due)

    # ------------------------------------------------------------------ manager

    def test_manager_morning_run_reason_accounts_and_bulk_assignment(self):
        _invoice, held_one = self.account_owing("Tourmorning Held One", 120.0, user=self.specialist)
        _invoice, held_two = self.account_owing("Tourmorning Held Two", 80.0)
        _invoice, moves = self.account_owing("Tourmorning Moves", 90.0, days_past_due=45)
        trusted(held_one)._set_hold("dispute", note="Synthetic dispute")
        trusted(held_two)._set_hold("other", note="Synthetic hold")
        Run = self.env["patient.collection.run"]
        before = Run.search([])
        self.run_tour(RUNS, "pc14_manager_morning", self.manager)
        run = Run.search([]) - before
        self.assertRecordValues(run, [{"trigger": "manual", "state": "done"}])
        self.assertEqual(run.user_id, self.manager)
        on_hold = run.line_ids.filtered(lambda line: line.reason == "on_hold")
        self.assertEqual(on_hold.count, 2)
        self.assertEqual(sorted(on_hold._accounts_behind()), sorted((held_one | held_two).ids))
        self.assertEqual((held_one | held_two).user_id, self.assignee)
        self.assertNotEqual(moves.user_id, self.assignee, "only the accounts behind the reason")
        self.assertTrue(
            held_one.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "user_id"
            ),
            "the change of specialist is tracked",
        )

    def test_run_now_hands_the_rest_to_the_scheduled_action(self):
        self.account_owing("Tourmorning Handover", 70.0, days_past_due=45)
        Run = self.env["patient.collection.run"]
        cron = self.env.ref("patient_collections.ir_cron_collection_run")
        Trigger = self.env["ir.cron.trigger"]
        triggers = Trigger.search([("cron_id", "=", cron.id)])
        before = Run.search([])
        # a tiny time budget (a test-only patch, nothing a client can send): one
        # batch now, the rest for the scheduled action
        with patch.object(type(Run), "_run_now_seconds", lambda model: 0):
            self.run_tour(RUNS, "pc14_manager_run_now_hands_over", self.manager)
        run = Run.search([]) - before
        self.assertRecordValues(run, [{"trigger": "manual", "state": "running", "batch_count": 1}])
        self.assertGreater(Trigger.search([("cron_id", "=", cron.id)]) - triggers, Trigger)

    def test_statement_settings_seen_on_the_printed_statement(self):
        _invoice, account = self.account_owing("Tourstatement Guarantor", 150.0)
        company = self.env.company
        self.run_tour(SETTINGS, "pc14_manager_statement_settings", self.manager)
        self.assertRecordValues(
            company,
            [
                {
                    "collections_remit_to_address": "PO Box 7788\nSpringfield, IL 62704",
                    "collections_billing_phone": "+1 555 0177",
                    "collections_office_hours": "Monday to Thursday, 9 am to 4 pm",
                    "collections_tz": "America/Denver",
                }
            ],
        )
        printed = []
        Report = type(self.env["ir.actions.report"])
        render = Report._render_qweb_pdf

        def capture(report, report_ref, res_ids=None, data=None):
            pdf, kind = render(report, report_ref, res_ids=res_ids, data=data)
            printed.append(pdf)
            return pdf, kind

        with patch.object(Report, "_render_qweb_pdf", capture):
            self.run_tour(ACCOUNT_FORM % account.id, "pc14_manager_prints_statement", self.manager)
        self.assertEqual(len(printed), 1, "the browser's Print Statement rendered one PDF")
        text = page_text(printed[0])
        self.assertIn("Tourstatement Guarantor", text)
        self.assertIn("PO Box 7788 Springfield, IL 62704", text)
        self.assertIn("+1 555 0177", text)
        self.assertIn("Monday to Thursday, 9 am to 4 pm", text)
        logged = self.env["patient.access.log"].search(
            [("event", "=", "print"), ("user_id", "=", self.manager.id)]
        )
        self.assertEqual(logged.res_id, account.id)

    def test_manager_replaces_a_statement_link(self):
        """A statement sent to a wrong address: the manager replaces its link."""
        _invoice, account = self.account_owing("Tourlink Guarantor", 90.0)
        old = account._portal_ensure_token()
        with self.assertRaisesRegex(AccessError, "Only a collections manager"):
            account.with_user(self.specialist).action_new_portal_link()
        self.run_tour(ACCOUNT_FORM % account.id, "pc_manager_replaces_statement_link", self.manager)
        new = account.access_token
        self.assertTrue(new)
        self.assertNotEqual(new, old)
        self.authenticate(None, None)
        page = "/my/patient-accounts/%s?access_token=%s"
        self.assertEqual(self.url_open(page % (account.id, old)).status_code, 404)
        self.assertEqual(self.url_open(page % (account.id, new)).status_code, 200)
        self.assertEqual(account._portal_urls()[account.id].rsplit("=", 1)[1], new)
