"""The payment plan agreement, laid out with reportlab from plain values."""

from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer

from . import pdf_common as pc


def render(agreements):
    """One PDF (bytes) per agreement dict.

    An agreement has: practice (name, address, phone), account, guarantor,
    guarantor_address, plan, date, total, down_payment, frequency, status (what a
    plan no longer in force says at its top, or empty), schedule
    (list of (label, due date text, amount text)), terms (paragraphs) and
    labels (translated words used on the page).
    """
    return [render_one(agreement) for agreement in agreements]


# What the agreement prints of each value, at most (characters).
TEXT_LIMITS = {
    "account": 40,
    "plan": 40,
    "date": 30,
    "guarantor": 120,
    "total": 40,
    "down_payment": 40,
    "frequency": 60,
    "status": 300,
}
SCHEDULE_LIMIT = 40
TERM_LIMIT = 3000


def _clean(data):
    """A copy of ``data`` whose texts are printable and cut to size."""
    clean = dict(data)
    for key, limit in TEXT_LIMITS.items():
        clean[key] = pc.clean(data.get(key), limit)
    clean["guarantor_address"] = pc.clean_lines(data.get("guarantor_address"), 6, 80)
    practice = dict(data.get("practice") or {})
    practice["name"] = pc.clean(practice.get("name"), 120)
    practice["address"] = pc.clean_lines(practice.get("address"), 6, 80)
    clean["practice"] = practice
    clean["schedule"] = [
        [pc.clean(value, SCHEDULE_LIMIT) for value in line] for line in data.get("schedule") or []
    ]
    clean["terms"] = [pc.clean(text, TERM_LIMIT) for text in data.get("terms") or []]
    return clean


def render_one(data):
    data = _clean(data)
    styles = pc.styles()
    labels = data["labels"]
    buffer = pc.new_buffer()
    doc = pc.letter_document(buffer, labels["title"], data["practice"]["name"])
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
    ]
    if data["status"]:
        # a plan no longer in force: said before anything reads as terms to keep
        story += [Spacer(1, 0.1 * inch), Paragraph(pc.escape(data["status"]), styles["bold"])]
    story += [
        Spacer(1, 0.15 * inch),
        Paragraph(pc.escape(data["guarantor"]), styles["bold"]),
        Paragraph(pc.lines(data["guarantor_address"]), styles["body"]),
        Spacer(1, 0.2 * inch),
        Paragraph(pc.escape(labels["terms_heading"]), styles["heading"]),
        pc.grid(
            [
                [labels["total"], pc.fit(data["total"], styles["value"], 30)],
                [labels["down_payment"], pc.fit(data["down_payment"], styles["value"], 30)],
                [labels["frequency"], pc.fit(data["frequency"], styles["value"], 30)],
            ],
            [2.5 * inch, 2.0 * inch],
            header=False,
        ),
        Paragraph(pc.escape(labels["schedule_heading"]), styles["heading"]),
        pc.grid(
            [
                [labels["installment"], labels["due_date"], labels["amount"]],
                *(
                    [pc.fit(value, styles["value"], 24) for value in line]
                    for line in data["schedule"]
                ),
            ],
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
