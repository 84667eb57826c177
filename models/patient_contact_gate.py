"""Shared pieces of the outbound contact gate (see ``patient_account_messaging.py``)."""

from odoo.tools import email_normalize_all

# Messages already judged by the gate in this transaction, in a cursor-level set
# a client cannot reach: the mails that carry them are not judged twice.
GATED_MESSAGES_KEY = "patient_collections.contact_gated_messages"


def gated_messages(env):
    """The ids of the messages the gate judged in this transaction."""
    return env.cr.cache.setdefault(GATED_MESSAGES_KEY, set())


def emails_of(*addresses):
    """The normalized addresses in ``addresses`` (text fields holding lists)."""
    return {email for text in addresses if text for email in email_normalize_all(text)}
