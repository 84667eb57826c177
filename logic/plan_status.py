"""What a payment plan's installments and the plan itself are, once paid amounts are known.

The allocation of payments to installments is ``plan_schedule.allocate``; the
rules here judge its result on a given day:

- an installment is *paid* when what was allocated to it reaches its amount,
  *missed* when it is not paid more than the grace days after its due date,
  *partial* when something was paid, *open* otherwise;
- a plan is *completed* when all its installments are paid, *defaulted* when
  at least the company's number of misses before default are missed.

Amounts are compared rounded to the currency's decimal places.
"""

import hashlib
from collections import namedtuple
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

PAID = "paid"
MISSED = "missed"
PARTIAL = "partial"
OPEN = "open"

COMPLETED = "completed"
DEFAULTED = "defaulted"

# What the allocation leaves on one installment: stored as is when it changed.
InstallmentResult = namedtuple("InstallmentResult", "paid paid_date state")


def _money(value, digits):
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def installment_state(paid, amount, due_date, today, grace_days=0, digits=2):
    """The state of an installment of ``amount`` due on ``due_date`` with ``paid``
    allocated to it, judged on ``today``."""
    if _money(paid, digits) >= _money(amount, digits):
        return PAID
    if due_date + timedelta(days=grace_days) < today:
        return MISSED
    if _money(paid, digits) > 0:
        return PARTIAL
    return OPEN


def installment_result(allocation, amount, due_date, today, grace_days=0, digits=2):
    """What an installment stores for its ``allocation`` (``plan_schedule.Allocation``):
    the paid amount, the date it was paid in full (None unless paid), the state."""
    state = installment_state(allocation.paid, amount, due_date, today, grace_days, digits)
    return InstallmentResult(
        allocation.paid, allocation.paid_date if state == PAID else None, state
    )


def missed_after(due_date, grace_days=0):
    """The first day on which an unpaid installment due on ``due_date`` is missed."""
    return due_date + timedelta(days=grace_days + 1)


def plan_outcome(states, misses_before_default=1):
    """How a plan with installments in ``states`` ends: ``COMPLETED`` when every one
    is paid, ``DEFAULTED`` when at least ``misses_before_default`` (at least 1) are
    missed, or when its schedule is over with an installment missed (none open or
    partly paid is left: no later miss can come to reach the count, and the plan
    would stay active forever, the account out of collection), None while it goes
    on."""
    states = list(states)
    if states and all(state == PAID for state in states):
        return COMPLETED
    missed = sum(state == MISSED for state in states)
    if missed >= max(misses_before_default, 1):
        return DEFAULTED
    if missed and all(state in (PAID, MISSED) for state in states):
        return DEFAULTED
    return None


def missed_cutoff(today, grace_days=0):
    """The latest due date of an installment that, unpaid, is missed on ``today``
    (``installment_state``'s rule as a bound for a query: due_date <= cutoff)."""
    return today - timedelta(days=grace_days + 1)


def payments_key(payments, digits=2):
    """A short fingerprint of a plan's payments ((date, amount, ref) in any order),
    False when there are none: the allocation only changes when it changes."""
    rows = sorted(
        (date.isoformat(), str(_money(amount, digits)), str(ref)) for date, amount, ref in payments
    )
    if not rows:
        return False
    return hashlib.sha1(repr(rows).encode(), usedforsecurity=False).hexdigest()


def unapplied(installments, payments, digits=2):
    """What of each payment the plan cannot take: the amounts beyond the total of
    its installments, in the order ``plan_schedule.allocate`` applies payments
    (oldest first).  ``installments``: (key, due_date, amount); ``payments``:
    (date, amount, ref).  Returns [(ref, amount)] of the payments not fully applied."""
    room = sum((_money(amount, digits) for _key, _due, amount in installments), Decimal(0))
    left = []
    for _date, amount, ref in sorted(payments, key=lambda row: (row[0], str(row[2]))):
        amount = _money(amount, digits)
        if amount <= 0:
            continue
        taken = min(room, amount)
        room -= taken
        if amount > taken:
            left.append((ref, amount - taken))
    return left
