"""Hostile review of the nightly run's batches and resumption: the worker's
CPU time limit is never taken for accounts that failed, the operator can lower
the batch size (clamped), an archived company is not run, and a run whose step
no longer exists starts that step over from its first record."""

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models import patient_collection_run_budget as run_budget
from .test_run_batches import CronBatchCase
from .test_run_companies import RunCompaniesCommon

RUN_DAY = date(2026, 6, 1)
ACCOUNTS = 6
CPU_LIMIT_MESSAGE = "CPU time limit exceeded."  # Odoo's prefork worker, on SIGXCPU
BATCH_SIZE_PARAM = "patient_collections.run_batch_size"
BATCH_MIN = 1
BATCHES_LOGGER = "odoo.addons.patient_collections.models.patient_collection_run_batches"


class RunCommon(CronBatchCase):
    """Six accounts due a first statement, the run called as the cron engine does."""

    guarantor_name = "Testrun Alpha"

    def the_run(self):
        self.env.invalidate_all()
        return self.Run.search([("company_id", "=", self.env.company.id)])

    def runs(self):
        """The company's runs, oldest first."""
        return self.the_run().sorted("id")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunWorkerLimit(RunCommon):
    def test_cpu_time_limit_is_not_recorded_as_failed_accounts(self):
        """A prefork worker past ``limit_time_cpu`` gets SIGXCPU, and Odoo's handler
        raises ``Exception("CPU time limit exceeded.")`` wherever the run is.  It
        was isolated like an account failing: the accounts of the chunk (then the
        whole step) recorded as failed, their statements skipped for the day, and
        committed.  Now the batch is rolled back and runs again in the next call."""
        Account = type(self.Account)
        send = Account._send_reachable_statements
        state = {"over": False, "signals": 0}

        def cpu_limited(accounts, email=False):
            sent = sum(1 for a in self.accounts if a.last_statement_date == RUN_DAY)
            if not state["signals"] and sent >= 3:
                # the worker's CPU limit is reached in the middle of the step
                state["over"], state["signals"] = True, 1
            if state["over"]:
                # past the limit, SIGXCPU comes back every CPU second
                raise Exception(CPU_LIMIT_MESSAGE)  # pylint: disable=broad-exception-raised
            return send(accounts, email=email)

        def cpu_used():
            return 61.0 if state["over"] else 1.0

        with (
            patch.object(Account, "_send_reachable_statements", cpu_limited),
            patch.object(run_budget, "cpu_limit", lambda: 60),
            patch.object(run_budget, "cpu_used", cpu_used),
        ):
            crashed = 0
            for _call in range(200):
                self.progress.clear()
                try:
                    self.Run._cron_collection_run()
                except Exception as error:  # pylint: disable=broad-exception-caught
                    self.assertEqual(str(error), CPU_LIMIT_MESSAGE)
                    crashed += 1
                    # Odoo rolls back to the last commit; the next unit of work
                    # has its CPU again
                    self.commit_point.rollback()
                    self.env.invalidate_all(flush=False)
                    state["over"] = False
                    continue
                if not self.progress[-1][1]:
                    break
        self.assertEqual(state["signals"], 1, "the limit was hit once")
        self.assertEqual(crashed, 1, "the call under the limit ended, its batch undone")
        run = self.the_run()
        self.assertRecordValues(
            run, [{"state": "done", "failed_count": 0, "moved_count": ACCOUNTS}]
        )
        self.assertFalse(run.line_ids.filtered(lambda line: line.kind == "failed"))
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, ACCOUNTS)
        self.assertEqual(set(self.accounts.mapped("last_statement_date")), {RUN_DAY})
        letters = self.env["patient.interaction"].search_count(
            [("account_id", "in", self.accounts.ids), ("is_statement", "=", True)]
        )
        self.assertEqual(letters, ACCOUNTS, "one statement each, none twice")

    def test_out_of_memory_in_a_step_is_not_isolated(self):
        Run = type(self.Run)
        failed = []
        with patch.object(Run, "_step_lift_expired_holds", side_effect=MemoryError()):
            for _call in range(20):
                try:
                    self.Run._cron_collection_run()
                except MemoryError:
                    break
                failed = self.the_run().line_ids.filtered(lambda line: line.kind == "failed")
                self.assertFalse(failed, "out of memory recorded as the step failing")
            else:
                self.fail("out of memory never reached Odoo's cron engine")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunBatchSize(RunCommon):
    batch_limit = None  # the run's own limits, as the operator set them

    def escalation_batches(self):
        """(step, records left in it) after each call, until done."""
        seen = []
        for _call in range(200):
            self.progress.clear()
            self.Run._cron_collection_run()
            run = self.the_run()
            seen.append((run.step, run.step_remaining))
            if run.state == "done":
                return seen
        self.fail("the run never finished")

    def test_operator_lowers_the_batch_size(self):
        self.env["ir.config_parameter"].sudo().set_param(BATCH_SIZE_PARAM, "  4 ")
        run = self.Run.browse()
        self.assertIsNone(run._batch_limit("_step_escalate"), "a step called on its own")
        seen = self.escalation_batches()
        # six accounts, four a batch: the escalation and statement steps take two
        self.assertIn(("_step_escalate", ACCOUNTS - 4), seen)
        self.assertIn(("_step_statements", ACCOUNTS - 4), seen)
        run = self.the_run()
        self.assertRecordValues(run, [{"state": "done", "moved_count": ACCOUNTS}])
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, ACCOUNTS)

    def test_batch_size_is_clamped(self):
        Param = self.env["ir.config_parameter"].sudo()
        run = self.Run.sudo().new({"name": "Testrun Clamp"})
        for value, escalate, statements in (
            ("1", BATCH_MIN, BATCH_MIN),
            ("0", 5000, 1000),
            ("999999", 5000, 1000),
            ("-3", 5000, 1000),
            ("many", 5000, 1000),
            ("", 5000, 1000),
        ):
            Param.set_param(BATCH_SIZE_PARAM, value)
            if value in ("0", "-3", "many"):
                # not a positive whole number: ignored, and the log says so
                with self.assertLogs(BATCHES_LOGGER, "WARNING") as logged:
                    limits = (
                        run._batch_limit("_step_escalate"),
                        run._batch_limit("_step_statements"),
                    )
                self.assertIn("is not a positive whole number", logged.output[0])
            else:
                limits = (run._batch_limit("_step_escalate"), run._batch_limit("_step_statements"))
            self.assertEqual(limits, (escalate, statements), value)


