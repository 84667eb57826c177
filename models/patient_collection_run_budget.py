"""How long the collections run may go on in one unit of work of Odoo's cron engine.

Odoo 18's cron engine (``ir.cron._run_job``) calls a job again, on the same cursor,
while it reports work remaining, up to ``MAX_BATCH_PER_CRON_JOB`` calls: one unit
of work of the worker, and the worker's limits count the chained calls together.

- Under ``--workers`` (``odoo/service/server.py``, ``WorkerCron``): before each
  unit of work ``check_limits`` sets ``RLIMIT_CPU`` to the CPU time used so far
  plus ``limit_time_cpu`` (SIGXCPU past it), then the worker sends its heartbeat
  and sleeps up to ``SLEEP_INTERVAL`` (+ pid % 10) seconds unless a cron trigger
  wakes it; the master kills it ``limit_time_real_cron`` seconds after that
  heartbeat.  So a chain has the CPU the limit leaves, and the wall time of the
  limit less the sleep that may have preceded it, counted from its first call.
- In threaded mode the cron thread's ``start_time`` marks the start of the unit
  of work, and ``limit_time_real_cron`` runs from there; there is no CPU limit.

A :class:`RunBudget` is that allowance, less a margin; the run starts a batch
only while the budget has :data:`BATCH_FLOOR` seconds left, and the statement
step stops its batch at the batch's own deadline (:data:`BATCH_SECONDS`).  The
first call of a chain runs one batch whatever is left (the statement step then
sends one small chunk): Odoo takes a first call that reports nothing done for a
job with nothing to do and moves it to its next day.  Limits that leave less
than :data:`BATCH_FLOOR` are told once per unit of work in the log.

A request's Run now (:meth:`RunBudget.for_request`) has the smaller of its own
seconds and what the HTTP worker's limits leave (its ``RLIMIT_CPU`` and
``limit_time_real`` from the request's start).
"""

import logging
import math
import resource
import threading
import time
import weakref
from dataclasses import dataclass

from odoo.service.server import SLEEP_INTERVAL
from odoo.tools import config

# a batch of the run goes on for this long at most (the statement step stops
# between chunks of statements past it; the other steps' batches are shorter)
BATCH_SECONDS = 20
# a batch starts only with this much of the budget left
BATCH_FLOOR = 5
# what the budget keeps back: a chunk past the batch deadline, the commit, Odoo's
# own work around the calls
MARGIN = 10
# the sleep that may precede a cron worker's unit of work, after its heartbeat
SLEEP_ALLOWANCE = SLEEP_INTERVAL + 10
# without any time limit, a chain of calls goes on for this long
UNLIMITED_SECONDS = 60
# an HTTP worker's heartbeat comes before its wait for a request (PreforkServer.beat)
HTTP_SLEEP_ALLOWANCE = 4
# consecutive calls of one chain follow each other at once (Odoo commits a
# progress record in between); a longer pause starts a new chain
CHAIN_GAP = 5


@dataclass
class Chain:
    """The calls of the scheduled action on one cursor of Odoo's cron engine."""

    cron_id: int
    started: float  # monotonic() of its first call
    last: float  # monotonic() when a call last asked for the budget (its calls do, between batches)
    done: int = 0  # batches done by its calls
    triggered: bool = False
    cpu_started: float = 0.0  # cpu_used() at its first call
    warned: bool = False  # the log was told the limits leave too little


_logger = logging.getLogger(__name__)


# the chain of each job cursor (Odoo's _run_job opens one per unit of work)
_CHAINS = weakref.WeakKeyDictionary()


def monotonic():
    """The clock of the budgets and batch deadlines."""
    return time.monotonic()


