"""The aged patient balances report, drawn with reportlab (no Odoo here)."""

from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer, TableStyle

from .pdf_common import clean, escape, fit, grid, letter_document, new_buffer, styles


def aging_report_pdf(title, meta_lines, headers, rows, total_row, author=""):
    """One PDF: a title, a few lines saying what it covers (company, day, source),
    and a table of groups (first column: the group's label; then counts and
    amounts already formatted) ending with the grand total."""
    style = styles()
    buffer = new_buffer()
    doc = letter_document(buffer, clean(title), clean(author))
    story = [Paragraph(escape(clean(title)), style["title"])]
    story += [Paragraph(escape(clean(line, 300)), style["body"]) for line in meta_lines]
    story.append(Spacer(1, 0.15 * inch))
    body = [[fit(clean(row[0], 60), style["cell"], 22), *row[1:]] for row in rows]
    table_rows = [list(headers), *body, list(total_row)]
    first = 1.35 * inch
    rest = (doc.width - first) / (len(headers) - 1)
    table = grid(table_rows, [first] + [rest] * (len(headers) - 1), align_right_from=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, "black"),
                ("FONTNAME", (0, -1), (-1, -1), styles()["bold"].fontName),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return buffer.getvalue()
