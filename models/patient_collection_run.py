"""The daily collections run: its record and its entry points.

Where the rest lives: the steps in ``patient_collection_run_steps.py`` (and one
file per larger step: ``_statements``, ``_escalation``, ``_writeoff``,
``_snapshot``), failure isolation in ``patient_collection_run_isolation.py``, the
lines of counts in ``patient_collection_run_line.py``; the counts themselves are
the named records of ``logic/run_counts.py``.
"""

import threading

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.tools import SQL, mute_logger
from odoo.tools.misc import format_date

from ..logic.run_counts import RunCounts
from .client_actions import sticky_warning
from .patient_collection_run_budget import RunBudget
from .patient_protected import is_trusted, trusted

BATCH_SIZE = 5000
# how long the manager's Run now runs batches before it leaves the rest to the
# scheduled action (seconds)
RUN_NOW_SECONDS = 30
MANAGER_GROUP = "patient_collections.group_collections_manager"

# the counts of a run, under their former name (benches build them)
RunStats = RunCounts


class PatientCollectionRun(models.Model):
    _name = "patient.collection.run"
    _description = "Daily Collections Run"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "id desc"
    # a record of what happened: written by the run only
    _protected_immutable = True

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Run now")], readonly=True, required=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    line_ids = fields.One2many("patient.collection.run.line", "run_id", readonly=True)
    moved_count = fields.Integer(readonly=True, default=0)
    skipped_count = fields.Integer(readonly=True, default=0)
    failed_count = fields.Integer(
        readonly=True,
        default=0,
        help="Accounts the run could not process: they were left as they were.",
    )
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Files",
        domain=[("res_model", "=", "patient.collection.run")],
        readonly=True,
    )
    # its counts in the reader's language (the lines' names), not in the one of
    # whoever ran it: the nightly run runs as the superuser
    summary = fields.Text(compute="_compute_summary")

    @api.depends("name", "date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """The run in the reader's language ("Collections run of 12/02/2026").  The stored
        ``name`` keeps the ISO date: a key written once, read and searched alike
        in every language and sorted by its text."""
        for run in self:
            run.display_name = (
                self.env._("Collections run of %(date)s", date=format_date(self.env, run.date))
                if run.date
                else run.name
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise self._protected_immutable_refusal()
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return AccessError(
            self.env._("A collections run record documents what happened: it cannot be changed.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A collections run record cannot be deleted."))

    # ------------------------------------------------------------ entry points

    @api.model
    def _cron_collection_run(self):
        """The scheduled run: batches committed one by one while this unit of work
        of the cron worker has time left (the budget the calls Odoo chains share,
        see ``patient_collection_run_budget.py``); Odoo calls again while batches
        remain (``ir.cron._notify_progress``), and a trigger brings the cron
        worker back at once for the rest."""
        self._check_may_run("cron")
        Cron = self.env["ir.cron"]
        budget = self._cron_budget()
        chain = budget.chain

        def commit(progress):
            chain.done += 1
            Cron._notify_progress(done=chain.done, remaining=progress.remaining)
            self._commit_batch()

        companies = self._run_companies(None)
        if not self._scheduled_call_due():
            # woken before its time by a trigger (a manager's Run now handing its
            # rest over): the runs under way are finished, none is started, so
            # the night's run still comes at its hour
            companies = self._companies_running_today(companies)
        else:
            self._close_runs_of_archived_companies()
        progress = self._run_in_batches(companies, "cron", budget=budget, after_batch=commit)
        # done: what this unit of work did, not this call.  Odoo calls again while
        # some is done and some remains; a call reporting nothing done (while some
        # remains) is taken for a job without the progress API: "completed", moved
        # to its next day, its triggers deleted.  So the calls that follow the spent
        # budget in a unit of work report the chain's total and return at once
        # (about 10 ms each); after the tenth Odoo reschedules the job at once and
        # the trigger below brings the worker back for the rest.
        if progress.conflict and not chain.done:
            # a batch undone by a concurrent update before any was done: a call
            # reporting nothing done is taken as failed (the night's run moved to
            # tomorrow); reported as work under way, Odoo calls again at once
            chain.done = 1
        Cron._notify_progress(done=chain.done, remaining=progress.remaining)
        if progress.remaining and not chain.triggered:
            chain.triggered = True
            self.env.ref("patient_collections.ir_cron_collection_run").sudo()._trigger()
        return progress.runs

    @api.model
    def _open_todays_runs(self, companies, trigger):
        """Today's run of each of ``companies`` (locked by this transaction), opened
        before a request runs batches for a while: a company the request has no
        time to reach has its run under way, which the scheduled action woken for
        the rest finishes (it starts no run before its hour)."""
        for company in companies.sorted("id"):
            self._todays_run(company, trigger)

    @api.model
    def _scheduled_call_due(self):
        """Whether this call of the scheduled action is its scheduled one (or one
        Odoo chains to it): its next call's time has come.  A call without the
        job in its context ("Run Manually" on the scheduled action) is one too."""
        cron_id = self.env.context.get("cron_id")
        if not cron_id:
            return True
        self.env.cr.execute(
            SQL(
                "SELECT nextcall <= (now() AT TIME ZONE 'UTC') FROM ir_cron WHERE id = %s",
                cron_id,
            )
        )
        row = self.env.cr.fetchone()
        return bool(row and row[0])

    @api.model
    def _close_runs_of_archived_companies(self):
        """A company archived while its run was under way is not run any more: its
        run is closed as not finished, not left running for ever."""
        running = self.sudo().search([("state", "=", "running")])
        for run in running.filtered(lambda run: not run.company_id.active):
            run._close("interrupted")

    @api.model
    def _companies_running_today(self, companies):
        """Those of ``companies`` with a run of their today under way (or a run of
        an earlier day still going on, batch after batch, past midnight)."""
        running = self.sudo().search(
            [("company_id", "in", companies.ids), ("state", "=", "running")]
        )
        todays = companies._patient_todays()
        return companies.filtered(
            lambda company: any(
                run.company_id == company and (run.date == todays[company.id] or run._goes_on())
                for run in running
            )
        )

    @api.model
    def _cron_budget(self):
        """The time this call may take: what the worker's limits leave to the calls
        Odoo chains in this unit of work (``cron_id`` in Odoo's context)."""
        return RunBudget.for_cron(self.env.cr, self.env.context.get("cron_id"))

    def _commit_batch(self):
        """Commit the batch just run (the scheduled action only; tests replace
        this, the one commit of the run), then read everything afresh: another
        worker may go on from here."""
        if getattr(threading.current_thread(), "testing", False):
            return
        # the one commit of the module: a scheduled action's batch, Odoo's way of
        # running long jobs (the cron engine calls again while batches remain)
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.env.invalidate_all()

    @api.model
    def _run_now_seconds(self):
        return RUN_NOW_SECONDS

    def action_run_now(self):
        """Run today's runs of the manager's companies in this request, for as long
        as ``RUN_NOW_SECONDS`` and the worker's limits allow; what remains is left
        to the scheduled action, started at once, and the manager is told so.  A
        company whose run another worker is running: refused, nothing run."""
        self._check_may_run("manual")
        companies = self._run_companies(self.env.companies)
        self._check_not_busy(self._lock_companies(companies))
        self._open_todays_runs(companies, "manual")
        progress = self._run_in_batches(companies, "manual", budget=self._request_budget())
        self._check_not_busy(progress.busy)
        action = self._action_open_runs(progress.runs.with_env(self.env))
        if not progress.remaining:
            return action
        self._hand_over_rest()
        return sticky_warning(
            self.env._(
                "The collections run did part of the work now; the scheduled action "
                "finishes the rest in the background (%(batches)s batches at least). "
                "Open Collections Runs later to see its counts.",
                batches=progress.remaining,
            ),
            action,
            title=self.env._("The run goes on in the background"),
        )

    @api.model
    def _request_budget(self):
        """A run in a request: ``RUN_NOW_SECONDS`` at most, within what the HTTP
        worker's limits leave (a worker past them is killed, its work lost)."""
        return RunBudget.for_request(self._run_now_seconds())

    @api.model
    def _hand_over_rest(self):
        """Start the scheduled action at once for what a request left."""
        self.env.ref("patient_collections.ir_cron_collection_run").sudo()._trigger()

    def _action_open_runs(self, runs):
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": self.env._("Collections Runs"),
        }
        if len(runs) == 1:
            return {**action, "res_id": runs.id, "view_mode": "form", "views": [(False, "form")]}
        return {
            **action,
            "domain": [("id", "in", runs.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }

    @api.model
    @api.returns("self")
    def run(self, companies=None, trigger="manual"):
        """Perform the daily collections run and return the records documenting it,
        one per company, in this transaction (the scheduled action commits batch
        after batch instead).

        The scheduled action runs it for every company with patient accounts; a
        manager runs it for the companies they are working in (their active
        companies, among those they belong to).  An account that cannot be
        processed in a step is left as it was and recorded on its company's run;
        every other account is processed.  A run of the company that the scheduled
        action left unfinished today is finished.  Called in an HTTP request (over
        RPC), it runs batches for the time Run now has (the worker's limits) and
        leaves the rest to the scheduled action, started at once: its runs may be
        returned running (over RPC: their ids).
        """
        self._check_may_run(trigger)
        if trigger == "cron" and not self.env.su:
            # the run's record says who started it: the scheduled action calls
            # _cron_collection_run, a client's run is never the scheduled one
            raise AccessError(
                self.env._("Only the scheduled action starts a scheduled collections run.")
            )
        companies = self._run_companies(companies)
        self._check_not_busy(self._lock_companies(companies))
        budget = self._request_budget() if request else None
        if budget:
            self._open_todays_runs(companies, trigger)
        progress = self._run_in_batches(companies, trigger, budget=budget)
        self._check_not_busy(progress.busy)
        if progress.remaining and budget:
            self._hand_over_rest()
        return progress.runs.with_env(self.env)

    @api.model
    def _check_may_run(self, trigger):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only collections managers can start the collections run.")
            )
        if not isinstance(trigger, str) or trigger not in dict(self._fields["trigger"].selection):
            raise UserError(self.env._("Unknown trigger of a collections run."))

    @api.model
    def _run_companies(self, companies):
        """The companies to run: those asked (a manager's own companies only), else
        every company with patient accounts (the scheduled run) or the manager's
        active companies."""
        Company = self.env["res.company"].sudo()
        if companies is None:
            if not self.env.su:
                return self.env.companies
            with_accounts = self.env["patient.account"].sudo().with_context(active_test=False)
            # an archived company (a practice closed or sold) is not run: no statement,
            # no escalation goes out in its name any more
            return Company.browse(
                [company.id for [company] in with_accounts._read_group([], ["company_id"])]
            ).filtered("active")
        if not isinstance(companies, models.BaseModel) or companies._name != "res.company":
            raise UserError(self.env._("The collections run takes companies (res.company)."))
        if not self.env.su:
            foreign = companies - self.env.user.company_ids
            if foreign:
                raise AccessError(
                    self.env._("You can only run collections for the companies you belong to.")
                )
        return companies

    @api.model
    def _open_run(self, company, trigger, today):
        """The record of a new run of ``company``.  Another transaction may have
        started one since this one's snapshot (the company's lock comes after it):
        the index of one running run per company refuses the second, and the
        caller is told the company's run is under way."""
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                return self._create_run(company, trigger, today)
        except pg_errors.UniqueViolation as error:
            if error.diag.constraint_name != "patient_collection_run_one_running":
                raise
            raise self._busy_error(company) from None

    @api.model
    def _create_run(self, company, trigger, today):
        return trusted(self.sudo().with_company(company)).create(
            {
                # ISO: a key, the same in every language (shown by display_name)
                "name": self.env._("Collections run of %(date)s", date=today),
                "date": today,
                "started_at": fields.Datetime.now(),
                "user_id": self.env.user.id,
                "trigger": trigger,
                "company_id": company.id,
                "state": "running",
            }
        )

    # ------------------------------------------------------------ what it did

    def _record(self, counts):
        """Add the counts of a batch to the run: to its lines of the same kind,
        stage and reason (new lines for the others), a line per account it could
        not process, and to its totals."""
        self.ensure_one()
        existing = {
            (line.kind, line.stage_id.id, line.reason or False): line
            for line in self.line_ids
            if line.kind != "failed"
        }
        new_lines = []
        for vals in counts.line_values():
            key = (vals["kind"], vals.get("stage_id") or False, vals.get("reason") or False)
            line = existing.get(key) if vals["kind"] != "failed" else None
            if line:
                trusted(line).write({"count": line.count + vals["count"]})
            else:
                new_lines.append(fields.Command.create(vals))
        failed = {line.account_id.id for line in self.line_ids if line.kind == "failed"}
        failed |= {failure.account_id for failure in counts.failures}
        trusted(self).write(
            {
                "line_ids": new_lines,
                "moved_count": self.moved_count + counts.count_of("moved"),
                "skipped_count": self.skipped_count + counts.count_of("skipped"),
                "failed_count": len(failed - {False}),
            }
        )

    @api.depends("line_ids.count", "line_ids.display_name")
    @api.depends_context("lang")
    def _compute_summary(self):
        for run in self:
            run.summary = "\n".join(f"{line.display_name}: {line.count}" for line in run.line_ids)
