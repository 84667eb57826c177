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
            TODAY, None, None, None, check_501r=False, check_disputes=False
        )
        == []
    )


@pytest.mark.parametrize("hold", ["bankruptcy", "deceased", "promise_to_pay", "other"])
def test_any_other_hold_blocks_an_extraordinary_action(hold):
    assert blocks(TODAY - timedelta(days=200), TODAY - timedelta(days=60), hold) == [
        esc.GATE_ON_HOLD
    ]


def test_a_hold_blocks_whatever_the_gate_settings():
    for hold in ("dispute", "financial_assistance", "bankruptcy"):
        assert esc.extraordinary_action_blocks(
            TODAY, None, None, hold, check_501r=False, check_disputes=False
        ) == [esc.GATE_ON_HOLD]


# ------------------------------------------------------------ the notice sequence

LNEW = Stage(1, 10, False, False, 0, 0.0, False)
LFIRST = Stage(2, 20, False, False, 1, 0.0, False, True)
LSECOND = Stage(3, 30, False, False, 31, 0.0, False, True)
LFINAL = Stage(4, 40, False, False, 61, 0.0, False, True, True)
LREVIEW = Stage(5, 50, False, False, 91, 0.0, False, True)
LPLAN = Stage(6, 60, False, True, 0, 0.0, False, True)
LAGENCY = Stage(7, 70, False, False, 121, 50.0, True)
LRESOLVED = Stage(8, 90, True, False, 0, 0.0, False)
LETTER_STAGES = [LNEW, LFIRST, LSECOND, LFINAL, LREVIEW, LPLAN, LAGENCY, LRESOLVED]
DAY0 = date(2026, 1, 1)
CYCLE = 30


def escalate(current, dpd, today, history=None, gate=None, balance=100.0, **kw):
    history = history or esc.History()
    gate = gate or esc.Gate(today - timedelta(days=dpd))
    return esc.decide_escalation(
        LETTER_STAGES, current, dpd, balance, 0.0, False, today, history, gate, CYCLE, **kw
    )


def test_notice_sequence_stops_at_the_final_notice():
    assert esc.notice_sequence(LETTER_STAGES) == [LFIRST, LSECOND, LFINAL]
    without_final = [stage._replace(is_final_notice=False) for stage in LETTER_STAGES]
    assert [s.id for s in esc.notice_sequence(without_final)] == [2, 3, 4, 5]


def walk(dpd_at_install, runs=8, cycle=CYCLE, history=None, current=LNEW):
    """The run every ``cycle`` days from DAY0 for an account ``dpd_at_install``
    days past due: [(day, stage, decision)], its letters as the statement step
    sends them (one on entering each statement stage)."""
    history = history or esc.History()
    first = None
    final = history.final_notice_date
    last = history.last_letter_date
    stage_date = None
    steps = []
    for run in range(runs):
        today = DAY0 + timedelta(days=cycle * run)
        dpd = dpd_at_install + cycle * run
        gate = esc.Gate(first or DAY0 - timedelta(days=dpd_at_install), final)
        decision = esc.decide_escalation(
            LETTER_STAGES,
            current,
            dpd,
            100.0,
            0.0,
            False,
            today,
            history._replace(last_letter_date=last, final_notice_date=final, stage_date=stage_date),
            gate,
            CYCLE,
        )
        if decision.target:
            current, stage_date = decision.target, today
            if current.is_final_notice:
                final = today
        if current.is_letter:
            first = first or today
            last = today
        steps.append((today, current, decision))
    return steps


def test_install_200_days_walks_every_letter_then_the_gate():
    steps = walk(200)
    assert [stage for _day, stage, _d in steps] == [
        LFIRST,
        LSECOND,
        LFINAL,
        LREVIEW,  # the gate opens 120 days after the first statement
        LAGENCY,
        LAGENCY,
        LAGENCY,
        LAGENCY,
    ]
    _day, _stage, decision = steps[2]
    assert decision.wait == esc.WAIT_501R and decision.wait_stage == LAGENCY
    # 120 days after the first statement (day 0), 30 after the final notice (day 60)
    assert decision.wait_date == DAY0 + timedelta(days=120)
    assert steps[4][0] == DAY0 + timedelta(days=120)
    assert steps[0][2].wait == esc.WAIT_LETTER
    assert steps[0][2].wait_stage == LSECOND
    assert steps[0][2].wait_date == DAY0 + timedelta(days=CYCLE)


