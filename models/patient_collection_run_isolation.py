"""Failure isolation of the collections run: a step, or an account within a step,
that fails is left as it was and recorded on the run; the rest is processed."""

import logging

from psycopg2 import InterfaceError
from psycopg2.extensions import TransactionRollbackError

from odoo import models
from odoo.exceptions import AccessDenied, AccessError, UserError, ValidationError

from ..logic.run_counts import Failure, RunCounts
from . import patient_collection_run_budget as run_budget

_logger = logging.getLogger(__name__)


class SettingsError(UserError):
    """A step cannot work with the company's collections settings as they are
    (a write-off account that can no longer take postings): one failure of the
    step, which names no account."""


def failure_reason(error):
    """The category of ``error`` recorded on the run (never its text)."""
    if isinstance(error, SettingsError):
        return "settings"
    if isinstance(error, (UserError, ValidationError)) and not isinstance(error, AccessError):
        return "refused"
    if isinstance(error, (AccessError, AccessDenied)):
        return "access"
    if isinstance(error, (ValueError, TypeError, ArithmeticError, LookupError)):
        return "data"
    return "unexpected"


def is_worker_limit(error):
    """Whether ``error`` is the worker running out, not a record failing: Odoo's
    CPU time limit (a prefork worker's SIGXCPU handler raises a bare
    ``Exception`` wherever the run happens to be, every CPU second past the
    limit), memory, the database connection lost.  Never isolated: isolated, it
    was recorded as accounts (or a whole step) that failed, their work skipped
    for the day and committed; raised, the batch is rolled back and the next
    call runs it again."""
    if isinstance(error, (MemoryError, InterfaceError)):
        return True
    if type(error) is Exception and str(error) == "CPU time limit exceeded.":
        return True
    limit = run_budget.cpu_limit()
    return limit is not None and run_budget.cpu_used() >= limit


class PatientCollectionRun(models.Model):
    _inherit = "patient.collection.run"

    def _run_step(self, step, company, today, counts):
        """One step for one company; a failure the step did not isolate itself
        leaves the step's changes and counts out and is recorded on the run.
        Returns what the step returned."""
        before = counts.snapshot() if isinstance(counts, RunCounts) else None
        try:
            with self.env.cr.savepoint():
                return getattr(self, step)(company, today, counts)
        except TransactionRollbackError:
            raise  # a concurrent update: the whole run is retried, never half-judged
        # whatever fails is isolated and recorded, never left to stop the run
        except Exception as error:  # pylint: disable=broad-exception-caught
            if is_worker_limit(error):
                raise
            if before is not None:
                # its changes are undone: so are its counts (no "moved", no "sent")
                counts.restore(before)
            self._record_failure(counts, step, False, error)
        return None

    def _isolated(self, step, records, process, counts, account_of=None):
        """``process(records)`` in a savepoint; when it fails, each half again, down
        to the single records that fail alone: those are left as they were and
        recorded on the run (``account_of(record)``: its patient account).  Returns
        the records processed."""
        if not records:
            return records
        try:
            with self.env.cr.savepoint():
                process(records)
            return records
        except TransactionRollbackError:
            raise
        # whatever fails is isolated and recorded, never left to stop the run
        except Exception as error:  # pylint: disable=broad-exception-caught
            if is_worker_limit(error):
                raise
            if len(records) == 1:
                account = account_of(records) if account_of else records
                self._record_failure(counts, step, account.id, error)
                return records.browse()
        middle = len(records) // 2
        first = self._isolated(step, records[:middle], process, counts, account_of)
        return first | self._isolated(step, records[middle:], process, counts, account_of)

    def _record_failure(self, counts, step, account_id, error):
        """Remember that ``account_id`` (False: the whole step) failed in ``step``;
        the log holds ids and the error's type only, never its text."""
        if not isinstance(counts, RunCounts):
            raise error  # a step called on its own (benches): nowhere to record it
        known = dict(self.env["patient.collection.run.line"]._fields["step"].selection)
        counts.failures.append(
            Failure(step if step in known else False, account_id, failure_reason(error))
        )
        _logger.warning(
            "Collections run %s: %s failed for account id %s (%s)",
            self.id,
            step,
            account_id or "-",
            type(error).__name__,
        )
