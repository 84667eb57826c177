from collections import Counter

from logic.run_counts import CountKey, Failure, RunCounts


def test_a_key_is_its_tuple():
    counts = RunCounts()
    counts.add("moved", 2, stage_id=7)
    counts[CountKey("moved", 7)] += 1
    assert counts[("moved", 7, False)] == 3
    plain = Counter()
    plain[CountKey("written_off")] += 4
    assert plain[("written_off", False, False)] == 4


def test_totals_by_kind_and_failed_accounts():
    counts = RunCounts()
    counts.add("moved", 2, stage_id=7)
    counts.add("moved", 3, stage_id=8)
    counts.add("skipped", 5, reason="on_hold")
    counts.failures += [
        Failure("_step_escalate", 11, "data"),
        Failure("_step_statements", 11, "refused"),
        Failure("_step_promises", False, "unexpected"),
    ]
    assert counts.count_of("moved") == 5
    assert counts.count_of("skipped") == 5
    assert counts.count_of("refreshed") == 0
    assert counts.failed_accounts() == 1


def test_line_values_ordered_then_failures():
    counts = RunCounts()
    counts.add("skipped", 1, reason="on_hold")
    counts.add("moved", 2, stage_id=8)
    counts.add("moved", 1, stage_id=7)
    counts.add("refreshed", 0)
    counts.failures.append(Failure("_step_escalate", 11, "data"))
    assert counts.line_values() == [
        {"kind": "moved", "stage_id": 7, "reason": False, "count": 1},
        {"kind": "moved", "stage_id": 8, "reason": False, "count": 2},
        {"kind": "skipped", "stage_id": False, "reason": "on_hold", "count": 1},
        {
            "kind": "failed",
            "step": "_step_escalate",
            "account_id": 11,
            "failure_reason": "data",
            "count": 1,
        },
    ]


def test_restore_forgets_what_a_failed_step_added():
    counts = RunCounts()
    counts.add("moved", 2, stage_id=7)
    counts.failures.append(Failure("_step_escalate", 11, "data"))
    before = counts.snapshot()
    counts.add("moved", 1, stage_id=7)
    counts.add("statement_sent", 3)
    counts.failures.append(Failure("_step_statements", 12, "data"))
    counts.escalation_waiting_dates = {(7, 30): None}
    counts.restore(before)
    assert dict(counts) == {CountKey("moved", 7): 2}
    assert counts.failures == [Failure("_step_escalate", 11, "data")]
    assert not hasattr(counts, "escalation_waiting_dates")
