"""Escalation: which collection stage an account belongs in, and whether an
extraordinary collection action is allowed yet.

Stages and accounts are plain values here; the daily collections run and the
manual moves on the board both ask these functions, so the rules are one piece
of code.
"""

from collections import namedtuple
from datetime import timedelta

Stage = namedtuple(
    "Stage",
    "id sequence is_closed is_manual days_past_due_min balance_min is_extraordinary",
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


def stage_order(stage):
    return (stage.sequence, stage.id)


def qualifying_stage(stages, days_past_due, balance_due):
    """The furthest automatic stage an account qualifies for, or None.

    A stage qualifies when the account is at least ``days_past_due_min`` days
    past due and owes at least ``balance_min``.  Manual and closed stages never
    qualify: the run does not move accounts into them by these rules.
    """
    candidates = [
        stage
        for stage in stages
        if not stage.is_manual
        and not stage.is_closed
        and days_past_due >= stage.days_past_due_min
        and balance_due >= stage.balance_min
    ]
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
    return blocks
