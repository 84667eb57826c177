"""A statement's values made printable and cut to their place (no Odoo here).

Whatever the records hold (a name without spaces, a pasted document, an absurd
amount), each value fits its place on the page.  Descriptions of what was
billed print whole, wrapped: only a hostile size is cut (DESCRIPTION_LIMIT)."""

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
# What a statement prints of each value, at most (characters; lines for addresses).
TEXT_LIMITS = {
    "account": 30,
    "date": 30,
    "due_date": 30,
    "amount_due": 30,
    "balance": 30,
    "balance_due": 30,
    "pending_total": 30,
    "credit": 30,
    "credit_line": 300,
    "guarantor": 60,
    "stage_message": 1500,
    "plan_line": 500,
    "portal_url": 300,
}
# Several lines each: (lines, characters a line).
MULTILINE_LIMITS = {
    "how_to_pay": (40, 3000),
    "assistance": (40, 3000),
    "guarantor_address": (5, 50),
}
PRACTICE_LIMITS = {"name": 120, "phone": 40, "billing_phone": 40, "office_hours": 200}
PRACTICE_MULTILINE_LIMITS = {"address": (4, 80), "remit_to": (5, 60)}
# A description prints whole, wrapped over as many lines as it takes (a long one
# on a line of its own under its item, over the table's width, split across pages
# if need be): whatever an invoice line realistically holds, a full paragraph of
# 1,500 characters and more.  Only a hostile size far beyond that (a pasted
# document) is cut, at DESCRIPTION_LIMIT characters with a visible ellipsis, so
# that one line cannot turn a statement into a book.
DESCRIPTION_LIMIT = 5000
ROW_LIMITS = {"patient": 80, "description": DESCRIPTION_LIMIT}
ROW_VALUE_LIMIT = 30


def clean_statement(statement):
    """A copy of ``statement`` whose texts are printable and cut to size."""
    clean = dict(statement)
    for key, limit in TEXT_LIMITS.items():
        clean[key] = pc.clean(statement.get(key), limit)
    for key, (max_lines, limit) in MULTILINE_LIMITS.items():
        clean[key] = pc.clean_lines(statement.get(key), max_lines, limit)
    practice = dict(statement.get("practice") or {})
    for key, limit in PRACTICE_LIMITS.items():
        practice[key] = pc.clean(practice.get(key), limit)
    for key, (max_lines, limit) in PRACTICE_MULTILINE_LIMITS.items():
        practice[key] = pc.clean_lines(practice.get(key), max_lines, limit)
    clean["practice"] = practice
    clean["rows"] = [
        {
            **{
                name: pc.clean(row.get(name), ROW_LIMITS.get(name, ROW_VALUE_LIMIT))
                for name in ROW_COLUMNS
            },
            "pending": bool(row.get("pending")),
        }
        for row in statement.get("rows") or []
    ]
    clean["aging"] = [
        (pc.clean(label, ROW_VALUE_LIMIT), pc.clean(value, ROW_VALUE_LIMIT))
        for label, value in statement.get("aging") or []
    ][:8]
    return clean
