"""The manager's Run now hands what it could not finish to the scheduled action:
woken by that trigger before its hour, the scheduled action finishes the runs
under way and starts no other, so the night's run of every company still comes
at its hour (before: the hand-off's call started every other company's run of
the day in the morning, and the night's call found them done and skipped them)."""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.patient_collection_run_budget import Chain, RunBudget
from .test_run_companies import RunCompaniesCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 17:00:00")
class TestRunNowHandOff14(RunCompaniesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts_a = cls.overdue(cls.company_a) | cls.overdue(cls.company_a)
        cls.accounts_b = cls.overdue(cls.company_b)
        cls.cron = cls.env.ref("patient_collections.ir_cron_collection_run").sudo()

    def next_call_in(self, interval):
        """The scheduled action's next call, from the database's clock (Odoo's cron
        engine compares it with that clock, not with the frozen one)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') + %s::interval WHERE id = %s",
            [interval, self.cron.id],
        )
        self.env.invalidate_all()

    def cron_call(self):
        """A call of the scheduled action as Odoo's cron engine makes it (the job in
        the context), with time for every batch."""
        Run = type(self.Run)
        budget = RunBudget(chain=Chain(self.cron.id, 0.0, 0.0))
        with patch.object(Run, "_cron_budget", lambda model: budget):
            return self.Run.sudo().with_context(cron_id=self.cron.id)._cron_collection_run()

    def test_hand_off_finishes_the_run_now_and_leaves_the_night_its_runs(self):
        self.next_call_in("10 hours")  # the night's call is still to come
        manager_a = self.role_user(self.company_a, "manager")
        with patch.object(type(self.Run), "_run_now_seconds", lambda model: 0):
            action = self.as_user(self.Run, manager_a).action_run_now()
        run = self.Run.sudo().browse(action["params"]["next"]["res_id"])
        self.assertEqual((run.state, run.trigger), ("running", "manual"))
        # the trigger wakes the scheduled action: it finishes the manager's run
        self.cron_call()
        self.assertEqual(run.state, "done")
        self.assertEqual(self.accounts_a.stage_id, self.first)
        self.assertEqual(self.Run.sudo().search([]), run, "no other run started")
        new = self.env.ref("patient_collections.stage_new")
        self.assertEqual(self.accounts_b.sudo().stage_id, new, "company B waits for the night")
        # a leftover trigger before the hour: still nothing
        self.cron_call()
        self.assertEqual(self.Run.sudo().search([]), run)
        # the night's hour: the scheduled run of each company
        self.next_call_in("-1 minute")
        self.cron_call()
        nightly = self.Run.sudo().search([("trigger", "=", "cron")])
        self.assertEqual(nightly.company_id, self.company_a | self.company_b)
        self.assertEqual(set(nightly.mapped("state")), {"done"})
        self.assertEqual(self.accounts_b.sudo().stage_id, self.first)

    def test_hand_off_finishes_every_company_run_now_had_no_time_for(self):
        """A manager of both practices, working in both: Run now has time for
        company A's first batch only; company B, not reached, has its run under way
        too, and the scheduled action woken for the rest finishes both (before, B
        had no run, so the woken action skipped it, although the manager was told
        the rest would be finished)."""
        self.next_call_in("10 hours")
        manager = self.role_user(self.company_a, "manager")
        manager.sudo().write({"company_ids": [(4, self.company_b.id)]})
        both = self.company_a | self.company_b
        Run = self.Run.with_user(manager).with_context(allowed_company_ids=both.ids)
        with patch.object(type(self.Run), "_run_now_seconds", lambda model: 0):
            Run.action_run_now()
        runs = self.Run.sudo().search([])
        self.assertEqual(runs.company_id, both)
        self.assertEqual(set(runs.mapped("state")), {"running"})
        self.cron_call()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertEqual(self.Run.sudo().search([]), runs, "no other run started")
        self.assertEqual((self.accounts_a | self.accounts_b).sudo().stage_id, self.first)
