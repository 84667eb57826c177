import io

from pypdf import PdfReader

from logic import pdf_statement
from logic.statement_slip import qr_matrix

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


def test_totals_pending_and_amount_due_reconcile_on_the_page():
    data = statement(1, 1)
    pending_row = dict(data["rows"][0], balance="$ 100.00", pending=True, description="Lab work")
    data.update(
        rows=[data["rows"][0], pending_row],
        balance="$ 160.00",
        pending_total="-$ 100.00",
        balance_due="$ 60.00",
        amount_due="$ 25.00",
        labels={
            **LABELS,
            "pending_total": "Insurance pending (not due yet)",
            "pending_line": "Insurance pending: not part of the amount due",
            "balance_due": "Your balance",
        },
    )
    text = " ".join(pages(pdf_statement.render([data])[0])[0].split())
    assert "Insurance pending: not part of the amount due" in text
    assert "Insurance pending (not due yet) -$ 100.00" in text
    assert "Total $ 160.00" in text
    assert "Your balance $ 60.00" in text
    assert "Amount Due $ 25.00" in text


def test_slip_and_letterhead_carry_the_billing_office_and_the_portal_link():
    data = statement(1, 1)
    url = "https://clinic.example.com/my/patient-accounts/7?access_token=0f1e2d3c"
    data["practice"] = dict(
        data["practice"],
        remit_to="PO Box 4455\nSpringfield, IL 62701",
        billing_phone="+1 555 0100",
        office_hours="Mon-Fri 8-5",
    )
    data["portal_url"] = url
    data["labels"] = {
        **LABELS,
        "billing_phone": "Billing questions",
        "office_hours": "Office hours",
        "pay_online": "Pay online",
        "scan_to_pay": "Scan to pay online",
    }
    pdf = pdf_statement.render([data])[0]
    text = " ".join(pages(pdf)[0].split())
    assert "Billing questions: +1 555 0100" in text
    assert "Office hours: Mon-Fri 8-5" in text
    assert "PO Box 4455" in text
    assert url in text.replace(" ", "")
    assert "Scan to pay online" in text
    without = pdf_statement.render([statement(1, 1)])[0]
    assert len(pdf) > len(without) + 1000, "the QR code is drawn"


def test_a_long_description_prints_whole():
    description = ", ".join(f"Procedure {n} with a rather long name" for n in range(10))
    assert len(description) > 350
    data = statement(1, 2)
    data["rows"] = [
        dict(data["rows"][0], description=description, pending=True),
        dict(data["rows"][0], description="Short visit"),
    ]
    data["labels"] = {**LABELS, "pending_line": "Insurance pending"}
    text = " ".join(pages(pdf_statement.render([data])[0])[0].split())
    assert description in text
    assert "Insurance pending" in text
    assert "Short visit" in text


def test_a_negative_amount_keeps_its_sign_and_currency_in_the_text():
    data = statement(1, 1)
    data["balance"] = "$\xa0-\ufeff200.00"  # as Odoo formats it
    text = " ".join(pages(pdf_statement.render([data])[0])[0].split())
    assert "Total $ -200.00" in text


def test_qr_code_of_the_portal_link_has_its_finder_patterns_and_differs_by_url():
    first = qr_matrix("https://example.com/my/patient-accounts/7?access_token=abc")
    second = qr_matrix("https://example.com/my/patient-accounts/8?access_token=abd")
    size = len(first)
    assert size >= 21 and (size - 17) % 4 == 0  # a QR version's side
    assert all(len(row) == size for row in first)
    finder = [[True] * 7, *([[True, False, False, False, False, False, True]] * 1)]
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert first[top][left : left + 7] == finder[0]
        assert first[top + 1][left : left + 7] == finder[1]
    assert first != second


def test_an_account_under_review_shows_its_balance_without_a_demand():
    """No amount due now nor pay-by date (an account on a dispute hold): the
    letterhead and the slip show the balance, the slip still takes a payment."""
    data = statement(1, 1)
    data.update(
        balance_due="$ 60.00",
        amount_due="",
        due_date="",
        labels={**LABELS, "balance_due": "Your balance"},
    )
    text = " ".join(pages(pdf_statement.render([data])[0])[0].split())
    assert "Amount Due" not in text
    assert "Due Date" not in text
    assert text.count("Your balance $ 60.00") == 2  # the letterhead and the slip
    assert "Amount Enclosed" in text
