"""The day an account enters a stage is the day of record of whatever moved it:
the nightly run's own day (a run of yesterday that finishes after midnight
still dates its moves yesterday), else today on the practice's calendar.  A
client cannot choose it: the run's day travels only with the module's trust."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.patient_collection_run import RunStats
from .test_payment_plans import TODAY, PaymentPlanCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestStageDay(PaymentPlanCase):
    def test_a_defaulted_plan_returns_its_account_on_the_sweep_day(self):
        plan = self.make_plan(first_due_date=date(2026, 3, 10))
        plans = self.env["patient.payment.plan"].sudo().search([("state", "=", "active")])
        sweep_day = date(2026, 4, 16)  # both installments past their five grace days
        plans._allocate_payments(sweep_day)
        self.assertRecordValues(plan, [{"state": "defaulted", "end_date": sweep_day}])
        self.assertNotEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )
        self.assertEqual(self.account.stage_date, sweep_day)

    def test_the_run_moves_accounts_on_its_own_day(self):
        run_day = TODAY - timedelta(days=1)  # yesterday's run, finishing today
        Run = self.env["patient.collection.run"].sudo()
        self.assertEqual(self.account.stage_id, self.env.ref("patient_collections.stage_new"))
        Run._step_escalate(self.env.company, run_day, RunStats())
        self.assertNotEqual(self.account.stage_id, self.env.ref("patient_collections.stage_new"))
        self.assertEqual(self.account.stage_date, run_day)

    def test_a_client_cannot_date_a_stage_entry(self):
        stage = self.env.ref("patient_collections.stage_first_statement")
        account = self.account.with_user(self.specialist).with_context(
            collections_stage_day="2020-01-01", collections_run=True
        )
        account.write({"stage_id": stage.id})
        self.assertEqual(self.account.stage_id, stage)
        self.assertEqual(self.account.stage_date, TODAY)
