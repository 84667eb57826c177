"""The financial-assistance decision letter, in the statement's look (reportlab,
plain values, no Odoo here): the practice's letterhead, the guarantor's address,
the account and date, the decision, and the practice's assistance notice."""

from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Spacer

from . import pdf_common as pc

TEXT_LIMITS = {
    "company_name": 120,
    "date": 30,
    "account": 40,
    "guarantor_name": 120,
    "title": 120,
    "account_label": 40,
    "date_label": 40,
    "body": 3000,
    "notice": 2000,
}


def _clean(data):
    clean = {key: pc.clean(data.get(key), limit) for key, limit in TEXT_LIMITS.items()}
    clean["company_address"] = pc.clean_lines(data.get("company_address"), 6, 80)
    clean["guarantor_address"] = pc.clean_lines(data.get("guarantor_address"), 6, 80)
    return clean


def _labelled(data, key):
    """``Label: value`` (the value alone without a label), escaped."""
    label = data[key + "_label"]
    return pc.escape(f"{label}: {data[key]}" if label else data[key])


def render(data):
    """The letter (PDF bytes) of one decision dict (see TEXT_LIMITS for its keys,
    plus company_address and guarantor_address), its words already in the
    guarantor's language."""
    data = _clean(data)
    styles = pc.styles()
    buffer = pc.new_buffer()
    doc = pc.letter_document(buffer, data["title"], data["company_name"])
    story = [
        Paragraph(pc.escape(data["company_name"]), styles["bold"]),
        Paragraph(pc.lines(data["company_address"]), styles["small"]),
        Spacer(1, 0.45 * inch),
        Paragraph(pc.escape(data["guarantor_name"]), styles["bold"]),
        Paragraph(pc.lines(data["guarantor_address"]), styles["body"]),
        Spacer(1, 0.35 * inch),
        Paragraph(pc.escape(data["title"]), styles["title"]),
        Paragraph(
            _labelled(data, "account") + " &nbsp; " + _labelled(data, "date"), styles["body"]
        ),
        Spacer(1, 0.2 * inch),
        Paragraph(pc.escape(data["body"]), styles["body"]),
        Spacer(1, 0.3 * inch),
        Paragraph(pc.escape(data["notice"]), styles["small"]),
    ]
    doc.build(story)
    return buffer.getvalue()
