"""The collections run in batches, on Odoo's cron engine.

A run is one record per company and day.  It goes step after step, each step
batch after batch: the step reads the run's cursor (``step_cursor``, the last id
it processed), processes at most :meth:`_batch_limit` records after it and
returns a :class:`StepBatch` while records remain (``None``: the step is over).
The batch's counts are added to the run's lines and the cursor moves, in the
batch's own transaction: the scheduled action commits after every batch (the
only place that commits) and tells the cron engine what remains
(``ir.cron._notify_progress``), so that Odoo calls it again until nothing does.
Killed at any point, the next call resumes after the last committed batch:
nothing is done twice.  Each batch holds a lock of its company
(``pg_try_advisory_xact_lock``): two workers never process the same company's
accounts at the same time.  A batch that outgrows the workers' limits: the
system parameter ``patient_collections.run_batch_size`` lowers every step's
batch (never above the step's own limit).  A run still going on at midnight is
its own day's to the end; one given up on an earlier day is closed "not
finished".  The worker running out (its CPU limit, memory) is never taken for
accounts that failed (``patient_collection_run_isolation.is_worker_limit``).
"""

import logging
import math
from datetime import timedelta
from typing import NamedTuple

from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic.run_counts import RunCounts
from . import patient_collection_run_budget as run_budget
from .patient_collection_run import BATCH_SIZE
from .patient_protected import trusted

# the first key of the run's advisory locks ("PCRN"), the company id the second
LOCK_SPACE = 0x5043524E
# statements render a PDF each (15-40 ms): their batches also stop at the
# batch's deadline (see patient_collection_run_budget.py)
BATCH_LIMITS = {"_step_statements": 1000}
# an operator whose worker limits a batch outgrows (killed at the same batch unit
# of work after unit of work) lowers every step's batch with this system parameter;
# clamped: never over a step's own limit (a value that is no positive whole
# number is ignored)
BATCH_SIZE_PARAM = "patient_collections.run_batch_size"
# a run of an earlier day with a batch this recent is still going on (the cron
# engine's calls follow each other within minutes); older, it was given up
RUN_GOES_ON = timedelta(hours=1)

_logger = logging.getLogger(__name__)


class RunBusyError(UserError):
    """The company's run is under way in another transaction."""


class StepBatch(NamedTuple):
    """What a step did in one batch: resume after ``last_id``; ``remaining``
    records still to process in this step."""

    last_id: int
    remaining: int


class BatchProgress(NamedTuple):
    """Batches done by one call, and batches still to run (at least): the rest of
    the current steps plus one per step not started yet."""

    runs: models.BaseModel
    done: int
    remaining: int
    busy: models.BaseModel  # companies another worker was running
    conflict: bool = False  # a batch was undone by a concurrent update


