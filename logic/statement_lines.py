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
    credited=0.0,
):
    """What one open item shows on a statement.

    An invoice owes its patient responsibility (a credit note gives it back),
    of which the payments made leave the open amount; a payment not yet
    applied owes nothing and shows as paid; an entry the practice posted on the
    guarantor's receivable by hand (a fee, an adjustment) owes what it leaves
    open.  The EOB columns show when the item has charges.

    ``credited`` (company currency): what credit notes, discounts and write-offs
    took off an invoice, or what of a credit note went to invoices.  It is no
    payment: it shows as an adjustment and lowers the responsibility (the item's
    own amount shows beside it), so that charges less insurance less adjustments
    is the responsibility, and the responsibility less what was paid is the
    balance; "Paid" is only money (a refund paid out, on a credit note)."""
    entry = move_type == "entry"
    responsibility = max(amount_residual, 0.0) if entry else amount_total * rate
    sign = -1 if move_type == "out_refund" else 1
    credited = credited if not entry and responsibility else 0.0
    has_eob = bool(amount_charges)
    charges = amount_charges * rate if has_eob else None
    adjustment = (amount_adjustment or 0.0) * rate if has_eob else None
    if credited:
        charges = sign * responsibility if charges is None else charges
        adjustment = (adjustment or 0.0) + sign * credited
        responsibility -= credited
    return StatementLine(
        charges=charges,
        insurance_paid=(amount_insurance_paid or 0.0) * rate if has_eob else None,
        adjustment=adjustment,
        responsibility=sign * responsibility if responsibility or credited else None,
        payments=(sign * responsibility - amount_residual)
        if responsibility or credited
        else -amount_residual,
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


@dataclass(frozen=True)
class AmountDue:
    """What the statement asks for: ``amount`` by ``due_date`` (None: the
    statement's own terms), out of the ``balance`` the guarantor owes."""

    amount: float
    balance: float
    due_date: object = None
    on_plan: bool = False


def amount_due_now(balance, installments=None, today=None, digits=2):
    """The amount a statement asks for now.

    Without a payment plan (``installments`` None): the balance.  On a plan
    (``installments``: ``(due date, amount still due)`` of its unpaid
    installments): those already past due and the next one, by the next one's
    due date, never more than the balance (a plan paid up: the balance)."""
    balance = round(max(balance, 0.0), digits)
    if installments is None:
        return AmountDue(amount=balance, balance=balance)
    unpaid = sorted((date, amount) for date, amount in installments if amount > 0)
    if not unpaid:  # a plan paid up: what is left is owed as without one
        return AmountDue(amount=balance, balance=balance)
    overdue = sum(amount for date, amount in unpaid if today is not None and date < today)
    upcoming = [(date, amount) for date, amount in unpaid if today is None or date >= today]
    next_date, next_amount = upcoming[0] if upcoming else (None, 0.0)
    amount = round(min(overdue + next_amount, balance), digits)
    return AmountDue(amount=amount, balance=balance, due_date=next_date, on_plan=True)
