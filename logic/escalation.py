"""Escalation: which collection stage an account belongs in, and whether an
extraordinary collection action is allowed yet.

Stages and accounts are plain values here; the daily collections run and the
manual moves on the board both ask these functions, so the rules are one piece
of code.
"""

from collections import namedtuple
from datetime import timedelta

# ``is_letter``: the stage sends a statement; ``is_final_notice``: entering it is
# the final notice.  Both default to False (stages that send nothing).
Stage = namedtuple(
    "Stage",
    "id sequence is_closed is_manual days_past_due_min balance_min is_extraordinary "
    "is_letter is_final_notice",
    defaults=(False, False),
)

# What an account has received before this run: ``letters_sent`` letters logged on
# it, the last one (or the last statement) on ``last_letter_date``, its final notice
# on ``final_notice_date``, in its current stage since ``stage_date``, whose letter
# went out on ``stage_letter_date`` (the first letter or email since), or is still
# to go out (``stage_letter_pending``: a statement stage, no statement since it
# entered, statements not stopped).
History = namedtuple(
    "History",
    "letters_sent last_letter_date final_notice_date stage_date stage_letter_date "
    "stage_letter_pending",
    defaults=(0, None, None, None, None, False),
)

# The 501(r) and dispute gates of extraordinary-action stages, as the company sets
# them, with the account's dates (``first_statement_date``: else its oldest open
# invoice's) and hold.
Gate = namedtuple(
    "Gate",
    "first_statement_date final_notice_date hold_reason notification_days "
    "final_notice_days check_501r check_disputes",
    defaults=(None, None, None, 120, 30, True, True),
)

# Where the run moves an account (``target``, or None and ``reason``), and what it
# waits for: ``wait`` (WAIT_LETTER or WAIT_501R) to enter ``wait_stage``, on
# ``wait_date`` at the earliest (None: not known yet).
Decision = namedtuple(
    "Decision",
    "target reason wait wait_stage wait_date",
    defaults=(None, None, None, None, None),
)

# Reasons an account is not moved by the run (codes stored on the run record).
SKIP_ON_HOLD = "on_hold"
SKIP_MANUAL_STAGE = "manual_stage"
SKIP_NOT_FORWARD = "not_forward"
SKIP_NO_STAGE = "no_stage"
GATE_NOTIFICATION_PERIOD = "gate_notification_period"
GATE_FINAL_NOTICE = "gate_final_notice"
GATE_DISPUTE = "gate_dispute"
GATE_FINANCIAL_ASSISTANCE = "gate_financial_assistance"
GATE_ON_HOLD = "gate_on_hold"
# What an account held back waits for (and why it stays, when it does).
WAIT_LETTER = "wait_letter"
WAIT_501R = "wait_501r"


def stage_order(stage):
    return (stage.sequence, stage.id)


def qualifies(stage, days_past_due, balance_due):
    """The rules may move an account ``days_past_due`` days past due that owes
    ``balance_due`` into ``stage``: at least its minimum days past due and
    balance, and the stage neither manual nor closed."""
    return (
        not stage.is_manual
        and not stage.is_closed
        and days_past_due >= stage.days_past_due_min
        and balance_due >= stage.balance_min
    )


def qualifying_stage(stages, days_past_due, balance_due):
    """The furthest automatic stage an account qualifies for, or None.

    A stage qualifies when the account is at least ``days_past_due_min`` days
    past due and owes at least ``balance_min``.  Manual and closed stages never
    qualify: the run does not move accounts into them by these rules.
    """
    candidates = [stage for stage in stages if qualifies(stage, days_past_due, balance_due)]
    return max(candidates, key=stage_order) if candidates else None


def closed_stage(stages):
    closed = [stage for stage in stages if stage.is_closed]
    return min(closed, key=stage_order) if closed else None


def decide_move(stages, current, days_past_due, balance_due, balance_pending, on_hold):
    """Where the run moves an account: ``(target stage, None)`` or ``(None, reason)``.

    - never while on hold, never into or out of a manual stage;
    - nothing left to pay (neither due nor insurance-pending): the closed stage;
    - a closed account that owes again reopens in the stage it qualifies for;
    - otherwise forward only, to the furthest stage it qualifies for.
    """
    if on_hold:
        return None, SKIP_ON_HOLD
    if current is not None and current.is_manual:
        return None, SKIP_MANUAL_STAGE
    if balance_due <= 0 and balance_pending <= 0:
        target = closed_stage(stages)
        if target is None:
            return None, SKIP_NO_STAGE
        if current is not None and current.id == target.id:
            return None, SKIP_NOT_FORWARD
        return target, None
    target = qualifying_stage(stages, days_past_due, max(balance_due, 0))
    if target is None:
        return None, SKIP_NO_STAGE
    if current is None or current.is_closed:
        return target, None
    if stage_order(target) <= stage_order(current):
        return None, SKIP_NOT_FORWARD
    return target, None


