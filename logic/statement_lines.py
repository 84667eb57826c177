"""The arithmetic of a patient statement (no Odoo here): what each line of the
table owes, the table's totals and the amount the statement asks for.

Amounts come in the invoice's currency (charges, insurance paid, adjustment,
patient responsibility) and in the company's (the open amount): ``rate`` turns
the former into the latter, so a line's columns add up in one currency.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class StatementLine:
    """The amounts of one statement line, in the company's currency.

    ``None`` is a column the line leaves blank: a payment has no charges, an
    invoice without an EOB no insurance columns."""

    charges: float | None
    insurance_paid: float | None
    adjustment: float | None
    responsibility: float | None
    payments: float
    balance: float
    pending: bool = False


@dataclass(frozen=True)
class StatementTotals:
    """The table's totals: ``balance`` of every line, ``pending`` of the lines
    waiting for insurance, ``due`` what the guarantor owes of it (their difference)."""

    balance: float
    pending: float
    due: float


def conversion_rate(amount_total_signed, amount_total):
    """From the invoice's currency to the company's (1 for an empty invoice)."""
    if not amount_total:
        return 1.0
    return abs(amount_total_signed / amount_total)


def line_amounts(
    move_type,
    amount_total,
    amount_residual,
    amount_charges=0.0,
    amount_insurance_paid=0.0,
    amount_adjustment=0.0,
    rate=1.0,
    pending=False,
):
    """What one open item shows on a statement.

    An invoice owes its patient responsibility (a credit note gives it back),
    of which the payments made leave the open amount; a payment not yet
    applied owes nothing and shows as paid.  The EOB columns show when the
    item has charges."""
    responsibility = amount_total * rate if move_type != "entry" else 0.0
    sign = -1 if move_type == "out_refund" else 1
    has_eob = bool(amount_charges)
    return StatementLine(
        charges=amount_charges * rate if has_eob else None,
        insurance_paid=(amount_insurance_paid or 0.0) * rate if has_eob else None,
        adjustment=(amount_adjustment or 0.0) * rate if has_eob else None,
        responsibility=sign * responsibility if responsibility else None,
        payments=(sign * responsibility - amount_residual) if responsibility else -amount_residual,
        balance=amount_residual,
        pending=bool(pending),
    )


def statement_totals(lines, digits=2):
    """The totals of ``lines`` (``StatementLine``), each line rounded as it is
    printed, so the printed rows add up to the printed totals."""
    balance = pending = 0.0
    for line in lines:
        amount = round(line.balance, digits)
        balance += amount
        if line.pending:
            pending += amount
    balance, pending = round(balance, digits), round(pending, digits)
    return StatementTotals(balance=balance, pending=pending, due=round(balance - pending, digits))
