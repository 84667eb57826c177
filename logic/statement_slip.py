"""The remittance slip at the foot of a statement (no Odoo here): whom to pay,
for which account, how much now, and the account's portal link printed and as
a QR code, to pay online."""

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from . import pdf_common as pc

QR_SIZE = 1.1 * inch


def qr_code(url, size=QR_SIZE):
    """A QR code of ``url`` as a flowable ``size`` points wide (None without a URL)."""
    if not url:
        return None
    widget = QrCodeWidget(url, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def _remit_to(statement, styles):
    """The practice's name and remit-to address, one paragraph."""
    practice = statement["practice"]
    text = pc.escape(practice["name"])
    if practice.get("remit_to"):
        text += "<br/>" + pc.lines(practice["remit_to"], 5, 60)
    return Paragraph(text, styles["value"])


def _slip_rows(statement, styles):
    labels = statement["labels"]
    rows = [
        [labels["remit_to"], _remit_to(statement, styles)],
        [labels["account"], statement["account"]],
        [labels["guarantor"], pc.fit(statement["guarantor"], styles["value"], 45)],
        [labels["amount_due"], statement["amount_due"]],
    ]
    if statement.get("balance_due") and statement["balance_due"] != statement["amount_due"]:
        rows.append([labels.get("balance_due", ""), statement["balance_due"]])
    rows.append([labels["amount_enclosed"], "______________"])
    if statement.get("portal_url"):
        rows.append(
            [
                labels.get("pay_online", ""),
                Paragraph(pc.escape(statement["portal_url"]), styles["cell"]),
            ]
        )
    return rows


def remittance_slip(statement, styles):
    """The slip to detach and return with the payment, kept on one page; the QR
    code of the portal link beside it."""
    labels = statement["labels"]
    slip = pc.grid(_slip_rows(statement, styles), [1.6 * inch, 3.9 * inch], header=False)
    code = qr_code(statement.get("portal_url"))
    if code is not None:
        beside = [code, Paragraph(pc.escape(labels.get("scan_to_pay", "")), styles["small"])]
        slip = Table([[slip, beside]], colWidths=[5.6 * inch, 1.4 * inch], hAlign="LEFT")
        slip.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
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