def extraordinary_action_blocks(
    today,
    first_statement_date,
    final_notice_date,
    hold_reason,
    notification_days=120,
    final_notice_days=30,
    check_501r=True,
    check_disputes=True,
):
    """Why an extraordinary collection action is not allowed yet ([] when it is).

    501(r): at least ``notification_days`` since the first statement, and a
    final notice sent at least ``final_notice_days`` earlier, and no open
    financial-assistance application.  No Surprises Act: no open dispute.
    Whatever the settings, no extraordinary action while the account is on any
    other hold (bankruptcy's automatic stay, an estate, a promise...): the hold is
    released first.
    """
    blocks = []
    if check_501r:
        if not first_statement_date or today < first_statement_date + timedelta(
            days=notification_days
        ):
            blocks.append(GATE_NOTIFICATION_PERIOD)
        if not final_notice_date or today < final_notice_date + timedelta(days=final_notice_days):
            blocks.append(GATE_FINAL_NOTICE)
        if hold_reason == "financial_assistance":
            blocks.append(GATE_FINANCIAL_ASSISTANCE)
    if check_disputes and hold_reason == "dispute":
        blocks.append(GATE_DISPUTE)
    elif hold_reason and GATE_FINANCIAL_ASSISTANCE not in blocks:
        blocks.append(GATE_ON_HOLD)
    return blocks


def gate_opens_on(gate):
    """The first day the 501(r) gate lets an extraordinary action through, from
    the account's dates: None while unknown (no statement or final notice yet).
    The day itself when the 501(r) gate is off."""
    if not gate.check_501r:
        return None
    if not gate.first_statement_date or not gate.final_notice_date:
        return None
    return max(
        gate.first_statement_date + timedelta(days=gate.notification_days),
        gate.final_notice_date + timedelta(days=gate.final_notice_days),
    )


def notice_sequence(stages):
    """The letters every account receives in order: the automatic stages that
    send a statement or are the final notice, up to the (last) final notice.

    Statement stages after the final notice keep their statement cycle but are no
    notice of the sequence: they may be skipped by days past due like stages that
    send nothing.
    """
    letters = sorted(
        (
            stage
            for stage in stages
            if (stage.is_letter or stage.is_final_notice)
            and not stage.is_manual
            and not stage.is_closed
        ),
        key=stage_order,
    )
    finals = [index for index, stage in enumerate(letters) if stage.is_final_notice]
    return letters[: finals[-1] + 1] if finals else letters


def letters_received(letters, current, history):
    """How many of ``letters`` (an account's notice sequence) it has received.

    - its stage: every letter at or before the automatic stage it is in (the run
      entered them, or moved it past them before the sequence rule);
    - its history, while it is in no letter stage (new, imported, reopened):
      the letters logged on it count for the statements before the final notice,
      and a final-notice date counts for the whole sequence.  (Letters logged
      while in a letter stage are that stage's cycle, not the next notices.)
    - in the final-notice stage without a final-notice date, its notice was
      withheld (entered on a hold, or after a request to cease): not received.
    """
    received = 0
    in_letter_stage = False
    if current is not None and not current.is_closed and not current.is_manual:
        received = sum(1 for letter in letters if stage_order(letter) <= stage_order(current))
        in_letter_stage = any(letter.id == current.id for letter in letters)
        if current.is_final_notice and in_letter_stage and not history.final_notice_date:
            # entered while its notice was withheld (a hold, a request to cease):
            # not received until a statement carries it
            received -= 1
    if history.final_notice_date:
        return len(letters)
    if not in_letter_stage and history.letters_sent:
        before_final = next(
            (index for index, letter in enumerate(letters) if letter.is_final_notice),
            len(letters),
        )
        received = max(received, min(history.letters_sent, before_final))
    return received