@pytest.mark.parametrize("dpd", [0, 1, 15, 31, 45, 61, 90, 91, 121, 200, 400])
def test_never_a_letter_skipped_and_never_stuck(dpd):
    steps = walk(dpd, runs=10)
    seen = []
    for _day, stage, _decision in steps:
        if not seen or seen[-1] != stage:
            seen.append(stage)
    letters_seen = [stage for stage in seen if stage in (LFIRST, LSECOND, LFINAL)]
    expected = [s for s in (LFIRST, LSECOND, LFINAL) if s in letters_seen]
    assert letters_seen == expected
    reached = [stage for stage in seen if stage.sequence > LFIRST.sequence]
    if reached:  # every letter before the furthest stage reached
        furthest = max(reached, key=esc.stage_order)
        for letter in (LFIRST, LSECOND, LFINAL):
            if letter.sequence < furthest.sequence:
                assert letter in seen
    final_dpd = dpd + CYCLE * 9
    assert steps[-1][1] == esc.qualifying_stage(LETTER_STAGES, final_dpd, 100.0)


def test_letter_interval_holds_the_next_letter():
    history = esc.History(stage_date=DAY0, last_letter_date=DAY0)
    decision = escalate(LFIRST, 90, DAY0 + timedelta(days=29), history)
    assert decision.target is None
    assert decision.reason == esc.WAIT_LETTER
    assert decision.wait_stage == LSECOND
    assert decision.wait_date == DAY0 + timedelta(days=30)
    decision = escalate(LFIRST, 90, DAY0 + timedelta(days=30), history)
    assert decision.target == LSECOND


def test_non_letter_stages_are_skipped_by_days_past_due():
    # after the final notice, Pre-collection review (statements, no notice) is skipped
    history = esc.History(stage_date=DAY0, last_letter_date=DAY0, final_notice_date=DAY0)
    gate = esc.Gate(DAY0 - timedelta(days=200), DAY0)
    decision = escalate(LFINAL, 200, DAY0 + timedelta(days=120), history, gate)
    assert decision.target == LAGENCY


def test_gate_keeps_the_account_moving_up_to_the_stage_before():
    history = esc.History(stage_date=DAY0, last_letter_date=DAY0, final_notice_date=DAY0)
    gate = esc.Gate(DAY0 - timedelta(days=60), DAY0)
    today = DAY0 + timedelta(days=30)
    decision = escalate(LFINAL, 150, today, history, gate)
    assert decision.target == LREVIEW
    assert decision.wait == esc.WAIT_501R
    assert decision.wait_date == DAY0 + timedelta(days=60)  # first statement + 120
    decision = escalate(LREVIEW, 150, today, history, gate)
    assert decision.target is None
    assert decision.reason == esc.GATE_NOTIFICATION_PERIOD
    assert decision.wait == esc.WAIT_501R


def test_imported_final_notice_counts_for_the_whole_sequence():
    final = DAY0 - timedelta(days=40)
    history = esc.History(final_notice_date=final, last_letter_date=final)
    gate = esc.Gate(DAY0 - timedelta(days=200), final)
    assert escalate(LNEW, 200, DAY0, history, gate).target == LAGENCY
    # 20 days only: the gate waits, the account is not left in New
    final = DAY0 - timedelta(days=20)
    history = esc.History(final_notice_date=final, last_letter_date=final)
    decision = escalate(LNEW, 200, DAY0, history, esc.Gate(DAY0 - timedelta(days=200), final))
    assert decision.target == LREVIEW
    assert decision.wait == esc.WAIT_501R
    assert decision.wait_date == final + timedelta(days=30)


def test_letters_logged_count_but_never_as_the_final_notice():
    long_ago = DAY0 - timedelta(days=60)
    two_letters = esc.History(letters_sent=2, last_letter_date=long_ago)
    assert escalate(LNEW, 200, DAY0, two_letters).target == LFINAL
    five_letters = esc.History(letters_sent=5, last_letter_date=long_ago)
    assert escalate(LNEW, 200, DAY0, five_letters).target == LFINAL
    # a letter 10 days ago: no letter stage before the interval, then the next one
    recent = esc.History(letters_sent=1, last_letter_date=DAY0 - timedelta(days=10))
    decision = escalate(LNEW, 200, DAY0, recent)
    assert decision.target is None
    assert decision.reason == esc.WAIT_LETTER
    assert decision.wait_stage == LSECOND
    assert decision.wait_date == DAY0 + timedelta(days=20)
    assert escalate(LNEW, 200, DAY0 + timedelta(days=20), recent).target == LSECOND


