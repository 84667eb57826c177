"""The remittance slip at the foot of a statement (no Odoo here): whom to pay,
for which account, how much now, and the account's portal link printed and as
a QR code, to pay online."""

import qrcode
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from . import pdf_common as pc

QR_SIZE = 1.1 * inch


def qr_matrix(url):
    """The modules of ``url``'s QR code (rows of booleans, dark = True).

    One fixed mask pattern: any of the eight is read by every scanner, and
    choosing the "best" one encodes the code eight times (40 ms a statement)."""
    code = qrcode.QRCode(
        border=0, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=0
    )
    code.add_data(url)
    code.make(fit=True)
    return code.get_matrix()


class QrCode(Flowable):
    """A QR code drawn as one filled path: a rectangle per run of dark modules."""

    def __init__(self, matrix, size):
        super().__init__()
        self.matrix = matrix
        self.size = size

    def wrap(self, available_width, available_height):
        return self.size, self.size

    def draw(self):
        module = self.size / len(self.matrix)
        path = self.canv.beginPath()
        top = self.size
        for row, cells in enumerate(self.matrix):
            start = None
            for col, dark in enumerate([*cells, False]):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    path.rect(
                        start * module, top - (row + 1) * module, (col - start) * module, module
                    )
                    start = None
        self.canv.drawPath(path, stroke=0, fill=1)


def qr_code(url, size=QR_SIZE):
    """A QR code of ``url`` as a flowable ``size`` points wide (None without a URL)."""
    if not url:
        return None
    return QrCode(qr_matrix(url), size)


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
    ]
    if statement.get("credit"):  # nothing to pay: the credit, said plainly
        rows += [
            [labels.get("credit", ""), statement["credit"]],
            ["", Paragraph(pc.escape(statement.get("credit_line", "")), styles["cell"])],
        ]
    else:
        # no amount due now (an account under review): the balance, for information
        if statement.get("amount_due"):
            rows.append([labels["amount_due"], statement["amount_due"]])
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
