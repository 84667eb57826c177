"""The dashboard's KPIs (average days to pay), the lists behind its tiles by
role, accountants' read-only reporting, and the tour that clicks through a tile."""

import base64
import io
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from ..models.patient_collection_snapshot import RIGHT_PARTY_OUTCOMES
from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

DAY = date(2026, 6, 1)
SPECIALIST = "patient_collections.group_collections_specialist"
MANAGER = "patient_collections.group_collections_manager"
ACCOUNTANT = "account.group_account_invoice,patient_collections.group_collections_accountant"
SECRETS = ("Testparent", "Testchild", "Testperson", "MRN-T-")


def tiles_of(data):
    return {tile["key"]: tile for tile in data["tiles"]}


def buckets_of(data):
    return {bucket["key"]: bucket for bucket in data["buckets"]}


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestReportingDashboard(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["patient.collection.snapshot"]
        cls.Run = cls.env["patient.collection.run"]
        cls.specialist = cls.company_user("pc_dash_specialist", SPECIALIST)
        cls.other_specialist = cls.company_user("pc_dash_specialist2", SPECIALIST)
        cls.manager = cls.company_user("pc_dash_manager", MANAGER)
        cls.accountant = cls.company_user("pc_dash_accountant", ACCOUNTANT)
        # child/child_2: the parent's account (specialist), 200+ days past due
        cls.recent = cls.make_invoice(cls.child, 120.0, DAY - timedelta(days=10))
        cls.old = cls.make_invoice(cls.child_2, 45.5, DAY - timedelta(days=200))
        cls.other = cls.make_invoice(cls.other_guarantor, 310.0, DAY - timedelta(days=75))
        cls.account = cls.recent.patient_account_id
        cls.other_account = cls.other.patient_account_id
        cls.account.user_id = cls.specialist
        cls.other_account.user_id = cls.other_specialist

    def dashboard(self, user):
        return self.Snapshot.with_user(user).get_dashboard_data()

    def search(self, action, user):
        return self.env[action["res_model"]].with_user(user).search(action["domain"])

    # ------------------------------------------------------------------ days to pay

    def test_average_days_to_pay(self):
        self.pay(self.recent, 120.0, DAY)  # paid in full after 10 days
        self.pay(self.other, 100.0, DAY)  # partly: not paid yet
        self.Run.run()
        rows = self.Snapshot.sudo().search([("date", "=", DAY)])
        self.assertEqual(sum(rows.mapped("paid_invoice_count")), 1)
        self.assertEqual(sum(rows.mapped("paid_invoice_days")), 10)
        with freeze_time(DAY + timedelta(days=1)):
            self.pay(self.other, 210.0, DAY + timedelta(days=1))  # in full after 76 days
            self.Run.run()
            tiles = tiles_of(self.dashboard(self.manager))
            self.assertEqual(tiles["avg_days_to_pay"]["value"], 43.0)  # (10 + 76) / 2
            self.assertEqual(tiles["avg_days_to_pay"]["unit"], "days")
            # a specialist: the invoices of their own accounts only
            self.assertEqual(
                tiles_of(self.dashboard(self.specialist))["avg_days_to_pay"]["value"], 10.0
            )
            self.assertEqual(
                tiles_of(self.dashboard(self.other_specialist))["avg_days_to_pay"]["value"], 76.0
            )
            # the list behind it: the accounts that paid in those 30 days
            action = tiles["avg_days_to_pay"]["action"]
            self.assertEqual(action["res_model"], "patient.account")
            self.assertEqual(self.search(action, self.manager), self.account | self.other_account)

    def test_paid_on_the_day_of_the_last_reconciliation(self):
        """An invoice of the day settled by a payment dated before it (a deposit)
        is fully paid that day, after 0 days, though the account's last payment
        is older: the day's partials decide, not the accounts paid that day."""
        invoice = self.make_invoice(self.other_guarantor, 50.0, DAY)
        self.pay(invoice, 50.0, DAY - timedelta(days=3))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.Run.run()
        self.assertEqual(self.other_account.last_payment_date, DAY - timedelta(days=3))
        rows = self.Snapshot.sudo().search([("date", "=", DAY)])
        self.assertEqual(sum(rows.mapped("paid_invoice_count")), 1)
        self.assertEqual(sum(rows.mapped("paid_invoice_days")), 0)

    def test_no_payment_no_average(self):
        self.Run.run()
        self.assertIs(tiles_of(self.dashboard(self.manager))["avg_days_to_pay"]["value"], False)

    # ------------------------------------------------------------------ lists behind tiles

    def test_buckets_open_the_accounts_in_the_bucket(self):
        self.Run.run()
        data = self.dashboard(self.manager)
        buckets = buckets_of(data)
        over_120 = buckets["aging_over_120"]
        self.assertEqual(over_120["action"]["res_model"], "patient.account")
        accounts = self.search(over_120["action"], self.manager)
        self.assertEqual(accounts, self.account)
        self.assertAlmostEqual(sum(accounts.mapped("aging_over_120")), over_120["value"], 2)
        self.assertAlmostEqual(over_120["value"], 45.5, 2)
        for key, bucket in buckets.items():
            behind = self.search(bucket["action"], self.manager)
            self.assertAlmostEqual(sum(behind.mapped(key)), bucket["value"], 2, msg=key)
        balance = tiles_of(data)["balance_due"]
        behind = self.search(balance["action"], self.manager)
        self.assertEqual(behind, self.account | self.other_account)
        self.assertAlmostEqual(sum(behind.mapped("balance_due")), balance["value"], 2)
        self.assertEqual(balance["action"]["context"], {"group_by": ["stage_id"]})
        for stage in data["stages"]:
            behind = self.search(stage["action"], self.manager)
            self.assertAlmostEqual(sum(behind.mapped("balance_due")), stage["value"], 2)

    def test_specialist_lists_their_own_accounts(self):
        self.Run.run()
        data = self.dashboard(self.other_specialist)
        buckets = buckets_of(data)
        self.assertEqual(buckets["aging_over_120"]["value"], 0)
        self.assertFalse(self.search(buckets["aging_over_120"]["action"], self.other_specialist))
        self.assertEqual(
            self.search(buckets["aging_61_90"]["action"], self.other_specialist),
            self.other_account,
        )
        balance = tiles_of(data)["balance_due"]
        self.assertEqual(self.search(balance["action"], self.other_specialist), self.other_account)
        self.assertAlmostEqual(balance["value"], 310.0, 2)

    def test_plan_tiles_open_the_plans(self):
        plans = self.env["patient.payment.plan"]
        for account in (self.account, self.other_account):
            action = (
                self.env["patient.payment.plan.create"]
                .with_context(
                    active_model="patient.account",
                    active_id=account.id,
                    active_ids=account.ids,
                )
                .create(
                    {
                        "installment_count": 3,
                        "frequency": "monthly",
                        "first_due_date": DAY + timedelta(days=10),
                    }
                )
                .action_confirm()
            )
            plans |= plans.browse(action["res_id"])
        active, defaulted = plans
        trusted(defaulted).write({"state": "defaulted"})
        self.Run.run()
        tiles = tiles_of(self.dashboard(self.manager))
        self.assertEqual(
            (tiles["plans_active"]["value"], tiles["plans_defaulted"]["value"]), (1, 1)
        )
        self.assertEqual(tiles["plans_active"]["action"]["res_model"], "patient.payment.plan")
        self.assertEqual(self.search(tiles["plans_active"]["action"], self.manager), active)
        self.assertEqual(self.search(tiles["plans_defaulted"]["action"], self.manager), defaulted)
        mine = tiles_of(self.dashboard(self.specialist))
        self.assertEqual(self.search(mine["plans_active"]["action"], self.specialist), active)
        self.assertFalse(self.search(mine["plans_defaulted"]["action"], self.specialist))

    def test_worked_per_specialist_day_counts_the_days_each_worked(self):
        """Two specialists, each working one day: two specialist-days, not
        two days times two specialists."""
        rows = [
            (DAY, False, 0),
            (DAY - timedelta(days=1), self.specialist, 10),
            (DAY - timedelta(days=2), self.other_specialist, 10),
        ]
        trusted(self.Snapshot.sudo()).create(
            [
                {
                    "date": day,
                    "company_id": self.env.company.id,
                    "currency_id": self.env.company.currency_id.id,
                    "user_id": user.id if user else False,
                    "insurance_status": "none",
                    "account_count": 1,
                    "accounts_worked": worked,
                }
                for day, user, worked in rows
            ]
        )
        tiles = tiles_of(self.dashboard(self.manager))
        self.assertEqual(tiles["worked"]["value"], 10.0)

    def test_activity_tiles_open_the_interactions(self):
        self.env["patient.interaction"].with_user(self.specialist).create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "reached"}
        )
        self.Run.run()  # logs its statement letters too: no calls, not counted
        rows = self.Snapshot.sudo().search([("date", "=", DAY)])
        contacts, right = sum(rows.mapped("contact_count")), sum(rows.mapped("right_party_count"))
        self.assertGreaterEqual(right, 1)
        tiles = tiles_of(self.dashboard(self.manager))
        right_party = tiles["right_party"]
        self.assertEqual(right_party["value"], round(100.0 * right / contacts, 1))
        self.assertEqual(right_party["action"]["res_model"], "patient.interaction")
        behind = self.search(right_party["action"], self.manager)
        self.assertEqual(len(behind), contacts)
        self.assertEqual(len(behind.filtered(lambda i: i.outcome in RIGHT_PARTY_OUTCOMES)), right)
        # a specialist: the contacts of their own accounts
        mine = tiles_of(self.dashboard(self.other_specialist))["right_party"]["action"]
        self.assertNotIn(self.account, self.search(mine, self.other_specialist).account_id)
        self.assertIn(self.account, behind.account_id)

    def test_dashboard_queries_do_not_grow_with_accounts(self):
        self.Run.run()
        Snapshot = self.Snapshot.with_user(self.manager)

        def measure():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Snapshot.get_dashboard_data()
            return self.env.cr.sql_log_count - before

        def count():
            # the least of two calls: the first may reload the caches the run cleared
            return min(measure(), measure())

        few = count()
        # one of them the time zones of the user's companies (the contacts' tiles),
        # one the reader's date format (the heading's date)
        self.assertLessEqual(few, 16, "a handful of grouped reads")
        for index in range(6):
            guarantor = self.env["res.partner"].create(
                {"name": f"Testperson Many {index}", "is_patient": True}
            )
            self.make_invoice(guarantor, 10.0 + index, DAY - timedelta(days=30 * index))
        self.Run.run()
        self.assertEqual(count(), few)

    # ------------------------------------------------------------------ accountants

    def test_accountant_reads_reporting_of_their_companies(self):
        self.Run.run()
        rows = self.Snapshot.with_user(self.accountant).search([])
        self.assertEqual(rows, self.Snapshot.sudo().search([]))
        data = self.dashboard(self.accountant)
        tiles = tiles_of(data)
        # balances, plans and days to pay; no interaction figures
        self.assertNotIn("right_party", tiles)
        self.assertNotIn("promises_kept", tiles)
        self.assertNotIn("worked", tiles)
        self.assertAlmostEqual(tiles["balance_due"]["value"], 475.5, 2)
        self.assertEqual(
            self.search(buckets_of(data)["aging_over_120"]["action"], self.accountant),
            self.account,
        )
        # nor through a grouped read, a pivot's measure or an export
        for name in ("contact_count", "promise_broken_count", "accounts_worked"):
            with self.assertRaises(AccessError):
                self.Snapshot.with_user(self.accountant)._read_group(
                    [], ["user_id"], [f"{name}:sum"]
                )
        self.assertNotIn("contact_count", self.Snapshot.with_user(self.accountant).fields_get())
        self.assertIn("contact_count", self.Snapshot.with_user(self.manager).fields_get())
        with self.assertRaises(AccessError):
            rows[:1].with_user(self.accountant).write({"balance_due": 1.0})
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(self.accountant).create(
                {"date": DAY, "company_id": self.env.company.id, "insurance_status": "none"}
            )
        menus = self.env["ir.ui.menu"].with_user(self.accountant)._visible_menu_ids()
        for xmlid in (
            "patient_collection_dashboard_menu",
            "patient_aging_report_menu",
            "patient_collection_snapshot_menu",
        ):
            self.assertIn(self.env.ref(f"patient_collections.{xmlid}").id, menus)

    def test_accountant_prints_and_exports_the_aged_report(self):
        wizard = self.env["patient.aging.report"].with_user(self.accountant).create({})
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.accountant)
            ._render_qweb_pdf("patient_collections.action_report_patient_aging", wizard.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

        def workbook():
            url = wizard.action_export_xlsx()["url"]
            attachment = self.env["ir.attachment"].browse(int(url.split("/")[-1].split("?")[0]))
            return openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))

        # the Detail sheet is an export: it needs Odoo's export right
        self.assertFalse(self.accountant.has_group("base.group_allow_export"))
        self.assertNotIn("Detail", workbook().sheetnames)
        self.accountant.groups_id += self.env.ref("base.group_allow_export")
        book = workbook()
        detail = list(book["Detail"].iter_rows(values_only=True))
        self.assertEqual(
            {row[0] for row in detail[1:]}, set((self.account | self.other_account).mapped("name"))
        )
        text = " ".join(str(c) for s in book for r in s.iter_rows(values_only=True) for c in r if c)
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def test_accountant_of_another_company_sees_nothing(self):
        company_b = self.setup_other_company(name="PC Dashboard Clinic B")["company"]
        self.Run.run()
        accountant_b = self.company_user("pc_dash_accountant_b", ACCOUNTANT, company=company_b)
        self.assertFalse(self.Snapshot.with_user(accountant_b).search([]))
        self.assertFalse(self.dashboard(accountant_b)["date"])
        wizard = (
            self.env["patient.aging.report"]
            .with_user(accountant_b)
            .create({"company_id": company_b.id})
        )
        with self.assertRaises(AccessError):
            wizard.write({"company_id": self.env.company.id})
            wizard._aging_pdfs()

    def test_invoicing_user_without_collections_role_has_no_reporting(self):
        self.Run.run()
        billing = self.company_user("pc_dash_billing", "account.group_account_invoice")
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(billing).search([])
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(billing).get_dashboard_data()
        with self.assertRaises(AccessError):
            self.env["patient.aging.report"].with_user(billing).create({})
        menus = self.env["ir.ui.menu"].with_user(billing)._visible_menu_ids()
        self.assertNotIn(
            self.env.ref("patient_collections.patient_collection_dashboard_menu").id, menus
        )


@tagged("post_install", "-at_install")
class TestReportingDashboardTour(PatientCollectionsCommon, HttpCase):
    def test_manager_clicks_through_a_tile(self):
        today = date.today()
        manager = self.company_user(
            "pc_tour_rep_manager", f"base.group_user,{MANAGER}", name="Tourmanager Reporting"
        )
        Partner = self.env["res.partner"]
        old = Partner.create({"name": "Tourguarantor Old", "is_patient": True})
        recent = Partner.create({"name": "Tourguarantor Recent", "is_patient": True})
        self.make_invoice(old, 80.0, today - timedelta(days=200))
        account = self.make_invoice(recent, 300.0, today - timedelta(days=20)).patient_account_id
        self.env["patient.payment.plan.create"].with_context(
            active_model="patient.account", active_id=account.id, active_ids=account.ids
        ).create(
            {
                "installment_count": 3,
                "frequency": "monthly",
                "first_due_date": today + timedelta(10),
            }
        ).action_confirm()
        self.env["patient.collection.run"].run()
        self.env.flush_all()
        self.start_tour(
            "/odoo/action-patient_collections.patient_collection_dashboard_action",
            "patient_collections_reporting_dashboard_tour",
            login=manager.login,
        )
