"""Shared reportlab helpers for the module's documents (no Odoo here)."""

import os
from io import BytesIO

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Table, TableStyle

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


def escape(text):
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def lines(text):
    """A multi-line text (an address) as one paragraph's markup."""
    return "<br/>".join(escape(line) for line in str(text or "").splitlines() if line.strip())


def grid(rows, widths, header=True, repeat=True, align_right_from=None):
    """A table with the house style; the header row repeats on every page."""
    regular, bold = fonts()
    table = Table(rows, colWidths=widths, repeatRows=1 if (header and repeat) else 0, hAlign="LEFT")
    commands = [
        ("FONT", (0, 0), (-1, -1), regular, 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F2F4F7")]),
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
