"""The nightly run in batches on Odoo's cron engine (issue 15): one run record per
company and day accumulates the counts of its batches, the cron engine is told
what remains, a run killed in the middle of a batch resumes to the state an
uninterrupted run reaches, two workers never run one company at once, and the
manager's Run now leaves what it cannot finish to the scheduled action."""

import math
from contextlib import ExitStack
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

import odoo
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.patient_collection_run_batches import LOCK_SPACE
from .common_run import CollectionRunCommon

RUN_DAY = date(2026, 6, 1)
ACCOUNTS = 6
LIMIT = 2


class Killed(BaseException):
    """The worker killed at its time limit: nothing of the batch under way stays."""


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunBatches(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        partners = cls.env["res.partner"].create(
            [{"name": f"Testbatch Person {n}", "is_patient": True} for n in range(ACCOUNTS)]
        )
        cls.accounts = cls.Account
        for partner in partners:
            due = RUN_DAY - timedelta(days=40)
            cls.accounts |= cls.make_invoice(partner, 100.0, due, due_date=due).patient_account_id
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
        stack.enter_context(
            patch.object(Run, "_batch_limit", lambda run, step: LIMIT if run else None)
        )
        stack.enter_context(patch.object(Run, "_cron_seconds", lambda model: 0))
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
        # called again (a new trigger): a new run, which changes nothing
        self.cron_until_done()
        again = self.Run.search([("company_id", "=", self.env.company.id)], limit=1)
        self.assertNotEqual(again, run)
        self.assertEqual((again.state, again.moved_count), ("done", 0))
        self.assertNotIn("statement_sent", again.line_ids.mapped("kind"))

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
        send = Account._send_statements
        kills = []

        def killed_after_three(accounts, email=False):
            # the third account's statement is made, then the worker dies
            sent = sum(1 for a in self.accounts if a.last_statement_date == RUN_DAY)
            if not kills and sent + len(accounts) > 3:
                send(accounts[: 3 - sent], email=email)
                kills.append(accounts.ids)
                raise Killed
            return send(accounts, email=email)

        with patch.object(Account, "_send_statements", killed_after_three):
            self.cron_until_done()
        self.assertTrue(kills, "the run was killed in the middle of a batch")
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
