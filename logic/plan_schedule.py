"""Payment plan schedules and the allocation of payments to installments.

Money is handled as ``Decimal`` rounded to the currency's decimal places; the
remainder of the rounding always goes to the last installment, which is
therefore never smaller than the others.
"""

import calendar
import math
from collections import namedtuple
from datetime import timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

Installment = namedtuple("Installment", "sequence due_date amount")
Allocation = namedtuple("Allocation", "paid paid_date payments")

FREQUENCIES = ("weekly", "biweekly", "monthly")

# Problems ``validate`` reports (codes; the Odoo side words them).
ERR_TOTAL = "total_not_positive"
ERR_TOTAL_ABOVE_BALANCE = "total_above_balance"
ERR_DOWN_NEGATIVE = "down_payment_negative"
ERR_DOWN_ABOVE_TOTAL = "down_payment_not_below_total"
ERR_CHOOSE_ONE = "choose_count_or_amount"
ERR_COUNT = "count_not_positive"
ERR_AMOUNT = "amount_not_positive"
ERR_FIRST_DUE_PAST = "first_due_date_past"
ERR_BELOW_MINIMUM = "installment_below_minimum"
ERR_TERM = "term_too_long"
ERR_FREQUENCY = "unknown_frequency"
ERR_TOO_MANY = "too_many_installments"

# No plan is ever built with more installments than this, whatever the caller asks:
# beyond it the schedule itself would be the problem (memory, dates past year 9999).
HARD_MAX_INSTALLMENTS = 1000
# Amounts beyond this are not money a practice bills (and lose cents as floats).
MAX_AMOUNT = 1e12


def _sane_amount(value):
    """``value`` is a finite number of a size money can have (not a boolean)."""
    if isinstance(value, bool):
        return False
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return False
    return number.is_finite() and abs(number) < MAX_AMOUNT


def to_money(value, digits=2):
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def add_months(start, months, day=None):
    """``start`` moved by ``months``, on ``day`` of the month (default: start's day),
    or the month's last day when it has no such day (31 Jan -> 28/29 Feb -> 31 Mar)."""
    day = day or start.day
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return start.replace(year=year, month=month, day=min(day, calendar.monthrange(year, month)[1]))


def due_dates(first_due_date, frequency, count):
    """The due dates of ``count`` installments, the first on ``first_due_date``."""
    if frequency == "weekly":
        return [first_due_date + timedelta(days=7 * index) for index in range(count)]
    if frequency == "biweekly":
        return [first_due_date + timedelta(days=14 * index) for index in range(count)]
    if frequency == "monthly":
        return [add_months(first_due_date, index, first_due_date.day) for index in range(count)]
    raise ValueError(f"unknown frequency {frequency!r}")


def split_amount(remainder, count=None, amount=None, digits=2):
    """The installment amounts for ``remainder``: ``count`` equal parts rounded
    down to the currency, or parts of ``amount``; the last takes the rest."""
    remainder = to_money(remainder, digits)
    quantum = Decimal(1).scaleb(-digits)
    if count:
        base = (remainder / count).quantize(quantum, rounding=ROUND_DOWN)
        return [base] * (count - 1) + [remainder - base * (count - 1)]
    amount = to_money(amount, digits)
    full, rest = divmod(remainder, amount)
    parts = [amount] * int(full)
    if rest:
        parts.append(rest)
    return parts


