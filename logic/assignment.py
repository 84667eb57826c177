"""Distributing patient accounts among specialists."""

from itertools import cycle


def assign_single(account_ids, user_id):
    return dict.fromkeys(account_ids, user_id)


def assign_round_robin(account_ids, user_ids):
    """Deal accounts in the given order to the users in turn."""
    if not user_ids:
        raise ValueError("at least one user is needed")
    return dict(zip(account_ids, cycle(user_ids)))


def assign_balanced(accounts, user_ids):
    """Spread accounts so that each user's total balance is as even as possible.

    ``accounts`` is a list of (account id, balance).  Largest balances are placed
    first, each with the user whose total is smallest so far (ties go to the
    user listed first).  Returns the mapping and each user's total.
    """
    if not user_ids:
        raise ValueError("at least one user is needed")
    totals = dict.fromkeys(user_ids, 0.0)
    order = {user_id: index for index, user_id in enumerate(user_ids)}
    mapping = {}
    for account_id, balance in sorted(accounts, key=lambda row: (-row[1], row[0])):
        user_id = min(totals, key=lambda uid: (totals[uid], order[uid]))
        mapping[account_id] = user_id
        totals[user_id] += balance
    return mapping, totals
