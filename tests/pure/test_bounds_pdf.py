"""Statements and plan agreements render whatever the records hold: names and
descriptions without spaces, pasted documents, absurd amounts, thousands of
lines, scripts the font lacks, control characters.  Nothing raises; every value
fits its place on the page."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from logic import pdf_common as pc
from logic import pdf_plan_agreement, pdf_statement
from logic.statement_clean import DESCRIPTION_LIMIT, clean_statement

LABELS = {
    key: key.replace("_", " ").title()
    for key in (
        *pdf_statement.ROW_COLUMNS,
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
    )
}
LABELS["page"] = "Page {page} of {pages}"
AGREEMENT_LABELS = {
    key: key.replace("_", " ").title()
    for key in (
        "title",
        "account",
        "plan",
        "date",
        "terms_heading",
        "total",
        "down_payment",
        "frequency",
        "schedule_heading",
        "installment",
        "due_date",
        "amount",
        "guarantor_signature",
        "practice_signature",
    )
}
LONG_WORD = "Testname" * 2500
MANY_WORDS = "word " * 5000
HOSTILE = {
    "no spaces": LONG_WORD,
    "many words": MANY_WORDS,
    "many lines": "line\n" * 3000,
    "cjk": "山田太郎診察" * 1500,
    "arabic": "مرحبا بالعالم " * 500,
    "emoji": "\U0001f600\U0001f389" * 300,
    "control": "a\x00b\x01c\x0bd\ufffe\ud800e\x7f",
    "markup": "<b>bold</b> &amp; <font size=90>x</font> <br/>",
    "huge amount": "$ " + "9" * 300 + ".99",
    "braces": "{page} {0} {",
}


def statement(number=1, rows=3, **changes):
    row = {
        "service_date": "2026-01-02",
        "patient": "Testchild Alpha",
        "description": "Visit",
        "charges": "$ 250.00",
        "insurance_paid": "$ 150.00",
        "adjustment": "$ 40.00",
        "responsibility": "$ 60.00",
        "payments": "$ 0.00",
        "balance": "$ 60.00",
    }
    data = {
        "labels": LABELS,
        "account": f"PA{number:06d}",
        "date": "2026-05-04",
        "practice": {"name": "Test Clinic", "address": "1 Main St\nSpringfield", "phone": "555"},
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
    for key, value in changes.items():
        if key.startswith("row_"):
            data["rows"] = [dict(line, **{key[4:]: value}) for line in data["rows"]]
        elif key.startswith("practice_"):
            data["practice"] = dict(data["practice"], **{key[9:]: value})
        else:
            data[key] = value
    return data


def agreement(**changes):
    data = {
        "labels": AGREEMENT_LABELS,
        "practice": {"name": "Test Clinic", "address": "1 Main St", "phone": ""},
        "account": "PA000001",
        "plan": "PP0001",
        "date": "2026-05-04",
        "guarantor": "Testguarantor Alpha",
        "guarantor_address": "12 Elm St",
        "total": "$ 600.00",
        "down_payment": "$ 0.00",
        "frequency": "Monthly",
        "schedule": [["Installment 1", "2026-06-01", "$ 100.00"]] * 6,
        "terms": ["The guarantor agrees to pay."],
    }
    for key, value in changes.items():
        if key.startswith("practice_"):
            data["practice"] = dict(data["practice"], **{key[9:]: value})
        else:
            data[key] = value
    return data


def pages(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


STATEMENT_PLACES = (
    "guarantor",
    "guarantor_address",
    "account",
    "date",
    "amount_due",
    "balance",
    "stage_message",
    "plan_line",
    "how_to_pay",
    "assistance",
    "practice_name",
    "practice_address",
    "practice_phone",
    "row_patient",
    "row_description",
    "row_service_date",
    "row_charges",
    "row_balance",
)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_text_anywhere_on_a_statement_renders(kind):
    text = HOSTILE[kind]
    data = statement(**dict.fromkeys(STATEMENT_PLACES, text))
    merged, singles = pdf_statement.render_batch([data, statement(2)])
    texts = pages(merged)
    # the hostile statement stays bounded: every value was cut to its place, and
    # each of its three descriptions to DESCRIPTION_LIMIT characters (printed whole
    # up to there: 2 to 4 pages a row for these texts; uncut, 20,000 characters
    # or more a row would take over 50 pages)
    assert len(pages(singles[0])) <= 20
    assert "Testguarantor 2" in texts[-1]


def test_a_name_without_spaces_is_cut_with_an_ellipsis():
    data = statement(guarantor=LONG_WORD, row_description=LONG_WORD, rows=1)
    text = "".join("".join(pages(pdf_statement.render([data])[0])).split())
    assert pc.ELLIPSIS in text
    # the description, wrapped, prints up to its bound and no further
    assert LONG_WORD[: DESCRIPTION_LIMIT - 1] in text
    assert LONG_WORD[:DESCRIPTION_LIMIT] not in text


def realistic_description(length=1500):
    """A long but real description: numbered words, so a lost or reordered word shows."""
    words, number = [], 0
    while len(" ".join(words)) < length:
        words.append(f"procedure{number}")
        number += 1
    return " ".join(words)[:length].rsplit(" ", 1)[0] + " end-of-description"


def test_a_long_description_is_printed_whole_over_several_lines():
    description = realistic_description(1500)
    assert len(description) >= 1500
    (pdf,) = pdf_statement.render([statement(rows=1, row_description=description)])
    text = "\n".join(pages(pdf))
    assert pc.ELLIPSIS not in text
    assert " ".join(text.split()).count(description) == 1  # every word, in order
    lines = [line for line in text.splitlines() if "procedure" in line]
    assert len(lines) > 5  # wrapped across lines, not one cut line


def test_descriptions_are_cut_only_far_above_realistic_lengths():
    realistic = realistic_description(1500)
    clean = clean_statement(statement(rows=2, row_description=realistic))
    assert [row["description"] for row in clean["rows"]] == [realistic, realistic]
    assert DESCRIPTION_LIMIT >= 3 * 1500
    at_bound = "x" * DESCRIPTION_LIMIT
    assert clean_statement(statement(row_description=at_bound))["rows"][0]["description"] == (
        at_bound
    )
    pasted = clean_statement(statement(row_description=MANY_WORDS))["rows"][0]["description"]
    assert len(pasted) <= DESCRIPTION_LIMIT
    assert pasted.endswith(pc.ELLIPSIS)


def test_ten_long_descriptions_all_print_whole():
    description = realistic_description(1500)
    (pdf,) = pdf_statement.render([statement(rows=10, row_description=description)])
    texts = pages(pdf)
    assert len(texts) <= 10  # about a page for each 1,500 characters
    text = "\n".join(texts)
    # every row's description to its last word (a page may break inside one)
    assert pc.ELLIPSIS not in text
    assert text.count("end-of-description") == 10
    assert text.count(description.split()[-2]) == 10


def test_thousands_of_lines_flow_over_pages_numbered_per_statement():
    merged, singles = pdf_statement.render_batch([statement(1, rows=2000), statement(2, rows=1)])
    first = pages(singles[0])
    assert len(first) > 20
    assert f"Page {len(first)} of {len(first)}" in first[-1]
    assert "Page 1 of 1" in pages(singles[1])[0]
    assert len(pages(merged)) == len(first) + 1


def test_the_same_account_twice_in_one_batch_keeps_both_statements():
    merged, singles = pdf_statement.render_batch([statement(1), statement(1, rows=80)])
    assert len(pages(singles[0])) == 1
    assert len(pages(singles[1])) > 1
    assert len(pages(merged)) == len(pages(singles[0])) + len(pages(singles[1]))


def test_an_unreadable_logo_is_left_out():
    data = statement(practice_logo=b"not an image", practice_logo_key="k")
    assert pages(pdf_statement.render([data])[0])


def test_a_page_label_with_stray_braces_still_numbers_pages():
    assert pc.page_label("Page {page} of {pages}", 1, 2) == "Page 1 of 2"
    assert pc.page_label("Seite {seite}", 1, 2) == "1 / 2"
    assert pc.page_label("{", 1, 2) == "1 / 2"


def test_clean_keeps_short_text_and_cuts_long_text():
    assert pc.clean("  Testname   Alpha ") == "Testname Alpha"
    assert pc.clean(None) == pc.clean(False) == ""
    assert pc.clean("a\x00b\x07c") == "abc"
    assert len(pc.clean("x" * 500, 40)) == 40
    assert pc.clean_lines("1\n2\n3\n4", max_lines=2).splitlines() == ["1", "2" + pc.ELLIPSIS]


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_text_anywhere_on_an_agreement_renders(kind):
    text = HOSTILE[kind]
    data = agreement(
        **dict.fromkeys(
            (
                "practice_name",
                "practice_address",
                "account",
                "plan",
                "date",
                "guarantor",
                "guarantor_address",
                "total",
                "down_payment",
                "frequency",
            ),
            text,
        ),
        schedule=[[text, text, text]] * 100,
        terms=[text, text],
    )
    (pdf,) = pdf_plan_agreement.render([data])
    assert pages(pdf)


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=300, max_size=3000),
    st.sampled_from(sorted(HOSTILE.values())),
)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    changes=st.dictionaries(st.sampled_from(STATEMENT_PLACES), values, max_size=8),
    rows=st.integers(min_value=0, max_value=60),
)
def test_any_values_render_a_statement(changes, rows):
    merged, singles = pdf_statement.render_batch([statement(1, rows=rows, **changes)])
    assert len(pages(singles[0])) >= 1
    assert merged


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    changes=st.dictionaries(
        st.sampled_from(("practice_name", "account", "guarantor", "guarantor_address", "total")),
        values,
        max_size=5,
    ),
    schedule=st.lists(st.lists(values, min_size=3, max_size=3), max_size=30),
)
def test_any_values_render_an_agreement(changes, schedule):
    (pdf,) = pdf_plan_agreement.render([agreement(schedule=schedule, **changes)])
    assert pages(pdf)
