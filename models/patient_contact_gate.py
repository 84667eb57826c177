"""Shared pieces of the outbound contact gate (see ``patient_account_messaging.py``)."""

from odoo.tools import email_normalize_all

# (message, account) pairs already judged by the gate in this transaction, in a
# cursor-level set a client cannot reach: the mails and texts that carry a message
# to an account's people are judged (and logged) once, each account on its own (a
# message reaching someone else first is no pass for the account's guarantor).
GATED_KEY = "patient_collections.contact_gated_messages"


def gated_messages(env):
    """The (message id, account id) pairs the gate judged in this transaction."""
    return env.cr.cache.setdefault(GATED_KEY, set())


def emails_of(*addresses):
    """The normalized addresses in ``addresses`` (text fields holding lists)."""
    return {email for text in addresses if text for email in email_normalize_all(text)}
