import io

from pypdf import PdfReader

from logic import pdf_aging_report

HEADERS = [
    "Stage",
    "Accounts",
    "Balance Due",
    "Insurance Pending",
    "Current",
    "1-30 Days",
    "31-60 Days",
    "61-90 Days",
    "91-120 Days",
    "Over 120 Days",
]


def text_of(pdf):
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def test_groups_and_grand_total_printed():
    rows = [["First statement", "3", *["1,234.56"] * 8], ["Agency", "1", *["10.00"] * 8]]
    total = ["Grand Total", "4", *["1,244.56"] * 8]
    pdf = pdf_aging_report.aging_report_pdf(
        "Aged Patient Balances", ["Company: Clinic", "As of: 2026-06-01"], HEADERS, rows, total
    )
    text = text_of(pdf)
    assert "Aged Patient Balances" in text
    assert "Grand Total" in text
    assert "1,244.56" in text
    assert "First statement" in text


def test_many_groups_flow_onto_pages_and_odd_labels_stay_printable():
    rows = [[f"Stage\x00{i} " + "x" * 300, "1", *["1.00"] * 8] for i in range(200)]
    pdf = pdf_aging_report.aging_report_pdf(
        "Aged", [], HEADERS, rows, ["Grand Total", "200", *["200.00"] * 8]
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert "Grand Total" in (reader.pages[-1].extract_text() or "")
