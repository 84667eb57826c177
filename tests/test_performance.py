"""Query counts of the batch paths the benchmarks time (bench/*.py).

What a benchmark measures at 10,000s of accounts must not cost a query per
account: a batch path runs on 3 and on 6 accounts and must issue as many
queries for both (or no more per account than today where it still has
per-account work), and assertQueryCount sets the limit (as Odoo's
crm/tests/test_performances.py does; fewer queries only log a note).  The
checks the benchmarks used to run on their results live here too: one access
log line per account, identifiers only; the merged statement PDF made of each
account's statement; created plans active with their schedule, stage,
interaction and chatter line; the bench data generator and the balances floor
against what Odoo computes.
"""

import importlib.util
import io
import os
import sys
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.tests import tagged

from ..models.patient_collection_run import RunStats
from .common import TEST_ADDRESS, TODAY, PatientCollectionsCommon

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


def bench_module(name, **modules):
    """bench/<name>.py loaded as a module (``modules``: what its imports find)."""
    spec = importlib.util.spec_from_file_location(
        f"patient_collections_bench_{name}", f"{BENCH}/{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    with patch.dict(sys.modules, modules):
        spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestPerformance(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        guarantors = cls.env["res.partner"].create(
            [
                {"name": f"Testperf Guarantor {n}", "is_patient": True, **TEST_ADDRESS}
                for n in range(6)
            ]
        )
        for n, partner in enumerate(guarantors):
            cls.make_invoice(partner, 500.0 + 10 * n, TODAY - timedelta(days=70 + n))
        cls.accounts = cls.Account.search([("partner_id", "in", guarantors.ids)], order="id")
        cls.accounts._refresh_balances(today=TODAY)
        cls.env.flush_all()

    def queries(self, fn):
        """Queries of ``fn()`` and the flush of what it left, rolled back after."""
        self.env.flush_all()
        self.env.invalidate_all()
        savepoint = self.env.cr.savepoint()
        before = self.env.cr.sql_log_count
        fn()
        self.env.flush_all()
        self.env.cr.flush()
        count = self.env.cr.sql_log_count - before
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        return count

    def assert_no_query_per_account(self, fn, limit, per_account=0):
        """fn(accounts) issues as many queries for 3 accounts as for 6 (or
        ``per_account`` more for each further account), at most ``limit``."""
        small, large = self.accounts[:3], self.accounts
        self.queries(lambda: fn(large))  # warm-up: the registry's and ormcaches
        counts = self.queries(lambda: fn(small)), self.queries(lambda: fn(large))
        self.assertLessEqual(counts[1] - counts[0], 3 * per_account, "queries per account")
        with self.assertQueryCount(limit):
            fn(self.env["patient.account"].browse(large.ids))

    def test_access_log_batch(self):
        Log = self.env["patient.access.log"]
        detail = "patient_collections.report_patient_statement"
        self.assert_no_query_per_account(lambda a: Log._log("print", a, detail=detail), 2)
        lines = Log._log("print", self.accounts, detail=detail)
        self.assertEqual(len(lines), len(self.accounts))
        self.assertEqual(
            sorted(lines.mapped("record_ref")), sorted(self.accounts.mapped("name")), "identifiers"
        )
        self.assertFalse(any("Testperf" in (line.detail or "") for line in lines), "no names")

    def test_snapshot(self):
        # the day's rows of every account of the company: one DELETE, one INSERT ... SELECT,
        # one statement taking the activity of the day before again (it was still going
        # when taken), and one statement taking Collected again on the day and the days
        # before, after one reading the company's first snapshot day (no payment before
        # it is read); one reading the company's time zone (from its staff here: no
        # Practice Time Zone), whose days the contacts are counted on
        Snapshot = self.env["patient.collection.snapshot"]
        Snapshot._take(self.env.company, TODAY)
        with self.assertQueryCount(6):
            Snapshot._take(self.env.company, TODAY)
        self.assertEqual(
            sum(Snapshot.search([("date", "=", TODAY)]).mapped("account_count")),
            self.Account.search_count([("company_id", "=", self.env.company.id)]),
        )

    def test_statement_values_and_merged_pdf(self):
        # 21: one of them reads the companies' calendar (the statement's date), two the
        # practice's texts in every language (stage messages, the companies' texts:
        # its own or the shipped ones translated, stage18), one what credit notes and
        # write-offs took off the invoices (an adjustment, not paid)
        self.assert_no_query_per_account(lambda a: a._statement_values(), 21)
        accounts = self.accounts[:3]
        pdfs = accounts._statement_pdfs()
        reader = PdfReader(io.BytesIO(accounts._statement_pdf_merged()))
        counts = [len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs]
        self.assertEqual(len(reader.pages), sum(counts), "the merged PDF is the statements")
        first = 0
        for account, count in zip(accounts, counts, strict=True):
            text = reader.pages[first].extract_text()
            self.assertIn(account.name, text)
            self.assertIn(f"Page 1 of {count}", text)
            first += count

    def test_escalation_plan_and_stage_writes(self):
        Run = self.env["patient.collection.run"]
        Stage = self.env["patient.account.stage"]
        plan = Run._escalation_plan(self.env.company, TODAY, RunStats())
        self.assertEqual(sum(map(len, plan.values())), len(self.accounts), "all move")

        def escalate(accounts):
            plan = Run._escalation_plan(self.env.company, TODAY, RunStats())
            for stage_id, account_ids in plan.items():
                moving = self.Account.browse(set(account_ids) & set(accounts.ids))
                moving._write_stage(Stage.browse(stage_id))

        # 1 of them reads the company's time zone, the calendar of the letters' days
        self.assert_no_query_per_account(escalate, 10)

    def test_small_balance_writeoffs(self):
        company = self.env.company
        company.write(
            {
                "collections_small_balance_writeoff": True,
                "collections_small_balance_min_days": 0,
                "collections_writeoff_account_small_balance_id": self.company_data[
                    "default_account_expense"
                ].id,
            }
        )

        def step(accounts):
            # only ``accounts`` owe less than the threshold
            company.collections_small_balance_threshold = max(accounts.mapped("balance_due")) + 1
            self.env["patient.collection.run"]._step_small_balance_writeoffs(
                company, TODAY, RunStats()
            )

        # today 9 queries per account written off (per-account work left in the
        # step), and 14 once per step for closing the to-dos a paid balance makes
        # pointless; 4 for the practice's today (its zone read from its staff: this
        # company has no Practice Time Zone) where the balances, the resolved stage
        # and its entry date are dated; 1 for the unapplied credits matched first (none
        # here); 2 for the write-off account's type and companies, checked before posting
        # (it may have been changed since it was chosen); 2 for the zone of the letters'
        # days where the resolved stage's resume targets are read; 1 for the stage
        # names of the chatter's "Stage: old → new" as their readers get them (the
        # practice's own, stage18); the limit keeps it from growing
        self.assert_no_query_per_account(step, 195, per_account=9)

    def test_plan_creation(self):
        Plan = self.env["patient.payment.plan"]

        def requests(accounts):
            return [
                (
                    account,
                    {
                        "total_amount": account.balance_due,
                        "down_payment": 0.0,
                        "frequency": "monthly",
                        "first_due_date": TODAY + timedelta(days=10),
                        "installment_count": 12,
                        "installment_amount": None,
                    },
                )
                for account in accounts
            ]

        self.queries(lambda: Plan._create_plans(requests(self.accounts)))  # warm-up
        # a limit (issue 15 makes creation set-based: fewer, whatever the number of plans);
        # one for the practice's zone the logged interactions' promise dates are judged in;
        # three for the savepoint that turns a plan made meanwhile into a refusal
        with self.assertQueryCount(48):
            plans = Plan._create_plans(requests(self.accounts))
        stage = self.env.ref("patient_collections.stage_payment_plan")
        self.assertEqual(set(plans.mapped("state")), {"active"})
        for plan in plans:
            self.assertEqual(len(plan.installment_ids), 12)
            self.assertAlmostEqual(sum(plan.installment_ids.mapped("amount")), plan.total_amount)
            self.assertEqual(plan.account_id.stage_id, stage)
            self.assertEqual(len(plan.account_id.interaction_ids), 1)
            self.assertTrue(any(plan.name in (m.body or "") for m in plan.account_id.message_ids))


@tagged("post_install", "-at_install")
class TestBenchData(PatientCollectionsCommon):
    """The benchmarks' data generator (bench/common.py) writes what Odoo itself
    would, and the balances floor (bench/balances.py) computes what the refresh
    stores: the figures of `make bench` compare like with like."""

    def assert_as_odoo_computes(self, moves):
        """Odoo recomputes the stored fields it derives (residuals, payment states,
        reconciled flags, matching numbers) to the values generated."""
        lines = moves.line_ids
        checks = (
            (moves, ["amount_total", "amount_residual", "amount_residual_signed", "payment_state"]),
            (lines, ["amount_residual", "amount_residual_currency", "reconciled"]),
            (moves.origin_payment_id, ["is_reconciled", "is_matched"]),
        )

        def values():
            found = {
                (r._name, r.id, f): r[f] for recs, names in checks for r in recs for f in names
            }
            return found | {("number", line.id): line.matching_number for line in lines}

        self.env.flush_all()
        self.env.invalidate_all()
        stored = values()
        for records, names in checks:
            for name in names:
                self.env.add_to_compute(records._fields[name], records)
        (lines.matched_debit_ids | lines.matched_credit_ids)._update_matching_number(lines)
        lines.invalidate_recordset(["matching_number"])
        self.assertEqual(values(), stored)

    def test_generator_and_balances_floor(self):
        common = bench_module("common")
        balances = bench_module("balances", common=common)
        data = common.generate_receivables(
            self.env, 15, 60, today=TODAY, seed=0.5, unapplied_share=0.3
        )
        partners = self.env["res.partner"].search([("ref", "=", common.BENCH_REF)])
        Line = self.env["account.move.line"]
        open_lines = Line.search_count(
            [
                ("partner_id", "in", partners.ids),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
            ]
        )
        self.assertEqual(open_lines, data.invoices + data.unapplied)
        self.assertTrue(data.unapplied and data.payments > data.unapplied, "both kinds")
        moves = self.env["account.move"].search([("partner_id", "in", partners.ids)])
        self.assertEqual(len(moves), data.invoices + data.payments)
        self.assert_as_odoo_computes(moves)

        # payments against plan installments: several on one invoice line
        cr = self.env.cr
        cr.execute(
            """
            CREATE TEMP TABLE pct_pay AS
            SELECT m.partner_id, m.id AS invoice_move_id, l.id AS invoice_line_id,
                   m.name AS invoice_name, (1 + k)::numeric AS amount, %s::date AS date,
                   nextval('account_payment_id_seq')::int AS payment_id,
                   nextval('account_move_id_seq')::int AS move_id,
                   nextval('account_move_line_id_seq')::int AS outstanding_line_id,
                   nextval('account_move_line_id_seq')::int AS receivable_line_id,
                   nextval('account_partial_reconcile_id_seq')::int AS partial_id,
                   NULL::int AS group_partial_id, NULL::text AS name,
                   NULL::text AS sequence_prefix, NULL::int AS sequence_number
              FROM (SELECT * FROM account_move WHERE partner_id = ANY(%s)
                       AND move_type = 'out_invoice' AND payment_state = 'not_paid'
                  ORDER BY id LIMIT 3) m
              JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
             CROSS JOIN generate_series(1, 2) k;
            UPDATE pct_pay p SET group_partial_id = g.first
              FROM (SELECT invoice_line_id, MIN(partial_id) AS first FROM pct_pay GROUP BY 1) g
             WHERE g.invoice_line_id = p.invoice_line_id;
            """,
            [TODAY, partners.ids],
        )
        common.number_moves(cr, "pct_pay", data.templates.payment_move, "date")
        self.assertEqual(common.insert_payments(self.env, data.templates, "pct_pay", True), 6)
        cr.execute("SELECT invoice_move_id FROM pct_pay UNION SELECT move_id FROM pct_pay")
        self.assert_as_odoo_computes(self.env["account.move"].browse(r[0] for r in cr.fetchall()))

        accounts = self.Account.search([("partner_id", "in", partners.ids)])
        accounts._refresh_balances(today=TODAY)
        self.env.flush_all()
        cr.execute(balances.FLOOR_SQL, {"today": TODAY, "company": self.env.company.id})
        floor = {row[0]: row[1:] for row in cr.fetchall()}
        names = [
            "balance_due",
            "balance_insurance_pending",
            "aging_current",
            "aging_1_30",
            "aging_31_60",
            "aging_61_90",
            "aging_91_120",
            "aging_over_120",
            "days_past_due",
        ]
        for account in accounts:
            self.assertEqual(
                [float(v or 0) for v in floor.get(account.partner_id.id, [0] * 9)],
                [float(account[name]) for name in names],
                account.name,
            )
