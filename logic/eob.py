"""The explanation of benefits (EOB) of a patient invoice: does it add up?

What the insurer says about a service, in the words of the field:

    charges - insurance paid - contractual adjustment = allowed to the patient
    deductible + copay + coinsurance + non-covered     = patient responsibility

and the patient responsibility is what the invoice bills.  An invoice without
any EOB amount is not checked (self-pay, or a breakdown not entered).
"""

from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

CHARGES = "amount_charges"
INSURANCE_PAID = "amount_insurance_paid"
ADJUSTMENT = "amount_adjustment"
# The parts of the patient responsibility.
RESPONSIBILITY_PARTS = (
    "amount_deductible",
    "amount_copay",
    "amount_coinsurance",
    "amount_noncovered",
)
FIELDS = (CHARGES, INSURANCE_PAID, ADJUSTMENT, *RESPONSIBILITY_PARTS)

Reconciliation = namedtuple("Reconciliation", "allowed responsibility total adds_up")
Reconciliation.__doc__ = (
    "The two sides of an EOB and the invoice total (Decimal), and whether all three "
    "are equal at the currency's rounding."
)


def _decimal(value):
    # repr keeps what the user typed (20.004 stays 20.004, not its binary neighbour)
    return Decimal(repr(float(value or 0)))


def has_breakdown(amounts):
    """Whether any EOB amount is set: only then is the breakdown checked."""
    return any(amounts.get(name) for name in FIELDS)


def same_amount(first, second, rounding=0.01):
    """Equal once rounded to ``rounding`` (half up), as a currency compares amounts."""
    steps = (_decimal(first) - _decimal(second)) / _decimal(rounding)
    return steps.quantize(Decimal(1), rounding=ROUND_HALF_UP) == 0


def reconcile(amounts, total, rounding=0.01):
    """The EOB ``amounts`` (a mapping of ``FIELDS``) against the invoice ``total``."""
    allowed = (
        _decimal(amounts.get(CHARGES))
        - _decimal(amounts.get(INSURANCE_PAID))
        - _decimal(amounts.get(ADJUSTMENT))
    )
    responsibility = sum((_decimal(amounts.get(name)) for name in RESPONSIBILITY_PARTS), Decimal(0))
    total = _decimal(total)
    adds_up = same_amount(allowed, responsibility, rounding) and same_amount(
        responsibility, total, rounding
    )
    return Reconciliation(allowed, responsibility, total, adds_up)
