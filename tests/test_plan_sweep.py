"""The incremental plan sweep and the plans' dates of record.

The sweep allocates again only the plans whose payments changed since their last
allocation and, for the others, marks the installments that fell past their
grace days: these tests take away the accounting hook that allocates at once
(as for payments reconciled outside Odoo's registration) and check that the
sweep still finds every change.
"""

from contextlib import contextmanager
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.patient_protected import trusted
from .test_payment_plans import TODAY, PaymentPlanCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanSweep(PaymentPlanCase):
    def sweep(self, day):
        """What the nightly run's plan step does with the active plans."""
        plans = self.env["patient.payment.plan"].sudo().search([("state", "=", "active")])
        plans._allocate_payments(day)
        self.env.invalidate_all()

    @contextmanager
    def without_allocation_hook(self):
        """Payments reconciled without the module's hook (an import, another module)."""
        Plan = type(self.env["patient.payment.plan"])
        with patch.object(Plan, "_allocate_payments", lambda self, today=None: None):
            yield

    # ----------------------------------------------------------- the incremental sweep

    def test_payment_after_the_last_sweep_is_allocated(self):
        plan = self.make_plan()
        first, second = plan.installment_ids[:2]
        self.sweep(TODAY)
        with self.without_allocation_hook():
            payment = self.pay(self.invoice, 150.0, TODAY + timedelta(days=1))
        self.assertEqual(first.state, "open", "nothing allocated it yet")
        self.sweep(TODAY + timedelta(days=1))
        self.assertRecordValues(
            first | second,
            [
                {"amount_paid": 100.0, "state": "paid", "paid_date": TODAY + timedelta(days=1)},
                {"amount_paid": 50.0, "state": "partial", "paid_date": False},
            ],
        )
        self.assertEqual(first.payment_ids, payment)
        self.assertEqual(plan.amount_paid, 150.0)

    def test_installment_falling_due_is_missed_then_the_plan_defaults(self):
        plan = self.make_plan(first_due_date=date(2026, 3, 10))
        first, second = plan.installment_ids[:2]
        self.pay(self.invoice, 40.0, TODAY)  # allocated at once by the hook
        self.assertEqual(first.state, "partial")
        self.sweep(date(2026, 3, 15))
        self.assertEqual(first.state, "partial", "within the grace days")
        self.sweep(date(2026, 3, 16))
        self.assertRecordValues(first, [{"state": "missed", "amount_paid": 40.0}])
        self.assertRecordValues(plan, [{"state": "active", "missed_count": 1}])
        self.sweep(date(2026, 4, 15))
        self.assertEqual(second.state, "open")
        self.sweep(date(2026, 4, 16))
        self.assertEqual(second.state, "missed")
        self.assertRecordValues(
            plan, [{"state": "defaulted", "missed_count": 2, "end_date": date(2026, 4, 16)}]
        )
        self.assertTrue(
            self.account.activity_ids.filtered(lambda a: "defaulted" in (a.summary or ""))
        )
        self.assertTrue(any("in default" in (m.body or "") for m in plan.message_ids))

    def test_reversed_payment_is_taken_back(self):
        plan = self.make_plan()
        first = plan.installment_ids[0]
        payment = self.pay(self.invoice, 150.0, TODAY)
        self.assertEqual(first.state, "paid")
        with self.without_allocation_hook():
            payment.move_id.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).remove_move_reconcile()
        self.sweep(TODAY)
        self.assertRecordValues(first, [{"amount_paid": 0.0, "state": "open", "paid_date": False}])
        self.assertFalse(first.payment_ids)
        self.assertEqual(plan.amount_paid, 0.0)

    def test_a_second_sweep_the_same_day_changes_nothing(self):
        plan = self.make_plan(first_due_date=date(2026, 3, 10))
        self.pay(self.invoice, 150.0, TODAY)
        self.sweep(date(2026, 4, 20))
        self.assertEqual(plan.state, "active")
        values = plan.installment_ids.read(["amount_paid", "paid_date", "state"])
        messages = len(plan.message_ids) + len(self.account.message_ids)
        # 7: the payments query's planner setting is set, then reset (one statement each)
        with self.assertQueryCount(7):
            self.sweep(date(2026, 4, 20))
        self.assertEqual(plan.installment_ids.read(["amount_paid", "paid_date", "state"]), values)
        self.assertEqual(len(plan.message_ids) + len(self.account.message_ids), messages)

    def test_the_run_takes_only_the_plans_with_work(self):
        """The nightly step passes on the plans whose payments changed or with an
        installment past its grace days, not every active plan."""
        plan = self.make_plan(first_due_date=date(2026, 3, 10))
        Plan = self.env["patient.payment.plan"].sudo()

        def to_sweep(day):
            return Plan.search([("state", "=", "active")])._plans_to_sweep(day)

        self.sweep(TODAY)
        self.assertFalse(to_sweep(TODAY), "nothing changed")
        self.assertFalse(to_sweep(date(2026, 3, 15)), "within grace days")
        self.assertEqual(to_sweep(date(2026, 3, 16)), plan)
        with self.without_allocation_hook():
            self.pay(self.invoice, 40.0, TODAY)
        self.assertEqual(to_sweep(TODAY), plan, "its payments changed")
        self.sweep(TODAY)
        self.assertFalse(to_sweep(TODAY))
        self.assertFalse(Plan._plans_to_sweep(date(2026, 3, 16)))

    def test_plans_defaulting_together_return_each_account_with_its_line(self):
        other = self.make_invoice(
            self.other_guarantor,
            300.0,
            TODAY - timedelta(days=45),
            due_date=TODAY - timedelta(days=45),
        ).patient_account_id
        terms = {
            "down_payment": 0.0,
            "frequency": "monthly",
            "first_due_date": date(2026, 3, 10),
            "installment_count": 6,
            "installment_amount": None,
        }
        plans = self.env["patient.payment.plan"]._create_plans(
            [
                (self.account, {**terms, "total_amount": 600.0}),
                (other, {**terms, "total_amount": 300.0}),
            ]
        )
        plan_stage = self.env.ref("patient_collections.stage_payment_plan")
        self.assertEqual((self.account | other).stage_id, plan_stage)
        self.sweep(date(2026, 4, 16))
        self.assertEqual(set(plans.mapped("state")), {"defaulted"})
        for plan in plans:
            account = plan.account_id
            self.assertNotIn(account.stage_id, plan_stage)
            # why it moved and where, in one line of its chatter
            line = (
                f"<p>Payment plan {plan.name} defaulted. "
                f"Stage: {plan_stage.name} → {account.stage_id.name}.</p>"
            )
            lines = account.message_ids.filtered(lambda m, line=line: m.body == line)
            self.assertEqual(len(lines), 1, account.message_ids.mapped("body"))

    # ----------------------------------------------------------- creation

    def test_creation_logs_one_line_with_the_stage_it_left(self):
        stage = self.account.stage_id
        plan = self.make_plan()
        self.assertEqual(self.account.active_plan_id, plan)
        self.assertEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )
        lines = self.account.message_ids.filtered(lambda m: plan.name in (m.body or ""))
        self.assertEqual(len(lines), 1)
        self.assertIn(f"Stage: {stage.name}", lines.body)
        self.assertIn("created", plan.message_ids[-1:].body or plan.message_ids[-1:].preview)
        self.assertIn(self.specialist.partner_id, plan.message_partner_ids)

    def test_plans_are_inserted_set_based(self):
        """Inserting two plans costs the queries of one (numbers, plans, installments,
        followers, chatter: each one statement)."""
        other = self.make_invoice(self.other_guarantor, 300.0, TODAY).patient_account_id
        Plan = trusted(self.env["patient.payment.plan"].sudo())
        terms = {
            "frequency": "monthly",
            "first_due_date": date(2026, 3, 31),
            "installment_count": 6,
        }
        vals_list = [
            Plan._prepare_plan_vals(self.account, {**terms, "total_amount": 600.0}, TODAY),
            Plan._prepare_plan_vals(other, {**terms, "total_amount": 300.0}, TODAY),
        ]

        def queries(count):
            self.env.flush_all()
            self.env.invalidate_all()
            savepoint = self.env.cr.savepoint(flush=False)
            before = self.env.cr.sql_log_count
            plans = Plan._insert_active_plans(vals_list[:count])
            self.env.flush_all()
            spent = self.env.cr.sql_log_count - before
            self.assertEqual(len(plans.installment_ids), 6 * count)
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            return spent

        queries(1)  # caches warm
        self.assertEqual(queries(2), queries(1))

    # ----------------------------------------------------------- dates of record

    def test_payment_registered_after_the_plan_counts_whatever_its_date(self):
        """The company is in Auckland (already the 3rd), the accountant in Los
        Angeles (still the 2nd): the plan starts on the company's date, the payment
        registered after it counts although Odoo dates it the day before."""
        self.env.company.partner_id.tz = "Pacific/Auckland"
        self.specialist.tz = "America/Los_Angeles"
        plan = self.make_plan()
        self.assertEqual(plan.activation_date, date(2026, 3, 3))
        self.agreed_an_hour_earlier(plan)  # a moment before the payment
        self.pay(self.invoice, 100.0, date(2026, 3, 2))
        self.assertRecordValues(plan.installment_ids[0], [{"amount_paid": 100.0, "state": "paid"}])
        self.assertEqual(plan.amount_remaining, 500.0)

    def test_what_a_completed_plan_cannot_take_is_told(self):
        plan = self.make_plan(total_amount=500.0, installment_count=5)
        payment = self.pay(self.invoice, 550.0, TODAY)
        self.assertEqual(plan.state, "completed")
        told = "50.00 of this payment was not applied to payment plan"
        self.assertTrue(any(told in (m.body or "") for m in payment.message_ids))
        self.assertTrue(any(told in (m.body or "") for m in plan.message_ids))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanAllocationSql(PaymentPlanCase):
    """The set-based allocation (one query for many plans) against the reference,
    logic.plan_schedule.allocate, with plan_status's states; and the sweep and
    creation costs, independent of the number of plans."""

    PATTERNS = {
        "none": [],
        "early": [(TODAY, 100.0), (date(2026, 4, 20), 100.0)],
        "lump sum": [(date(2026, 3, 5), 430.0)],
        "partial": [(date(2026, 3, 31), 40.0), (date(2026, 3, 31), 25.5)],
        "late": [(date(2026, 4, 10), 100.0), (date(2026, 5, 20), 150.0)],
        "over": [(TODAY, 350.0), (date(2026, 4, 1), 350.0)],
    }

    def plan_requests(self, count):
        """(account, terms) of ``count`` new guarantors owing 600 on one invoice each:
        6 monthly installments of 100 from 31 March; and {account: invoice}."""
        requests, invoices = [], {}
        for index in range(count):
            guarantor = self.env["res.partner"].create({"name": f"Plan Guarantor {index}"})
            invoice = self.make_invoice(guarantor, 600.0, TODAY)
            invoices[invoice.patient_account_id] = invoice
            terms = {"total_amount": 600.0, "frequency": "monthly", "installment_count": 6}
            requests.append(
                (invoice.patient_account_id, {**terms, "first_due_date": date(2026, 3, 31)})
            )
        return requests, invoices

    def make_plans(self, count):
        requests, invoices = self.plan_requests(count)
        return self.env["patient.payment.plan"]._create_plans(requests), invoices

    def reference(self, plans, day):
        """{installment id: (paid, paid date, state, payment ids)} by allocate()."""
        from ..logic import plan_schedule, plan_status  # noqa: PLC0415

        payments = plans._payments_since_activation()
        want = {}
        for plan in plans:
            rows = [(i.id, i.due_date, i.amount) for i in plan.installment_ids]
            allocation = plan_schedule.allocate(rows, payments.get(plan.id, []))
            for key, due, amount in rows:
                result = plan_status.installment_result(allocation[key], amount, due, day, 5)
                refs = sorted(ref for ref in allocation[key].payments if isinstance(ref, int))
                want[key] = (float(result.paid), result.paid_date or False, result.state, refs)
        return want

    def test_set_based_allocation_equals_allocate(self):
        plans, invoices = self.make_plans(len(self.PATTERNS))
        with patch.object(type(plans), "_allocate_payments", lambda self, today=None: None):
            for plan, payments in zip(plans, self.PATTERNS.values(), strict=True):
                for day, amount in payments:
                    self.pay(invoices[plan.account_id], amount, day)
        installments = plans.installment_ids
        for day in (TODAY, date(2026, 4, 6), date(2026, 4, 30), date(2026, 6, 1)):
            with self.subTest(day=day):
                changes, links = plans._allocation_changes(day)
                got = {
                    i.id: (i.amount_paid, i.paid_date, i.state, sorted(i.sudo().payment_ids.ids))
                    for i in installments
                }
                for (paid, paid_date, state), ids in changes.items():
                    for key in ids:
                        got[key] = (paid, paid_date, state, got[key][3])
                for key, payment_ids in links.items():
                    got[key] = (*got[key][:3], sorted(payment_ids))
                self.assertEqual(got, self.reference(plans, day))
        self.assertIn("paid", {state for _p, _d, state in changes}, "the query allocated")

    def sweep_queries(self, plans, day):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        plans.sudo()._allocate_payments(day)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_sweep_and_creation_queries_do_not_grow_with_the_plans(self):
        Plan = self.env["patient.payment.plan"]

        def create_queries(count):
            requests, invoices = self.plan_requests(count)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            plans = Plan._create_plans(requests)
            self.env.flush_all()
            return plans, invoices, self.env.cr.sql_log_count - before

        warm, warm_invoices, _queries = create_queries(1)  # caches warm
        few, few_invoices, few_queries = create_queries(2)
        many, many_invoices, many_queries = create_queries(6)
        self.assertEqual(few_queries, many_queries)
        with patch.object(type(Plan), "_allocate_payments", lambda self, today=None: None):
            for invoice in (warm_invoices | few_invoices | many_invoices).values():
                self.pay(invoice, 150.0, TODAY)
        day = date(2026, 4, 6)
        self.sweep_queries(warm, day)
        self.assertEqual(self.sweep_queries(few, day), self.sweep_queries(many, day))
        self.assertEqual(set(many.installment_ids.mapped("state")), {"paid", "partial", "open"})
        # two installments missed: every plan defaults (chatter, activities, stages in batches)
        day = date(2026, 6, 10)
        self.sweep_queries(warm, day)
        self.assertEqual(self.sweep_queries(few, day), self.sweep_queries(many, day))
        self.assertEqual(set((few | many).mapped("state")), {"defaulted"})
        self.assertEqual(len(many.account_id.activity_ids), len(many))
