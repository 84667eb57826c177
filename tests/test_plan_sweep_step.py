"""The nightly run's plan step as the run calls it: the plans with work found in
one query (no setting written), the plans it ends written set-based with what
depends on them, the default's call activities opened in one batch as Odoo's
create opens them, and the step resumed in batches."""

from collections import Counter
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..logic import priority
from ..models.patient_protected import trusted
from .test_payment_plans import TODAY, PaymentPlanCase

# with 5 grace days and 2 misses to default, a plan due 2026-03-10 monthly:
# missed on 2026-03-16, defaulted once April's is missed too (2026-04-16)
FIRST_DUE = date(2026, 3, 10)
DEFAULT_DAY = date(2026, 4, 16)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanSweepStep(PaymentPlanCase):
    def step(self, day, run=None):
        """The run's plan step for the company, as the run calls it."""
        run = run or self.env["patient.collection.run"]
        result = run._step_payment_plans(self.env.company, day, Counter())
        self.env.flush_all()
        self.env.invalidate_all()
        return result

    def two_plans(self):
        """Plans of three monthly installments from FIRST_DUE on the account and on
        another guarantor's, made together."""
        other = self.make_invoice(
            self.other_guarantor, 300.0, TODAY - timedelta(days=45), due_date=TODAY
        ).patient_account_id
        terms = {
            "down_payment": 0.0,
            "frequency": "monthly",
            "first_due_date": FIRST_DUE,
            "installment_count": 3,
            "installment_amount": None,
        }
        return self.env["patient.payment.plan"]._create_plans(
            [
                (self.account, {**terms, "total_amount": 600.0}),
                (other, {**terms, "total_amount": 300.0}),
            ]
        )

    def candidates(self, day):
        return self.env["patient.payment.plan"]._sweep_candidates(self.env.company, day)[0]

    def test_open_due_date_follows_the_installments(self):
        plan = self.make_plan(first_due_date=FIRST_DUE)
        first, second, third = plan.installment_ids.sorted("sequence")[:3]
        self.assertEqual(plan.open_due_date, FIRST_DUE, "the first installment, when made")
        self.pay(self.invoice, 100.0, TODAY)
        self.assertEqual(first.state, "paid")
        self.assertEqual(plan.open_due_date, second.due_date, "paid: the next one")
        self.step(DEFAULT_DAY)
        self.assertEqual(second.state, "missed")
        self.assertEqual(plan.open_due_date, third.due_date, "missed: the next one")
        self.assertEqual(plan.state, "active")

    def test_a_lapsed_plan_stays_a_candidate_until_swept(self):
        """No window of days: a plan the sweep did not get to (a failure, a night
        without a run) is taken the next day."""
        plan = self.make_plan(first_due_date=FIRST_DUE)
        self.assertFalse(self.candidates(date(2026, 3, 15)), "within its grace days")
        self.assertEqual(self.candidates(date(2026, 3, 16)), plan.ids)
        self.assertEqual(self.candidates(date(2026, 3, 20)), plan.ids, "still not swept")
        self.step(date(2026, 3, 20))
        self.assertFalse(self.candidates(date(2026, 3, 21)))
        self.assertEqual(plan.installment_ids.sorted("sequence")[0].state, "missed")

    def test_the_sweep_mark_is_no_setting(self):
        """The mark of the day's sweep is on the company, written without Odoo's
        settings (whose write empties every worker's caches)."""
        self.make_plan(first_due_date=FIRST_DUE)
        self.pay(self.invoice, 50.0, TODAY)
        company = self.env.company
        newest = self.env["account.partial.reconcile"].search([], order="id desc", limit=1)
        with patch.object(type(self.env["ir.config_parameter"]), "set_param") as set_param:
            self.step(date(2026, 3, 16))
            self.step(date(2026, 3, 17))
        set_param.assert_not_called()
        self.assertEqual(company.patient_plan_sweep_date, date(2026, 3, 17))
        self.assertEqual(company.patient_plan_sweep_seen, newest.id)
        for vals in ({"patient_plan_sweep_floor": 10**9}, {"patient_plan_sweep_date": False}):
            with self.assertRaisesRegex(AccessError, "kept by the nightly run"):
                company.with_user(self.env.ref("base.user_admin")).write(vals)
        self.assertEqual(company.patient_plan_sweep_date, date(2026, 3, 17), "unchanged")
        self.assertEqual(company.patient_plan_sweep_floor, newest.id, "the day before's")

    def test_defaulted_plan_ends_with_what_depends_on_it(self):
        plan = self.make_plan(first_due_date=FIRST_DUE)
        account = self.account
        self.step(date(2026, 3, 16))
        self.assertEqual(account.active_plan_id, plan)
        score_before = account.priority_score
        self.step(DEFAULT_DAY)
        self.assertRecordValues(plan, [{"state": "defaulted", "end_date": DEFAULT_DAY}])
        self.assertEqual(set(plan.installment_ids.mapped("plan_state")), {"defaulted"})
        self.assertFalse(account.active_plan_id)
        self.assertEqual(account.plan_default_count, 1)
        self.assertNotEqual(account.priority_score, score_before, "a defaulted plan weighs")
        weights = account.company_id._collections_priority_weights()
        self.assertEqual(
            account.priority_score,
            priority.score(account._priority_inputs(), weights),
            "the stored score is the computed one",
        )
        self.assertEqual(
            self.env["patient.payment.plan"].search_count(
                [("account_id", "=", account.id), ("state", "=", "defaulted")]
            ),
            1,
        )
        self.assertFalse(self.candidates(DEFAULT_DAY + timedelta(days=40)), "ended plans rest")

    def test_default_activity_is_the_one_odoo_would_open(self):
        plan = self.make_plan(first_due_date=FIRST_DUE)
        self.specialist.tz = "America/Chicago"
        account = self.account
        self.step(date(2026, 3, 16))
        account.sudo().message_unsubscribe(partner_ids=self.specialist.partner_id.ids)
        with patch.object(type(self.specialist), "_bus_send") as bus_send:
            self.step(DEFAULT_DAY)
        activity = account.activity_ids
        self.assertEqual(len(activity), 1)
        bus_send.assert_called_once_with("mail.activity/updated", {"activity_created": True})
        follower = account.sudo().message_follower_ids.filtered(
            lambda f: f.partner_id == self.specialist.partner_id
        )
        self.assertEqual(len(follower), 1, "the assignee follows the account, once")
        self.assertEqual(
            follower.subtype_ids,
            self.env["mail.message.subtype"].default_subtypes("patient.account")[0],
            "with the default subtypes, as Odoo subscribes an internal user",
        )
        # the same values through Odoo's create, compared field by field
        names = [
            "res_model_id",
            "res_model",
            "res_id",
            "res_name",
            "activity_type_id",
            "summary",
            "user_id",
            "user_tz",
            "date_deadline",
            "date_done",
            "automated",
            "active",
            "note",
        ]
        batch = activity.read(names)[0]
        odoo = (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(plan._default_activity_vals(DEFAULT_DAY))
        )
        self.env.flush_all()
        self.assertEqual(odoo.read(names)[0] | {"id": batch["id"]}, batch)
        # the specialist sees it among their activities and can close it
        self.assertIn(activity, self.env["mail.activity"].with_user(self.specialist).search([]))
        activity.with_user(self.specialist).action_feedback(feedback="Called")
        self.assertFalse(activity.exists())

    def test_default_activity_of_an_account_nobody_may_read_goes_to_a_manager(self):
        """Two accounts of a specialist who lost access default the same night:
        both calls go to the company's collections manager."""
        plans = self.two_plans()
        plans.account_id.user_id = self.specialist
        self.step(date(2026, 3, 16))
        manager = self.account._collections_manager()
        self.assertTrue(manager)
        self.specialist.groups_id = [(6, 0, self.env.ref("base.group_user").ids)]
        self.step(DEFAULT_DAY)
        self.assertEqual(set(plans.mapped("state")), {"defaulted"})
        for account in plans.account_id:
            self.assertEqual(account.activity_ids.user_id, manager, account.name)

    def test_the_step_resumes_in_batches(self):
        """A batch limit of one plan: the step returns where it stopped and what is
        left; called again from there, it takes the rest, each plan once."""
        plans = self.two_plans()
        run = self.env["patient.collection.run"].sudo()._todays_run(self.env.company, "manual")
        Run = type(run)
        with patch.object(Run, "_batch_limit", lambda run, step: 1 if run else None):
            first = self.step(DEFAULT_DAY, run)
            self.assertEqual((first.last_id, first.remaining), (plans[0].id, 1))
            self.assertEqual(plans.mapped("state"), ["defaulted", "active"])
            trusted(run).write({"step_cursor": first.last_id})
            self.assertIsNone(self.step(DEFAULT_DAY, run))
        self.assertEqual(plans.mapped("state"), ["defaulted", "defaulted"])
        self.assertEqual(len(plans.account_id.activity_ids), 2, "one call each")
