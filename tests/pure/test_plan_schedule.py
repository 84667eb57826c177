import calendar
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logic import plan_schedule as ps

TODAY = date(2026, 1, 15)


def test_monthly_keeps_day_of_month_where_it_exists():
    dates = ps.due_dates(date(2026, 1, 31), "monthly", 4)
    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert ps.due_dates(date(2028, 1, 31), "monthly", 2)[1] == date(2028, 2, 29)


def test_weekly_and_biweekly():
    assert ps.due_dates(TODAY, "weekly", 3)[2] == TODAY + timedelta(days=14)
    assert ps.due_dates(TODAY, "biweekly", 3)[2] == TODAY + timedelta(days=28)


def test_remainder_on_last_installment():
    assert ps.split_amount(Decimal("100"), count=3) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    assert ps.split_amount(Decimal("100"), amount=Decimal("30")) == [
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("10.00"),
    ]


def test_schedule_with_down_payment():
    schedule = ps.build_schedule(
        600, 100, "monthly", date(2026, 2, 1), installment_count=5, start_date=TODAY
    )
    assert schedule[0] == ps.Installment(0, TODAY, Decimal("100.00"))
    assert [line.amount for line in schedule[1:]] == [Decimal("100.00")] * 5
    assert schedule[-1].due_date == date(2026, 6, 1)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"installment_count": 0}, ps.ERR_COUNT),
        ({"installment_count": -2}, ps.ERR_COUNT),
        ({"installment_amount": 0}, ps.ERR_AMOUNT),
        ({"installment_amount": -5}, ps.ERR_AMOUNT),
        ({}, ps.ERR_CHOOSE_ONE),
        ({"installment_count": 3, "installment_amount": 10}, ps.ERR_CHOOSE_ONE),
        ({"installment_count": 3, "down_payment": 700}, ps.ERR_DOWN_ABOVE_TOTAL),
        ({"installment_count": 3, "down_payment": -1}, ps.ERR_DOWN_NEGATIVE),
        ({"installment_count": 3, "total": 900}, ps.ERR_TOTAL_ABOVE_BALANCE),
        ({"installment_count": 3, "total": 0}, ps.ERR_TOTAL),
        (
            {"installment_count": 3, "first_due_date": TODAY - timedelta(days=1)},
            ps.ERR_FIRST_DUE_PAST,
        ),
        ({"installment_count": 30, "minimum_installment": 25}, ps.ERR_BELOW_MINIMUM),
        (
            {"installment_count": 13, "first_due_date": date(2026, 2, 15), "max_term_months": 12},
            ps.ERR_TERM,
        ),
    ],
)
def test_refusals(kwargs, error):
    args = {
        "total": 600,
        "down_payment": 0,
        "frequency": "monthly",
        "first_due_date": TODAY,
        "today": TODAY,
        "balance_due": 800,
    }
    args.update(kwargs)
    assert error in ps.validate(**args)


def test_last_installment_may_be_below_minimum():
    assert (
        ps.validate(
            610, 0, "monthly", TODAY, TODAY, 800, installment_amount=100, minimum_installment=50
        )
        == []
    )


def test_twelve_months_fit_a_twelve_month_term():
    first = date(2026, 2, 15)
    assert (
        ps.validate(
            1200, 0, "monthly", first, TODAY, 1200, installment_count=12, max_term_months=12
        )
        == []
    )


money = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("50000"), places=2)


@settings(max_examples=300, deadline=None)
@given(
    total=money,
    down_share=st.integers(min_value=0, max_value=90),
    count=st.integers(min_value=1, max_value=60),
    frequency=st.sampled_from(ps.FREQUENCIES),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
)
def test_schedule_properties_by_count(total, down_share, count, frequency, first):
    down = (total * down_share / 100).quantize(Decimal("0.01"))
    schedule = ps.build_schedule(
        total, down, frequency, first, installment_count=count, start_date=first
    )
    assert sum(line.amount for line in schedule) == total
    installments = [line for line in schedule if line.sequence > 0]
    assert len(installments) == count
    dates = [line.due_date for line in installments]
    assert all(a < b for a, b in pairwise(dates))
    assert all(line.amount >= installments[0].amount for line in installments)
    assert installments[-1].amount - installments[0].amount < Decimal("0.01") * count
    if frequency == "monthly":
        for line in installments:
            month_end = calendar.monthrange(line.due_date.year, line.due_date.month)[1]
            assert line.due_date.day == min(first.day, month_end)


