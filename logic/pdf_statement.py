"""Patient statements, laid out with reportlab from plain values (no Odoo here).

One statement is a letter to the guarantor: letterhead, the guarantor's address
where a #10 window envelope shows it, the open invoices with their insurance
breakdown, an aging summary, the amount due, the payment plan's next
installment, the stage's message, how to pay, the financial-assistance notice
and a remittance slip to detach.  Long histories flow onto more pages with the
column headers repeated; every page says "Page x of y" for its own statement,
also when thousands of statements are merged into one PDF for the mail house.
"""

from io import BytesIO

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from . import pdf_common as pc
from . import pdf_statement_layout as layout
from .statement_clean import ROW_COLUMNS, clean_statement
from .statement_slip import remittance_slip

__all__ = ["ROW_COLUMNS", "render", "render_batch"]

COLUMN_WIDTHS = (0.72, 1.05, 1.45, 0.66, 0.66, 0.66, 0.72, 0.66, 0.72)


class _StatementMark(Flowable):
    """Invisible: tells the canvas which statement the following pages belong to."""

    def __init__(self, key, page_label):
        super().__init__()
        self.key = key
        self.page_label = page_label
        self.width = self.height = 0

    def draw(self):
        self.canv.statement_key = self.key
        self.canv.page_label = self.page_label


class _NumberedCanvas(rl_canvas.Canvas):
    """Writes "Page x of y" per statement once all pages are known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []
        self.statement_key = None
        self.page_label = "Page {page} of {pages}"

    def showPage(self):
        self._pages.append((dict(self.__dict__), self.statement_key, self.page_label))
        self._startPage()

    def save(self):
        totals = {}
        self.page_ranges = {}
        for number, (_state, key, _label) in enumerate(self._pages):
            first, _last = self.page_ranges.get(key, (number, number))
            self.page_ranges[key] = (first, number)
        for _state, key, _label in self._pages:
            totals[key] = totals.get(key, 0) + 1
        seen = {}
        regular, _bold = pc.fonts()
        for state, key, label in self._pages:
            self.__dict__.update(state)
            seen[key] = seen.get(key, 0) + 1
            self.setFont(regular, 7.5)
            self.drawRightString(
                pc.PAGE[0] - pc.MARGIN,
                0.4 * inch,
                pc.page_label(label, seen[key], totals[key]),
            )
            rl_canvas.Canvas.showPage(self)
        return super().save()


TEXT_COLUMNS = ("patient", "description")
DESCRIPTION = ROW_COLUMNS.index("description")
# A longer description prints on a line of its own under its item.
DESCRIPTION_IN_COLUMN = 90
PATIENT = ROW_COLUMNS.index("patient")
# The first amount column.
AMOUNTS = 3


def _item_rows(row, styles, pending_label="", widths=None):
    """One open item's rows of the invoice table: its cells (names and descriptions
    wrap inside their column; an amount is plain text on one line, its font fitted
    to its column by ``_invoice_table``; a line waiting for insurance says so)
    and, for a long description, a line of its own under them over the table's
    width, so it prints whole without a tall narrow cell."""
    cells = []
    for index, name in enumerate(ROW_COLUMNS):
        value = row.get(name, "")
        if name in TEXT_COLUMNS:
            style, text = styles["cell"], pc.escape(value)
            if index == PATIENT and widths:
                lines, style = layout.name_cell(value, widths[index], style)
                text = "<br/>".join(pc.escape(line) for line in lines)
            cells.append(Paragraph(text, style))
        else:
            cells.append(str(value or ""))
    note = ""
    if row.get("pending") and pending_label:
        note = "<i>" + pc.escape(pending_label) + "</i>"
    description = row.get("description", "")
    if len(description) <= DESCRIPTION_IN_COLUMN:
        text = pc.escape(description) + ("<br/>" + note if note else "")
        cells[DESCRIPTION] = Paragraph(text, styles["cell"])
        return [cells]
    cells[DESCRIPTION] = Paragraph(note, styles["cell"]) if note else ""
    under = ["", Paragraph(pc.escape(description), styles["cell"])]
    return [cells, under + [""] * (len(ROW_COLUMNS) - len(under))]


def _story(statement, styles, logos, key):
    """The flowables of one statement; ``key`` tells its pages from the others'."""
    statement = clean_statement(statement)
    return [
        _StatementMark(key, statement["labels"]["page"]),
        _letterhead(statement, styles, logos),
        *_address_block(statement, styles),
        *_stage_message(statement, styles),
        *_invoice_table(statement, styles),
        *_summary(statement, styles),
        remittance_slip(statement, styles),
    ]


