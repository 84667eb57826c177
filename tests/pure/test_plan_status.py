from datetime import date, timedelta
from decimal import Decimal

import pytest

from logic import plan_schedule as ps
from logic import plan_status as st

DUE = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("paid", "today", "state"),
    [
        (Decimal("50.00"), DUE + timedelta(days=30), st.PAID),  # paid, even late
        (Decimal("50.004"), DUE, st.PAID),  # rounded to the cent
        (Decimal("49.99"), DUE + timedelta(days=5), st.PARTIAL),  # within the grace days
        (Decimal("49.99"), DUE + timedelta(days=6), st.MISSED),
        (Decimal(0), DUE + timedelta(days=5), st.OPEN),
        (Decimal(0), DUE + timedelta(days=6), st.MISSED),
        (Decimal(0), DUE - timedelta(days=20), st.OPEN),
    ],
)
def test_installment_state(paid, today, state):
    assert st.installment_state(paid, 50.0, DUE, today, grace_days=5) == state


def test_missed_after_is_the_first_day_an_unpaid_installment_is_missed():
    first = st.missed_after(DUE, 5)
    assert st.installment_state(0, 10, DUE, first, 5) == st.MISSED
    assert st.installment_state(0, 10, DUE, first - timedelta(days=1), 5) == st.OPEN


def test_installment_result_keeps_the_paid_date_only_when_paid():
    allocation = ps.allocate(
        [(1, DUE, 30), (2, DUE + timedelta(days=30), 30)],
        [(DUE - timedelta(days=2), 45, "p1")],
    )
    first = st.installment_result(allocation[1], 30, DUE, DUE, 0)
    second = st.installment_result(allocation[2], 30, DUE + timedelta(days=30), DUE, 0)
    assert first == (Decimal("30.00"), DUE - timedelta(days=2), st.PAID)
    assert second == (Decimal("15.00"), None, st.PARTIAL)


@pytest.mark.parametrize(
    ("states", "misses", "outcome"),
    [
        ([st.PAID, st.PAID], 2, st.COMPLETED),
        ([st.PAID, st.MISSED, st.OPEN], 2, None),
        # the schedule is over with one missed: nothing more can come, the plan ends
        ([st.PAID, st.MISSED], 2, st.DEFAULTED),
        ([st.MISSED], 2, st.DEFAULTED),
        ([st.MISSED, st.PAID], 3, st.DEFAULTED),
        ([st.MISSED, st.PARTIAL], 2, None),
        ([st.MISSED, st.PARTIAL, st.MISSED], 2, st.DEFAULTED),
        ([st.MISSED], 0, st.DEFAULTED),  # at least one miss defaults, never zero
        ([st.OPEN], 0, None),
        ([], 2, None),  # no installment: nothing to complete
    ],
)
def test_plan_outcome(states, misses, outcome):
    assert st.plan_outcome(states, misses) == outcome


def test_missed_cutoff_is_the_bound_of_installment_state():
    today = date(2026, 4, 1)
    cutoff = st.missed_cutoff(today, 5)
    assert st.installment_state(0, 10, cutoff, today, 5) == st.MISSED
    assert st.installment_state(0, 10, cutoff + timedelta(days=1), today, 5) == st.OPEN


def test_payments_key_changes_with_the_payments_only():
    one = [(DUE, 10, 7), (DUE, 5.5, "partial-3")]
    assert st.payments_key([]) is False
    assert st.payments_key(one) == st.payments_key(list(reversed(one)))
    assert st.payments_key(one) == st.payments_key(
        [(DUE, 10.0, 7), (DUE, Decimal("5.50"), "partial-3")]
    )
    assert st.payments_key(one) != st.payments_key(one[:1])  # reversed payment
    assert st.payments_key(one) != st.payments_key([(DUE, 10, 7), (DUE, 5.6, "partial-3")])
    assert st.payments_key(one) != st.payments_key([*one, (DUE, 1, 9)])  # a new payment


def test_unapplied_is_what_goes_beyond_the_installments():
    installments = [(1, DUE, 30), (2, DUE + timedelta(days=30), 30)]
    assert st.unapplied(installments, [(DUE, 25, 1), (DUE, 30, 2)]) == []
    later = DUE + timedelta(days=1)
    # oldest first: the later payment is the one left over, whatever the list's order
    assert st.unapplied(installments, [(later, 40, 3), (DUE, 50, 2)]) == [(3, Decimal("30.00"))]
    allocation = ps.allocate(installments, [(later, 40, 3), (DUE, 50, 2)])
    assert sum(result.paid for result in allocation.values()) == Decimal("60.00")
