"""A plan whose schedule is over with an installment missed, left active by an
earlier version (the misses before default not reached, nothing more to come):
the upgrade marks it for the next sweep, which ends it as defaulted."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .test_payment_plans import TODAY, PaymentPlanCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanFinishedSchedule(PaymentPlanCase):
    def test_a_plan_left_active_with_its_schedule_over_is_ended(self):
        self.assertEqual(self.env.company.collections_plan_misses_default, 2)
        plan = self.make_plan(installment_count=2, first_due_date=date(2026, 3, 10))
        self.pay(self.invoice, 300.0, TODAY)
        Run = self.env["patient.collection.run"]
        with freeze_time("2026-03-20"):
            Run.run()
        self.assertEqual(plan.installment_ids.mapped("state"), ["paid", "open"])
        # as an earlier version left it: the last installment missed, the plan active
        # and nothing open for the sweep to find
        last = plan.installment_ids.sorted("sequence")[-1]
        self.env.cr.execute(
            "UPDATE patient_payment_plan_installment SET state = 'missed' WHERE id = %s",
            [last.id],
        )
        self.env.cr.execute(
            "UPDATE patient_payment_plan SET open_due_date = NULL, missed_count = 1 WHERE id = %s",
            [plan.id],
        )
        self.env.invalidate_all()
        with freeze_time("2026-04-20"):
            Run.run()
        self.assertEqual(plan.state, "active", "the sweep alone never looks at it again")
        self.env["patient.payment.plan"]._mark_finished_schedules_stale()
        self.assertEqual(plan.payments_key, "stale")
        with freeze_time("2026-04-21"):
            Run.run()
        self.assertEqual(plan.state, "defaulted")
        self.assertFalse(self.account.active_plan_id)
        self.assertNotEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )
        # an active plan with an installment still to come is left alone
        self.assertEqual(
            self.env["patient.payment.plan"].search_count(
                [("state", "=", "active"), ("payments_key", "=", "stale")]
            ),
            0,
        )
