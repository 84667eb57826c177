"""What each promise to pay of an account is credited with: a payment counts
once, toward the promises oldest first (the one due first, then the one made
first), and only toward promises made on or before its date and due on or after
it: a payment after the promised date is late, the promise was broken (the
payment still lowers the balance)."""


def credit_promises(payments, promises):
    """``payments``: [(date, amount)] of one account; ``promises``: [(key,
    made_date, due_date, amount, settled)] where ``settled`` is the amount an
    already settled promise was credited with (None for a pending one).  Returns
    {key: amount credited} for the pending promises: each takes, oldest first,
    what is left of the payments dated from the day it was made to the day it was
    due, up to its amount; a settled promise keeps what it was credited with."""
    left = sorted([day, amount] for day, amount in payments if amount > 0)
    credits = {}
    for key, made, due, amount, settled in sorted(promises, key=lambda p: (p[2], p[1], p[0])):
        wanted = min(settled, amount) if settled is not None else amount
        taken = 0.0
        for payment in left:
            if wanted - taken <= 0:
                break
            if payment[0] < made or payment[0] > due or payment[1] <= 0:
                continue
            part = min(payment[1], wanted - taken)
            payment[1] -= part
            taken += part
        if settled is None:
            credits[key] = taken
    return credits
