"""Collected is the money received on each day, whenever it was entered: a payment
dated yesterday but entered this morning (yesterday's cheques, a statement imported
the next day) counts on yesterday's snapshot after today's run, and a payment
cancelled after its day's snapshot leaves it."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PatientCollectionsCommon

DAY = date(2026, 6, 2)
YESTERDAY = DAY - timedelta(days=1)
MANAGER = "patient_collections.group_collections_manager"
SPECIALIST = "patient_collections.group_collections_specialist"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-02 12:00:00")
class TestCollectedRetake(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["patient.collection.snapshot"]
        cls.Run = cls.env["patient.collection.run"]
        cls.manager = cls.company_user("pc_retake_manager", MANAGER)
        cls.specialist = cls.company_user("pc_retake_specialist", SPECIALIST)
        cls.invoice = cls.make_invoice(cls.child, 300.0, DAY - timedelta(days=20))
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def received(self, partner, amount, day):
        """A payment from ``partner`` dated ``day``, posted, not matched yet."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": day,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def collected(self, day, company=None, user=None):
        domain = [("date", "=", day), ("company_id", "=", (company or self.env.company).id)]
        if user:
            domain.append(("user_id", "=", user.id))
        return sum(self.Snapshot.sudo().search(domain).mapped("collected_amount"))

    def run_yesterday(self):
        with freeze_time(YESTERDAY.isoformat() + " 12:00:00"):
            self.Run.run()

    def test_payment_entered_after_its_days_snapshot_counts_on_that_day(self):
        self.run_yesterday()
        self.assertEqual(self.collected(YESTERDAY), 0.0)
        # this morning: yesterday's cheque, and an unapplied one dated yesterday
        self.pay(self.invoice, 120.0, YESTERDAY)
        self.received(self.account.partner_id, 30.0, YESTERDAY)
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 150.0)
        self.assertEqual(self.collected(YESTERDAY, user=self.specialist), 150.0)
        self.assertEqual(self.collected(DAY), 0.0)
        trend = self.Snapshot.with_user(self.manager).get_dashboard_data()["trend"]
        self.assertEqual(trend[-1]["label"], "2026-06")
        self.assertEqual(trend[-1]["collected"], 150.0)
        # the specialist whose account it is reads it too
        trend = self.Snapshot.with_user(self.specialist).get_dashboard_data()["trend"]
        self.assertEqual(trend[-1]["collected"], 150.0)
        # a second run changes nothing
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 150.0)

    def test_account_moved_since_keeps_the_days_total(self):
        """The account changed specialist after yesterday's snapshot: yesterday's
        late payment still counts once, on a row of its new grouping."""
        self.run_yesterday()
        rows = self.Snapshot.sudo().search([("date", "=", YESTERDAY)])
        accounts = sum(rows.mapped("account_count"))
        self.account.user_id = self.manager
        self.pay(self.invoice, 50.0, YESTERDAY)
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 50.0)
        self.assertEqual(self.collected(YESTERDAY, user=self.manager), 50.0)
        after = self.Snapshot.sudo().search([("date", "=", YESTERDAY)])
        self.assertEqual(len(after), len(rows) + 1)
        self.assertEqual(sum(after.mapped("account_count")), accounts, "no account twice")

    def test_payment_cancelled_after_its_days_snapshot_leaves_it(self):
        with freeze_time(YESTERDAY.isoformat() + " 12:00:00"):
            payment = self.pay(self.invoice, 80.0, YESTERDAY)
            self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 80.0)
        payment.action_draft()
        payment.action_cancel()
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 0.0)
        trend = self.Snapshot.with_user(self.manager).get_dashboard_data()["trend"]
        self.assertEqual(trend[-1]["collected"], 0.0)

    def test_other_companys_payments_stay_out(self):
        clinic_b = self.setup_other_company(name="Synthetic Clinic Retake B")["company"]
        theirs = self.make_invoice(self.child, 400.0, DAY - timedelta(days=20), company=clinic_b)
        self.run_yesterday()
        self.assertTrue(self.Snapshot.sudo().search([("company_id", "=", clinic_b.id)]))
        self.pay(theirs, 250.0, YESTERDAY)
        self.pay(self.invoice, 10.0, YESTERDAY)
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 10.0)
        self.assertEqual(self.collected(YESTERDAY, company=clinic_b), 250.0)
        trend = self.Snapshot.with_user(self.manager).get_dashboard_data()["trend"]
        self.assertEqual(trend[-1]["collected"], 10.0)

    def test_archived_account_keeps_its_days_collected(self):
        """An account archived after its payment (or before it) still counts in
        what was received that day: past days never shrink."""
        with freeze_time(YESTERDAY.isoformat() + " 12:00:00"):
            self.pay(self.invoice, 40.0, YESTERDAY)
            self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 40.0)
        self.account.action_archive()
        self.pay(self.invoice, 25.0, DAY)
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 40.0)
        self.assertEqual(self.collected(DAY), 25.0, "paid today by an archived account")
        today = self.Snapshot.sudo().search([("date", "=", DAY)])
        self.assertEqual(
            sum(today.mapped("account_count")),
            self.env["patient.account"].search_count([("company_id", "=", self.env.company.id)]),
            "the archived account is not counted among the day's accounts",
        )

    def test_day_no_run_took_keeps_its_payments(self):
        """A night the run did not finish: that day's payments count on that day
        (Collected only), from the first snapshot on, and the dashboard still reads
        the balances of the last day a run took."""
        two_days_ago = DAY - timedelta(days=2)
        self.pay(self.invoice, 15.0, DAY - timedelta(days=5))  # before any snapshot
        with freeze_time(two_days_ago.isoformat() + " 12:00:00"):
            self.Run.run()
        self.pay(self.invoice, 20.0, YESTERDAY)  # no run yesterday
        self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 20.0)
        yesterday = self.Snapshot.sudo().search([("date", "=", YESTERDAY)])
        self.assertEqual(sum(yesterday.mapped("account_count")), 0, "Collected only")
        self.assertEqual(self.collected(DAY - timedelta(days=5)), 0.0, "before the history")
        data = self.Snapshot.with_user(self.manager).get_dashboard_data()
        self.assertEqual(data["date"], DAY.isoformat())
        self.assertEqual(data["trend"][-1]["collected"], 20.0)
        balance = sum(self.Snapshot.sudo().search([("date", "=", DAY)]).mapped("balance_due"))
        self.assertTrue(balance)
        self.assertEqual(data["trend"][-1]["balance_due"], balance)
        # tomorrow's run: the day stays as it is
        with freeze_time((DAY + timedelta(days=1)).isoformat() + " 12:00:00"):
            self.Run.run()
        self.assertEqual(self.collected(YESTERDAY), 20.0)
