from logic import priority


def test_zero_inputs_score_zero():
    assert priority.score({}, priority.DEFAULT_WEIGHTS) == 0


def test_all_capped_inputs_score_100():
    inputs = {
        "balance": 5000,
        "days_past_due": 400,
        "broken_promises": 9,
        "days_since_contact": 365,
        "defaulted_plans": 2,
    }
    assert priority.score(inputs, priority.DEFAULT_WEIGHTS) == 100


def test_score_grows_with_each_input():
    base = {"balance": 200, "days_past_due": 30}
    low = priority.score(base, priority.DEFAULT_WEIGHTS)
    for key, more in (
        ("balance", 600),
        ("days_past_due", 90),
        ("broken_promises", 1),
        ("days_since_contact", 20),
        ("defaulted_plans", 1),
    ):
        assert priority.score({**base, key: more}, priority.DEFAULT_WEIGHTS) > low, key


def test_weights_matter():
    inputs = {"balance": 1000}
    assert priority.score(inputs, {"balance": 1, "days_past_due": 1}) == 50
    assert priority.score(inputs, {"balance": 0, "days_past_due": 1}) == 0
    assert priority.score(inputs, {}) == 0


def test_explanation_lists_every_term_biggest_first():
    text = priority.explain({"balance": 500, "days_past_due": 180}, priority.DEFAULT_WEIGHTS)
    lines = text.splitlines()
    assert len(lines) == len(priority.TERMS)
    assert lines[0].startswith("Days past due: 180")
    assert "+30" in lines[0]
    assert "Balance due: 500.00 → +18" in text


def test_negative_inputs_count_as_zero():
    assert priority.score({"balance": -50}, priority.DEFAULT_WEIGHTS) == 0


def test_explanation_shows_a_credit_balance_as_it_is():
    """A credit adds no points, and the explanation shows the real balance (-50.00,
    not a clamped 0.00)."""
    inputs = {"balance": -50.0, "days_past_due": 0}
    text = priority.explain(inputs, priority.DEFAULT_WEIGHTS)
    assert "Balance due: -50.00 → +0" in text
    assert priority.score(inputs, priority.DEFAULT_WEIGHTS) == 0
