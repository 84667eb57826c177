"""What a collections run counts, as named records.

A run counts events under a :class:`CountKey` (kind, stage id, reason) and keeps a
:class:`Failure` per account (or whole step) it could not process.  A key is a
named tuple, so ``counts[("moved", 3, False)]`` and ``counts[CountKey("moved", 3)]``
are the same entry.  Nothing here imports Odoo.
"""

import copy
from collections import Counter
from typing import NamedTuple


class CountKey(NamedTuple):
    """What a count counts: an event kind, the stage it concerns (False: none) and
    a reason (False: none)."""

    kind: str
    stage_id: int | bool = False
    reason: str | bool = False


class Failure(NamedTuple):
    """An account (False: the whole step) a step could not process, and why (a
    category, never the error's text)."""

    step: str | bool
    account_id: int | bool
    reason: str


class RunCounts(Counter):
    """The counts of one run (or of one batch of it), ``CountKey -> count``, and
    its ``failures``."""

    def __init__(self):
        super().__init__()
        self.failures = []

    def snapshot(self):
        """What these counts are now (counts, failures and whatever a step keeps
        next to them), for :meth:`restore`."""
        extra = {name: copy.copy(value) for name, value in vars(self).items()}
        return dict(self), extra

    def restore(self, snapshot):
        """Back to ``snapshot``: what a step that failed (its work undone) added is
        not counted."""
        counts, extra = snapshot
        self.clear()
        self.update(counts)
        for name in set(vars(self)) - set(extra):
            delattr(self, name)
        for name, value in extra.items():
            setattr(self, name, copy.copy(value))

    def add(self, kind, count=1, stage_id=False, reason=False):
        self[CountKey(kind, stage_id, reason)] += count

    def count_of(self, kind):
        """The total of every count of ``kind``."""
        return sum(count for key, count in self.items() if key[0] == kind)

    def line_values(self):
        """One dict per non-zero count, ordered by kind, stage, reason; then one per
        failure."""
        keys = sorted(
            (CountKey(*key) for key, count in self.items() if count),
            key=lambda key: (key.kind, key.stage_id or 0, key.reason or ""),
        )
        lines = [
            {
                "kind": key.kind,
                "stage_id": key.stage_id,
                "reason": key.reason,
                "count": self[key],
            }
            for key in keys
        ]
        lines += [
            {
                "kind": "failed",
                "step": failure.step,
                "account_id": failure.account_id,
                "failure_reason": failure.reason,
                "count": 1,
            }
            for failure in self.failures
        ]
        return lines

    def failed_accounts(self):
        """How many distinct accounts failed (a whole step's failure names none)."""
        return len({failure.account_id for failure in self.failures if failure.account_id})
