import io

from pypdf import PdfReader

from logic import pdf_statement

LABEL_KEYS = [
    "title",
    "statement_date",
    "account",
    "amount_due",
    "due_date",
    "total",
    "aging",
    "how_to_pay",
    "assistance",
    "remit_to",
    "guarantor",
    "amount_enclosed",
    "detach",
    "service_date",
    "patient",
    "description",
    "charges",
    "insurance_paid",
    "adjustment",
    "responsibility",
    "payments",
    "balance",
]
LABELS = {key: key.replace("_", " ").title() for key in LABEL_KEYS}
LABELS["page"] = "Page {page} of {pages}"


def statement(number, rows):
    row = {
        "service_date": "2026-01-02",
        "patient": "Testchild Ängel",
        "description": "Visit",
        "charges": "$ 250.00",
        "insurance_paid": "$ 150.00",
        "adjustment": "$ 40.00",
        "responsibility": "$ 60.00",
        "payments": "$ 0.00",
        "balance": "$ 60.00",
    }
    return {
        "labels": LABELS,
        "account": f"PA{number:06d}",
        "date": "2026-05-04",
        "practice": {"name": "Test Clinic", "address": "1 Main St\nSpringfield", "phone": ""},
        "guarantor": f"Testguarantor {number}",
        "guarantor_address": "12 Elm St\nSpringfield",
        "rows": [row] * rows,
        "balance": "$ 60.00",
        "amount_due": "$ 60.00",
        "due_date": "2026-05-25",
        "aging": [("Current", "$ 60.00")],
        "plan_line": "",
        "stage_message": "",
        "how_to_pay": "By check",
        "assistance": "Ask us",
    }


def pages(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_batch_cuts_each_statement_out_of_the_merged_pdf():
    statements = [statement(1, 3), statement(2, 90), statement(3, 1)]
    merged, singles = pdf_statement.render_batch(statements)
    merged_pages = pages(merged)
    single_pages = [pages(pdf) for pdf in singles]
    assert len(merged_pages) == sum(len(p) for p in single_pages)
    assert len(single_pages[1]) > 1
    for number, own in enumerate(single_pages, start=1):
        assert all(f"PA{number:06d}" in text or "Office" not in text for text in own)
        assert f"Testguarantor {number}" in own[0]
        assert f"Page {len(own)} of {len(own)}" in own[-1]


def test_page_numbers_restart_for_each_statement_in_a_merged_pdf():
    merged = pdf_statement.render([statement(1, 90), statement(2, 2)], merged=True)
    texts = pages(merged)
    assert "Page 1 of 1" in texts[-1]
    assert "Page 1 of" in texts[0]
