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
    missed, None while it goes on."""
    states = list(states)
    if states and all(state == PAID for state in states):
        return COMPLETED
    if sum(state == MISSED for state in states) >= max(misses_before_default, 1):
        return DEFAULTED
    return None
