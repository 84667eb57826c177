"""When a guarantor's address can take a letter: a street, and a city or a ZIP
code, each counting only when something is left once its blanks are trimmed (a
street of spaces, or a tab, is no street).  The model's search trims the same
``BLANKS`` in SQL (``btrim``), so the ORM's answer and the database's agree."""

# Every character Python counts as white space, and the invisible zero-width
# space and byte-order mark: what an address part may hold without saying anything.
BLANKS = "".join(char for char in map(chr, range(0x3001)) if char.isspace()) + "\u200b\ufeff"


def filled(value):
    """Whether ``value`` (a text, or ``False``/``None`` when unset) says anything."""
    return isinstance(value, str) and bool(value.strip(BLANKS))


def mailable(street, city, zip_code):
    """Whether an address of ``street``, ``city`` and ``zip_code`` can take a letter."""
    return filled(street) and (filled(city) or filled(zip_code))
