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
