"""The dialogs date by the practice's calendar, never the user's: a user whose
time zone is a day behind the practice's (around midnight) sent no statement
("today's" already went out yesterday by their date), could end a hold on the
practice's yesterday, and was offered yesterday as a plan's first due date."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
# 06:00 UTC: 07:00 on March 2 in Berlin (the practice), 20:00 on March 1 in Honolulu
NOW = "2026-03-02 06:00:00"
PRACTICE_DAY = date(2026, 3, 2)
USER_DAY = date(2026, 3, 1)
USER_TZ = "Pacific/Honolulu"
# 22:00 UTC: 23:00 on March 2 in Berlin, 12:00 on March 3 in Kiritimati
AHEAD_NOW = "2026-03-02 22:00:00"
AHEAD_TZ = "Pacific/Kiritimati"


class DialogDatesCase(PatientCollectionsCommon):
    """A practice in Berlin, its staff in ``user_tz``, a guarantor owing 300."""

    user_tz = USER_TZ

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "collections_tz": "Europe/Berlin",
                "collections_plan_min_installment": 10.0,
                "collections_plan_max_months": 12,
            }
        )
        cls.specialist = cls.company_user("pc_dd_specialist", SPECIALIST, tz=cls.user_tz)
        cls.manager = cls.company_user("pc_dd_manager", MANAGER, tz=cls.user_tz)
        invoice = cls.make_invoice(
            cls.other_guarantor, 300.0, USER_DAY - timedelta(days=40), due_date=USER_DAY
        )
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def last_statement_on(self, day):
        """As if the account's last statement went out on ``day``."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE patient_account SET last_statement_date = %s WHERE id = %s",
            [day, self.account.id],
        )
        self.account.invalidate_recordset(["last_statement_date"])

    def as_user(self, model, user, **context):
        ctx = {
            "tz": self.user_tz,
            "active_model": "patient.account",
            "active_id": self.account.id,
            "active_ids": self.account.ids,
            **context,
        }
        return self.env[model].with_user(user).with_context(**ctx)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDialogDates(DialogDatesCase):
    """A user a day behind the practice."""

    def test_dates_of_the_setup(self):
        self.assertEqual(self.env.company._patient_today(), PRACTICE_DAY)
        self.assertEqual(
            self.env["res.partner"].with_user(self.specialist).env.user.tz, self.user_tz
        )

    def test_statement_of_the_practice_day(self):
        """Last sent on the practice's yesterday (the user's today): it goes today,
        dated by the practice's calendar."""
        self.last_statement_on(USER_DAY)
        wizard = self.as_user("patient.statement.send", self.manager).create({})
        self.assertEqual(wizard.qualifying_count, 1)
        wizard.action_send()
        self.assertEqual(self.account.last_statement_date, PRACTICE_DAY)
        again = self.as_user("patient.statement.send", self.manager).create({})
        self.assertEqual(again.qualifying_count, 0, "today's statement is never sent twice")
        with self.assertRaisesRegex(UserError, "No account qualifies"):
            again.action_send()

    def test_days_since_last_statement_count_practice_days(self):
        self.last_statement_on(PRACTICE_DAY - timedelta(days=7))
        Send = self.as_user("patient.statement.send", self.manager)
        self.assertEqual(Send.create({"days_since_last": 7}).qualifying_count, 1)
        self.assertEqual(Send.create({"days_since_last": 8}).qualifying_count, 0)

    def test_hold_cannot_end_on_the_practice_yesterday(self):
        Hold = self.as_user("patient.account.hold", self.specialist)
        with self.assertRaisesRegex(UserError, "cannot end in the past"):
            Hold.create({"hold_reason": "dispute", "hold_until": USER_DAY}).action_apply()
        self.assertFalse(self.account.hold_reason)
        Hold.create({"hold_reason": "dispute", "hold_until": PRACTICE_DAY}).action_apply()
        self.assertEqual(self.account.hold_reason, "dispute")
        self.assertEqual(self.account.hold_until, PRACTICE_DAY)

    def test_plan_dialog_starts_on_the_practice_day(self):
        Wizard = self.as_user("patient.payment.plan.create", self.specialist)
        defaults = Wizard.default_get(["account_id", "total_amount", "first_due_date"])
        self.assertEqual(defaults["first_due_date"], PRACTICE_DAY)
        wizard = Wizard.create({"installment_count": 3})
        self.assertEqual(wizard.first_due_date, PRACTICE_DAY)
        self.assertFalse(wizard.problems)
        # the specialist's date format (en_US), not ISO (stmt18)
        self.assertIn("03/02/2026", wizard.preview_html)
        self.assertNotIn(str(PRACTICE_DAY), wizard.preview_html)
        action = wizard.action_confirm()
        plan = self.env["patient.payment.plan"].browse(action["res_id"])
        self.assertEqual(plan.first_due_date, PRACTICE_DAY)


@tagged("post_install", "-at_install")
@freeze_time(AHEAD_NOW)
class TestDialogDatesUserAhead(DialogDatesCase):
    """A user a day ahead of the practice: its today is the user's yesterday."""

    user_tz = AHEAD_TZ

    def test_hold_ends_on_the_practice_day(self):
        self.assertEqual(self.env.company._patient_today(), PRACTICE_DAY)
        Hold = self.as_user("patient.account.hold", self.specialist)
        Hold.create({"hold_reason": "dispute", "hold_until": PRACTICE_DAY}).action_apply()
        self.assertEqual(self.account.hold_until, PRACTICE_DAY)

    def test_todays_statement_not_sent_twice(self):
        self.last_statement_on(PRACTICE_DAY)
        wizard = self.as_user("patient.statement.send", self.manager).create({})
        self.assertEqual(wizard.qualifying_count, 0)
        with self.assertRaisesRegex(UserError, "No account qualifies"):
            wizard.action_send()

    def test_plan_dialog_starts_on_the_practice_day(self):
        Wizard = self.as_user("patient.payment.plan.create", self.specialist)
        self.assertEqual(Wizard.default_get(["first_due_date"])["first_due_date"], PRACTICE_DAY)