@settings(max_examples=300, deadline=None)
@given(
    total=money,
    amount=st.decimals(min_value=Decimal("5.00"), max_value=Decimal("5000"), places=2),
    frequency=st.sampled_from(ps.FREQUENCIES),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    minimum=st.decimals(min_value=Decimal("0"), max_value=Decimal("5.00"), places=2),
)
def test_schedule_properties_by_amount(total, amount, frequency, first, minimum):
    schedule = ps.build_schedule(total, 0, frequency, first, installment_amount=amount)
    assert sum(line.amount for line in schedule) == total
    assert all(line.amount >= minimum for line in schedule[:-1])
    assert all(line.amount == amount for line in schedule[:-1])
    assert Decimal(0) < schedule[-1].amount <= amount
    dates = [line.due_date for line in schedule]
    assert all(a < b for a, b in pairwise(dates))


def test_allocation_in_due_order_with_overpayment():
    installments = [
        ("down", date(2026, 1, 1), 50),
        ("i1", date(2026, 2, 1), 100),
        ("i2", date(2026, 3, 1), 100),
    ]
    payments = [(date(2026, 1, 1), 30, "p1"), (date(2026, 1, 20), 150, "p2")]
    result = ps.allocate(installments, payments)
    assert result["down"] == ps.Allocation(Decimal("50.00"), date(2026, 1, 20), ["p1", "p2"])
    assert result["i1"] == ps.Allocation(Decimal("100.00"), date(2026, 1, 20), ["p2"])
    assert result["i2"].paid == Decimal("30.00")
    assert result["i2"].paid_date is None


def test_allocation_fills_installments_due_the_same_day_by_id_as_a_number():
    """A down payment (id 99) and the first installment (id 100) due the same day:
    the down payment fills first, although "100" sorts before "99" as text."""
    day = date(2026, 1, 1)
    result = ps.allocate([(100, day, 50), (99, day, 100)], [(day, 100, "p1")])
    assert result[99].paid == Decimal("100.00")
    assert result[100].paid == Decimal("0.00")


def test_allocation_never_exceeds_installments():
    installments = [("a", date(2026, 1, 1), 10), ("b", date(2026, 2, 1), 10)]
    result = ps.allocate(installments, [(date(2026, 1, 1), 500, "p")])
    assert sum(row.paid for row in result.values()) == Decimal("20.00")


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(st.integers(min_value=1, max_value=500), min_size=1, max_size=12),
    payments=st.lists(st.integers(min_value=1, max_value=800), max_size=8),
)
def test_allocation_properties(amounts, payments):
    installments = [
        (i, date(2026, 1, 1) + timedelta(days=30 * i), a) for i, a in enumerate(amounts)
    ]
    pays = [(date(2026, 1, 1) + timedelta(days=i), p, i) for i, p in enumerate(payments)]
    result = ps.allocate(installments, pays)
    assert sum(r.paid for r in result.values()) == min(sum(amounts), sum(payments))
    for key, _due, amount in installments:
        assert result[key].paid <= amount
    # earlier installments fill first
    paid = [result[i].paid for i in range(len(amounts))]
    for index in range(1, len(amounts)):
        if paid[index] > 0:
            assert paid[index - 1] == amounts[index - 1]