def _letterhead(statement, styles, logos):
    """Logo, practice and the statement's facts (date, account, amount, due date)."""
    labels = statement["labels"]
    practice = statement["practice"]
    logo = logos.get(practice.get("logo_key"))
    head_left = [
        Paragraph(pc.escape(practice["name"]), styles["bold"]),
        Paragraph(pc.lines(practice["address"]), styles["small"]),
    ]
    head_left += _contact_lines(practice, labels, styles)
    facts = [("statement_date", statement["date"]), ("account", statement["account"])]
    if statement.get("credit"):  # nothing to pay: the credit, no amount due nor pay-by date
        facts.append(("credit", statement["credit"]))
    else:
        facts += [
            ("balance_due", statement.get("balance_due")),
            ("amount_due", statement["amount_due"]),
            ("due_date", statement["due_date"]),
        ]
    facts = pc.grid(
        [
            [labels.get(key, ""), pc.fit(value, styles["value"], 16)]
            for key, value in facts
            if value
        ],
        [1.2 * inch, 1.3 * inch],
        header=False,
        align_right_from=1,
    )
    head = Table(
        [[logo or "", head_left, facts]],
        colWidths=[1.0 * inch, 3.3 * inch, 2.7 * inch],
        rowHeights=[1.15 * inch],
        hAlign="LEFT",
    )
    head.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return head


def _contact_lines(practice, labels, styles):
    """The billing office's phone and hours under the practice's address."""
    lines = []
    phone = practice.get("billing_phone") or practice.get("phone")
    if phone:
        text = (
            f"{labels.get('billing_phone', '')}: {phone}" if labels.get("billing_phone") else phone
        )
        lines.append(Paragraph(pc.escape(text), styles["small"]))
    if practice.get("office_hours"):
        text = f"{labels.get('office_hours', '')}: {practice['office_hours']}"
        lines.append(Paragraph(pc.escape(text), styles["small"]))
    return lines


