"""Which Python values a field of each type may be given (no Odoo here).

Odoo converts generously: ``{}``, ``[]`` or ``0.0`` given for a date count as
"empty" when checked but reach SQL as they are; a dict given for an integer
becomes NULL.  A value is acceptable for a field when it is empty (False or
None) or of one of the types below; anything else is refused before the ORM
sees it.  (Ranges are checked elsewhere.)
"""

from datetime import date, datetime
from decimal import Decimal

ACCEPTED_TYPES = {
    "integer": (int, float, Decimal, str),
    "float": (int, float, Decimal, str),
    "monetary": (int, float, Decimal, str),
    "date": (date, str),
    "datetime": (datetime, date, str),
    "selection": (str,),
    "boolean": (bool, int),
    "char": (str,),
    "text": (str,),
    "html": (str,),
}
NUMBER_TYPES = frozenset({"integer", "float", "monetary"})


def wrong_type(field_type, value):
    """True when ``value`` cannot be meant for a field of ``field_type``."""
    if value is None or value is False:
        return False
    accepted = ACCEPTED_TYPES.get(field_type)
    if accepted is None:
        return False
    if isinstance(value, bool) and field_type != "boolean":
        return True
    return not isinstance(value, accepted)