# ------------------------------------------------------------------ absurd terms


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"installment_count": 10**9}, ps.ERR_TERM),
        ({"installment_count": 2**63}, ps.ERR_TERM),
        ({"installment_amount": Decimal("0.01"), "total": 600}, ps.ERR_TERM),
        ({"installment_count": 61, "max_installments": 60}, ps.ERR_TOO_MANY),
        ({"installment_count": 3, "first_due_date": date(9999, 12, 1)}, ps.ERR_TERM),
        ({"installment_count": 3, "total": float("nan")}, ps.ERR_TOTAL),
        ({"installment_count": 3, "total": float("inf")}, ps.ERR_TOTAL),
        ({"installment_count": 3, "total": 1e300}, ps.ERR_TOTAL),
        ({"installment_count": 3, "total": None}, ps.ERR_TOTAL),
        ({"installment_count": 3, "down_payment": float("-inf")}, ps.ERR_DOWN_ABOVE_TOTAL),
        ({"installment_amount": float("nan")}, ps.ERR_AMOUNT),
        ({"installment_count": 2.5}, ps.ERR_COUNT),
        ({"installment_count": True}, ps.ERR_COUNT),
    ],
)
def test_absurd_terms_are_refused_without_building_the_schedule(kwargs, error):
    args = {
        "total": 600,
        "down_payment": 0,
        "frequency": "monthly",
        "first_due_date": TODAY,
        "today": TODAY,
        "balance_due": 800,
        "max_term_months": 0,
    }
    args.update(kwargs)
    assert error in ps.validate(**args)


def test_the_maximum_itself_is_allowed():
    assert (
        ps.validate(600, 0, "weekly", TODAY, TODAY, 800, installment_count=60, max_installments=60)
        == []
    )


anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**15, min_value=-(10**15)
    ),
    st.text(max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(
    total=anything,
    down=anything,
    count=st.one_of(st.none(), st.integers(min_value=-(2**70), max_value=2**70)),
    amount=anything,
    frequency=st.sampled_from([*ps.FREQUENCIES, "daily", ""]),
    first=st.dates(),
)
def test_validate_answers_codes_for_any_input(total, down, count, amount, frequency, first):
    """Whatever it is given, ``validate`` answers with problem codes, and any terms it
    accepts build a schedule of at most HARD_MAX_INSTALLMENTS installments."""
    codes = ps.validate(
        total,
        down,
        frequency,
        first,
        TODAY,
        10**9,
        installment_count=count,
        installment_amount=amount,
        max_term_months=0,
    )
    assert isinstance(codes, list)
    if not codes:
        amount = None if amount is False else amount
        schedule = ps.build_schedule(total, down or 0, frequency, first, count, amount, TODAY)
        assert 1 <= len([line for line in schedule if line.sequence]) <= ps.HARD_MAX_INSTALLMENTS


def lowered(schedule, credit, digits=2):
    """The plan's installments after ``credit`` came off them (the Odoo side's
    ``_lower_for_credits``: from the last backwards, one lowered to nothing removed)."""
    left, kept = ps.to_money(credit, digits), []
    for line in reversed(schedule):
        cut = min(left, line.amount)
        left -= cut
        if line.amount - cut > 0:
            kept.append(line._replace(amount=line.amount - cut))
    return list(reversed(kept))


def raised(schedule, credit, terms, today):
    """``schedule`` raised back by ``credit`` with ``raise_back`` (``terms``:
    installment amount, down payment, frequency, first due date)."""
    last = schedule[-1] if schedule else None
    topped, new = ps.raise_back(
        last and (last.due_date, last.amount, last.sequence == 0),
        credit,
        terms,
        last and last.due_date,
        today,
    )
    if topped is not None:
        schedule = [*schedule[:-1], last._replace(amount=topped)]
    sequence = last.sequence if last else 0
    return schedule + [
        ps.Installment(sequence + index + 1, due, amount) for index, (due, amount) in enumerate(new)
    ]


@settings(max_examples=300, deadline=None)
@example(  # 22 installments of 0.34 and a last of 0.52: its rest is over half of one
    total=Decimal("10.00"),
    count=23,
    frequency="weekly",
    first=date(2026, 1, 1),
    share=0.5,
    down_share=0.2,
)
@given(
    total=st.integers(1_000, 500_000).map(lambda cents: Decimal(cents) / 100),
    count=st.integers(1, 24),
    frequency=st.sampled_from(ps.FREQUENCIES),
    first=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    share=st.floats(0.01, 0.99),
    down_share=st.sampled_from([0, 0, 0.2]),
)
def test_raise_back_restores_a_lowered_schedule(total, count, frequency, first, share, down_share):
    """Lowering a plan built from a number of installments (with or without a down
    payment) by any part of it (all of it: the plan completes, nothing to
    raise), then raising it back by the same, gives the schedule back: dates and
    amounts."""
    down = ps.to_money(total * Decimal(str(down_share)))
    start = first - timedelta(days=3)
    schedule = ps.build_schedule(
        total, down, frequency, first, installment_count=count, start_date=start
    )
    credit = ps.to_money(total * Decimal(str(share)))
    regular = next(line for line in schedule if line.sequence).amount
    terms = (regular, down, frequency, first, count)
    back = raised(lowered(schedule, credit), credit, terms, start)
    assert [(line.due_date, line.amount) for line in back] == [
        (line.due_date, line.amount) for line in schedule
    ]
    # built from an installment amount (the last one smaller): all of it is put back
    schedule = ps.build_schedule(total, 0, frequency, first, installment_amount=regular)
    terms = (regular, 0, frequency, first, sum(1 for line in schedule if line.sequence))
    back = raised(lowered(schedule, credit), credit, terms, start)
    assert sum(line.amount for line in back) == sum(line.amount for line in schedule)


def test_raise_back_tops_up_then_adds_installments():
    last = (date(2026, 5, 31), Decimal("40.00"), False)
    terms = (100, 0, "monthly", date(2026, 1, 31), 6)
    topped, new = ps.raise_back(last, 250, terms, date(2026, 5, 31), date(2026, 4, 1))
    assert topped == Decimal("100.00")
    assert new == [(date(2026, 6, 30), Decimal("100.00")), (date(2026, 7, 31), Decimal("90.00"))]
    # the down payment back to what it was, then the plan's own dates (not a month skipped)
    down = (date(2026, 12, 1), Decimal("50"), True)
    terms = (100, 100, "monthly", date(2026, 12, 6), 3)
    topped, new = ps.raise_back(down, 250, terms, date(2026, 12, 1), date(2026, 12, 1))
    assert topped == Decimal("100.00")
    assert new == [(date(2026, 12, 6), Decimal("100.00")), (date(2027, 1, 6), Decimal("100.00"))]
    # a small rest rides on the one before
    terms = (100, 0, "weekly", date(2026, 3, 4), 4)
    _topped, new = ps.raise_back(None, 240, terms, None, date(2026, 4, 1))
    assert new == [(date(2026, 4, 1), Decimal("100.00")), (date(2026, 4, 8), Decimal("140.00"))]


def test_raise_back_never_dates_an_installment_in_the_past():
    """Raised back after the plan's last due date: nothing goes on an installment
    already due, and the new ones fall on the plan's next dates from today."""
    last = (date(2026, 10, 11), Decimal("50"), False)
    terms = (100, 0, "monthly", date(2026, 1, 11), 10)
    topped, new = ps.raise_back(last, 240, terms, date(2026, 10, 11), date(2026, 12, 2))
    assert topped is None, "the installment of 10-11 is past due: not raised"
    assert new == [
        (date(2026, 12, 11), Decimal("100.00")),
        (date(2027, 1, 11), Decimal("140.00")),
    ]
    terms = (100, 0, "biweekly", date(2026, 1, 1), 21)
    topped, new = ps.raise_back(last, 140, terms, date(2026, 10, 11), date(2026, 12, 2))
    assert new == [(date(2026, 12, 3), Decimal("140.00"))]