def _address_block(statement, styles):
    """The guarantor's address, where a #10 window envelope shows it."""
    address = Table(
        [
            [
                Paragraph(
                    pc.escape(statement["guarantor"])
                    + "<br/>"
                    + pc.lines(statement["guarantor_address"]),
                    styles["body"],
                )
            ]
        ],
        colWidths=[3.6 * inch],
        rowHeights=[1.05 * inch],
        hAlign="LEFT",
    )
    address.setStyle(
        TableStyle(
            [("LEFTPADDING", (0, 0), (-1, -1), 0.3 * inch), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    return [address, Spacer(1, 0.1 * inch)]


def _stage_message(statement, styles):
    """The credit, when there is nothing to pay, and the stage's message."""
    story = []
    for key in ("credit_line", "stage_message"):
        if statement.get(key):
            story += [Paragraph(pc.escape(statement[key]), styles["bold"]), Spacer(1, 0.08 * inch)]
    return story


def _total_row(label, value):
    return ["", "", label, "", "", "", "", "", str(value or "")]


def _invoice_table(statement, styles):
    """The open items, their column headers repeated on every page, and the totals:
    every line, less what waits for insurance, is the guarantor's balance."""
    labels = statement["labels"]
    header = [
        Paragraph(pc.escape(labels[name]), styles["head_right" if index >= AMOUNTS else "head"])
        for index, name in enumerate(ROW_COLUMNS)
    ]
    pending_label = labels.get("pending_line", "")
    totals = [_total_row(labels["total"], statement["balance"])]
    if statement.get("pending_total"):
        totals += [
            _total_row(labels.get("pending_total", ""), statement["pending_total"]),
            _total_row(labels.get("balance_due", ""), statement["balance_due"]),
        ]
    widths = layout.column_widths(
        COLUMN_WIDTHS,
        [dict(enumerate(row.get(name, "") for name in ROW_COLUMNS)) for row in statement["rows"]]
        + [{len(ROW_COLUMNS) - 1: total[-1]} for total in totals],
        AMOUNTS,
        PATIENT,
        DESCRIPTION,
    )
    rows, style = [header], []
    for number, row in enumerate(statement["rows"]):
        item = _item_rows(row, styles, pending_label, widths)
        first, last = len(rows), len(rows) + len(item) - 1
        # an item in one colour, its description line over the columns after the date
        style.append(("BACKGROUND", (0, first), (-1, last), pc.ROW_COLOURS[number % 2]))
        style += [("SPAN", (1, index), (-1, index)) for index in range(first + 1, last + 1)]
        rows += item
    rows += totals
    table = pc.grid(rows, widths, align_right_from=AMOUNTS, split_in_row=True)
    table.setStyle(
        TableStyle(
            [
                *style,
                ("FONTSIZE", (0, 0), (-1, -1), layout.FONT_SIZE),
                *layout.amount_commands(rows, widths, AMOUNTS),
                ("LINEABOVE", (0, -len(totals)), (-1, -len(totals)), 0.6, colors.black),
                # a total's label over the columns left of the balance
                *(("SPAN", (2, -row), (7, -row)) for row in range(1, len(totals) + 1)),
            ]
        )
    )
    return [table, Spacer(1, 0.12 * inch)]


def _summary(statement, styles):
    """Aging, the payment plan, how to pay and the financial-assistance notice."""
    labels = statement["labels"]
    # an amount on one line, in a smaller font when it is too wide for its column
    amounts = [str(value or "") for _label, value in statement["aging"]]
    widths = [1.0 * inch] * len(amounts)
    aging = pc.grid(
        [[label for label, _value in statement["aging"]], amounts],
        widths,
        align_right_from=0,
    )
    aging.setStyle(TableStyle(layout.amount_commands([[], amounts], widths, 0, size=8.5)))
    story = [Paragraph(pc.escape(labels["aging"]), styles["heading"]), aging]
    if statement.get("plan_line"):
        story += [
            Spacer(1, 0.08 * inch),
            Paragraph(pc.escape(statement["plan_line"]), styles["body"]),
        ]
    if statement.get("how_to_pay"):
        story += [
            Paragraph(pc.escape(labels["how_to_pay"]), styles["heading"]),
            Paragraph(pc.lines(statement["how_to_pay"]), styles["body"]),
        ]
    if statement.get("assistance"):
        story += [
            Paragraph(pc.escape(labels["assistance"]), styles["heading"]),
            Paragraph(pc.lines(statement["assistance"]), styles["small"]),
        ]
    return story


def render(statements, merged=False):
    """The PDF of each statement (a list of bytes), or one merged PDF (bytes)."""
    if merged:
        return _build(statements)[0]
    return [_build([statement])[0] for statement in statements]


def render_batch(statements):
    """One merged PDF of all statements and each statement's own PDF cut from it
    (much cheaper than drawing them twice): ``(merged bytes, [bytes, ...])``."""
    merged, ranges = _build(statements)
    reader = PdfReader(BytesIO(merged))
    singles = []
    for index in range(len(statements)):
        first, last = ranges[index]
        writer = PdfWriter()
        for number in range(first, last + 1):
            writer.add_page(reader.pages[number])
        buffer = BytesIO()
        writer.write(buffer)
        singles.append(buffer.getvalue())
    return merged, singles


def _logo(data):
    """The practice's logo, or nothing when its file is not an image reportlab reads."""
    try:
        ImageReader(BytesIO(data)).getSize()
    except (OSError, ValueError, SyntaxError):  # what PIL raises for a file it cannot read
        return None
    return Image(BytesIO(data), width=0.9 * inch, height=0.9 * inch, kind="proportional")


def _build(statements):
    styles = pc.styles()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=pc.PAGE,
        leftMargin=pc.MARGIN,
        rightMargin=pc.MARGIN,
        topMargin=pc.MARGIN,
        bottomMargin=0.7 * inch,
        title=statements[0]["labels"]["title"] if statements else "",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="statement", frames=[frame])])
    logos = {}
    for statement in statements:
        practice = statement["practice"]
        key = practice.get("logo_key")
        if key and key not in logos and practice.get("logo"):
            logos[key] = _logo(practice["logo"])
    story = []
    for index, statement in enumerate(statements):
        if index:
            story.append(PageBreak())
        story += _story(statement, styles, logos, index)
    if not story:
        story = [Spacer(1, 1)]
    canvases = []

    def canvasmaker(*args, **kwargs):
        canvases.append(_NumberedCanvas(*args, **kwargs))
        return canvases[-1]

    doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue(), canvases[-1].page_ranges
