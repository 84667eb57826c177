from datetime import date

import pytest

from logic import statement_lines as sl


def test_invoice_with_eob_owes_its_responsibility_less_payments():
    line = sl.line_amounts(
        "out_invoice",
        60.0,
        45.0,
        amount_charges=250.0,
        amount_insurance_paid=150.0,
        amount_adjustment=40.0,
    )
    assert line == sl.StatementLine(
        charges=250.0,
        insurance_paid=150.0,
        adjustment=40.0,
        responsibility=60.0,
        payments=15.0,
        balance=45.0,
        pending=False,
    )


def test_invoice_without_eob_leaves_the_insurance_columns_blank():
    line = sl.line_amounts("out_invoice", 80.0, 80.0)
    assert (line.charges, line.insurance_paid, line.adjustment) == (None, None, None)
    assert (line.responsibility, line.payments, line.balance) == (80.0, 0.0, 80.0)


def test_credit_note_gives_back_and_payment_shows_as_paid():
    credit = sl.line_amounts("out_refund", 30.0, -30.0)
    assert (credit.responsibility, credit.payments, credit.balance) == (-30.0, 0.0, -30.0)
    payment = sl.line_amounts("entry", 0.0, -25.0)
    assert payment.responsibility is None
    assert (payment.payments, payment.balance) == (25.0, -25.0)


def test_entry_posted_by_hand_on_the_receivable_is_owed_not_paid():
    fee = sl.line_amounts("entry", 25.0, 25.0)
    assert (fee.responsibility, fee.payments, fee.balance) == (25.0, 0.0, 25.0)
    assert sl.statement_totals([fee, sl.line_amounts("entry", 0.0, -10.0)]).balance == 15.0


def test_foreign_currency_columns_convert_to_the_company_currency():
    rate = sl.conversion_rate(-120.0, 100.0)
    assert rate == pytest.approx(1.2)
    assert sl.conversion_rate(0.0, 0.0) == 1.0
    line = sl.line_amounts("out_invoice", 100.0, 120.0, amount_charges=200.0, rate=rate)
    assert line.charges == pytest.approx(240.0)
    assert line.responsibility == pytest.approx(120.0)
    assert line.payments == pytest.approx(0.0)


def test_totals_keep_insurance_pending_apart_and_reconcile():
    lines = [
        sl.line_amounts("out_invoice", 60.0, 60.0),
        sl.line_amounts("out_invoice", 100.0, 100.0, pending=True),
        sl.line_amounts("entry", 0.0, -10.0),
    ]
    totals = sl.statement_totals(lines)
    assert totals == sl.StatementTotals(balance=150.0, pending=100.0, due=50.0)
    assert totals.due + totals.pending == totals.balance


def test_totals_add_the_printed_roundings():
    lines = [sl.line_amounts("out_invoice", 0.3333, 0.3333) for _ in range(3)]
    # each row prints 0.33: the total prints what the rows add up to
    assert sl.statement_totals(lines).balance == 0.99
    assert sl.statement_totals([]) == sl.StatementTotals(0.0, 0.0, 0.0)


def test_amount_due_without_a_plan_is_the_balance():
    assert sl.amount_due_now(150.0) == sl.AmountDue(amount=150.0, balance=150.0)
    assert sl.amount_due_now(-20.0).amount == 0.0


def test_amount_due_on_a_plan_is_the_next_installment():
    today = date(2026, 5, 4)
    installments = [(date(2026, 6, 1), 100.0), (date(2026, 7, 1), 100.0)]
    due = sl.amount_due_now(300.0, installments, today)
    assert due == sl.AmountDue(amount=100.0, balance=300.0, due_date=date(2026, 6, 1), on_plan=True)


def test_amount_due_on_a_plan_adds_missed_installments_and_never_passes_the_balance():
    today = date(2026, 5, 4)
    installments = [
        (date(2026, 4, 1), 40.0),  # missed, partly paid
        (date(2026, 5, 4), 100.0),  # due today
        (date(2026, 6, 4), 100.0),
        (date(2026, 3, 1), 0.0),  # paid
    ]
    due = sl.amount_due_now(300.0, installments, today)
    assert (due.amount, due.due_date) == (140.0, date(2026, 5, 4))
    assert sl.amount_due_now(90.0, installments, today).amount == 90.0
    only_missed = sl.amount_due_now(300.0, [(date(2026, 4, 1), 40.0)], today)
    assert (only_missed.amount, only_missed.due_date) == (40.0, None)


def test_amount_due_on_a_plan_paid_up_is_what_is_left():
    due = sl.amount_due_now(30.0, [(date(2026, 4, 1), 0.0)], date(2026, 5, 4))
    assert (due.amount, due.on_plan) == (30.0, False)


def test_credits_on_an_invoice_are_an_adjustment_not_a_payment():
    # 200 billed, 50 taken off by a discount credit note, 30 paid: 120 open
    line = sl.line_amounts("out_invoice", 200.0, 120.0, credited=50.0)
    assert (line.charges, line.insurance_paid, line.adjustment) == (200.0, None, 50.0)
    assert (line.responsibility, line.payments, line.balance) == (150.0, 30.0, 120.0)
    # with an EOB the credit adds to the insurance adjustment; the row still adds up
    eob = sl.line_amounts(
        "out_invoice", 60.0, 0.0, amount_charges=250.0, amount_insurance_paid=150.0,
        amount_adjustment=40.0, credited=60.0,
    )  # fmt: skip
    assert (eob.charges, eob.insurance_paid, eob.adjustment) == (250.0, 150.0, 100.0)
    assert (eob.responsibility, eob.payments, eob.balance) == (0.0, 0.0, 0.0)
    assert eob.charges - eob.insurance_paid - eob.adjustment == eob.responsibility
    # a payment's line is unchanged by it
    assert sl.line_amounts("entry", 0.0, -25.0, credited=10.0).payments == 25.0


def test_a_credit_note_partly_used_on_invoices_shows_the_use_as_an_adjustment():
    # a credit note of 100, 60 of it applied to an invoice: 40 left, nothing paid
    note = sl.line_amounts("out_refund", 100.0, -40.0, credited=60.0)
    assert (note.charges, note.adjustment) == (-100.0, -60.0)
    assert (note.responsibility, note.payments, note.balance) == (-40.0, 0.0, -40.0)
    # 30 of what was left refunded by a payment out: that is money, "paid" (-30)
    refunded = sl.line_amounts("out_refund", 100.0, -10.0, credited=60.0)
    assert (refunded.responsibility, refunded.payments) == (-40.0, -30.0)