def cpu_used():
    """CPU seconds this process used (what RLIMIT_CPU counts)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_limit():
    """The process's CPU limit in seconds (the cron worker's per unit of work), or None."""
    soft = resource.getrlimit(resource.RLIMIT_CPU)[0]
    return None if soft in (resource.RLIM_INFINITY, -1) or soft <= 0 else soft


def real_limit():
    """The wall-time limit of a cron unit of work, or None when there is none."""
    real = config["limit_time_real_cron"]
    if real is None or real < 0:
        real = config["limit_time_real"]
    return real if real and real > 0 else None


def chain_of(cr, cron_id, now=None):
    """The chain the call on ``cr`` belongs to: the cursor's chain while the calls
    follow each other, else a new one (Odoo opens a job cursor per unit of work)."""
    now = monotonic() if now is None else now
    chain = _CHAINS.get(cr)
    if chain is None or chain.cron_id != cron_id or now - chain.last > CHAIN_GAP:
        chain = _CHAINS[cr] = Chain(cron_id, now, now, cpu_started=cpu_used())
    chain.last = now
    return chain


class RunBudget:
    """Seconds left to run batches: to a deadline on the monotonic clock and within
    a CPU-time limit (either may be absent), less :data:`MARGIN`."""

    def __init__(self, deadline=None, cpu=None, chain=None, at_least_one=False):
        self.deadline = deadline
        self.cpu = cpu
        self.chain = chain
        # one batch runs whatever is left (the first call of a chain, a Run now)
        self.at_least_one = at_least_one

    @classmethod
    def wall(cls, seconds):
        return cls(deadline=monotonic() + seconds, at_least_one=True)

    @classmethod
    def for_request(cls, seconds):
        """The budget of a run in an HTTP request: ``seconds`` at most, and what the
        worker's limits leave to the request (the CPU of its ``RLIMIT_CPU``, the
        wall time of ``limit_time_real`` from the request's start, less the
        worker's wait before it), less :data:`MARGIN`; one batch at least."""
        now = monotonic()
        deadline = now + seconds
        real = config["limit_time_real"]
        thread = threading.current_thread()
        started = getattr(thread, "perf_t0", None) or getattr(thread, "start_time", None)
        if real and real > 0 and started:
            request_start = now - max(time.time() - started, 0)
            deadline = min(deadline, request_start + real - HTTP_SLEEP_ALLOWANCE - MARGIN)
        limit = cpu_limit()
        return cls(deadline, None if limit is None else limit - MARGIN, at_least_one=True)

    @classmethod
    def for_cron(cls, cr, cron_id):
        """The budget of a call of the scheduled action: shared with the calls
        chained before it in the same unit of work (``cron_id``: the job, from
        Odoo's context; None when called otherwise, e.g. "Run Manually")."""
        now = monotonic()
        chain = (
            chain_of(cr, cron_id, now) if cron_id else Chain(0, now, now, cpu_started=cpu_used())
        )
        real = real_limit()
        thread_started = getattr(threading.current_thread(), "start_time", None)
        if real and thread_started:  # threaded mode: Odoo's start of the unit of work
            deadline = now - (time.time() - thread_started) + real
        elif real and cron_id:  # a cron worker: its heartbeat came before its sleep
            deadline = chain.started + max(real - SLEEP_ALLOWANCE, real / 3)
        elif real:
            deadline = chain.started + real
        else:
            deadline = chain.started + UNLIMITED_SECONDS
        limit = cpu_limit()
        budget = cls(
            deadline - MARGIN,
            None if limit is None else limit - MARGIN,
            chain,
            at_least_one=not chain.done,
        )
        if cron_id and not chain.warned:
            chain.warned = True
            budget.warn_if_short(real, threaded=bool(thread_started))
        return budget

    def warn_if_short(self, real, threaded=False):
        """Tell the log (once per unit of work, its first call) which limits leave
        the run less than :data:`BATCH_FLOOR` seconds, and the values it needs:
        each unit of work then runs one small batch only."""
        now = monotonic()
        short = []
        if self.deadline is not None and self.deadline - now < BATCH_FLOOR:
            # the wall window of a unit of work must hold the floor and the margin
            window = BATCH_FLOOR + MARGIN
            needed = window if threaded else min(window + SLEEP_ALLOWANCE, 3 * window)
            short.append(
                f"limit_time_real_cron (else limit_time_real) {real or 'unset'} s: "
                f"at least {needed} s"
            )
        if self.cpu is not None and (self.cpu - cpu_used()) < BATCH_FLOOR:
            short.append(
                f"limit_time_cpu {config['limit_time_cpu']} s: at least {BATCH_FLOOR + MARGIN} s"
            )
        if short:
            _logger.warning(
                "Collections run: the worker's limits leave %.1f s to this unit of work of "
                "the scheduled action, less than a batch needs (%s s); it runs one small "
                "batch per unit of work. Raise %s.",
                max(self.left(), 0),
                BATCH_FLOOR,
                "; ".join(short),
            )
        return short

    def left(self):
        """Seconds left (inf: unbounded).  Asking keeps the chain going."""
        now = monotonic()
        if self.chain:
            self.chain.last = now
        lefts = [math.inf]
        if self.deadline is not None:
            lefts.append(self.deadline - now)
        if self.cpu is not None:
            lefts.append((self.cpu - cpu_used()) / self.cpu_rate(now))
        return min(lefts)

    def cpu_rate(self, now):
        """CPU seconds a second of wall time, as seen since the chain's start (at
        least 1): a process may use more than a core (libraries' own threads)."""
        elapsed = now - self.chain.started if self.chain else 0
        if elapsed < 1:
            return 1.0
        return max(1.0, (cpu_used() - self.chain.cpu_started) / elapsed)

    def allows_batch(self):
        return self.left() >= BATCH_FLOOR

    def batch_deadline(self):
        """The monotonic time the next batch should end by."""
        return monotonic() + max(min(BATCH_SECONDS, self.left()), 0)
