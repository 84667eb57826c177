"""The explainable priority score of a patient account (0 to 100).

Each input is scaled to 0..1 against a cap (beyond the cap it counts fully),
then weighted; the score is the weighted share of the total weight.  The
explanation lists what each term contributed, so a specialist can see why an
account is at the top of the board.
"""

from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

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
    """(term, input as given, points) for each term, in the order of ``TERMS``: a
    negative input (a credit balance) adds no points, and is shown as it is.

    Computed in ``Decimal`` so that the SQL version of the score (numeric
    arithmetic, see ``sql_score``) gives the same numbers.
    """
    total_weight = sum(max(int(weights.get(key) or 0), 0) for key in TERM_KEYS)
    points = []
    for term in TERMS:
        weight = max(int(weights.get(term.key) or 0), 0)
        given = Decimal(str(inputs.get(term.key) or 0))
        share = min(max(given, Decimal(0)) / Decimal(str(term.cap)), Decimal(1))
        points.append(
            (
                term,
                given,
                Decimal(100) * weight * share / total_weight if total_weight else Decimal(0),
            )
        )
    return points


def score(inputs, weights):
    """The priority score, rounded half up to a whole number between 0 and 100."""
    total = sum((points for _term, _value, points in contributions(inputs, weights)), Decimal(0))
    return int(min(max(total.quantize(Decimal(1), rounding=ROUND_HALF_UP), Decimal(0)), 100))


def sql_score(values, weights):
    """The same score as an SQL expression template (PostgreSQL numeric arithmetic).

    ``values`` and ``weights`` map term keys to SQL snippets (column names or
    expressions); returns text with ``{term}`` replaced by them, for the caller
    to wrap in its own SQL object.  The caps come from ``TERMS``, so the Python
    and the SQL score cannot drift apart.
    """
    weighted = []
    for term in TERMS:
        weight = f"GREATEST(COALESCE({weights[term.key]}, 0), 0)"
        share = f"LEAST(GREATEST(COALESCE({values[term.key]}, 0), 0)::numeric / {term.cap!r}, 1)"
        weighted.append(f"{weight} * {share}")
    total = " + ".join(f"GREATEST(COALESCE({weights[key]}, 0), 0)" for key in TERM_KEYS)
    return (
        f"COALESCE(LEAST(GREATEST(ROUND(100 * ({' + '.join(weighted)}) / NULLIF({total}, 0)),"
        " 0), 100), 0)::integer"
    )


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
        rounded = points.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        lines.append(f"{labels.get(term.key, term.label)}: {shown} → +{rounded}")
    return "\n".join(lines)


def _default_format(term, value):
    if term.unit == "amount":
        return f"{value:,.2f}"
    return f"{value:.0f}"
