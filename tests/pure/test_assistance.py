import pytest
from hypothesis import given
from hypothesis import strategies as st

from logic import assistance

SCALE = [(200.0, 100.0), (300.0, 50.0), (400.0, 25.0)]


def test_guideline_by_household_size_1_to_10():
    # 2026 HHS guidelines, 48 contiguous states
    for size in range(1, 11):
        assert assistance.guideline_amount(15960, 5680, size) == 15960 + 5680 * (size - 1)


@pytest.mark.parametrize("size", [0, -1, 100])
def test_household_size_out_of_range(size):
    with pytest.raises(ValueError):
        assistance.guideline_amount(15960, 5680, size)


def test_household_size_must_be_whole():
    with pytest.raises(TypeError):
        assistance.guideline_amount(15960, 5680, 2.5)


def test_exactly_200_percent_is_in_the_first_tier():
    guideline = assistance.guideline_amount(15960, 5680, 1)
    percent = assistance.fpl_percent(2 * guideline, guideline)
    assert percent == 200.0
    assert assistance.discount_for(SCALE, percent) == 100.0
    assert assistance.discount_for(SCALE, 200.01) == 50.0
    assert assistance.discount_for(SCALE, 300.0) == 50.0
    assert assistance.discount_for(SCALE, 400.0) == 25.0
    assert assistance.discount_for(SCALE, 400.01) == 0.0
    assert assistance.discount_for([], 10.0) == 0.0


def test_tier_order_does_not_matter():
    assert assistance.discount_for(list(reversed(SCALE)), 250.0) == 50.0
    assert assistance.top_discount(SCALE) == 100.0
    assert assistance.top_discount([]) == 0.0


def test_income_bounds():
    assert assistance.fpl_percent(0, 15960) == 0.0
    with pytest.raises(ValueError):
        assistance.fpl_percent(-1, 15960)
    with pytest.raises(ValueError):
        assistance.fpl_percent(100, 0)


def test_allocate_oldest_first():
    items = [("a", 30.0), ("credit", -10.0), ("b", 50.0), ("c", 20.0)]
    assert assistance.allocate_oldest_first(items, 60) == [("a", 30.0), ("b", 30.0)]
    assert assistance.allocate_oldest_first(items, 100) == [("a", 30.0), ("b", 50.0), ("c", 20.0)]
    with pytest.raises(ValueError):
        assistance.allocate_oldest_first(items, 100.01)
    with pytest.raises(ValueError):
        assistance.allocate_oldest_first(items, 0)


@given(
    st.lists(st.integers(min_value=-5000, max_value=100000), max_size=12),
    st.integers(min_value=1, max_value=200000),
)
def test_allocation_adds_up(cents, amount_cents):
    items = [(i, c / 100) for i, c in enumerate(cents)]
    amount = amount_cents / 100
    total = sum(c for c in cents if c > 0)
    if amount_cents > total:
        with pytest.raises(ValueError):
            assistance.allocate_oldest_first(items, amount)
        return
    parts = assistance.allocate_oldest_first(items, amount)
    assert round(sum(part for _k, part in parts) * 100) == amount_cents
    opens = dict(items)
    assert all(0 < part <= opens[key] for key, part in parts)
