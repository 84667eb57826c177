"""The collections run under the workers' limits (issue 17).

- Limits too tight for a useful batch (``--limit-time-real=20
  --limit-time-cpu=10``): the scheduled action, run by Odoo's cron engine, still
  runs one small batch in each unit of work and says so in the log, instead of
  reporting "0 processed" and being moved to its next day.
- Run now and ``run()`` over RPC stay within the HTTP worker's limits.
- Run now on a company whose run another worker is running, or one another
  transaction started after this one's snapshot: the "under way" refusal.
"""

import threading
import time
from contextlib import ExitStack
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import config

from odoo.addons.base.models.ir_cron import CompletionStatus

from ..models import patient_collection_run as run_module
from ..models import patient_collection_run_budget as run_budget
from ..models.patient_collection_run_batches import LOCK_SPACE
from .common_run import CollectionRunCommon

ACCOUNTS = 6
LIMIT = 2
BUDGET_LOGGER = "odoo.addons.patient_collections.models.patient_collection_run_budget"
UNDER_WAY = "is under way in the background; try again when it has finished"


class RunLimitsCommon(CollectionRunCommon):
    """Six accounts due a first statement (today's, no frozen clock: Odoo's cron
    engine reads the database's), two records a batch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts = cls.accounts_due("Testlimit Person", ACCOUNTS, fields.Date.today())
        cls.cron = cls.env.ref("patient_collections.ir_cron_collection_run").sudo()

    def setUp(self):
        super().setUp()
        self.stack = ExitStack()
        self.addCleanup(self.stack.close)
        Run = type(self.Run)
        self.stack.enter_context(
            patch.object(Run, "_batch_limit", lambda run, step: LIMIT if run else None)
        )
        # no thread start of a unit of work: a cron worker's process
        thread = threading.current_thread()
        self.stack.enter_context(patch.object(thread, "start_time", None, create=True))

    def limits(self, real=None, cpu=None, started=None):
        """The worker's limits: ``real`` seconds of wall time, ``cpu`` seconds of
        CPU from now (RLIMIT_CPU), the request started ``started`` seconds ago."""
        limit = None if cpu is None else int(run_budget.cpu_used() + cpu)
        self.stack.enter_context(patch.object(run_budget, "real_limit", lambda: real))
        self.stack.enter_context(patch.object(run_budget, "cpu_limit", lambda: limit))
        self.stack.enter_context(patch.dict(config.options, {"limit_time_real": real or 0}))
        if started is not None:
            thread = threading.current_thread()
            self.stack.enter_context(
                patch.object(thread, "perf_t0", time.time() - started, create=True)
            )

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])


@tagged("post_install", "-at_install")
class TestRunTightLimits17(RunLimitsCommon):
    def scheduled_call_due(self):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') - interval '1 minute'"
            " WHERE id = %s",
            [self.cron.id],
        )
        self.env.invalidate_all()

    def test_cron_engine_runs_a_batch_per_unit_of_work_under_tight_limits(self):
        self.limits(real=20, cpu=10)
        self.scheduled_call_due()
        # Odoo's cron engine on this transaction (its cursors share it)
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)
        IrCron = self.registry["ir.cron"]
        run_job, statuses = IrCron._run_job, []

        def spied_run_job(job):
            statuses.append(run_job(job))
            return statuses[-1]

        with (
            self.assertLogs(BUDGET_LOGGER, "WARNING") as warned,
            patch.object(IrCron, "_run_job", spied_run_job),
            self.registry.cursor() as cron_cr,
        ):
            job = IrCron._acquire_one_job(cron_cr, self.cron.id)
            self.assertTrue(job, "the job is due")
            IrCron._process_job(None, cron_cr, job)
        self.env.invalidate_all()
        [run] = self.Run.search([("company_id", "=", self.env.company.id)])
        self.assertEqual((run.state, run.trigger, run.batch_count), ("running", "cron", 1))
        # the engine was told the work goes on: the job is called again at once
        self.assertEqual(statuses, [CompletionStatus.PARTIALLY_DONE])
        self.env.cr.execute(
            "SELECT done, remaining FROM ir_cron_progress WHERE cron_id = %s ORDER BY id",
            [self.cron.id],
        )
        progress = self.env.cr.fetchall()
        self.assertEqual(len(progress), 10, "Odoo chained its ten calls")
        self.assertEqual(progress[0][0], 1, "the first call ran a batch")
        self.assertTrue(all(remaining for _done, remaining in progress))
        # not moved to its next day: called again at once
        self.env.cr.execute(
            "SELECT nextcall <= now() AT TIME ZONE 'UTC' FROM ir_cron WHERE id = %s",
            [self.cron.id],
        )
        self.assertTrue(self.env.cr.fetchone()[0])
        # told once in the unit of work: which settings, how much they need, no names
        [warning] = warned.output
        self.assertIn("limit_time_real_cron (else limit_time_real) 20 s: at least 45 s", warning)
        self.assertIn("limit_time_cpu", warning)
        self.assertNotIn("Testlimit", warning)

    def test_first_statement_chunk_is_small_when_the_batch_has_no_time(self):
        # the first call of a chain with no time left: one batch, the statement
        # step's first chunk only
        self.limits(real=20, cpu=10)
        Run = type(self.Run)
        self.stack.enter_context(
            patch.object(Run, "_batch_limit", lambda run, step: ACCOUNTS if run else None)
        )
        self.stack.enter_context(patch.object(type(self.env["ir.cron"]), "_notify_progress"))
        self.scheduled_call_due()
        Cron = self.Run.sudo().with_context(cron_id=self.cron.id)
        steps = self.Run._collection_steps()
        for _call in range(steps.index("_step_statements") + 1):
            # a unit of work each (a new chain: its cursor's chain forgotten)
            run_budget._CHAINS.clear()
            with self.assertLogs(BUDGET_LOGGER, "WARNING"):
                Cron._cron_collection_run()
        [run] = self.Run.sudo().search([])
        self.assertEqual(run.step, "_step_statements")
        sent = self.accounts.filtered(lambda account: account.last_statement_date)
        self.assertEqual(len(sent), 2)
        self.assertEqual(run.step_remaining, ACCOUNTS - 2)


@tagged("post_install", "-at_install")
class TestRunNowLimits17(RunLimitsCommon):
    def test_run_now_stops_within_the_request_cpu_limit(self):
        # 12 s of CPU left to the request: 2 s of budget, one batch
        self.limits(real=120, cpu=12, started=1)
        before = self.triggers()
        action = self.Run.action_run_now()
        self.assertIn("background", action.get("params", {}).get("message", ""))
        run = self.Run.browse(action["params"]["next"]["res_id"])
        self.assertEqual((run.state, run.batch_count), ("running", 1))
        self.assertGreater(self.triggers(), before, "the rest handed to the cron")
        self.assertAlmostEqual(self.Run._request_budget().left(), 2, delta=1)

    def test_run_now_stops_within_the_request_real_limit(self):
        # 120 s of wall time from the request's start, less the worker's wait
        # before it (4 s) and the margin: 108 s gone, nothing left but one batch
        self.limits(real=120, started=108)
        action = self.Run.action_run_now()
        self.assertEqual(action["tag"], "display_notification", "the rest left to the cron")
        run = self.Run.browse(action["params"]["next"]["res_id"])
        self.assertEqual((run.state, run.batch_count), ("running", 1))
        self.limits(real=120, started=100)
        self.assertAlmostEqual(self.Run._request_budget().left(), 120 - 100 - 4 - 10, delta=1)

    def test_run_over_rpc_in_a_request_has_the_same_budget(self):
        self.limits(real=120, cpu=12, started=1)
        before = self.triggers()
        with patch.object(run_module, "request", object(), create=True):
            run = self.Run.run()
        self.assertEqual((run.state, run.batch_count), ("running", 1))
        self.assertGreater(self.triggers(), before)

    def test_run_over_rpc_returns_the_runs_ids(self):
        """A client calling run() gets the ids of the runs (a recordset cannot go
        over XML-RPC: the run was committed and the caller told it failed)."""
        result = odoo.api.call_kw(self.Run, "run", [], {})
        self.assertIsInstance(result, list)
        self.assertEqual(self.Run.browse(result).company_id, self.env.company)

    def test_run_now_on_a_busy_company_is_refused(self):
        before = self.triggers()
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_SPACE, self.env.company.id])
            with self.assertRaisesRegex(UserError, UNDER_WAY):
                self.Run.action_run_now()
            other.rollback()
        self.assertEqual(self.triggers(), before, "no trigger")
        self.assertFalse(self.Run.search([]), "nothing run")

    def test_counts_and_cursor_start_at_zero(self):
        run = self.Run._open_run(self.env.company, "manual", fields.Date.today())
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT moved_count, skipped_count, failed_count, step_cursor, step_remaining"
            " FROM patient_collection_run WHERE id = %s",
            [run.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (0, 0, 0, 0, 0))


@tagged("post_install", "-at_install")
class TestRunNowStaleSnapshot17(TransactionCase):
    """Two requests on committed data (real cursors): the second starts its
    company's run and commits after the first one's snapshot."""

    def setUp(self):
        super().setUp()
        self.assertIsNone(self.registry.test_cr, "real cursors, not the test's transaction")
        self.company_id = self.env.ref("base.main_company").id
        with self.registry.cursor() as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM ir_cron_trigger")
            self.last_trigger = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FROM patient_collection_run"
                " WHERE company_id = %s AND state = 'running'",
                [self.company_id],
            )
            if cr.fetchone()[0]:
                self.skipTest("the company has a run under way")
        self.addCleanup(self._delete_committed)
        Run = type(self.env["patient.collection.run"])
        patcher = patch.object(Run, "_run_now_seconds", lambda model: 1)
        patcher.start()
        self.addCleanup(patcher.stop)

    def _delete_committed(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM patient_collection_run_line WHERE run_id IN"
                " (SELECT id FROM patient_collection_run WHERE company_id = %s"
                " AND create_date >= now() - interval '1 hour' AND trigger = 'manual')",
                [self.company_id],
            )
            cr.execute(
                "DELETE FROM patient_collection_run WHERE company_id = %s"
                " AND create_date >= now() - interval '1 hour' AND trigger = 'manual'",
                [self.company_id],
            )
            cr.execute("DELETE FROM ir_cron_trigger WHERE id > %s", [self.last_trigger])

    def env_of(self, cr):
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [self.company_id]})

    def test_run_started_after_the_snapshot_is_told_under_way(self):
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1, env2 = self.env_of(cr1), self.env_of(cr2)
            cr1.execute("SELECT count(*) FROM patient_collection_run")  # request 1's snapshot
            env2["patient.collection.run"].action_run_now()
            cr2.commit()  # pylint: disable=invalid-commit
            with self.assertRaisesRegex(UserError, UNDER_WAY):
                env1["patient.collection.run"].action_run_now()
        finally:
            cr1.close()
            cr2.close()

    def test_scheduled_call_leaves_the_company_to_the_run_committed_meanwhile(self):
        cr1, cr2 = self.registry.cursor(), self.registry.cursor()
        try:
            env1, env2 = self.env_of(cr1), self.env_of(cr2)
            cr1.execute("SELECT count(*) FROM patient_collection_run")  # the call's snapshot
            env2["patient.collection.run"].action_run_now()
            cr2.commit()  # pylint: disable=invalid-commit
            company = env1["res.company"].browse(self.company_id)
            # raised, the call failed: Odoo moved the night's run of every company
            # to tomorrow; now the company is left to the run under way
            progress = env1["patient.collection.run"]._run_in_batches(company, "cron")
            self.assertEqual(progress.busy, company)
            self.assertFalse(progress.runs)
        finally:
            cr1.close()
            cr2.close()
