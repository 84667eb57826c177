"""The explainable priority score of a patient account (0 to 100).

Each input is scaled to 0..1 against a cap (beyond the cap it counts fully),
then weighted; the score is the weighted share of the total weight.  The
explanation lists what each term contributed, so a specialist can see why an
account is at the top of the board.
"""

from collections import namedtuple

Term = namedtuple("Term", "key label cap unit")

TERMS = (
    Term("balance", "Balance due", 1000.0, "amount"),
    Term("days_past_due", "Days past due", 180.0, "days"),
    Term("broken_promises", "Broken promises", 3.0, "count"),
    Term("days_since_contact", "Days since last contact", 60.0, "days"),
    Term("defaulted_plans", "Defaulted payment plans", 1.0, "count"),
)
TERM_KEYS = tuple(term.key for term in TERMS)
DEFAULT_WEIGHTS = {
    "balance": 35,
    "days_past_due": 30,
    "broken_promises": 15,
    "days_since_contact": 10,
    "defaulted_plans": 10,
}


def contributions(inputs, weights):
    """Points each term adds to the score, in the order of ``TERMS``."""
    total_weight = sum(max(weights.get(key, 0), 0) for key in TERM_KEYS)
    points = []
    for term in TERMS:
        weight = max(weights.get(term.key, 0), 0)
        value = max(inputs.get(term.key, 0) or 0, 0)
        share = min(value / term.cap, 1.0) if term.cap else 0.0
        points.append((term, value, 100.0 * weight * share / total_weight if total_weight else 0))
    return points


def score(inputs, weights):
    """The priority score, rounded to a whole number between 0 and 100."""
    total = sum(points for _term, _value, points in contributions(inputs, weights))
    return int(min(max(round(total), 0), 100))


def explain(inputs, weights, labels=None, fmt_value=None):
    """One line per term: ``label: value -> +points``, biggest first.

    ``labels`` maps term keys to (translated) labels; ``fmt_value`` formats a
    (term, value) pair for display.
    """
    labels = labels or {}
    lines = []
    rows = sorted(contributions(inputs, weights), key=lambda row: -row[2])
    for term, value, points in rows:
        shown = fmt_value(term, value) if fmt_value else _default_format(term, value)
        lines.append(f"{labels.get(term.key, term.label)}: {shown} → +{points:.0f}")
    return "\n".join(lines)


def _default_format(term, value):
    if term.unit == "amount":
        return f"{value:,.2f}"
    return f"{value:.0f}"
