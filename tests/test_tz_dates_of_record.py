"""Dates of record on the practice's calendar, not UTC's day (README "Dates and
time zones"): the letters the run's escalation reads, the day's contacts of
the snapshot, the payment of a portal transaction and the last contact the
priority counts days from, in the evening west of UTC and in the morning east
of it."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from ..logic import escalation
from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon
from .common_run import CollectionRunCommon
from .test_portal import PortalCase

# 20:30 in Chicago on 2026-11-01 (UTC-5 once DST ended): already 11-02 in UTC
CHICAGO_EVENING = datetime(2026, 11, 2, 2, 30)
# 08:00 in Tokyo on 2026-11-02 (UTC+9): still 11-01 in UTC
TOKYO_MORNING = datetime(2026, 11, 1, 23, 0)
# 15:00 UTC on 2026-01-20: 10:00 on 01-20 in New York (EST, UTC-5), 00:00 on
# 01-21 in Tokyo
PRIORITY_NOW = datetime(2026, 1, 20, 15, 0)


@tagged("post_install", "-at_install")
class TestEscalationCalendarDay(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        with freeze_time("2026-08-01"):
            cls.invoice = cls.make_invoice(cls.guarantor, 120.0, date(2026, 8, 1))
        cls.account = cls.invoice.patient_account_id

    def log_letter(self, when):
        trusted(self.env["patient.interaction"], patient_statement_logging=True).create(
            {
                "account_id": self.account.id,
                "channel": "letter",
                "outcome": "other",
                "date": when,
                "note": "Statement mailed.",
            }
        )

    def letter_days(self):
        """(day of the last letter, day of the stage's letter) as the run reads them."""
        self.Run._flush_for_escalation()
        [row] = self.Run._escalation_rows(self.company, 0, account_ids=self.account.ids)
        return row[11], row[12]

    def test_evening_letter_west_of_utc_is_on_the_practice_day(self):
        self.company.collections_tz = "America/Chicago"
        trusted(self.account).write({"stage_date": date(2026, 11, 2)})
        self.log_letter(CHICAGO_EVENING)
        # mailed on 11-01 in Chicago: before the stage was entered on 11-02
        self.assertEqual(self.letter_days(), (date(2026, 11, 1), None))

    def test_morning_letter_east_of_utc_is_on_the_practice_day(self):
        self.company.collections_tz = "Asia/Tokyo"
        trusted(self.account).write({"stage_date": date(2026, 11, 2)})
        self.log_letter(TOKYO_MORNING)
        # mailed on 11-02 in Tokyo: the stage's letter, its interval from 11-02
        self.assertEqual(self.letter_days(), (date(2026, 11, 2), date(2026, 11, 2)))

    def test_run_dates_the_next_letter_from_the_practice_day(self):
        """The first statement mailed at 20:30 in Chicago on 11-01: the second may
        follow 30 days later, on 12-01 (not 12-02, UTC's day plus 30)."""
        self.company.collections_tz = "America/Chicago"
        with freeze_time(datetime(2026, 11, 2, 2, 0)):  # 20:00 on 11-01 in Chicago
            self.Run.run(companies=self.company)
        self.assertEqual(self.account.stage_id, self.first)
        letter = self.env["patient.interaction"].search(
            [("account_id", "=", self.account.id), ("channel", "=", "letter")]
        )
        self.assertEqual(letter.date, datetime(2026, 11, 2, 2, 0), "the run's statement")
        with freeze_time(datetime(2026, 12, 1, 3, 0)):  # 21:00 on 11-30 in Chicago
            run = self.Run.run(companies=self.company)
        self.assertEqual(self.account.stage_id, self.first)
        [line] = run.line_ids.filtered(lambda line: line.kind == "waiting")
        self.assertEqual((line.stage_id, line.reason), (self.second, escalation.WAIT_LETTER))
        self.assertEqual(line.wait_date, date(2026, 12, 1))


@tagged("post_install", "-at_install")
class TestSnapshotCalendarDay(PatientCollectionsCommon):
    """The day's contacts of the snapshot, and the interactions its tile opens, are
    the contacts of the practice's day: in Chicago two letters on the evening of
    12-01 (12-02 in UTC), one on the evening of 11-30 (12-01 in UTC)."""

    def test_contacts_of_the_practice_day(self):
        self.env.company.collections_tz = "America/Chicago"
        with freeze_time("2026-11-01"):
            account = self.make_invoice(self.guarantor, 90.0, date(2026, 11, 1)).patient_account_id
        evening = self.env["patient.interaction"].create(
            [
                {
                    "account_id": account.id,
                    "channel": "phone_in",
                    "outcome": "reached",
                    "date": when,
                }
                for when in (datetime(2026, 12, 2, 1, 0), datetime(2026, 12, 2, 2, 30))
            ]
        )
        self.env["patient.interaction"].create(
            {
                "account_id": account.id,
                "channel": "phone_in",
                "outcome": "reached",
                "date": datetime(2026, 12, 1, 3, 0),
            }
        )
        Snapshot = self.env["patient.collection.snapshot"].sudo()
        day = date(2026, 12, 1)
        Snapshot._take(self.env.company, day)
        rows = Snapshot.search([("date", "=", day), ("company_id", "=", self.env.company.id)])
        self.assertEqual(sum(rows.mapped("contact_count")), 2)
        self.assertEqual(sum(rows.mapped("right_party_count")), 2)
        actions = Snapshot._dashboard_tile_actions(
            {"latest": day, "month_start": day.replace(day=1), "start_30": day}
        )
        behind = self.env["patient.interaction"].search(actions["right_party"]["domain"])
        self.assertEqual(behind, evening)


@tagged("post_install", "-at_install")
class TestPortalPaymentDay(PortalCase):
    def paid_on(self, tz, now):
        """The date of the payment of a transaction confirmed at ``now`` (UTC) by
        the public user (no time zone: the token link), the practice in ``tz``."""
        self.env.company.collections_tz = tz
        self.env.ref("base.public_user").sudo().tz = False
        tx = self.patient_tx(50.0)
        with freeze_time(now):
            tx._set_done()
            tx.with_user(self.env.ref("base.public_user")).sudo()._post_process()
        self.assertTrue(tx.payment_id)
        return tx.payment_id.date

    def test_evening_payment_west_of_utc(self):
        # 20:50 on 12-01 in Chicago, 02:50 on 12-02 in UTC
        self.assertEqual(
            self.paid_on("America/Chicago", datetime(2026, 12, 2, 2, 50)), date(2026, 12, 1)
        )

    def test_morning_payment_east_of_utc(self):
        # 07:00 on 12-02 in Tokyo, 22:00 on 12-01 in UTC
        self.assertEqual(
            self.paid_on("Asia/Tokyo", datetime(2026, 12, 1, 22, 0)), date(2026, 12, 2)
        )


@tagged("post_install", "-at_install")
@freeze_time(PRIORITY_NOW)
class TestPriorityCalendarDay(PatientCollectionsCommon):
    """The days since the last contact count from the day of the contact on the
    practice's calendar, in the computed score, its explanation and the balance
    refresh's SQL alike: only that term weighs, 100 * days / 60 points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "collections_weight_balance": 0,
                "collections_weight_days_past_due": 0,
                "collections_weight_broken_promises": 0,
                "collections_weight_days_since_contact": 100,
                "collections_weight_defaulted_plans": 0,
            }
        )
        invoice = cls.make_invoice(cls.guarantor, 200.0, date(2026, 1, 2))
        cls.account = invoice.patient_account_id

    def called(self, tz, when):
        """The guarantor called in at ``when`` (UTC), the practice in ``tz``."""
        self.env.company.collections_tz = tz
        self.account._refresh_balances()  # aged on the practice's today
        self.env["patient.interaction"].create(
            {
                "account_id": self.account.id,
                "channel": "phone_in",
                "outcome": "reached",
                "date": when,
            }
        )
        self.assertEqual(self.account.last_contact_date, when)

    def assert_days_since_contact(self, days, score):
        account = self.account
        self.assertEqual(account._priority_inputs()["days_since_contact"], days)
        self.assertEqual(account.priority_score, score)
        self.assertIn(f"Days since last contact: {days} → +{score}", account.priority_explanation)
        # the nightly refresh writes the score in SQL: the same number
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE patient_account SET priority_score = -1 WHERE id = %s", [account.id]
        )
        account.invalidate_recordset(["priority_score"])
        account._refresh_balances()
        self.assertEqual(account.aging_date, self.env.company._patient_today())
        self.assertEqual(account.priority_score, score)

    def test_evening_call_west_of_utc(self):
        # 23:30 on 01-12 in New York (04:30 on 01-13 in UTC): 8 days before 01-20
        # (UTC's day would give 7, 12 points)
        self.called("America/New_York", datetime(2026, 1, 13, 4, 30))
        self.assert_days_since_contact(8, 13)

    def test_morning_call_east_of_utc(self):
        # 08:00 on 01-13 in Tokyo (23:00 on 01-12 in UTC): 8 days before 01-21
        # (UTC's day would give 9, 15 points)
        self.called("Asia/Tokyo", datetime(2026, 1, 12, 23, 0))
        self.assert_days_since_contact(8, 13)
