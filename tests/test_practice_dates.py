"""What the practice does or judges is dated by its own calendar, never by the
time zone of the user who happens to act: holds, promises and their follow-ups,
stage entries and their activities, assistance decisions and their credit
notes, write-offs, aging, statements, the aged-balance report, the access
log's retention, a date of birth.  The same tests run for a user a day behind
the practice and for one a day ahead of it (see tests/test_dialog_dates.py)."""

from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .test_writeoffs import MANAGER, SPECIALIST, WriteoffCommon

PRACTICE_TZ = "Europe/Berlin"
PRACTICE_DAY = date(2026, 3, 2)
# 06:00 UTC: 07:00 on March 2 in Berlin, 20:00 on March 1 in Honolulu
BEHIND_NOW = "2026-03-02 06:00:00"
# 22:00 UTC: 23:00 on March 2 in Berlin, 12:00 on March 3 in Kiritimati
AHEAD_NOW = "2026-03-02 22:00:00"
# 05:00 UTC on March 3: 19:00 on March 2 in Honolulu (the practice), 06:00 in Berlin
PRACTICE_BEHIND_UTC_NOW = "2026-03-03 05:00:00"
LETTER = "odoo.addons.patient_collections.logic.pdf_assistance_letter.render"


class PracticeDates:
    """A practice in Berlin, its staff in ``user_tz`` (a day off the practice's);
    mixed into one test class per direction."""

    allow_inherited_tests_method = True  # Odoo's loader: this mixin's tests, per direction
    practice_tz = PRACTICE_TZ
    user_tz = None
    user_day = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.collections_tz = cls.practice_tz
        cls.desk = cls.company_user("pc_pd_specialist", SPECIALIST, tz=cls.user_tz)
        cls.boss = cls.company_user("pc_pd_manager", MANAGER, tz=cls.user_tz)

    def as_user(self, records, user):
        return records.with_user(user).with_context(tz=self.user_tz)

    def owing(self, amount=100.0, days=40):
        account, invoice = self.account_owing(amount, days=days, today=PRACTICE_DAY)
        account.user_id = self.desk
        return account, invoice

    def test_the_setup(self):
        self.assertEqual(self.env.company._patient_today(), PRACTICE_DAY)
        account = self.as_user(self.Account, self.desk)
        self.assertEqual(account.env.user.tz, self.user_tz)
        self.assertEqual(self.env.company._patient_tz(), self.practice_tz)
        self.assertEqual(fields.Date.context_today(account), self.user_day)

    # ------------------------------------------------------------------ holds, promises

    def test_hold_ends_no_earlier_than_the_practice_today(self):
        account, _invoice = self.owing()
        mine = self.as_user(account, self.desk)
        with self.assertRaisesRegex(UserError, "cannot end in the past"):
            mine._set_hold("dispute", PRACTICE_DAY - timedelta(days=1))
        mine._set_hold("dispute", PRACTICE_DAY)
        self.assertEqual(account.hold_until, PRACTICE_DAY)

    def test_hold_dialog(self):
        account, _invoice = self.owing()
        Hold = self.as_user(self.env["patient.account.hold"], self.desk).with_context(
            active_model="patient.account", active_ids=account.ids, active_id=account.id
        )
        Hold.create({"hold_reason": "dispute", "hold_until": PRACTICE_DAY}).action_apply()
        self.assertRecordValues(account, [{"hold_reason": "dispute", "hold_until": PRACTICE_DAY}])

    def test_promise_for_the_practice_today(self):
        """Promised for today: the account is held until today, the check is due
        today, and the account shows (and is found) as a promise due today."""
        account, _invoice = self.owing()
        Interaction = self.as_user(self.env["patient.interaction"], self.desk)
        Interaction.create(
            {
                "account_id": account.id,
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_date": PRACTICE_DAY,
                "promise_amount": 50.0,
            }
        )
        self.assertRecordValues(
            account, [{"hold_reason": "promise_to_pay", "hold_until": PRACTICE_DAY}]
        )
        mine = self.as_user(account, self.desk)
        mine.invalidate_recordset(["promise_due_today"])
        self.assertTrue(mine.promise_due_today)
        found = self.as_user(self.Account, self.desk).search([("promise_due_today", "=", True)])
        self.assertEqual(found, account)
        self.assertNotIn(
            account,
            self.as_user(self.Account, self.desk).search([("promise_due_today", "=", False)]),
        )

    def test_promises_due_filter_by_the_practice_day(self):
        """The board's "Promises Due" filter: promised today or before on the
        practice's calendar (the browser's date of a user a day off would take in
        tomorrow's promise, or leave out today's)."""
        today_account, _i = self.owing()
        tomorrow_account, _j = self.owing()
        Interaction = self.as_user(self.env["patient.interaction"], self.desk)
        for account, day in (
            (today_account, PRACTICE_DAY),
            (tomorrow_account, PRACTICE_DAY + timedelta(days=1)),
        ):
            Interaction.create(
                {
                    "account_id": account.id,
                    "channel": "phone_in",
                    "outcome": "promise_to_pay",
                    "promise_date": day,
                    "promise_amount": 50.0,
                }
            )
        accounts = today_account | tomorrow_account
        Account = self.as_user(self.Account, self.desk)
        self.assertEqual(
            Account.search([("promise_due", "=", True), ("id", "in", accounts.ids)]), today_account
        )
        self.assertEqual(
            Account.search([("promise_due", "=", False), ("id", "in", accounts.ids)]),
            tomorrow_account,
        )
        self.assertEqual(accounts.with_env(Account.env).mapped("promise_due"), [True, False])
        arch = Account.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("[('promise_due', '=', True)]", arch)
        # the interactions' own "Promises Due" filter judges them the same way
        promises = Interaction.search([("account_id", "in", accounts.ids)])
        self.assertEqual(
            Interaction.search([("promise_due", "=", True), ("id", "in", promises.ids)]).account_id,
            today_account,
        )
        self.assertEqual(
            Interaction.search(
                [("promise_due", "=", False), ("id", "in", promises.ids)]
            ).account_id,
            tomorrow_account,
        )
        self.assertEqual(
            promises.sorted(lambda p: p.promise_date).mapped("promise_due"), [True, False]
        )
        arch = Interaction.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("[('promise_due', '=', True)]", arch)

    def test_cease_request_dated_by_the_practice(self):
        account, _invoice = self.owing()
        self.as_user(self.env["patient.interaction"], self.desk).create(
            {"account_id": account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        self.assertRecordValues(account, [{"cease_communication": True}])
        self.assertEqual(account.sudo().cease_date, PRACTICE_DAY)

    # ------------------------------------------------------------------ stages

    def test_stage_entry_and_its_activity(self):
        account, _invoice = self.owing()
        activity_type = self.env["mail.activity.type"].create(
            {"name": "Test practice call", "delay_count": 0}
        )
        stage = self.env["patient.account.stage"].create(
            {"name": "Test desk stage", "sequence": 99, "activity_type_id": activity_type.id}
        )
        self.as_user(account, self.desk).write({"stage_id": stage.id})
        self.assertEqual(account.stage_date, PRACTICE_DAY)
        activity = account.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(activity.date_deadline, PRACTICE_DAY)
        activity_type.write({"delay_count": 3, "delay_unit": "days"})
        account.activity_ids.unlink()
        new = self.env.ref("patient_collections.stage_new")
        self.as_user(account, self.desk).write({"stage_id": new.id})
        self.as_user(account, self.desk).write({"stage_id": stage.id})
        activity = account.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(activity.date_deadline, PRACTICE_DAY + timedelta(days=3))

    # ------------------------------------------------------------------ money

    def test_assistance_dates(self):
        account, invoice = self.owing()
        application = self.as_user(self.env["patient.financial.assistance"], self.desk).create(
            {"account_id": account.id, "household_size": 1, "annual_income": 1000}
        )
        self.assertEqual(application.application_date, PRACTICE_DAY)
        with patch(LETTER, return_value=b"%PDF-1.4") as render:
            self.as_user(application, self.boss).action_approve()
        self.assertEqual(application.decision_date, PRACTICE_DAY)
        note = application.sudo().credit_note_ids
        self.assertRecordValues(note, [{"invoice_date": PRACTICE_DAY, "date": PRACTICE_DAY}])
        formatter = account._date_formatter("en_US")
        self.assertEqual(render.call_args.args[0]["date"], formatter(PRACTICE_DAY))
        self.assertEqual(invoice.amount_residual, 0.0)

    def test_assistance_denied_on_the_practice_day(self):
        account, _invoice = self.owing()
        application = self.apply(account, household_size=1, annual_income=1e6)
        self.as_user(application, self.boss).action_deny("Income above the policy")
        self.assertEqual(application.decision_date, PRACTICE_DAY)

    def test_writeoff_dated_by_the_practice(self):
        account, _invoice = self.owing()
        Wizard = self.as_user(self.env["patient.account.writeoff"], self.desk)
        Wizard.with_context(active_model="patient.account", active_id=account.id).create(
            {"reason": "bad_debt", "amount": 30.0}
        ).action_confirm()
        writeoff = self.env["patient.writeoff"].search([("account_id", "=", account.id)])
        self.assertEqual(writeoff.date, PRACTICE_DAY)
        self.assertEqual(writeoff.sudo().move_id.date, PRACTICE_DAY)

    # ------------------------------------------------------------------ aging

    def test_aging_as_of_the_practice_day(self):
        """Due the practice's yesterday: one day past due, aged today."""
        account, _invoice = self.owing(days=1)
        self.as_user(account, self.desk)._refresh_balances()
        self.assertRecordValues(account, [{"aging_date": PRACTICE_DAY, "days_past_due": 1}])
        lines = self.as_user(self.env["patient.account.line"], self.desk).search(
            [("account_id", "=", account.id)]
        )
        self.assertEqual(lines.mapped("days_past_due"), [1])
        inputs = self.as_user(account, self.desk)._priority_inputs()
        self.assertEqual(inputs["days_past_due"], 1)

    def test_aging_cron_ages_once_per_practice_day(self):
        account, _invoice = self.owing(days=1)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE patient_account SET aging_date = %s WHERE id = %s",
            [PRACTICE_DAY - timedelta(days=1), account.id],
        )
        account.invalidate_recordset(["aging_date"])
        Account = self.Account.with_context(tz=self.user_tz)
        Account._cron_refresh_balances(extra_domain=[("id", "=", account.id)])
        self.assertEqual(account.aging_date, PRACTICE_DAY)
        self.assertEqual(Account._cron_refresh_balances(extra_domain=[("id", "=", account.id)]), 0)

    def test_aging_report_as_of_the_practice_day(self):
        self.owing()
        Report = self.as_user(self.env["patient.aging.report"], self.boss)
        self.assertEqual(Report.default_get(["as_of_date"])["as_of_date"], PRACTICE_DAY)
        report = Report.create({"as_of_date": PRACTICE_DAY})
        report._check_readable()
        self.assertTrue(report._is_live())
        report.as_of_date = PRACTICE_DAY + timedelta(days=1)
        with self.assertRaisesRegex(UserError, "cannot be dated after today"):
            report._check_readable()

    # ------------------------------------------------------------------ letters

    def test_statement_dated_by_the_practice(self):
        account, _invoice = self.owing()
        self.as_user(account, self.boss).sudo()._send_statements()
        self.assertRecordValues(
            account,
            [{"last_statement_date": PRACTICE_DAY, "first_statement_date": PRACTICE_DAY}],
        )

    def test_statement_explicit_day_wins(self):
        account, _invoice = self.owing()
        day = PRACTICE_DAY + timedelta(days=5)
        self.as_user(account, self.boss).sudo()._send_statements(today=day)
        self.assertEqual(account.last_statement_date, day)

    # ------------------------------------------------------------------ the rest

    def test_access_log_retention_counts_from_the_practice_day(self):
        company = self.env.company
        company.collections_access_log_years = 6
        cutoff = datetime.combine(PRACTICE_DAY.replace(year=2020), datetime.min.time())
        Log = self.env["patient.access.log"]
        old, kept = Log._insert(
            [
                {
                    "date": when,
                    "user_id": self.desk.id,
                    "company_id": company.id,
                    "event": "read",
                    "res_model": "patient.account",
                    "record_count": 1,
                }
                for when in (cutoff - timedelta(hours=12), cutoff + timedelta(hours=12))
            ]
        )
        Log.with_context(tz=self.user_tz)._cron_purge()
        self.assertFalse(old.exists())
        self.assertTrue(kept.exists())

    def test_birth_on_the_practice_day(self):
        # whoever enters it (a contact manager): as the user's time zone says
        Partner = self.env["res.partner"].with_context(tz=self.user_tz)
        patient = Partner.create(
            {"name": "Testnewborn Delta", "is_patient": True, "patient_birthdate": PRACTICE_DAY}
        )
        self.assertEqual(patient.patient_birthdate, PRACTICE_DAY)
        with self.assertRaisesRegex(ValidationError, "cannot be in the future"):
            patient.patient_birthdate = PRACTICE_DAY + timedelta(days=1)


@tagged("post_install", "-at_install")
@freeze_time(BEHIND_NOW)
class TestPracticeDatesUserBehind(PracticeDates, WriteoffCommon):
    user_tz = "Pacific/Honolulu"
    user_day = PRACTICE_DAY - timedelta(days=1)


@tagged("post_install", "-at_install")
@freeze_time(AHEAD_NOW)
class TestPracticeDatesUserAhead(PracticeDates, WriteoffCommon):
    user_tz = "Pacific/Kiritimati"
    user_day = PRACTICE_DAY + timedelta(days=1)


@tagged("post_install", "-at_install")
@freeze_time(PRACTICE_BEHIND_UTC_NOW)
class TestPracticeDatesBehindUtc(PracticeDates, WriteoffCommon):
    """A practice behind UTC in its evening (UTC's date is its tomorrow), a user
    ahead of it: a promise for the practice's today was refused as 'before the day
    it is made' (the UTC date of the call), whoever logged it."""

    practice_tz = "Pacific/Honolulu"
    user_tz = PRACTICE_TZ
    user_day = PRACTICE_DAY + timedelta(days=1)
