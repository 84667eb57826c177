"""Shared reportlab helpers for the module's documents (no Odoo here)."""

import os
import re
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

# DejaVu covers accents, Greek, Cyrillic...; Helvetica is the fallback.
_FONT_CANDIDATES = (
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
)
_FONTS = None


def fonts():
    """(regular, bold) font names, registering a Unicode TrueType font once."""
    global _FONTS  # registered once per process
    if _FONTS is None:
        _FONTS = ("Helvetica", "Helvetica-Bold")
        for regular, bold in _FONT_CANDIDATES:
            if os.path.exists(regular) and os.path.exists(bold):
                pdfmetrics.registerFont(TTFont("PCSans", regular))
                pdfmetrics.registerFont(TTFont("PCSans-Bold", bold))
                _FONTS = ("PCSans", "PCSans-Bold")
                break
    return _FONTS


def styles():
    regular, bold = fonts()
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle(
            "pc_body", parent=base["Normal"], fontName=regular, fontSize=9.5, leading=12
        ),
        "small": ParagraphStyle(
            "pc_small", parent=base["Normal"], fontName=regular, fontSize=8, leading=10
        ),
        "title": ParagraphStyle(
            "pc_title",
            parent=base["Title"],
            fontName=bold,
            fontSize=15,
            leading=18,
            alignment=0,
            spaceAfter=6,
        ),
        "heading": ParagraphStyle(
            "pc_heading",
            parent=base["Heading3"],
            fontName=bold,
            fontSize=10.5,
            leading=13,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "right": ParagraphStyle(
            "pc_right",
            parent=base["Normal"],
            fontName=regular,
            fontSize=9.5,
            leading=12,
            alignment=TA_RIGHT,
        ),
        "cell": ParagraphStyle(
            "pc_cell", parent=base["Normal"], fontName=regular, fontSize=7.5, leading=9
        ),
        "cell_right": ParagraphStyle(
            "pc_cell_right",
            parent=base["Normal"],
            fontName=regular,
            fontSize=7.5,
            leading=9,
            alignment=TA_RIGHT,
            wordWrap="CJK",  # an amount has no spaces: break it anywhere
        ),
        "value": ParagraphStyle(
            "pc_value",
            parent=base["Normal"],
            fontName=regular,
            fontSize=8.5,
            leading=10,
            wordWrap="CJK",
        ),
        "head": ParagraphStyle(
            "pc_head", parent=base["Normal"], fontName=bold, fontSize=7.5, leading=9
        ),
        "head_right": ParagraphStyle(
            "pc_head_right",
            parent=base["Normal"],
            fontName=bold,
            fontSize=7.5,
            leading=9,
            alignment=TA_RIGHT,
        ),
        "bold": ParagraphStyle(
            "pc_bold", parent=base["Normal"], fontName=bold, fontSize=9.5, leading=12
        ),
    }


# Control characters (tab and line breaks aside), lone surrogates and non-characters:
# nothing a letter prints, and some break the PDF's text or reportlab's parser.
_UNPRINTABLE = {
    **dict.fromkeys([*range(9), 11, 12, *range(14, 32), 127], None),
    **dict.fromkeys(range(0xD800, 0xE000), None),
    0xFFFE: None,
    0xFFFF: None,
    # the zero-width no-break space Odoo puts after a minus sign: invisible, and it
    # takes the sign and currency out of the PDF's text (what readers and search see)
    0xFEFF: None,
}
# Beyond the Basic Multilingual Plane (emoji...): the font has no glyph for them and
# reportlab writes their text map wrongly, so they print as the replacement mark.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
ELLIPSIS = "\u2026"


def clean(text, limit=200):
    """``text`` as one printable line of ``limit`` characters at most: whatever a
    record holds (a name without spaces, a pasted document), it fits its place on
    the page and never breaks the layout."""
    text = str(text if text not in (None, False) else "").translate(_UNPRINTABLE)
    text = " ".join(_ASTRAL.sub("\ufffd", text).split())
    if len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + ELLIPSIS
    return text


def clean_lines(text, max_lines=6, limit=80):
    """A multi-line text (an address) as at most ``max_lines`` printable lines of
    ``limit`` characters; what is beyond is cut, marked with an ellipsis."""
    found = [
        clean(line, limit)
        for line in str(text if text not in (None, False) else "").splitlines()
        if clean(line, limit)
    ]
    if len(found) > max_lines:
        found = [*found[: max_lines - 1], clean(found[max_lines - 1] + ELLIPSIS, limit)]
    return "\n".join(found)


def escape(text):
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def lines(text, max_lines=40, limit=3000):
    """A multi-line text as one paragraph's markup, cut to size (an address:
    ``max_lines=6, limit=80``; the paragraph wraps the lines at spaces)."""
    return "<br/>".join(escape(line) for line in clean_lines(text, max_lines, limit).splitlines())


def fit(text, style, width):
    """``text`` as a plain table cell when it fits ``width`` characters, else as a
    paragraph that wraps inside its cell instead of running over its neighbours."""
    text = str(text or "")
    if len(text) <= width:
        return text
    return Paragraph(escape(text), style)


def page_label(label, page, pages):
    """ "Page x of y" from a translated label, whatever braces a translation holds."""
    try:
        return str(label).format(page=page, pages=pages)
    except (KeyError, IndexError, ValueError, AttributeError):
        return f"{page} / {pages}"


# The alternating colours of a table's rows.
ROW_COLOURS = (colors.white, colors.HexColor("#F2F4F7"))


def grid(rows, widths, header=True, repeat=True, align_right_from=None, split_in_row=False):
    """A table with the house style; the header row repeats on every page
    (``split_in_row``: a row taller than what is left of a page goes on over it)."""
    regular, bold = fonts()
    table = Table(
        rows,
        colWidths=widths,
        repeatRows=1 if (header and repeat) else 0,
        hAlign="LEFT",
        splitInRow=1 if split_in_row else 0,
    )
    commands = [
        ("FONT", (0, 0), (-1, -1), regular, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), list(ROW_COLOURS)),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("FONT", (0, 0), (-1, 0), bold, 8.5))
    if align_right_from is not None:
        commands.append(("ALIGN", (align_right_from, 0), (-1, -1), "RIGHT"))
    table.setStyle(TableStyle(commands))
    return table


PAGE = LETTER
MARGIN = 0.6 * inch


def new_buffer():
    return BytesIO()


def letter_document(buffer, title, author):
    """A one-column letter on the practice's page size and margins."""
    return SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=author,
    )
