import pytest

from logic import assignment


def test_single():
    assert assignment.assign_single([1, 2], 7) == {1: 7, 2: 7}


def test_round_robin():
    assert assignment.assign_round_robin([1, 2, 3, 4, 5], [7, 8]) == {1: 7, 2: 8, 3: 7, 4: 8, 5: 7}


def test_balanced_evens_totals():
    mapping, totals = assignment.assign_balanced([(1, 400), (2, 300), (3, 200), (4, 100)], [7, 8])
    assert totals == {7: 500, 8: 500}
    assert mapping[1] != mapping[2]


def test_balanced_many():
    accounts = [(i, float(i * 13 % 97)) for i in range(1, 200)]
    _mapping, totals = assignment.assign_balanced(accounts, [1, 2, 3])
    assert max(totals.values()) - min(totals.values()) <= 96


@pytest.mark.parametrize("func", [assignment.assign_round_robin, assignment.assign_balanced])
def test_needs_users(func):
    with pytest.raises(ValueError):
        func([], [])
