from decimal import Decimal

from logic import eob

# charges 300 - paid 180 - adjustment 60 = 60 = 30 + 20 + 10 + 0
BREAKDOWN = dict(zip(eob.FIELDS, (300.0, 180.0, 60.0, 30.0, 20.0, 10.0, 0.0), strict=True))


def amounts(**changes):
    return {**BREAKDOWN, **changes}


def test_consistent_breakdown_adds_up():
    result = eob.reconcile(amounts(), 60.0)
    assert result.adds_up
    assert result.allowed == Decimal("60.0")
    assert result.responsibility == Decimal("60.0")


def test_total_must_equal_responsibility():
    result = eob.reconcile(amounts(), 65.0)
    assert not result.adds_up
    assert result.total == Decimal("65.0")


def test_charges_side_must_equal_responsibility():
    result = eob.reconcile(amounts(amount_adjustment=70.0), 60.0)
    assert not result.adds_up
    assert result.allowed == Decimal("50.0")


def test_rounding_tolerated_below_half_a_cent():
    assert eob.reconcile(amounts(amount_copay=20.004, amount_coinsurance=9.996), 60.0).adds_up
    assert eob.reconcile(amounts(amount_copay=20.004), 60.0).adds_up
    assert not eob.reconcile(amounts(amount_copay=20.006), 60.0).adds_up


def test_rounding_follows_the_currency():
    # a currency without cents tolerates less than half a unit
    assert eob.reconcile(amounts(amount_copay=20.4), 60.0, rounding=1).adds_up
    assert not eob.reconcile(amounts(amount_copay=20.6), 60.0, rounding=1).adds_up


def test_missing_amounts_count_as_zero():
    result = eob.reconcile({"amount_charges": 10.0, "amount_copay": 5.0}, 10.0)
    assert not result.adds_up
    assert result.responsibility == Decimal("5.0")


def test_has_breakdown():
    assert not eob.has_breakdown({})
    assert not eob.has_breakdown(dict.fromkeys(eob.FIELDS, 0.0))
    assert eob.has_breakdown({"amount_noncovered": 0.01})
