"""What a hold stops, whoever moves the account: no extraordinary action while
any hold lasts (by hand, or on the way back from a payment plan), a bankruptcy
or deceased hold ended by a manager only, an open financial-assistance
application keeping its hold, and the payment plan stage entered with a plan."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

RUN_DAY = date(2026, 6, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestHoldGates(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        users = {}
        for role in ("specialist", "manager"):
            users[role] = new_test_user(
                cls.env,
                login=f"pc_holdgate_{role}",
                groups=f"patient_collections.group_collections_{role}",
                company_id=company.id,
                company_ids=[company.id],
            )
        cls.specialist, cls.manager = users["specialist"], users["manager"]
        cls.counter = 0

    def account_due(self, days):
        type(self).counter += 1
        partner = self.env["res.partner"].create(
            {"name": f"Holdgate Person {self.counter}", "is_patient": True, **TEST_ADDRESS}
        )
        due = RUN_DAY - timedelta(days=days)
        return self.make_invoice(partner, 100.0, due, due_date=due).patient_account_id

    def ready_for_agency(self):
        """150 days past due, its final notice sent 40 days ago: every 501(r) gate passed."""
        account = self.account_due(150)
        with freeze_time(RUN_DAY - timedelta(days=40)):
            account.stage_id = self.final
        account._import_history(final_notice_date=RUN_DAY - timedelta(days=40))
        return account

    def make_plan(self, account):
        action = (
            self.env["patient.payment.plan.create"]
            .with_context(
                active_model="patient.account", active_id=account.id, active_ids=account.ids
            )
            .create(
                {
                    "installment_count": 4,
                    "frequency": "monthly",
                    "first_due_date": RUN_DAY + timedelta(days=10),
                }
            )
            .action_confirm()
        )
        return self.env["patient.payment.plan"].browse(action["res_id"])

    def apply(self, account):
        return self.env["patient.financial.assistance"].create(
            {"account_id": account.id, "household_size": 1, "annual_income": 1000.0}
        )

    # ------------------------------------------------------------ extraordinary actions

    def test_bankruptcy_and_deceased_holds_block_a_hand_move_to_agency(self):
        for reason in ("bankruptcy", "deceased", "other"):
            with self.subTest(reason=reason):
                account = self.ready_for_agency()
                account._set_hold(reason)
                with self.assertRaisesRegex(UserError, "on hold: release the hold first"):
                    account.with_user(self.manager).stage_id = self.agency
                self.assertEqual(account.stage_id, self.final)

    def test_a_plan_ending_on_a_held_account_never_lands_in_agency(self):
        account = self.ready_for_agency()
        plan = self.make_plan(account)
        self.assertEqual(account.stage_id, self.plan)
        account._set_hold("bankruptcy")
        plan.with_user(self.manager).action_cancel()
        self.assertEqual(account.hold_reason, "bankruptcy")
        self.assertFalse(account.stage_id.is_extraordinary_action)
        self.assertNotEqual(account.stage_id, self.plan)
        # released, the run takes it on: the gates passed, to the agency
        account.with_user(self.manager)._release_hold()
        self.Run.run()
        self.assertEqual(account.stage_id, self.agency)

    def test_a_final_notice_withheld_is_dated_when_a_statement_carries_it(self):
        account = self.account_due(150)
        account._import_history(first_statement_date=RUN_DAY - timedelta(days=200))
        account._set_hold("dispute")
        account.with_user(self.manager).stage_id = self.final
        self.assertEqual(account.stage_id, self.final)
        self.assertFalse(account.final_notice_date, "no notice goes out during a dispute")
        later = RUN_DAY + timedelta(days=60)
        with freeze_time(later):
            account.with_user(self.manager)._release_hold()
            self.Run.run()
        # the gate counts from the notice the run's statement carried, not the move
        self.assertEqual(account.final_notice_date, later)
        self.assertEqual(account.stage_id, self.final)
        with freeze_time(later + timedelta(days=30)):
            self.Run.run()
        self.assertEqual(account.stage_id, self.agency)

    def test_a_final_notice_moved_to_by_hand_is_dated_when_it_is_sent(self):
        """A hand move dates nothing: the 30-day gate counts from the statement
        that carries the notice (the run's, that night), never from the move."""
        account = self.account_due(150)
        account._import_history(first_statement_date=RUN_DAY - timedelta(days=200))
        account.with_user(self.manager).stage_id = self.final
        self.assertEqual(account.stage_id, self.final)
        self.assertFalse(account.final_notice_date, "nothing sent yet")
        with self.assertRaisesRegex(UserError, "final notice"):
            account.with_user(self.manager).stage_id = self.agency
        later = RUN_DAY + timedelta(days=3)
        with freeze_time(later):
            self.Run.run()
        self.assertEqual(account.final_notice_date, later)
        self.assertEqual(account.stage_id, self.final)

    def test_no_final_notice_date_for_a_guarantor_who_asked_to_cease(self):
        account = self.account_due(150)
        trusted(account).write({"cease_communication": True})
        account.with_user(self.manager).stage_id = self.final
        self.assertFalse(account.final_notice_date)
        with self.assertRaisesRegex(UserError, "final notice"):
            account.with_user(self.manager).stage_id = self.agency

    # ------------------------------------------------------------ who ends a hold

    def test_a_specialist_cannot_end_a_bankruptcy_hold_by_replacing_it(self):
        account = self.account_due(40)
        account._set_hold("bankruptcy")
        with self.assertRaisesRegex(UserError, "Only a collections manager"):
            account.with_user(self.specialist)._set_hold("bankruptcy", until=RUN_DAY)
        self.assertFalse(account.hold_until)
        # the specialist's weaker hold is kept out, said in the chatter, as before
        account.with_user(self.specialist)._set_hold("other")
        self.assertEqual(account.hold_reason, "bankruptcy")
        account.with_user(self.manager)._set_hold("deceased")
        self.assertEqual(account.hold_reason, "deceased")

    def test_an_open_applications_hold_is_not_released_by_hand(self):
        account = self.account_due(40)
        application = self.apply(account)
        self.assertEqual(account.hold_reason, "financial_assistance")
        for user in (self.specialist, self.manager):
            with self.assertRaisesRegex(UserError, "open financial-assistance application"):
                account.with_user(user)._release_hold()
        self.assertEqual(account.hold_reason, "financial_assistance")
        # decided, the application lifts its hold itself
        application.action_deny("Income above the policy")
        self.assertFalse(account.hold_reason)

    def test_a_stronger_hold_released_gives_the_application_its_hold_back(self):
        account = self.account_due(40)
        application = self.apply(account)
        account.with_user(self.specialist)._set_hold("dispute")
        self.assertEqual(account.hold_reason, "dispute")
        account.with_user(self.specialist)._release_hold()
        self.assertEqual(account.hold_reason, "financial_assistance")
        # a dispute hold that ends by its date, lifted by the run: the same
        account.with_user(self.specialist)._set_hold("dispute", until=RUN_DAY)
        with freeze_time(RUN_DAY + timedelta(days=1)):
            self.Run.run()
        self.assertEqual(account.hold_reason, "financial_assistance")
        self.assertEqual(application.state, "draft")

    # ------------------------------------------------------------ the plan stage

    def test_the_plan_stage_is_entered_with_a_plan_only(self):
        account = self.account_due(40)
        stage = account.stage_id
        for user in (self.specialist, self.manager):
            with self.assertRaisesRegex(UserError, "no active payment plan") as refusal:
                account.with_user(user).stage_id = self.plan
            self.assertNotIn("has not received", str(refusal.exception))
        self.assertEqual(account.stage_id, stage)
        self.make_plan(account)
        self.assertEqual(account.stage_id, self.plan)