class PatientCollectionRun(models.Model):
    _inherit = "patient.collection.run"

    state = fields.Selection(
        [("running", "Running"), ("done", "Done"), ("interrupted", "Not finished")],
        # the runs made before batches were all done; a new run starts as running
        default="done",
        readonly=True,
        required=True,
        help="Running: the run goes on batch after batch (the scheduled action resumes it). "
        "Not finished: a run of an earlier day that never finished.",
    )
    step = fields.Char(readonly=True, help="The step in progress.")
    step_cursor = fields.Integer(
        readonly=True, default=0, help="The last record the step processed."
    )
    step_remaining = fields.Integer(
        readonly=True, default=0, help="Records the step in progress still has to process."
    )
    batch_count = fields.Integer(string="Batches", readonly=True)
    last_batch_at = fields.Datetime(
        string="Last Batch", readonly=True, help="When the run last finished a batch."
    )

    def init(self):
        res = super().init()
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS patient_collection_run_one_running
                ON patient_collection_run (company_id) WHERE state = 'running'
            """
        )
        return res

    # ------------------------------------------------------------ the driver

    @api.model
    def _run_in_batches(self, companies, trigger, budget=None, after_batch=None):
        """Run batches of today's run of each company until every run is done or
        the :class:`RunBudget` ``budget`` is spent (one batch at least when the
        budget says so: Run now, ``run()`` in a request, a cron chain's first
        call); without a budget, until every run is done.
        ``after_batch(progress)`` after each batch (the scheduled action commits
        there).  A company whose lock another worker holds is left to it; a
        scheduled run of a company whose run of today is done does
        nothing (a trigger left over from its last batches)."""
        runs = self.browse()
        busy = self.env["res.company"]
        done = 0
        for company in companies.sorted("id"):
            while True:
                # the first batch runs whatever is left when the budget says so (Run
                # now and run() in a request; a cron chain's first call: Odoo moves a
                # job reporting nothing done to its next day)
                first = not done and bool(budget) and budget.at_least_one
                if budget and not first and not budget.allows_batch():
                    break
                if not self._lock_company(company):
                    busy |= company
                    break
                try:
                    run = self._todays_run(company, trigger)
                except RunBusyError:
                    if trigger != "cron":
                        raise
                    # a Run now committed the company's run after this call's
                    # snapshot: the company is that run's (its hand-over brings
                    # this action back for the rest), the other companies go on;
                    # raised, the night's run of every company was moved to tomorrow
                    busy |= company
                    break
                runs |= run
                if run.state == "done":
                    break
                try:
                    with self.env.cr.savepoint():
                        run._run_batch(company, budget.batch_deadline() if budget else None)
                except TransactionRollbackError:
                    if trigger != "cron":
                        raise  # a request is retried whole by Odoo
                    # a concurrent update (a payment posted on an account of the
                    # batch): the batch is undone; it runs again in the next call,
                    # a new transaction (this one's snapshot would conflict again)
                    _logger.info("Collections run %s: batch undone by a concurrent update", run.id)
                    return self._progress(runs, companies, busy, done)._replace(conflict=True)
                done += 1
                if after_batch:
                    after_batch(self._progress(runs, companies, busy, done))
                if run.state == "done":
                    break
        return self._progress(runs, companies, busy, done)

    @api.model
    def _progress(self, runs, companies, busy, done):
        """The batches still to run for ``companies`` (the busy ones excepted; of
        those not reached yet, their run under way, else all the steps)."""
        steps = len(self._collection_steps())
        pending = companies - runs.company_id - busy
        started = runs.filtered(lambda run: run.state == "running")
        if pending:
            started |= self.sudo().search(
                [("company_id", "in", pending.ids), ("state", "=", "running")]
            )
        remaining = sum(run._batches_left() for run in started)
        remaining += steps * len(pending - started.company_id)
        return BatchProgress(runs, done, remaining, busy)

    def _batches_left(self):
        """At least how many batches this run still has to run."""
        self.ensure_one()
        steps = self._collection_steps()
        after = len(steps) - steps.index(self.step) - 1 if self.step in steps else len(steps)
        limit = self._batch_limit(self.step) or 1
        return after + max(math.ceil(self.step_remaining / limit), 1)

    @api.model
    def _lock_company(self, company):
        """Hold the lock of ``company``'s run until the end of this transaction;
        False when another transaction holds it."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", LOCK_SPACE, company.id))
        return self.env.cr.fetchone()[0]

    @api.model
    def _lock_companies(self, companies):
        """Take the locks of ``companies``' runs for this transaction (one query);
        the companies whose lock another transaction holds."""
        if not companies:
            return companies
        self.env.cr.execute(
            SQL(
                "SELECT id FROM unnest(%s::int[]) AS id"
                " WHERE NOT pg_try_advisory_xact_lock(%s, id)",
                companies.sorted("id").ids,
                LOCK_SPACE,
            )
        )
        return companies.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _todays_run(self, company, trigger):
        """The run of ``company`` under way today, else a new one (a run of an
        earlier day still going on past midnight is that run; one given up is
        closed as not finished).  The scheduled action
        runs once a day: when its run of today is done and no "Run now" finished
        after it, it is that run (done); a "Run now" earlier that day does not
        stand in for it (the evening's payments and promises are the night's)."""
        today = company._patient_today()  # the date of record: the company's calendar
        running = self.sudo().search(
            [("company_id", "=", company.id), ("state", "=", "running")], limit=1
        )
        if running.date == today or running._goes_on():
            # a run that crossed midnight batch after batch is its own day's to the
            # end: interrupted there and started over, the next day's run was done
            # at midnight and the next night's scheduled one did nothing
            return running
        if running:
            running._close("interrupted")
        if trigger == "cron":
            finished = self.sudo().search(
                [
                    ("company_id", "=", company.id),
                    ("date", ">=", today - timedelta(days=1)),
                    ("state", "=", "done"),
                ],
                order="id desc",
                limit=1,
            )
            # yesterday's, when it finished past midnight moments ago: a call left
            # over from its last batches is still that night's, not the next one's
            if finished.trigger == "cron" and (finished.date == today or finished._goes_on()):
                return finished
        return self._open_run(company, trigger, today)

    def _goes_on(self):
        """Whether this run of an earlier day is still going on (or has just ended):
        a batch of it (or its start) less than ``RUN_GOES_ON`` ago.  One left
        longer (a worker stopped, the night's chain given up) is not finished, and
        closed as such."""
        if not self:
            return False
        self.ensure_one()
        last = self.last_batch_at or self.started_at
        return bool(last) and fields.Datetime.now() - last <= RUN_GOES_ON

    def _run_batch(self, company, deadline=None):
        """One batch of this run's current step, its counts added to the run, the
        cursor moved on (to the next step when this one is over); a step that can
        stops its batch at ``deadline`` (``run_budget.monotonic()``)."""
        self.ensure_one()
        steps = self._collection_steps()
        if self.step and self.step not in steps:
            # a step no longer in the run (renamed or removed by an upgrade): its
            # cursor is no other step's, the run starts over from the first step
            trusted(self).write({"step": steps[0], "step_cursor": 0, "step_remaining": 0})
        step = self.step if self.step in steps else steps[0]
        run = self.with_context(tz=company._patient_tz(), patient_run_deadline=deadline)
        counts = RunCounts()
        started = run_budget.monotonic()
        batch = run._run_step(step, company, self.date, counts)
        self._record(counts)
        self._advance(step, steps, batch)
        _logger.info(
            "Collections run %s: batch %s of %s in %.1fs, %s left in the step",
            self.id,
            self.batch_count,
            step,
            run_budget.monotonic() - started,
            batch.remaining if batch else 0,
        )

    def _batch_time_left(self):
        """Seconds left to this batch's deadline (inf when it has none)."""
        deadline = self.env.context.get("patient_run_deadline")
        return math.inf if deadline is None else deadline - run_budget.monotonic()

    def _advance(self, step, steps, batch):
        """The cursor after a batch: the same step after ``batch.last_id`` while it
        has records left, else the next step from its start, else the run is done."""
        vals = {
            "batch_count": self.batch_count + 1,
            "step_remaining": 0,
            "step_cursor": 0,
            "last_batch_at": fields.Datetime.now(),
        }
        if batch and batch.remaining:
            vals.update(step=step, step_cursor=batch.last_id, step_remaining=batch.remaining)
        elif step != steps[-1]:
            vals["step"] = steps[steps.index(step) + 1]
        trusted(self).write(vals)
        if not (batch and batch.remaining) and step == steps[-1]:
            self._close("done")

    def _close(self, state):
        trusted(self).write({"state": state, "ended_at": fields.Datetime.now()})

    # ------------------------------------------------------------ for the steps

    def _batch_limit(self, step):
        """How many records a batch of ``step`` processes at most (None: all, when a
        step is called on its own, without a run)."""
        if not self:
            return None
        limit = BATCH_LIMITS.get(step, BATCH_SIZE)
        configured = self._configured_batch_size()
        return min(limit, configured) if configured else limit

    @api.model
    def _configured_batch_size(self):
        """The batch size the operator set (``BATCH_SIZE_PARAM``), else None (a
        value that is no positive whole number is ignored, and the log says so)."""
        value = self.env["ir.config_parameter"].sudo().get_param(BATCH_SIZE_PARAM)
        if not value:
            return None
        try:
            size = int(str(value).strip())
        except ValueError:
            size = 0
        if size <= 0:
            _logger.warning(
                "Collections run: %s is not a positive whole number; the default batch "
                "sizes apply.",
                BATCH_SIZE_PARAM,
            )
            return None
        return size

    def _step_window(self, records, domain, step):
        """The records of ``step``'s next batch: after the run's cursor, at most the
        batch limit, by id; and the :class:`StepBatch` to return for them."""
        limit = self._batch_limit(step)
        domain = [("id", ">", self.step_cursor), *domain] if self else list(domain)
        batch = records.search(domain, order="id", limit=limit)
        remaining = 0
        if limit and len(batch) == limit:
            remaining = records.search_count([("id", ">", batch[-1].id), *domain])
        return batch, (StepBatch(batch[-1].id, remaining) if remaining else None)

    @api.model
    def _check_not_busy(self, companies):
        """Refuse a run (Run now, ``run()``) of ``companies`` another worker runs."""
        if companies:
            raise self._busy_error(companies)

    @api.model
    def _busy_error(self, companies):
        return RunBusyError(
            self.env._(
                "A collections run of %(companies)s is under way in the background; "
                "try again when it has finished.",
                companies=", ".join(companies.sudo().mapped("name")),
            )
        )
