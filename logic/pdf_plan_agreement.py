"""The payment plan agreement, laid out with reportlab from plain values."""

from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from . import pdf_common as pc


def render(agreements):
    """One PDF (bytes) per agreement dict.

    An agreement has: practice (name, address, phone), account, guarantor,
    guarantor_address, plan, date, total, down_payment, frequency, schedule
    (list of (label, due date text, amount text)), terms (paragraphs) and
    labels (translated words used on the page).
    """
    return [render_one(agreement) for agreement in agreements]


def render_one(data):
    styles = pc.styles()
    labels = data["labels"]
    buffer = pc.new_buffer()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=pc.PAGE,
        leftMargin=pc.MARGIN,
        rightMargin=pc.MARGIN,
        topMargin=pc.MARGIN,
        bottomMargin=pc.MARGIN,
        title=labels["title"],
        author=data["practice"]["name"],
    )
    story = [
        Paragraph(pc.escape(data["practice"]["name"]), styles["bold"]),
        Paragraph(pc.lines(data["practice"]["address"]), styles["small"]),
        Spacer(1, 0.25 * inch),
        Paragraph(pc.escape(labels["title"]), styles["title"]),
        Paragraph(
            f"{pc.escape(labels['account'])}: {pc.escape(data['account'])} &nbsp; "
            f"{pc.escape(labels['plan'])}: {pc.escape(data['plan'])} &nbsp; "
            f"{pc.escape(labels['date'])}: {pc.escape(data['date'])}",
            styles["body"],
        ),
        Spacer(1, 0.15 * inch),
        Paragraph(pc.escape(data["guarantor"]), styles["bold"]),
        Paragraph(pc.lines(data["guarantor_address"]), styles["body"]),
        Spacer(1, 0.2 * inch),
        Paragraph(pc.escape(labels["terms_heading"]), styles["heading"]),
        pc.grid(
            [
                [labels["total"], data["total"]],
                [labels["down_payment"], data["down_payment"]],
                [labels["frequency"], data["frequency"]],
            ],
            [2.5 * inch, 2.0 * inch],
            header=False,
        ),
        Paragraph(pc.escape(labels["schedule_heading"]), styles["heading"]),
        pc.grid(
            [[labels["installment"], labels["due_date"], labels["amount"]], *data["schedule"]],
            [2.2 * inch, 1.8 * inch, 1.6 * inch],
            align_right_from=2,
        ),
        Spacer(1, 0.2 * inch),
    ]
    story += [Paragraph(pc.escape(text), styles["body"]) for text in data["terms"]]
    story += [
        Spacer(1, 0.5 * inch),
        pc.grid(
            [
                ["_" * 38, "_" * 20],
                [labels["guarantor_signature"], labels["date"]],
                ["", ""],
                ["_" * 38, "_" * 20],
                [labels["practice_signature"], labels["date"]],
            ],
            [3.5 * inch, 2.0 * inch],
            header=False,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
