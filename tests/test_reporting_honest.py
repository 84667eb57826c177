"""Reporting figures that say what they claim: the weekly mail read by its
recipients only, the roll rate over the same companies above and below the line,
right-party contacts among calls, the work of people (not the run's letters) per
specialist-day, a day's activity complete after the next night's run, and live
aged balances aged as of the report's day."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

DAY = date(2026, 6, 2)
YESTERDAY = DAY - timedelta(days=1)
SPECIALIST = "patient_collections.group_collections_specialist"
MANAGER = "patient_collections.group_collections_manager"
ACTIVITY = ("contact_count", "right_party_count", "promise_made_count", "accounts_worked")


def tiles_of(data):
    return {tile["key"]: tile for tile in data["tiles"]}


@tagged("post_install", "-at_install")
@freeze_time("2026-06-02 12:00:00")
class TestReportingHonest(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collections_tz = "America/New_York"
        cls.Snapshot = cls.env["patient.collection.snapshot"]
        cls.Run = cls.env["patient.collection.run"]
        cls.specialist = cls.company_user("pc_honest_specialist", SPECIALIST)
        cls.other_specialist = cls.company_user("pc_honest_specialist2", SPECIALIST)
        cls.manager = cls.company_user("pc_honest_manager", MANAGER)
        cls.invoice = cls.make_invoice(cls.child, 120.0, DAY - timedelta(days=100))
        cls.other = cls.make_invoice(cls.other_guarantor, 310.0, DAY - timedelta(days=75))
        cls.account = cls.invoice.patient_account_id
        cls.other_account = cls.other.patient_account_id
        cls.account.user_id = cls.specialist
        cls.other_account.user_id = cls.other_specialist

    def log(self, user, account, channel, outcome, **vals):
        return (
            self.env["patient.interaction"]
            .with_user(user)
            .create({"account_id": account.id, "channel": channel, "outcome": outcome, **vals})
        )

    def day_sums(self, day, names=ACTIVITY):
        rows = self.Snapshot.sudo().search(
            [("date", "=", day), ("company_id", "=", self.env.company.id)]
        )
        return {name: sum(rows.mapped(name)) for name in names}

    def rows(self, values_list):
        trusted(self.Snapshot.sudo()).create(
            [
                {
                    "company_id": self.env.company.id,
                    "currency_id": self.env.company.currency_id.id,
                    "insurance_status": "none",
                    "account_count": 1,
                    **values,
                }
                for values in values_list
            ]
        )

    # ------------------------------------------------------------------ A: weekly mail

    def test_weekly_mail_is_read_by_its_recipients_only(self):
        self.env.company.write({"collections_aging_report_user_ids": [(6, 0, self.manager.ids)]})
        receptionist = self.company_user("pc_honest_receptionist", "base.group_user")
        self.env["patient.aging.report"]._cron_weekly_aging_report()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("subject", "like", "Weekly aged patient balances")], order="id desc", limit=1)
        )
        self.assertTrue(mail)
        self.assertEqual(mail.recipient_ids, self.manager.partner_id)
        self.assertIn(self.account.name, mail.body_html)
        self.assertTrue(mail.auto_delete)
        self.assertFalse(mail.mail_message_id.model, "a mail about no record")
        self.assertFalse(mail.mail_message_id.res_id)
        message = mail.mail_message_id
        for user in (receptionist, self.specialist):
            Message = self.env["mail.message"].with_user(user)
            # the mail's body lists account numbers: no message of it is found
            self.assertFalse(
                Message.search(
                    [("subject", "like", "Weekly aged patient balances"), ("body", "!=", False)]
                )
            )
            self.assertFalse(Message.search([("id", "=", message.id)]))
            self.assertFalse(
                Message.search(
                    [("model", "=", "res.company"), ("res_id", "=", self.env.company.id)]
                )
            )
            with self.assertRaises(AccessError):
                message.with_user(user).read(["body"])
            with self.assertRaises(AccessError):
                self.env["mail.mail"].with_user(user).search([("id", "=", mail.id)])

    # ------------------------------------------------------------------ B: roll rate

    def test_roll_rate_over_the_companies_with_both_days(self):
        """A practice new to the module (no day 30 days back) is on neither side."""
        clinic_b = self.setup_other_company(name="Synthetic Clinic Honest B")["company"]
        manager = self.company_user(
            "pc_honest_manager_ab", MANAGER, company_ids=[self.env.company.id, clinic_b.id]
        )
        self.rows(
            [
                {"date": DAY - timedelta(days=30), "aging_1_30": 100.0},
                {"date": DAY, "aging_31_60": 40.0},
                {
                    "date": DAY,
                    "company_id": clinic_b.id,
                    "currency_id": self.env.company.currency_id.id,
                    "aging_31_60": 500.0,
                },
            ]
        )
        data = (
            self.Snapshot.with_user(manager)
            .with_context(allowed_company_ids=[self.env.company.id, clinic_b.id])
            .get_dashboard_data()
        )
        self.assertEqual(tiles_of(data)["roll_rate"]["value"], 40.0)
        buckets = {bucket["key"]: bucket["value"] for bucket in data["buckets"]}
        self.assertEqual(buckets["aging_31_60"], 540.0, "the bucket still shows every company")

    # ------------------------------------------------------------------ C: contacts, work

    def test_contacts_are_calls_and_the_runs_letters_are_no_work(self):
        self.log(self.specialist, self.account, "phone_in", "reached")
        self.log(self.other_specialist, self.other_account, "letter", "other")
        self.Run.run()  # logs its statement letters (reached the guarantor's address)
        statements = self.env["patient.interaction"].sudo().search([("is_statement", "=", True)])
        self.assertTrue(statements, "the run logged its letters")
        sums = self.day_sums(DAY)
        self.assertEqual(sums["contact_count"], 1, "the call, not the letters")
        self.assertEqual(sums["right_party_count"], 1)
        self.assertEqual(sums["accounts_worked"], 2, "the call and the specialist's letter")
        tiles = tiles_of(self.Snapshot.with_user(self.manager).get_dashboard_data())
        self.assertEqual(tiles["right_party"]["value"], 100.0)
        behind = self.env["patient.interaction"].with_user(self.manager)
        self.assertEqual(len(behind.search(tiles["right_party"]["action"]["domain"])), 1)
        worked = behind.search(tiles["worked"]["action"]["domain"])
        self.assertFalse(worked & statements)
        self.assertEqual(worked.account_id, self.account | self.other_account)

    def test_worked_per_specialist_day_reads_the_same_rows(self):
        """Accounts of no specialist are worked by nobody's specialist-day."""
        self.rows(
            [
                {"date": DAY, "user_id": False, "accounts_worked": 5},
                {
                    "date": DAY - timedelta(days=1),
                    "user_id": self.specialist.id,
                    "accounts_worked": 10,
                },
            ]
        )
        tiles = tiles_of(self.Snapshot.with_user(self.manager).get_dashboard_data())
        self.assertEqual(tiles["worked"]["value"], 10.0)

    # ------------------------------------------------------------------ D: the day completed

    def test_the_days_activity_after_its_run_counts_the_next_night(self):
        with freeze_time(datetime(2026, 6, 1, 12, 0)):
            self.Run.run()
        taken = self.day_sums(YESTERDAY, ("balance_due", "account_count", "aging_61_90"))
        self.assertEqual(self.day_sums(YESTERDAY)["contact_count"], 0)
        # later the same practice day (16:00 in New York), after the run took it
        with freeze_time(datetime(2026, 6, 1, 20, 0)):
            self.log(
                self.specialist,
                self.account,
                "phone_in",
                "promise_to_pay",
                promise_amount=20.0,
                promise_date=DAY + timedelta(days=5),
            )
        self.Run.run()
        self.assertEqual(
            self.day_sums(YESTERDAY),
            {
                "contact_count": 1,
                "right_party_count": 1,
                "promise_made_count": 1,
                "accounts_worked": 1,
            },
        )
        self.assertEqual(
            self.day_sums(YESTERDAY, ("balance_due", "account_count", "aging_61_90")),
            taken,
            "the balances stay as taken",
        )
        self.assertEqual(self.day_sums(DAY)["contact_count"], 0, "not counted twice")
        # idempotent: the run again changes nothing
        self.Run.run()
        self.assertEqual(self.day_sums(YESTERDAY)["contact_count"], 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-02 12:00:00")
class TestLiveAgedReport(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collections_tz = "America/New_York"
        cls.specialist = cls.company_user("pc_live_specialist", SPECIALIST)
        cls.manager = cls.company_user("pc_live_manager", MANAGER)
        # 30 days past due yesterday (1-30), 31 today (31-60)
        cls.invoice = cls.make_invoice(cls.child, 100.0, DAY - timedelta(days=31))
        cls.other = cls.make_invoice(cls.other_guarantor, 50.0, DAY - timedelta(days=31))
        cls.account = cls.invoice.patient_account_id
        cls.other_account = cls.other.patient_account_id
        cls.account.user_id = cls.specialist

    def setUp(self):
        super().setUp()
        # aged by last night's run: yesterday
        (self.account | self.other_account)._refresh_balances(today=YESTERDAY)
        self.assertEqual(self.account.aging_1_30, 100.0)

    def totals(self, user):
        report = self.env["patient.aging.report"].with_user(user).create({"as_of_date": DAY})
        self.assertIn("Live balances", " ".join(report._meta_lines()))
        return report._totals(report._group_rows("stage"))[1]

    def test_live_report_ages_as_of_its_day(self):
        totals = self.totals(self.manager)
        self.assertEqual(totals["aging_1_30"], 0.0)
        self.assertEqual(totals["aging_31_60"], 150.0)
        self.assertEqual(self.account.aging_date, DAY)

    def test_specialist_ages_their_own_accounts_only(self):
        totals = self.totals(self.specialist)
        self.assertEqual(totals["aging_31_60"], 100.0)
        self.assertEqual(self.account.aging_date, DAY)
        self.assertEqual(self.other_account.aging_date, YESTERDAY, "not theirs: left alone")
