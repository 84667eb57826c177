from datetime import date

from logic import promise_credit

D1, D3, D4, D10 = date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 10)


def test_a_payment_counts_once_oldest_promise_first():
    promises = [(2, D1, D10, 100.0, None), (1, D1, D3, 100.0, None)]
    assert promise_credit.credit_promises([(D1, 100.0)], promises) == {1: 100.0, 2: 0.0}


def test_a_settled_promise_keeps_what_it_was_credited_with():
    promises = [(1, D1, D3, 100.0, 100.0), (2, D1, D10, 100.0, None)]
    assert promise_credit.credit_promises([(D1, 100.0)], promises) == {2: 0.0}
    assert promise_credit.credit_promises([(D1, 100.0), (D4, 60.0)], promises) == {2: 60.0}


def test_payments_before_a_promise_do_not_count_toward_it():
    promises = [(1, D4, D10, 100.0, None)]
    assert promise_credit.credit_promises([(D3, 100.0), (D4, 30.0)], promises) == {1: 30.0}


def test_a_promise_takes_its_amount_at_most():
    promises = [(1, D1, D3, 50.0, None), (2, D1, D10, 100.0, None)]
    assert promise_credit.credit_promises([(D1, 120.0)], promises) == {1: 50.0, 2: 70.0}


def test_a_payment_after_the_promised_date_does_not_keep_it():
    """Late: the promise was broken; the payment goes to a promise still open."""
    promises = [(1, D1, D3, 100.0, None), (2, D1, D10, 100.0, None)]
    assert promise_credit.credit_promises([(D4, 100.0)], promises) == {1: 0.0, 2: 100.0}
    # paid on the promised day itself: kept
    assert promise_credit.credit_promises([(D3, 100.0)], promises) == {1: 100.0, 2: 0.0}