def decide_escalation(
    stages,
    current,
    days_past_due,
    balance_due,
    balance_pending,
    on_hold,
    today,
    history=None,
    gate=None,
    letter_interval_days=30,
):
    """Where the run moves an account, and what it waits for (a :class:`Decision`).

    As :func:`decide_move` (holds, manual stages, closing and reopening, forward
    only), and:

    - **letters in order**: the letters of the notice sequence (see
      :func:`notice_sequence`; those whose minimum balance the account owes) are
      entered one after the other, the next one only ``letter_interval_days``
      after the previous letter went out (its last letter or statement, or its
      entry in the letter stage it is in); stages that send nothing may be
      skipped by days past due;
    - **never stuck**: when the furthest stage it qualifies for is an
      extraordinary action the gates refuse, it moves to the furthest stage
      before it that it qualifies for and may enter;
    - an account held back by either rule *waits*: for the next letter
      (WAIT_LETTER, the day its interval ends) or for the 501(r) gate
      (WAIT_501R, the day the gate opens; None when a date is still missing).
    """
    history = history or History()
    gate = gate or Gate()
    if on_hold:
        return Decision(None, SKIP_ON_HOLD)
    if current is not None and current.is_manual:
        return Decision(None, SKIP_MANUAL_STAGE)
    balance = max(balance_due, 0)
    if balance_due <= 0 and balance_pending <= 0:
        target, reason = decide_move(
            stages, current, days_past_due, balance_due, balance_pending, on_hold
        )
        return Decision(target, reason)
    qualifying = sorted(
        (stage for stage in stages if qualifies(stage, days_past_due, balance)),
        key=stage_order,
    )
    if not qualifying:
        return Decision(None, SKIP_NO_STAGE)
    start = current if current is not None and not current.is_closed else None
    furthest = qualifying[-1]
    letters = [letter for letter in notice_sequence(stages) if balance >= letter.balance_min]
    received = letters_received(letters, start, history)
    in_letter = start is not None and any(letter.id == start.id for letter in letters)
    # when the previous letter went out: in a letter stage, that stage's letter
    # (its entry, or the first letter after it; statements it repeats every cycle
    # do not push the next letter back); else the last letter, statement or final
    # notice it received
    pending = in_letter and history.stage_letter_pending
    if pending:
        last_letter = today
    elif in_letter:
        last_letter = max(
            (day for day in (history.stage_date, history.stage_letter_date) if day),
            default=None,
        )
    else:
        last_letter = max(
            (day for day in (history.last_letter_date, history.final_notice_date) if day),
            default=None,
        )
    interval = timedelta(days=max(letter_interval_days, 0))
    letter_ids = {letter.id for letter in letters}
    next_letter = letters[received] if received < len(letters) else None
    interval_over = last_letter is None or today >= last_letter + interval
    blocks = extraordinary_action_blocks(
        today,
        gate.first_statement_date,
        gate.final_notice_date,
        gate.hold_reason,
        notification_days=gate.notification_days,
        final_notice_days=gate.final_notice_days,
        check_501r=gate.check_501r,
        check_disputes=gate.check_disputes,
    )

    def reachable(stage):
        # never past the next letter; into a letter stage only after the interval
        if next_letter is not None and stage_order(stage) > stage_order(next_letter):
            return False
        if stage.id in letter_ids and not interval_over:
            return False
        return not (stage.is_extraordinary and blocks)

    allowed = [stage for stage in qualifying if reachable(stage)]
    target = allowed[-1] if allowed else None
    if target is not None and start is not None and stage_order(target) <= stage_order(start):
        target = None
    stays_at = target or start
    wait = wait_stage = wait_date = None
    if stays_at is None or stage_order(stays_at) < stage_order(furthest):
        # held back: by a letter (not received, or too soon after the last one),
        # else by the gate
        entering_letter = target is not None and target.id in letter_ids
        received_after = received + (1 if target is not None and target == next_letter else 0)
        sent = today if entering_letter else last_letter
        ready_after = not entering_letter and interval_over
        waiting_letters = [
            letter
            for index, letter in enumerate(letters)
            if (stays_at is None or stage_order(letter) > stage_order(stays_at))
            and stage_order(letter) <= stage_order(furthest)
            and (index >= received_after or not ready_after)
        ]
        if waiting_letters:
            # the next letter it has not received, else the letter stage it may not
            # enter yet
            new_letters = [
                letter for letter in waiting_letters if letters.index(letter) >= received_after
            ]
            wait, wait_stage = WAIT_LETTER, (new_letters or waiting_letters)[0]
            if pending and not entering_letter:
                wait_date = None  # when its stage's letter goes out, plus the interval
            else:
                wait_date = sent + interval if sent else today
        elif furthest.is_extraordinary and blocks:
            wait, wait_stage = WAIT_501R, furthest
            final = today if target is not None and target.is_final_notice else None
            wait_date = gate_opens_on(
                gate._replace(final_notice_date=final or gate.final_notice_date)
            )
        elif entering_letter:
            # the letter it enters goes out today: the stages beyond from the next run
            wait, wait_stage, wait_date = WAIT_LETTER, furthest, today + timedelta(days=1)
    if target is not None:
        return Decision(target, None, wait, wait_stage, wait_date)
    if wait == WAIT_LETTER:
        reason = WAIT_LETTER
    elif wait == WAIT_501R:
        reason = blocks[0]
    else:
        reason = SKIP_NOT_FORWARD if start is not None else SKIP_NO_STAGE
    return Decision(None, reason, wait, wait_stage, wait_date)
