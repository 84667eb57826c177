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
step stops its batch at the batch's own deadline (:data:`BATCH_SECONDS`).
"""

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

    def __init__(self, deadline=None, cpu=None, chain=None):
        self.deadline = deadline
        self.cpu = cpu
        self.chain = chain

    @classmethod
    def wall(cls, seconds):
        return cls(deadline=monotonic() + seconds)

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
        return cls(deadline - MARGIN, None if limit is None else limit - MARGIN, chain)

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
