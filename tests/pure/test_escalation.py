from datetime import date, timedelta

import pytest

from logic import escalation as esc
from logic.escalation import Stage

NEW = Stage(1, 1, False, False, 0, 0.0, False)
FIRST = Stage(2, 2, False, False, 1, 0.0, False)
SECOND = Stage(3, 3, False, False, 31, 0.0, False)
FINAL = Stage(4, 4, False, False, 61, 0.0, False)
REVIEW = Stage(5, 5, False, False, 91, 0.0, False)
PLAN = Stage(6, 6, False, True, 0, 0.0, False)
AGENCY = Stage(7, 7, False, False, 121, 100.0, True)
RESOLVED = Stage(8, 8, True, False, 0, 0.0, False)
STAGES = [NEW, FIRST, SECOND, FINAL, REVIEW, PLAN, AGENCY, RESOLVED]


def decide(current, dpd, balance, pending=0.0, on_hold=False):
    return esc.decide_move(STAGES, current, dpd, balance, pending, on_hold)


@pytest.mark.parametrize(
    ("dpd", "balance", "expected"),
    [
        (0, 10.0, NEW),
        (1, 10.0, FIRST),
        (30, 10.0, FIRST),
        (31, 10.0, SECOND),
        (61, 10.0, FINAL),
        (91, 10.0, REVIEW),
        (121, 99.99, REVIEW),  # agency needs a balance of at least 100
        (121, 100.0, AGENCY),
    ],
)
def test_furthest_qualifying_stage(dpd, balance, expected):
    assert esc.qualifying_stage(STAGES, dpd, balance) == expected


def test_moves_forward_to_furthest():
    assert decide(NEW, 65, 50.0) == (FINAL, None)


def test_never_backward():
    assert decide(FINAL, 5, 50.0) == (None, esc.SKIP_NOT_FORWARD)
    assert decide(FINAL, 61, 50.0) == (None, esc.SKIP_NOT_FORWARD)


def test_manual_stage_untouched():
    assert decide(PLAN, 200, 500.0) == (None, esc.SKIP_MANUAL_STAGE)
    assert decide(PLAN, 0, 0.0) == (None, esc.SKIP_MANUAL_STAGE)


def test_never_into_manual_stage():
    for dpd in (0, 50, 500):
        target, _reason = decide(None, dpd, 1000.0)
        assert not target.is_manual


def test_hold_freezes():
    assert decide(NEW, 200, 500.0, on_hold=True) == (None, esc.SKIP_ON_HOLD)


def test_paid_accounts_close_and_closed_accounts_reopen():
    assert decide(SECOND, 40, 0.0) == (RESOLVED, None)
    assert decide(RESOLVED, 0, 0.0) == (None, esc.SKIP_NOT_FORWARD)
    assert decide(RESOLVED, 35, 20.0) == (SECOND, None)


def test_insurance_pending_alone_does_not_close():
    assert decide(NEW, 0, 0.0, pending=80.0) == (None, esc.SKIP_NOT_FORWARD)


def test_new_account_without_stage():
    assert decide(None, 0, 10.0) == (NEW, None)


TODAY = date(2026, 6, 1)


def blocks(first=None, final=None, hold=False):
    return esc.extraordinary_action_blocks(TODAY, first, final, hold)


def test_gates_open_at_their_edges():
    assert blocks(TODAY - timedelta(days=120), TODAY - timedelta(days=30)) == []


def test_gate_notification_period():
    result = blocks(TODAY - timedelta(days=119), TODAY - timedelta(days=30))
    assert result == [esc.GATE_NOTIFICATION_PERIOD]
    assert esc.GATE_NOTIFICATION_PERIOD in blocks(None, TODAY - timedelta(days=30))


def test_gate_final_notice():
    result = blocks(TODAY - timedelta(days=200), TODAY - timedelta(days=29))
    assert result == [esc.GATE_FINAL_NOTICE]
    assert blocks(TODAY - timedelta(days=200), None) == [esc.GATE_FINAL_NOTICE]


@pytest.mark.parametrize(
    ("hold", "gate"),
    [("dispute", esc.GATE_DISPUTE), ("financial_assistance", esc.GATE_FINANCIAL_ASSISTANCE)],
)
def test_gate_holds(hold, gate):
    assert blocks(TODAY - timedelta(days=200), TODAY - timedelta(days=60), hold) == [gate]


def test_gates_can_be_switched_off():
    assert (
        esc.extraordinary_action_blocks(
            TODAY, None, None, "dispute", check_501r=False, check_disputes=False
        )
        == []
    )