def cadence_after(first_due_date, frequency, after, count):
    """The next ``count`` due dates of a plan whose installments fall at
    ``frequency`` from ``first_due_date`` (monthly: on its day of the month),
    after ``after``."""
    if count <= 0:
        return []
    if frequency == "monthly":
        months = (after.year - first_due_date.year) * 12 + after.month - first_due_date.month
        index = max(months - 1, 0)
        dates = []
        while len(dates) < count:
            due = add_months(first_due_date, index, first_due_date.day)
            if due > after:
                dates.append(due)
            index += 1
        return dates
    step = {"weekly": 7, "biweekly": 14}.get(frequency)
    if not step:
        raise ValueError(f"unknown frequency {frequency!r}")
    index = max((after - first_due_date).days // step + 1, 0)
    return [first_due_date + timedelta(days=step * (index + n)) for n in range(count)]


def raise_back(last, amount, plan, after, today, digits=2):
    """Put ``amount`` back on a plan that was lowered by it (lowering takes from
    the last unpaid installment backwards and removes those lowered to nothing).
    ``last``: (due date, amount, is the down payment) of the last unpaid
    installment, or None; ``plan``: (installment amount, down payment, frequency,
    first due date, number of installments); ``after``: the due date of the plan's last installment.
    The last unpaid installment, when not due yet, is topped up to the plan's
    installment amount (the down payment to the down payment); the rest goes on
    new installments of that amount (the last takes what is left; a rest under
    half an installment, or under a cent per installment of the plan — the
    rounding remainder of one built from a number of installments — rides on
    the one before) on the plan's own dates after
    its last installment, none before ``today``.  When nothing was taken since,
    the plan gets back the schedule it had (to the cent for one built from a
    number of installments).  Returns (the last installment's new amount or
    None, [(due date, amount)] of the new installments)."""
    regular, down, frequency, first_due_date, count = plan
    amount, regular = to_money(amount, digits), to_money(regular or 0, digits)
    rounding_rest = Decimal(count or 0).scaleb(-digits)
    topped = None
    growable = bool(last) and last[0] >= today
    cap = to_money(down or 0, digits) if last and last[2] else regular
    if growable and cap > 0:
        put = min(max(cap - to_money(last[1], digits), Decimal(0)), amount)
        if put > 0:
            topped = to_money(last[1], digits) + put
            amount -= put
    if amount <= 0:
        return topped, []
    parts = split_amount(amount, amount=regular, digits=digits) if regular > 0 else [amount]
    if parts[-1] * 2 < regular or parts[-1] < rounding_rest:
        # a rounding remainder (or a small rest) rides on the one before, as it did
        if len(parts) > 1:
            rest = parts.pop()
            parts[-1] += rest
        elif growable and not last[2]:
            return (topped if topped is not None else to_money(last[1], digits)) + amount, []
    start = max(after, today - timedelta(days=1)) if after else today - timedelta(days=1)
    dates = cadence_after(first_due_date, frequency, start, len(parts))
    return topped, list(zip(dates, parts, strict=True))


def build_schedule(
    total,
    down_payment,
    frequency,
    first_due_date,
    installment_count=None,
    installment_amount=None,
    start_date=None,
    digits=2,
):
    """The plan's schedule: the down payment (sequence 0, due on ``start_date``)
    when there is one, then the installments."""
    total = to_money(total, digits)
    down = to_money(down_payment or 0, digits)
    parts = split_amount(total - down, installment_count, installment_amount, digits)
    dates = due_dates(first_due_date, frequency, len(parts))
    schedule = []
    if down:
        schedule.append(Installment(0, start_date or first_due_date, down))
    schedule.extend(
        Installment(index + 1, due, part)
        for index, (due, part) in enumerate(zip(dates, parts, strict=True))
    )
    return schedule


def term_months(first_due_date, last_due_date):
    """Whole months from the first to the last due date, a started month counting."""
    months = (last_due_date.year - first_due_date.year) * 12 + (
        last_due_date.month - first_due_date.month
    )
    if last_due_date.day > first_due_date.day:
        months += 1
    return months


def _dates_fit(first_due_date, frequency, count):
    """The last due date of ``count`` installments can be represented."""
    try:
        due_dates(first_due_date, frequency, 1)
        if frequency == "monthly":
            add_months(first_due_date, count - 1)
        else:
            first_due_date + timedelta(days=(7 if frequency == "weekly" else 14) * (count - 1))
    except (OverflowError, ValueError):
        return False
    return True


def validate(
    total,
    down_payment,
    frequency,
    first_due_date,
    today,
    balance_due,
    installment_count=None,
    installment_amount=None,
    minimum_installment=0,
    max_term_months=0,
    digits=2,
    max_installments=None,
):
    """Problems with a plan's terms, as codes ([] when the plan can be made).

    ``max_installments``: the most installments allowed (``ERR_TOO_MANY`` beyond);
    whatever it is, a plan of more than ``HARD_MAX_INSTALLMENTS`` or one whose dates
    cannot be represented is refused as too long (``ERR_TERM``) without being built."""
    total = 0 if total is None or total is False else total
    down_payment = 0 if down_payment is None or down_payment is False else down_payment
    installment_amount = None if installment_amount is False else installment_amount
    installment_count = None if installment_count is False else installment_count
    if not _sane_amount(total):
        return [ERR_TOTAL]
    if not _sane_amount(down_payment):
        return [ERR_DOWN_ABOVE_TOTAL]
    if installment_amount is not None and not _sane_amount(installment_amount):
        return [ERR_AMOUNT]
    if installment_count is not None and (
        isinstance(installment_count, bool) or not isinstance(installment_count, int)
    ):
        return [ERR_COUNT]
    errors = []
    total = to_money(total, digits)
    down = to_money(down_payment or 0, digits)
    if frequency not in FREQUENCIES:
        errors.append(ERR_FREQUENCY)
    if total <= 0:
        errors.append(ERR_TOTAL)
    elif total > to_money(balance_due, digits):
        errors.append(ERR_TOTAL_ABOVE_BALANCE)
    if down < 0:
        errors.append(ERR_DOWN_NEGATIVE)
    elif total > 0 and down >= total:
        errors.append(ERR_DOWN_ABOVE_TOTAL)
    if (installment_count is None) == (installment_amount is None):
        errors.append(ERR_CHOOSE_ONE)
    elif installment_count is not None and installment_count <= 0:
        errors.append(ERR_COUNT)
    elif installment_amount is not None and to_money(installment_amount, digits) <= 0:
        errors.append(ERR_AMOUNT)
    if first_due_date < today:
        errors.append(ERR_FIRST_DUE_PAST)
    if errors:
        return errors
    count = installment_count
    if count is None:
        count = math.ceil((total - down) / to_money(installment_amount, digits))
    if max_installments is not None and count > max_installments:
        return [ERR_TOO_MANY]
    if count > HARD_MAX_INSTALLMENTS or not _dates_fit(first_due_date, frequency, count):
        return [ERR_TERM]
    schedule = build_schedule(
        total,
        down,
        frequency,
        first_due_date,
        installment_count,
        installment_amount,
        today,
        digits,
    )
    installments = [line for line in schedule if line.sequence > 0]
    minimum = to_money(minimum_installment or 0, digits)
    if any(line.amount < minimum for line in installments[:-1]) or (
        installments and installments[0].amount <= 0
    ):
        errors.append(ERR_BELOW_MINIMUM)
    # the term runs from today to the last due date
    if max_term_months and term_months(today, installments[-1].due_date) > max_term_months:
        errors.append(ERR_TERM)
    return errors


def _installment_order(row):
    """An installment's place in allocation: its due date, then its key (a record
    id: the down payment, made first, before an installment due the same day),
    compared as a number (id 100 after id 99)."""
    key = row[0]
    return (row[1], isinstance(key, str), key if not isinstance(key, str) else 0, str(key))


def allocate(installments, payments, digits=2):
    """Spread payments over installments in due-date order (down payment first).

    ``installments``: (key, due_date, amount); ``payments``: (date, amount, ref)
    in any order.  Each installment takes what it still needs from the oldest
    payment first; overpayment flows to the next installments; nothing is ever
    allocated beyond an installment's amount.  Returns {key: Allocation} where
    ``paid_date`` is the date of the payment that completed the installment.
    """
    quantum = Decimal(1).scaleb(-digits)
    queue = [
        [date, to_money(amount, digits), ref]
        for date, amount, ref in sorted(payments, key=lambda row: (row[0], str(row[2])))
        if to_money(amount, digits) > 0
    ]
    result = {}
    for key, _due, amount in sorted(installments, key=_installment_order):
        needed = to_money(amount, digits)
        paid = Decimal(0)
        paid_date = None
        refs = []
        while needed > 0 and queue:
            payment = queue[0]
            take = min(needed, payment[1])
            paid += take
            needed -= take
            payment[1] -= take
            if payment[2] not in refs:
                refs.append(payment[2])
            if needed <= 0:
                paid_date = payment[0]
            if payment[1] <= 0:
                queue.pop(0)
        result[key] = Allocation(paid.quantize(quantum), paid_date, refs)
    return result