def test_statements_of_the_current_stage_are_not_the_next_notices():
    # three statements while in First statement: still the Second statement next
    history = esc.History(letters_sent=3, last_letter_date=DAY0 - timedelta(days=30))
    assert escalate(LFIRST, 200, DAY0, history).target == LSECOND


def test_letter_stage_above_the_balance_is_not_required():
    high_second = [s._replace(balance_min=500.0) if s == LSECOND else s for s in LETTER_STAGES]
    history = esc.History(stage_date=DAY0 - timedelta(days=30))
    decision = esc.decide_escalation(
        high_second, LFIRST, 80, 100.0, 0.0, False, DAY0, history, esc.Gate(), CYCLE
    )
    assert decision.target.id == LFINAL.id


def test_sequence_rules_keep_the_old_ones():
    assert escalate(LNEW, 200, DAY0)._replace(wait=None, wait_stage=None, wait_date=None) == (
        esc.Decision(LFIRST)
    )
    hold = esc.decide_escalation(
        LETTER_STAGES, LNEW, 200, 100.0, 0.0, True, DAY0, esc.History(), esc.Gate(), CYCLE
    )
    assert hold == esc.Decision(None, esc.SKIP_ON_HOLD)
    manual = escalate(LPLAN, 200, DAY0)
    assert manual == esc.Decision(None, esc.SKIP_MANUAL_STAGE)
    paid = esc.decide_escalation(
        LETTER_STAGES, LSECOND, 40, 0.0, 0.0, False, DAY0, esc.History(), esc.Gate(), CYCLE
    )
    assert paid.target == LRESOLVED
    # a closed account that owes again restarts where its history says
    reopened = escalate(LRESOLVED, 40, DAY0, esc.History(letters_sent=1))
    assert reopened.target == LSECOND
    assert escalate(LFINAL, 10, DAY0).reason == esc.SKIP_NOT_FORWARD


def test_gate_opens_on():
    assert esc.gate_opens_on(esc.Gate(DAY0, DAY0 + timedelta(days=100))) == DAY0 + timedelta(
        days=130
    )
    assert esc.gate_opens_on(esc.Gate(DAY0, None)) is None
    assert esc.gate_opens_on(esc.Gate(DAY0, DAY0, check_501r=False)) is None


def test_statements_repeated_in_a_stage_do_not_push_the_next_letter_back():
    # in First statement since DAY0 (its letter that day), a statement every 30 days
    # since; 45 days between letters: Second statement on day 45
    history = esc.History(
        letters_sent=2,
        last_letter_date=DAY0 + timedelta(days=30),
        stage_date=DAY0,
        stage_letter_date=DAY0,
    )
    for day, expected in ((44, None), (45, LSECOND)):
        decision = esc.decide_escalation(
            LETTER_STAGES,
            LFIRST,
            100,
            100.0,
            0.0,
            False,
            DAY0 + timedelta(days=day),
            history,
            esc.Gate(),
            45,
        )
        assert decision.target == expected


def test_next_letter_waits_for_the_letter_of_its_stage():
    history = esc.History(stage_date=DAY0, stage_letter_pending=True)
    decision = escalate(LFIRST, 100, DAY0 + timedelta(days=60), history)
    assert decision.target is None
    assert decision.reason == esc.WAIT_LETTER
    assert decision.wait_stage == LSECOND
    assert decision.wait_date is None  # not known before that letter goes out


def test_entering_a_letter_waits_a_run_for_the_stages_beyond():
    history = esc.History(stage_date=DAY0 - timedelta(days=30))
    decision = escalate(LSECOND, 100, DAY0, history)
    assert decision.target == LFINAL
    assert decision.wait == esc.WAIT_LETTER
    assert decision.wait_stage == LREVIEW
    assert decision.wait_date == DAY0 + timedelta(days=1)


def test_a_final_notice_withheld_keeps_the_account_in_its_stage():
    """In the final-notice stage without a final-notice date (entered on a hold,
    or after a request to cease): the notice is still to go out, nothing beyond."""
    gate = esc.Gate(DAY0 - timedelta(days=300), None)
    history = esc.History(stage_date=DAY0 - timedelta(days=60))
    decision = escalate(LFINAL, 200, DAY0, history, gate)
    assert decision.target is None
    assert decision.reason == esc.GATE_FINAL_NOTICE
    # once a statement carried it (dated), the sequence goes on
    sent = DAY0 - timedelta(days=31)
    dated = history._replace(final_notice_date=sent, last_letter_date=sent)
    assert (
        escalate(LFINAL, 200, DAY0, dated, gate._replace(final_notice_date=sent)).target == LAGENCY
    )