@tagged("post_install", "-at_install")
class TestRunStepGone(RunCommon):
    @freeze_time("2030-01-07")
    def test_a_step_no_longer_in_the_run_starts_over_from_its_first_record(self):
        """An upgrade renamed or removed the step a run was in: the run started the
        first step after the old step's cursor, skipping the records before it."""
        self.assertTrue(all(self.accounts.mapped(lambda a: a.aging_date < date(2030, 1, 7))))
        self.Run._cron_collection_run()
        run = self.the_run()
        self.assertEqual(run.step, "_step_refresh_aging")
        ordered = self.accounts.sorted("id")
        self.env.cr.execute(
            "UPDATE patient_collection_run SET step = '_step_gone', step_cursor = %s,"
            " step_remaining = 1 WHERE id = %s",
            [ordered[4].id, run.id],
        )
        self.env.invalidate_all()
        self.cron_until_done()
        self.assertEqual(set(self.accounts.mapped("aging_date")), {date(2030, 1, 7)})
        self.assertEqual(self.the_run().state, "done")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunArchivedCompany(RunCompaniesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_c = cls.setup_other_company(name="Testrun Closed Clinic")["company"]
        cls.accounts_a = cls.overdue(cls.company_a)
        cls.accounts_c = cls.overdue(cls.company_c)

    def test_archived_company_is_not_run(self):
        stage = self.accounts_c.stage_id
        self.company_c.active = False
        runs = self.scheduled_run()
        self.assertEqual(runs.company_id, self.company_a)
        self.assertEqual(self.accounts_a.stage_id, self.first)
        self.assertEqual(
            self.accounts_c.stage_id, stage, "no escalation in a closed practice's name"
        )
        self.assertFalse(self.accounts_c.last_statement_date, "no statement either")

    def test_run_of_a_company_archived_mid_run_is_closed(self):
        run_c = self.Run.sudo()._open_run(self.company_c, "cron", RUN_DAY)
        self.company_c.active = False
        self.Run.sudo()._cron_collection_run()
        self.assertEqual(run_c.state, "interrupted")
        self.assertFalse(self.accounts_c.last_statement_date)


@tagged("post_install", "-at_install")
class TestRunMidnight(RunCommon):
    def test_run_crossing_midnight_is_its_days_and_the_next_night_runs(self):
        """A practice at UTC-3: the scheduled action at 02:00 UTC is its 23:00.  A
        run still going at midnight was closed "not finished" and a run of the new
        day started at once, which then stood in for the next night's: that one
        did nothing (the new day's payments and promises waited a day)."""
        self.env.company.collections_tz = "America/Sao_Paulo"
        day, next_day = date(2026, 6, 1), date(2026, 6, 2)
        with freeze_time("2026-06-02 02:50:00"):  # 23:50 on June 1 at the practice
            for _call in range(3):
                self.Run._cron_collection_run()
            [run] = self.runs()
            self.assertRecordValues(run, [{"date": day, "state": "running"}])
        with freeze_time("2026-06-02 03:05:00"):  # 00:05 on June 2: batches go on
            self.cron_until_done()
        self.assertRecordValues(
            self.runs(), [{"date": day, "state": "done", "moved_count": ACCOUNTS}]
        )
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, ACCOUNTS)
        letters = self.env["patient.interaction"].search_count(
            [("account_id", "in", self.accounts.ids), ("is_statement", "=", True)]
        )
        self.assertEqual(letters, ACCOUNTS, "one statement each")
        with freeze_time("2026-06-02 03:20:00"):  # a call left over from its last batches
            self.cron_until_done()
        self.assertEqual(len(self.runs()), 1, "still that night's run: no run of June 2 yet")
        with freeze_time("2026-06-03 02:00:00"):  # the next night, 23:00 on June 2
            self.cron_until_done()
        self.assertRecordValues(
            self.runs(),
            [{"date": day, "state": "done"}, {"date": next_day, "state": "done"}],
        )

    def test_run_given_up_is_closed_by_the_next_night(self):
        day = date(2026, 6, 1)
        with freeze_time("2026-06-01 20:00:00"):
            for _call in range(3):
                self.Run._cron_collection_run()
        with freeze_time("2026-06-02 20:00:00"):  # nothing since: the run was given up
            self.cron_until_done()
        runs = self.runs()
        self.assertRecordValues(
            runs,
            [
                {"date": day, "state": "interrupted", "moved_count": 0},
                {"date": date(2026, 6, 2), "state": "done", "moved_count": ACCOUNTS},
            ],
        )
