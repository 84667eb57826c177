"""Statement layout with big amounts and long patient names (statement12 item 3):
an amount never splits inside its cell, a long name wraps over a few lines."""

import io

from pypdf import PdfReader
from test_pdf_statement import LABELS, statement

from logic import pdf_statement

BIG = "$\xa01,234,569.89"
NAME = "María de los Ángeles Fernández-Villaverde Rodríguez de la Fuente Testpatient"


def page_lines(pdf):
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    return [line.replace("\xa0", " ") for line in text.splitlines()]


def big_statement():
    data = statement(1, 1)
    row = dict(
        data["rows"][0],
        patient=NAME,
        charges=BIG,
        insurance_paid="$\xa0-1,234,567.00",
        adjustment="$\xa0999,999.99",
        responsibility=BIG,
        payments="-$\xa01,000,000.00",
        balance=BIG,
    )
    data.update(
        rows=[row, row],
        balance="$\xa012,469,139.78",
        aging=[("Current", "$\xa0-1,234,567.00"), ("31-60", "$\xa0-123,456,789.00")],
        labels=dict(LABELS),
    )
    return data


def test_seven_digit_amounts_print_whole_on_one_line_of_their_cell():
    lines = page_lines(pdf_statement.render([big_statement()])[0])
    text = "\n".join(lines)
    for amount in ("$ 1,234,569.89", "$ -1,234,567.00", "$ 999,999.99", "-$ 1,000,000.00"):
        assert amount.replace(" ", "") in text.replace(" ", ""), (amount, text)
        # never cut over two lines: each amount sits whole on one line of the text
        assert any(amount.replace(" ", "") in line.replace(" ", "") for line in lines), amount
    assert "$ 12,469,139.78" in lines  # the total
    # the aging's amounts too
    assert "$ -1,234,567.00" in lines
    assert "$ -123,456,789.00" in lines


def test_a_long_patient_name_wraps_over_a_few_lines_only():
    lines = page_lines(pdf_statement.render([big_statement()])[0])
    # the lines of the first row that hold the name: three, broken between words
    first = next(i for i, line in enumerate(lines) if line.startswith("María"))
    last = next(i for i, line in enumerate(lines) if line.endswith("Testpatient"))
    assert last - first + 1 <= 3, lines[first : last + 1]
    assert " ".join(lines[first : last + 1]) == NAME
