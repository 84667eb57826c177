"""Aging of open patient balances.

An open amount is aged by the number of days between its due date and the day
the aging is computed for.  The buckets follow the words of the field:
current (not yet due, or due today), 1-30, 31-60, 61-90, 91-120 and over 120
days past due.
"""

from collections import namedtuple
from datetime import date
from decimal import Decimal

# (field suffix, first day, last day); None means open-ended.
BUCKETS = (
    ("current", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_120", 91, 120),
    ("over_120", 121, None),
)
BUCKET_KEYS = tuple(key for key, _first, _last in BUCKETS)

OpenItem = namedtuple("OpenItem", "amount due_date pending")
OpenItem.__doc__ = """One open receivable amount.

amount: what is still open (positive owed, negative a credit),
due_date: when it is or was due, pending: insurance has not adjudicated it yet.
"""


def days_past_due(due_date, today):
    """Days ``today`` is past ``due_date``: 0 when it is not yet overdue."""
    if due_date is None:
        return 0
    return max((today - due_date).days, 0)


def bucket_for(days):
    """The bucket key for an amount that is ``days`` past due."""
    if days < 0:
        raise ValueError("days past due cannot be negative")
    for key, first, last in BUCKETS:
        if (first is None or days >= first) and (last is None or days <= last):
            return key
    raise AssertionError("the buckets cover every non-negative number")  # pragma: no cover


def bucket_bounds():
    """The buckets as (key, first, last) with open ends replaced by None."""
    return BUCKETS


def summarize(items, today, digits=2):
    """Balance, insurance-pending amount and aging for a guarantor's open items.

    Insurance-pending items count only in ``balance_insurance_pending``: they are
    never chased, so they are neither part of the balance due nor of the aging.
    Aging buckets always add up to the balance due.  ``days_past_due`` is the age
    of the oldest overdue amount still owed (credits never make an account late).
    """
    if not isinstance(today, date):
        raise TypeError("today must be a date")
    quant = Decimal(1).scaleb(-digits)
    result = {"balance_due": Decimal(0), "balance_insurance_pending": Decimal(0)}
    result.update({"aging_" + key: Decimal(0) for key in BUCKET_KEYS})
    oldest = 0
    for item in items:
        amount = Decimal(str(item.amount))
        if item.pending:
            result["balance_insurance_pending"] += amount
            continue
        days = days_past_due(item.due_date, today)
        result["balance_due"] += amount
        result["aging_" + bucket_for(days)] += amount
        if amount > 0:
            oldest = max(oldest, days)
    summary = {key: value.quantize(quant) for key, value in result.items()}
    summary["days_past_due"] = oldest
    return summary
