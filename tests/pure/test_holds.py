import pytest

from logic import holds


@pytest.mark.parametrize(
    ("due", "pending", "expected"),
    [
        (0, 100, True),  # everything waits for insurance
        (-5, 100, True),  # a credit does not make anything due
        (30, 100, False),  # a part is due from the patient: chase it
        (0, 0, False),  # nothing pending: no reason to hold
        (30, 0, False),
    ],
)
def test_waits_for_insurance(due, pending, expected):
    assert holds.waits_for_insurance(due, pending) is expected


@pytest.mark.parametrize(
    ("due", "pending", "expected"),
    [(0, 0, True), (-10, 0, True), (0, 100, False), (30, 0, False)],
)
def test_is_settled(due, pending, expected):
    assert holds.is_settled(due, pending) is expected


@pytest.mark.parametrize(
    ("current", "new", "kept"),
    [
        ("bankruptcy", "dispute", True),
        ("deceased", "financial_assistance", True),
        ("dispute", "financial_assistance", True),
        ("financial_assistance", "promise_to_pay", True),
        ("promise_to_pay", "dispute", False),  # a dispute replaces a promise
        ("financial_assistance", "dispute", False),
        ("bankruptcy", "deceased", False),  # as strong: replaced
        (False, "promise_to_pay", False),
        ("other", "promise_to_pay", False),
    ],
)
def test_a_stronger_hold_is_kept(current, new, kept):
    assert holds.keeps_hold(current, new) is kept


@pytest.mark.parametrize(
    ("reason", "demanded"),
    [
        (None, True),
        (False, True),
        ("promise_to_pay", True),
        ("insurance_pending", True),
        ("other", True),
        ("dispute", False),
        ("financial_assistance", False),
        ("bankruptcy", False),
        ("deceased", False),
    ],
)
def test_no_payment_is_demanded_under_review_or_a_stay(reason, demanded):
    assert holds.demands_payment(reason) is demanded
