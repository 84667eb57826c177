"""The nightly run in batches on Odoo's cron engine (issue 15): one run record per
company and day accumulates the counts of its batches, the cron engine is told
what remains, a run killed in the middle of a batch resumes to the state an
uninterrupted run reaches, two workers never run one company at once, and the
manager's Run now leaves what it cannot finish to the scheduled action."""

import math
import threading
import time
from contextlib import ExitStack
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.extensions import TransactionRollbackError

import odoo
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import patient_collection_run_budget as run_budget
from ..models import patient_collection_run_statements as run_statements
from ..models.patient_collection_run_batches import LOCK_SPACE
from .common_run import CollectionRunCommon

RUN_DAY = date(2026, 6, 1)
ACCOUNTS = 6
LIMIT = 2


class Killed(BaseException):
    """The worker killed at its time limit: nothing of the batch under way stays."""


class OneBatch(run_budget.RunBudget):
    """No time left after one batch: each call of the scheduled action does one."""

    def __init__(self):
        super().__init__(chain=run_budget.Chain(0, 0.0, 0.0))
        self.batches = 1

    def allows_batch(self):
        self.batches -= 1
        return self.batches >= 0


class CronBatchCase(CollectionRunCommon):
    """``ACCOUNTS`` accounts due a first statement; the scheduled action called
    the way Odoo's cron engine does: one batch a call (of ``batch_limit``
    records; None: the run's own limits), a commit (a savepoint) after each
    batch, a kill (:class:`Killed`) rolled back to the last commit."""

    batch_limit = LIMIT
    guarantor_name = "Testbatch Person"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.accounts_due(cls.guarantor_name, ACCOUNTS, RUN_DAY)
        cls.Cron = cls.env["ir.cron"]

    def setUp(self):
        super().setUp()
        self.progress = []
        self.commit_point = None
        Run, Cron = type(self.Run), type(self.Cron)
        test = self

        def notify(cron, *, done, remaining, deactivate=False):
            test.progress.append((done, remaining))

        def commit(run):
            # as a commit: what the batch did stays, whatever comes after
            test.commit_point = test.env.cr.savepoint()

        stack = ExitStack()
        self.addCleanup(stack.close)
        if self.batch_limit:
            stack.enter_context(
                patch.object(
                    Run, "_batch_limit", lambda run, step: self.batch_limit if run else None
                )
            )
        self.real_budget = Run._cron_budget
        stack.enter_context(patch.object(Run, "_cron_budget", lambda model: OneBatch()))
        stack.enter_context(patch.object(Cron, "_notify_progress", notify))
        stack.enter_context(patch.object(Run, "_commit_batch", commit))

    def cron_until_done(self, calls=200):
        """Call the scheduled action the way Odoo's cron engine does: again while
        it reports batches remaining; a kill rolls back to the last commit."""
        for _call in range(calls):
            self.progress.clear()
            try:
                self.Run._cron_collection_run()
            except Killed:
                self.commit_point.rollback()
                self.env.invalidate_all(flush=False)
                continue
            if not self.progress[-1][1]:
                return
        self.fail("the run never finished")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunBatches(CronBatchCase):
    def end_state(self):
        """What a run leaves behind, ids of runs aside."""
        self.env.invalidate_all()
        [run] = self.Run.search([("company_id", "=", self.env.company.id)])
        letters = self.env["patient.interaction"].search(
            [("account_id", "in", self.accounts.ids), ("channel", "in", ("letter", "email"))]
        )
        messages = self.env["mail.message"].search(
            [("model", "=", "patient.account"), ("res_id", "in", self.accounts.ids)]
        )
        return {
            "run": (run.state, run.moved_count, run.skipped_count, run.failed_count),
            "lines": sorted(
                (line.kind, line.stage_id.id, line.reason or "", line.count)
                for line in run.line_ids
            ),
            "files": len(run.attachment_ids),
            "accounts": [
                (
                    account.stage_id.id,
                    account.last_statement_date,
                    account.first_statement_date,
                    len(letters.filtered(lambda i, a=account: i.account_id == a)),
                    len(messages.filtered(lambda m, a=account: m.res_id == a.id)),
                )
                for account in self.accounts
            ],
        }

    def test_batches_accumulate_on_one_run_and_report_what_remains(self):
        steps = self.Run._collection_steps()
        seen = []
        for _call in range(100):
            self.progress.clear()
            self.Run._cron_collection_run()
            # one batch a call (no time left): told after the batch and at the end
            self.assertEqual(len(set(self.progress)), 1)
            done, remaining = self.progress[-1]
            self.assertEqual(done, 1)
            [run] = self.Run.search([("company_id", "=", self.env.company.id)])
            if run.state == "done":
                self.assertEqual(remaining, 0)
                break
            after = len(steps) - steps.index(run.step) - 1
            self.assertEqual(
                remaining, after + max(math.ceil(run.step_remaining / LIMIT), 1), run.step
            )
            seen.append((run.step, run.step_remaining, remaining))
        else:
            self.fail("the run never finished")
        # the statement step: six accounts due, two a batch
        after_statements = len(steps) - steps.index("_step_statements") - 1
        self.assertIn(("_step_statements", 4, 2 + after_statements), seen)
        self.assertIn(("_step_statements", 2, 1 + after_statements), seen)
        self.assertIn(
            ("_step_escalate", 4, 2 + len(steps) - steps.index("_step_escalate") - 1), seen
        )
        self.assertEqual(run.batch_count, len(seen) + 1)
        self.assertEqual(run.trigger, "cron")
        # one record, the counts of every batch on it
        self.assertEqual(run.moved_count, ACCOUNTS)
        counts = {(line.kind, line.stage_id): line.count for line in run.line_ids}
        self.assertEqual(counts[("moved", self.first)], ACCOUNTS)
        no_stage = self.env["patient.account.stage"]
        self.assertEqual(counts[("statement_sent", no_stage)], ACCOUNTS)
        self.assertEqual(len(run.line_ids.filtered(lambda line: line.kind == "moved")), 1)
        self.assertEqual(len(run.attachment_ids), ACCOUNTS // LIMIT, "a file per batch")
        self.assertEqual(self.accounts.stage_id, self.first)
        self.assertEqual(set(self.accounts.mapped("last_statement_date")), {RUN_DAY})
        # called again the same day (a trigger left over): today's run is done,
        # nothing to do, no second run record
        lines = run.line_ids.mapped(lambda line: (line.kind, line.count))
        self.progress.clear()
        self.Run._cron_collection_run()
        self.assertEqual(self.progress[-1], (0, 0))
        self.assertEqual(self.Run.search([("company_id", "=", self.env.company.id)]), run)
        self.assertEqual((run.state, run.batch_count, run.moved_count), ("done", len(seen) + 1, 6))
        self.assertEqual(run.line_ids.mapped(lambda line: (line.kind, line.count)), lines)

    def test_killed_in_a_batch_resumes_to_the_uninterrupted_end(self):
        with self.env.cr.savepoint() as uninterrupted:
            self.cron_until_done()
            expected = self.end_state()
            uninterrupted.rollback()
        self.env.invalidate_all(flush=False)
        self.assertFalse(self.Run.search([]), "the reference run rolled back")
        self.assertEqual(expected["run"], ("done", ACCOUNTS, 0, 0))
        self.assertTrue(all(row[3] == 1 for row in expected["accounts"]), "one letter each")

        Account = type(self.Account)
        send = Account._send_reachable_statements
        kills = []

        def killed_after_three(accounts, email=False):
            # the third account's statement is made, then the worker dies
            sent = sum(1 for a in self.accounts if a.last_statement_date == RUN_DAY)
            if not kills and sent + len(accounts) > 3:
                send(accounts[: 3 - sent], email=email)
                kills.append(accounts.ids)
                raise Killed
            return send(accounts, email=email)

        with patch.object(Account, "_send_reachable_statements", killed_after_three):
            self.cron_until_done()
        self.assertTrue(kills, "the run was killed in the middle of a batch")
        self.assertEqual(self.end_state(), expected)

    def test_a_batch_undone_by_a_concurrent_update_runs_again_in_the_next_call(self):
        """A serialization failure in a call's first batch (a payment posted on an
        account of the batch meanwhile): the call reports work under way, not
        nothing done (Odoo would take the job as failed and move the night's run
        to tomorrow); the next call runs the batch again, to the uninterrupted end."""
        with self.env.cr.savepoint() as uninterrupted:
            self.cron_until_done()
            expected = self.end_state()
            uninterrupted.rollback()
        self.env.invalidate_all(flush=False)
        Run = type(self.Run)
        run_batch = Run._run_batch
        conflicts = []

        def conflicting(run, company, deadline=None):
            if run.step == "_step_statements" and not conflicts:
                run_batch(run, company, deadline)  # its work done, then undone
                conflicts.append(run.id)
                raise TransactionRollbackError("synthetic serialization failure")
            return run_batch(run, company, deadline)

        with patch.object(Run, "_run_batch", conflicting):
            for _call in range(100):
                self.progress.clear()
                before = len(conflicts)
                self.Run._cron_collection_run()
                done, remaining = self.progress[-1]
                self.assertTrue(done, "never reported as nothing done")
                if len(conflicts) > before:
                    self.assertTrue(remaining, "the undone batch is still to run")
                if not remaining:
                    break
            else:
                self.fail("the run never finished")
        self.assertEqual(len(conflicts), 1)
        self.assertEqual(self.end_state(), expected)

    def test_a_company_another_worker_runs_is_left_to_it(self):
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, self.env.company.id])
            self.Run._cron_collection_run()
            self.assertEqual(self.progress[-1], (0, 0), "nothing done, nothing to come back for")
            self.assertFalse(self.Run.search([]))
            with self.assertRaisesRegex(UserError, "under way"):
                self.Run.run()
            other.rollback()
        self.assertEqual(len(self.Run.run()), 1, "free again: the run goes")

    def test_run_now_leaves_the_rest_to_the_scheduled_action(self):
        cron = self.env.ref("patient_collections.ir_cron_collection_run")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        with patch.object(type(self.Run), "_run_now_seconds", lambda model: 0):
            action = self.Run.action_run_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("background", action["params"]["message"])
        run = self.Run.browse(action["params"]["next"]["res_id"])
        self.assertEqual((run.state, run.trigger, run.batch_count), ("running", "manual", 1))
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), len(triggers)
        )
        self.cron_until_done()
        self.assertEqual(self.Run.search([]), run, "the scheduled action finished it")
        self.assertEqual((run.state, run.moved_count), ("done", ACCOUNTS))
        # small enough for the request: the form of the finished run
        action = self.Run.action_run_now()
        self.assertEqual(action["res_model"], "patient.collection.run")
        self.assertEqual(self.Run.browse(action["res_id"]).state, "done")

    def test_a_second_invocation_extends_todays_run(self):
        # the first invocation stops after two batches; the second resumes the
        # same record, to the end
        for _call in range(2):
            self.Run._cron_collection_run()
        [run] = self.Run.search([])
        self.assertEqual((run.state, run.batch_count), ("running", 2))
        self.cron_until_done()
        self.assertEqual(self.Run.search([]), run, "one run record for the day")
        self.assertEqual((run.state, run.moved_count), ("done", ACCOUNTS))
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, ACCOUNTS)
        # and a leftover trigger afterwards: nothing more, no other record
        self.cron_until_done()
        self.assertEqual(self.Run.search([]), run)
        self.assertEqual(sent.count, ACCOUNTS)

    def test_chained_calls_share_the_budget_of_the_unit_of_work(self):
        """Odoo chains calls of the job in one unit of work of the cron worker,
        under limits that count them together: the run stops when their shared
        budget is spent, says what remains, and resumes in the next unit."""
        clock = [1000.0]
        Account, Run = type(self.Account), type(self.Run)
        send = Account._send_reachable_statements

        def slow_send(accounts, email=False):
            clock[0] += 8.0 * len(accounts)  # 8 s a statement
            return send(accounts, email=email)

        cron = self.env.ref("patient_collections.ir_cron_collection_run")
        stack = ExitStack()
        self.addCleanup(stack.close)
        stack.enter_context(patch.object(run_budget, "monotonic", lambda: clock[0]))
        stack.enter_context(patch.object(run_budget, "real_limit", lambda: 120))
        stack.enter_context(patch.object(run_budget, "cpu_limit", lambda: None))
        thread = threading.current_thread()
        stack.enter_context(patch.object(thread, "start_time", None, create=True))
        stack.enter_context(patch.object(run_statements, "STATEMENT_CHUNK", 1))
        stack.enter_context(patch.object(Account, "_send_reachable_statements", slow_send))
        stack.enter_context(patch.object(Run, "_cron_budget", self.real_budget))
        stack.enter_context(
            patch.object(Run, "_batch_limit", lambda run, step: ACCOUNTS if run else None)
        )
        Cron = self.Run.with_context(cron_id=cron.id)
        # the scheduled call: its hour has come (on the database's clock)
        self.env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') - interval '1 minute'"
            " WHERE id = %s",
            [cron.id],
        )
        cron.invalidate_recordset(["nextcall"])

        # a cron worker's unit of work: 120 s from the heartbeat before its sleep
        # (70 s at most), less the margin: 40 s for the chain
        Cron._cron_collection_run()
        [run] = self.Run.search([])
        sent = self.accounts.filtered(lambda account: account.last_statement_date == RUN_DAY)
        # a statement batch ends at 20 s (3 statements), the next one at the budget
        self.assertEqual(len(sent), 5)
        self.assertEqual((run.step, run.step_remaining), ("_step_statements", 1))
        done, remaining = self.progress[-1]
        self.assertGreater(done, 0)
        self.assertGreater(remaining, 0)
        self.assertLessEqual(clock[0] - 1000.0, 40)
        # Odoo calls again at once in the same unit of work: no time left, nothing
        # done, the same progress told
        batches = run.batch_count
        clock[0] += 0.1
        self.progress.clear()
        Cron._cron_collection_run()
        self.assertEqual(run.batch_count, batches)
        self.assertEqual(self.progress[-1], (done, remaining))
        # the next unit of work (after the worker's heartbeat): the rest
        clock[0] += 60
        self.progress.clear()
        Cron._cron_collection_run()
        self.assertEqual((run.state, self.progress[-1][1]), ("done", 0))
        self.assertEqual(set(self.accounts.mapped("last_statement_date")), {RUN_DAY})
        letters = self.env["patient.interaction"].search_count(
            [("account_id", "in", self.accounts.ids), ("channel", "in", ("letter", "email"))]
        )
        self.assertEqual(letters, ACCOUNTS, "one statement each")

    def test_budget_of_the_worker_limits(self):
        clock = [500.0]
        cr = self.env.cr
        with (
            patch.object(run_budget, "monotonic", lambda: clock[0]),
            patch.object(run_budget, "real_limit", lambda: 120),
            patch.object(run_budget, "cpu_limit", lambda: run_budget.cpu_used() + 12),
        ):
            # the CPU limit of the unit of work, less the margin: 2 s, no batch
            # (the log is told which limit to raise)
            with self.assertLogs(run_budget._logger.name, "WARNING") as logged:
                budget = run_budget.RunBudget.for_cron(cr, 7)
            self.assertIn("limit_time_cpu", logged.output[0])
            self.assertAlmostEqual(budget.left(), 2, delta=1)
            self.assertFalse(budget.allows_batch())
        with (
            patch.object(run_budget, "monotonic", lambda: clock[0]),
            patch.object(run_budget, "real_limit", lambda: 120),
            patch.object(run_budget, "cpu_limit", lambda: None),
        ):
            # threaded mode: from the cron thread's start of the unit of work
            thread = threading.current_thread()
            with patch.object(thread, "start_time", time.time() - 90, create=True):
                self.assertAlmostEqual(run_budget.RunBudget.for_cron(cr, 8).left(), 20, delta=1)
            # the calls on one cursor share one start; a pause starts a new chain
            first = run_budget.RunBudget.for_cron(cr, 9)
            for _batch in range(30):  # the call looks at its budget between batches
                clock[0] += 1
                first.left()
            self.assertAlmostEqual(run_budget.RunBudget.for_cron(cr, 9).left(), 10)
            self.assertAlmostEqual(first.left(), 10)
            clock[0] += run_budget.CHAIN_GAP + 1
            self.assertAlmostEqual(run_budget.RunBudget.for_cron(cr, 9).left(), 40)
            # called outside the cron engine (Run Manually, in an HTTP worker whose
            # heartbeat comes just before the request): the whole limit
            self.assertAlmostEqual(run_budget.RunBudget.for_cron(cr, None).left(), 110)
        # a process using more than a core: the CPU left lasts that much less
        cpu = [100.0]
        with (
            patch.object(run_budget, "monotonic", lambda: clock[0]),
            patch.object(run_budget, "real_limit", lambda: 120),
            patch.object(run_budget, "cpu_limit", lambda: 160),
            patch.object(run_budget, "cpu_used", lambda: cpu[0]),
        ):
            budget = run_budget.RunBudget.for_cron(cr, 10)
            self.assertAlmostEqual(budget.left(), 40)
            clock[0] += 10
            cpu[0] += 20
            self.assertAlmostEqual(budget.left(), (150 - 120) / 2)
