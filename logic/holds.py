"""When an account's collection pauses by itself: holds the rules decide.

- Insurance hold: the whole open balance waits for insurance.  Nothing is due
  from the patient (``balance_due <= 0``) while some claims are not adjudicated
  yet (``insurance_pending > 0``): the patient is not chased, and the hold
  lifts as soon as the claims are adjudicated or a part becomes due.
- Settled: nothing left to pay, neither due nor waiting for insurance.
"""

INSURANCE_HOLD = "insurance_pending"


def waits_for_insurance(balance_due, insurance_pending):
    """Whether the account belongs on insurance hold."""
    return balance_due <= 0 and insurance_pending > 0


def is_settled(balance_due, insurance_pending):
    """Whether nothing is left to pay on the account, now or after insurance."""
    return balance_due <= 0 and insurance_pending <= 0


# How strong each hold is: a hold is never replaced by a weaker one.  Bankruptcy
# and death stop every demand (the automatic stay; an estate is not chased by
# calls); a dispute stops collection until it is answered (No Surprises Act:
# not to collections while open); a financial-assistance application stops
# extraordinary actions only (501(r)); a promise, insurance and "other" pause
# the notices for a while.
HOLD_STRENGTH = {
    "bankruptcy": 4,
    "deceased": 4,
    "dispute": 3,
    "financial_assistance": 2,
    "promise_to_pay": 1,
    "insurance_pending": 1,
    "other": 1,
}
# The holds no statement or demand ever goes out on, and that only a collections
# manager releases.
NO_DEMAND_HOLDS = ("bankruptcy", "deceased")
# The holds during which a statement or the portal shows the balance for
# information only, with no amount due now nor pay-by date: the two above (the
# automatic stay forbids any act to collect; an estate is not dunned), a dispute
# (No Surprises Act: not pursued while open) and a financial-assistance
# application (501(r): an eligible patient is refunded what they paid above the
# discount, and the statement says no collection action is taken meanwhile).
# Paying of one's own accord stays possible.  A promise, insurance and "other"
# pause the notices, not what is owed.
NO_PAYMENT_DEMAND_HOLDS = (*NO_DEMAND_HOLDS, "dispute", "financial_assistance")


# The holds during which no payment plan is set up and an active one is paused (no
# installment missed, no default): a dispute is not pursued while open, the stay
# and an estate take no plan.  A financial-assistance application still takes one:
# a patient in hardship often asks for a plan, and the discount, once approved,
# lowers what is left on it.
PLAN_PAUSING_HOLDS = (*NO_DEMAND_HOLDS, "dispute")


def takes_plan(reason):
    """Whether a payment plan may be set up, and runs, on an account on a
    ``reason`` hold (None: no hold)."""
    return reason not in PLAN_PAUSING_HOLDS


def hold_strength(reason):
    """How strong a hold of ``reason`` is (0: no hold)."""
    return HOLD_STRENGTH.get(reason, 1) if reason else 0


def demands_payment(reason):
    """Whether a statement of an account on a ``reason`` hold (None: no hold)
    asks for an amount by a date."""
    return reason not in NO_PAYMENT_DEMAND_HOLDS


def keeps_hold(current, new):
    """Whether an account on a ``current`` hold keeps it when a ``new`` one is
    asked for: the current one is stronger."""
    return hold_strength(current) > hold_strength(new)
