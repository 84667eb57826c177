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
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from . import pdf_common as pc

ROW_COLUMNS = (
    "service_date",
    "patient",
    "description",
    "charges",
    "insurance_paid",
    "adjustment",
    "responsibility",
    "payments",
    "balance",
)
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
# What a statement prints of each value, at most (characters; lines for addresses):
# a name without spaces, a pasted document or an absurd amount still fits its place.
TEXT_LIMITS = {
    "account": 30,
    "date": 30,
    "due_date": 30,
    "amount_due": 30,
    "balance": 30,
    "guarantor": 60,
    "stage_message": 1500,
    "plan_line": 500,
    "how_to_pay": 3000,
    "assistance": 3000,
    "portal_url": 300,
}
ROW_LIMITS = {"patient": 80, "description": 240}
ROW_VALUE_LIMIT = 30
# Characters that fit a value column on one line.
CELL_WIDTH = 11


def _clean(statement):
    """A copy of ``statement`` whose texts are printable and cut to size."""
    clean = dict(statement)
    for key, limit in TEXT_LIMITS.items():
        if key in ("how_to_pay", "assistance"):
            clean[key] = pc.clean_lines(statement.get(key), 40, limit)
        else:
            clean[key] = pc.clean(statement.get(key), limit)
    clean["guarantor_address"] = pc.clean_lines(statement.get("guarantor_address"), 5, 50)
    practice = dict(statement.get("practice") or {})
    practice["name"] = pc.clean(practice.get("name"), 120)
    practice["address"] = pc.clean_lines(practice.get("address"), 4, 80)
    practice["phone"] = pc.clean(practice.get("phone"), 40)
    clean["practice"] = practice
    clean["rows"] = [
        {
            name: pc.clean(row.get(name), ROW_LIMITS.get(name, ROW_VALUE_LIMIT))
            for name in ROW_COLUMNS
        }
        for row in statement.get("rows") or []
    ]
    clean["aging"] = [
        (pc.clean(label, ROW_VALUE_LIMIT), pc.clean(value, ROW_VALUE_LIMIT))
        for label, value in statement.get("aging") or []
    ][:8]
    return clean


def _cells(row, styles):
    """A row of the invoice table; names and descriptions wrap inside their column,
    a value too long for its column too."""
    return [
        Paragraph(pc.escape(row.get(name, "")), styles["cell"])
        if name in TEXT_COLUMNS
        else pc.fit(row.get(name, ""), styles["cell_right" if index >= 3 else "cell"], CELL_WIDTH)
        for index, name in enumerate(ROW_COLUMNS)
    ]


def _story(statement, styles, logos, key):
    """The flowables of one statement; ``key`` tells its pages from the others'."""
    statement = _clean(statement)
    return [
        _StatementMark(key, statement["labels"]["page"]),
        _letterhead(statement, styles, logos),
        *_address_block(statement, styles),
        *_stage_message(statement, styles),
        *_invoice_table(statement, styles),
        *_summary(statement, styles),
        _remittance_slip(statement, styles),
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
    if practice.get("phone"):
        head_left.append(Paragraph(pc.escape(practice["phone"]), styles["small"]))
    facts = pc.grid(
        [
            [labels["statement_date"], pc.fit(statement["date"], styles["value"], 16)],
            [labels["account"], pc.fit(statement["account"], styles["value"], 16)],
            [labels["amount_due"], pc.fit(statement["amount_due"], styles["value"], 16)],
            [labels["due_date"], pc.fit(statement["due_date"], styles["value"], 16)],
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
    if not statement.get("stage_message"):
        return []
    return [
        Paragraph(pc.escape(statement["stage_message"]), styles["bold"]),
        Spacer(1, 0.08 * inch),
    ]


def _invoice_table(statement, styles):
    """The open items, their column headers repeated on every page, and the total."""
    labels = statement["labels"]
    header = [
        Paragraph(pc.escape(labels[name]), styles["head_right" if index >= 3 else "head"])
        for index, name in enumerate(ROW_COLUMNS)
    ]
    total = ["", "", labels["total"], "", "", "", "", ""]
    total.append(pc.fit(statement["balance"], styles["cell_right"], CELL_WIDTH))
    rows = [header, *(_cells(row, styles) for row in statement["rows"]), total]
    table = pc.grid(rows, [w * inch for w in COLUMN_WIDTHS], align_right_from=3)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    return [table, Spacer(1, 0.12 * inch)]


def _summary(statement, styles):
    """Aging, the payment plan, how to pay and the financial-assistance notice."""
    labels = statement["labels"]
    aging = pc.grid(
        [
            [label for label, _value in statement["aging"]],
            [pc.fit(value, styles["cell_right"], 14) for _label, value in statement["aging"]],
        ],
        [1.0 * inch] * len(statement["aging"]),
        align_right_from=0,
    )
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


def _remittance_slip(statement, styles):
    """The slip to detach and return with the payment, kept on one page."""
    labels = statement["labels"]
    practice = statement["practice"]
    rows = [
        [labels["remit_to"], pc.fit(practice["name"], styles["value"], 60)],
        [labels["account"], statement["account"]],
        [labels["guarantor"], pc.fit(statement["guarantor"], styles["value"], 60)],
        [labels["amount_due"], statement["amount_due"]],
        [labels["amount_enclosed"], "______________"],
    ]
    if statement.get("portal_url"):
        rows.append(
            [labels.get("pay_online", ""), pc.fit(statement["portal_url"], styles["small"], 60)]
        )
    slip = pc.grid(rows, [2.0 * inch, 4.0 * inch], header=False)
    return KeepTogether(
        [
            Spacer(1, 0.15 * inch),
            Paragraph(
                "- - - - - - - - - - - - - - - - - - - - "
                + pc.escape(labels["detach"])
                + " - - - - - - - - - - - - - - - - - - - -",
                styles["small"],
            ),
            Spacer(1, 0.05 * inch),
            slip,
        ]
    )


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
