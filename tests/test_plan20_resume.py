"""A plan paused by a dispute, bankruptcy or deceased hold resumes when the hold
is lifted: what fell due during the pause has the grace days again from that day,
rather than being missed (and the plan defaulted) by the first sweep after it."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.patient_protected import trusted
from .test_plan19_holds import TODAY, PlanHoldCase

LIFTED = TODAY + timedelta(days=100)  # four monthly installments fell due meanwhile


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestPlan20Resume(PlanHoldCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.grace = cls.account.company_id.collections_plan_grace_days

    def paused_plan(self, reason="dispute"):
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=1), installment_count=6)
        trusted(self.account)._set_hold(reason)
        plan.sudo()._allocate_payments(LIFTED)
        self.assertNotIn("missed", plan.installment_ids.mapped("state"))
        return plan

    def lift(self, plan):
        with freeze_time(f"{LIFTED.isoformat()} 15:00:00"):
            self.account.sudo()._release_hold()
        plan.invalidate_recordset()

    def states(self, plan, day):
        plan.sudo()._allocate_payments(day)
        plan.invalidate_recordset()
        return plan.installment_ids.sorted("due_date").mapped("state")

    def test_lifting_a_dispute_gives_the_grace_days_again(self):
        plan = self.paused_plan()
        self.lift(plan)
        self.assertEqual(plan.resume_date, LIFTED)
        self.assertIn("the plan resumes", plan.message_ids[:1].body)
        last_grace_day = LIFTED + timedelta(days=self.grace)
        # not the day it was lifted, nor the last of the grace days: nothing missed
        for day in (LIFTED, last_grace_day):
            self.assertEqual(self.states(plan, day)[:4], ["open"] * 4, day)
            self.assertFalse(plan._plans_to_sweep(day), day)
        self.assertEqual(plan.state, "active")
        # still unpaid the day after: the installments that fell due are missed,
        # those due later are not, and the plan defaults
        after = last_grace_day + timedelta(days=1)
        self.assertEqual(plan._plans_to_sweep(after), plan)
        self.assertEqual(self.states(plan, after), ["missed"] * 4 + ["open"] * 2)
        self.assertEqual(plan.state, "defaulted")

    def test_what_was_missed_before_the_hold_stays_missed(self):
        """Only what fell due during the pause has the grace days again: an
        installment missed before the hold stays missed when, after the lift, a
        payment pays part of it (the plan is then allocated again from scratch)."""
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=1), installment_count=6)
        first = plan.installment_ids.sorted("due_date")[0]
        self.assertEqual(self.states(plan, first.due_date + timedelta(days=self.grace + 1))[0],
                         "missed")  # fmt: skip
        trusted(self.account)._set_hold("dispute")
        self.lift(plan)
        self.assertEqual(plan.resume_date, LIFTED)
        paid_on = LIFTED + timedelta(days=1)
        with freeze_time(f"{paid_on.isoformat()} 15:00:00"):  # (allocated that day)
            self.pay(self.invoice, first.amount / 2, paid_on)
        states = self.states(plan, paid_on)
        # the payment is allocated to it, and what fell due in the pause waits
        self.assertEqual(first.amount_paid, first.amount / 2)
        self.assertEqual(states[:4], ["missed", "open", "open", "open"])
        self.assertEqual(plan.missed_count, 1)

    def test_the_daily_marking_waits_too(self):
        """The sweep's marking of lapsed installments (no payment changed) follows
        the same rule as the reallocation."""
        plan = self.paused_plan("bankruptcy")
        self.lift(plan)
        within = LIFTED + timedelta(days=self.grace)
        self.assertFalse(plan.sudo()._mark_missed(within))
        self.assertEqual(plan.sudo()._mark_missed(within + timedelta(days=1)), plan.sudo())
        self.assertIn("missed", plan.installment_ids.mapped("state"))

    def test_a_hold_that_never_paused_the_plan_does_not_move_its_dates(self):
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=1))
        trusted(self.account)._set_hold("financial_assistance")
        self.lift(plan)
        self.assertFalse(plan.resume_date)
        self.assertIn("missed", self.states(plan, LIFTED))
