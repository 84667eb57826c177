"""Financial assistance on the sliding scale, and write-off allocation (no Odoo here).

% FPL is household income over the federal poverty guideline for the household's
size, in percent, rounded half up to hundredths: an income of exactly twice the
guideline is 200.00 %.  A sliding scale is a list of (max % FPL, discount %): the
discount of the first tier whose maximum is at or above the % FPL, none above
the last tier.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MAX_HOUSEHOLD = 99


def guideline_amount(base_amount, per_person_amount, household_size):
    """The poverty guideline of a household: the amount for one person plus the
    amount for each additional person."""
    if not isinstance(household_size, int) or isinstance(household_size, bool):
        raise TypeError("household_size must be a whole number")
    if not 1 <= household_size <= MAX_HOUSEHOLD:
        raise ValueError(f"household_size must be between 1 and {MAX_HOUSEHOLD}")
    base = Decimal(str(base_amount))
    per_person = Decimal(str(per_person_amount))
    if base <= 0 or per_person < 0:
        raise ValueError("a guideline has a positive base amount and no negative increment")
    return base + per_person * (household_size - 1)


def fpl_percent(annual_income, guideline):
    """Household income as a percentage of its poverty guideline, to hundredths."""
    income = Decimal(str(annual_income))
    guideline = Decimal(str(guideline))
    if income < 0:
        raise ValueError("income cannot be negative")
    if guideline <= 0:
        raise ValueError("the guideline must be positive")
    return float((income * 100 / guideline).quantize(CENT, rounding=ROUND_HALF_UP))


def discount_for(tiers, percent):
    """The discount (percent) of the sliding scale ``tiers`` ((max % FPL,
    discount %) pairs, in any order) for a household at ``percent`` FPL."""
    for max_percent, discount in sorted(tiers):
        if percent <= max_percent:
            return discount
    return 0.0


def top_discount(tiers):
    """The discount of presumptive eligibility: the scale's most generous tier."""
    return max((discount for _max, discount in tiers), default=0.0)


def allocate_oldest_first(items, amount):
    """Spread ``amount`` over open items, oldest first.

    ``items``: (key, open amount) pairs in the order to settle them (oldest
    first); only positive amounts are taken.  Returns [(key, part)] whose parts
    add up to ``amount`` (in cents) and never exceed an item's open amount.
    Raises ValueError when the items cannot absorb ``amount``.
    """
    left = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    if left <= 0:
        raise ValueError("the amount to allocate must be positive")
    parts = []
    for key, open_amount in items:
        if left <= 0:
            break
        available = Decimal(str(open_amount)).quantize(CENT, rounding=ROUND_HALF_UP)
        if available <= 0:
            continue
        part = min(available, left)
        parts.append((key, float(part)))
        left -= part
    if left > 0:
        raise ValueError("the open items are smaller than the amount")
    return parts
