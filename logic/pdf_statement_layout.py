"""The invoice table of a statement fitted to what it holds (no Odoo here).

An amount never splits inside its cell: the amount columns widen to their
widest amount, at the expense of the description, and an amount still too wide
for its column prints in a smaller font.  The patient column widens for a long
name so that it wraps over a few lines, not six."""

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth

from . import pdf_common as pc

FONT_SIZE = 7.5
# The smallest size an amount shrinks to (the longest amount a statement prints
# fits at it in the narrowest amount column).
MIN_AMOUNT_SIZE = 4.5
# Points left and right of an amount, of a text.
AMOUNT_PADDING = 2
TEXT_PADDING = 6
MAX_AMOUNT_WIDTH = 1.05 * inch
MIN_DESCRIPTION_WIDTH = 0.95 * inch
MAX_PATIENT_WIDTH = 1.5 * inch
# A name wraps over this many lines at most in the patient column, when the
# column can be made that wide; a longer one prints smaller (down to 6 points).
PATIENT_LINES = 3
NAME_SIZES = (7, 6.5, 6)


def text_width(text, size=FONT_SIZE):
    """The width of ``text`` in points in the statement's regular font."""
    return stringWidth(str(text or ""), pc.fonts()[0], size)


def column_widths(base, rows, amount_from, patient, description):
    """The widths in points of the invoice table's columns: ``base`` (inches) with
    the ``patient`` column wide enough for the longest name in PATIENT_LINES
    lines and the amount columns (from ``amount_from``) as wide as their widest
    amount, what they take given by the ``description`` column down to its
    minimum: the name first (an amount can shrink its font, a name only so
    much), then the amounts, each widening cut in proportion when the room is
    short.  ``rows``: the rows' plain texts (``{column index: text}``)."""
    widths = [width * inch for width in base]
    room = widths[description] - MIN_DESCRIPTION_WIDTH
    longest = max((text_width(row.get(patient)) for row in rows), default=0)
    # a line wraps at a space, never quite full: count a little less than a line each
    wanted = min(longest / (PATIENT_LINES - 0.4) + 2 * TEXT_PADDING, MAX_PATIENT_WIDTH)
    gain = min(max(wanted - widths[patient], 0.0), room)
    widths[patient] += gain
    widths[description] -= gain
    room -= gain
    extra = {}
    for column in range(amount_from, len(widths)):
        widest = max((text_width(row.get(column)) for row in rows), default=0)
        wanted = min(widest + 2 * AMOUNT_PADDING + 1, MAX_AMOUNT_WIDTH)
        extra[column] = max(wanted - widths[column], 0.0)
    share = min(1.0, room / sum(extra.values())) if sum(extra.values()) > 0 else 0.0
    for column, gain in extra.items():
        widths[column] += gain * share
        widths[description] -= gain * share
    return widths


def amount_size(text, width, size=FONT_SIZE):
    """The font size, ``size`` at most, at which the amount ``text`` fits a column
    ``width`` points wide."""
    room = width - 2 * AMOUNT_PADDING - 0.5
    natural = text_width(text, size)
    if natural <= room:
        return size
    return max(MIN_AMOUNT_SIZE, size * room / natural)


def name_cell(name, width, style):
    """A patient's name in a column ``width`` points wide: ``(its lines, their
    style)``, the cell's style, or a smaller one when the name would wrap over
    more than PATIENT_LINES lines."""
    for size in (FONT_SIZE, *NAME_SIZES):
        lines = name_lines(name, width, size)
        if len(lines) <= PATIENT_LINES:
            break
    if size == FONT_SIZE:
        return lines, style
    small = ParagraphStyle(f"{style.name}_{size}", parent=style, fontSize=size, leading=size + 1.5)
    return lines, small


def name_lines(name, width, size):
    """A name as the lines it wraps over in a column ``width`` points wide: at
    spaces and after hyphens (a double-barrelled name breaks at its hyphen, not
    inside a word); a single word wider than the column is left to the
    paragraph, which splits it."""
    room = width - 2 * TEXT_PADDING
    pieces = [piece for word in name.split() for piece in _after_hyphens(word)]
    lines = []
    for piece, glue in pieces:
        if lines and text_width(lines[-1] + piece, size) <= room:
            lines[-1] += piece + glue
        else:
            lines.append(piece + glue)
    return [line.rstrip() for line in lines]


def _after_hyphens(word):
    """``word``'s parts ending at each hyphen, with what follows each: nothing
    inside the word, a space after its last part."""
    parts = word.split("-")
    return [(part + "-", "") for part in parts[:-1]] + [(parts[-1], " ")]


def amount_commands(rows, widths, amount_from, size=FONT_SIZE):
    """Table style commands: the amounts' padding, and a font smaller than
    ``size`` for each amount (a plain text cell) too wide for its column."""
    last = len(widths) - 1
    commands = [
        ("LEFTPADDING", (amount_from, 0), (last, -1), AMOUNT_PADDING),
        ("RIGHTPADDING", (amount_from, 0), (last, -1), AMOUNT_PADDING),
    ]
    for number, row in enumerate(rows):
        for column in range(amount_from, len(widths)):
            cell = row[column] if column < len(row) else ""
            if isinstance(cell, str) and cell:
                fitted = amount_size(cell, widths[column], size)
                if fitted < size:
                    place = (column, number)
                    commands.append(("FONTSIZE", place, place, fitted))
    return commands
