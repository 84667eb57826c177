from datetime import date, timedelta
from decimal import Decimal

import pytest

from logic import aging
from logic.aging import OpenItem

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "current"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91_120"),
        (120, "91_120"),
        (121, "over_120"),
        (5000, "over_120"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert aging.bucket_for(days) == bucket


def test_negative_days_refused():
    with pytest.raises(ValueError):
        aging.bucket_for(-1)


def test_buckets_are_contiguous():
    previous_last = None
    for _key, first, last in aging.bucket_bounds():
        if previous_last is not None:
            assert first == previous_last + 1
        previous_last = last
    assert previous_last is None  # the last bucket is open-ended


def test_days_past_due():
    assert aging.days_past_due(TODAY, TODAY) == 0
    assert aging.days_past_due(TODAY + timedelta(days=10), TODAY) == 0
    assert aging.days_past_due(TODAY - timedelta(days=1), TODAY) == 1
    assert aging.days_past_due(None, TODAY) == 0


def test_summarize_spreads_over_buckets_and_adds_up():
    items = [
        OpenItem(100.0, TODAY, False),  # due today: current
        OpenItem(10.0, TODAY - timedelta(days=1), False),
        OpenItem(20.0, TODAY - timedelta(days=31), False),
        OpenItem(30.0, TODAY - timedelta(days=90), False),
        OpenItem(40.0, TODAY - timedelta(days=120), False),
        OpenItem(50.0, TODAY - timedelta(days=121), False),
        OpenItem(999.0, TODAY - timedelta(days=400), True),  # insurance pending
    ]
    result = aging.summarize(items, TODAY)
    assert result["aging_current"] == Decimal("100.00")
    assert result["aging_1_30"] == Decimal("10.00")
    assert result["aging_31_60"] == Decimal("20.00")
    assert result["aging_61_90"] == Decimal("30.00")
    assert result["aging_91_120"] == Decimal("40.00")
    assert result["aging_over_120"] == Decimal("50.00")
    assert result["balance_due"] == Decimal("250.00")
    assert result["balance_insurance_pending"] == Decimal("999.00")
    assert result["days_past_due"] == 121
    assert sum(result["aging_" + key] for key in aging.BUCKET_KEYS) == result["balance_due"]


def test_credits_reduce_balance_but_never_make_an_account_late():
    items = [
        OpenItem(80.0, TODAY - timedelta(days=5), False),
        OpenItem(-30.0, TODAY - timedelta(days=200), False),  # unapplied credit
    ]
    result = aging.summarize(items, TODAY)
    assert result["balance_due"] == Decimal("50.00")
    assert result["aging_over_120"] == Decimal("-30.00")
    assert result["days_past_due"] == 5


def test_summarize_is_exact_for_cents():
    items = [OpenItem(0.1, TODAY, False) for _ in range(3)]
    assert aging.summarize(items, TODAY)["balance_due"] == Decimal("0.30")


def test_empty_account():
    result = aging.summarize([], TODAY)
    assert result["balance_due"] == 0
    assert result["days_past_due"] == 0


def test_today_must_be_a_date():
    with pytest.raises(TypeError):
        aging.summarize([], "2026-03-31")
