from datetime import date, datetime
from decimal import Decimal

import pytest

from logic.value_types import wrong_type


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        ("integer", {}),
        ("integer", []),
        ("integer", True),
        ("integer", {"id": 3}),
        ("float", (1, "x")),
        ("monetary", [1]),
        ("date", {}),
        ("date", []),
        ("date", 0.0),
        ("date", 20260101),
        ("datetime", []),
        ("selection", 1),
        ("selection", True),
        ("char", 12),
        ("text", {"a": 1}),
    ],
)
def test_values_of_another_type_are_wrong(field_type, value):
    assert wrong_type(field_type, value)


@pytest.mark.parametrize(
    ("field_type", "value"),
    [
        ("integer", 3),
        ("integer", "12"),
        ("integer", 2.0),
        ("float", Decimal("1.5")),
        ("monetary", 10),
        ("date", date(2026, 1, 1)),
        ("date", "2026-01-01"),
        ("datetime", datetime(2026, 1, 1, 8)),
        ("datetime", "2026-01-01 08:00:00"),
        ("selection", "monthly"),
        ("boolean", True),
        ("boolean", 0),
        ("char", "Testname"),
        ("integer", None),
        ("date", False),
        ("many2one", {"anything": "checked elsewhere"}),
    ],
)
def test_values_of_the_field_type_or_empty_are_not(field_type, value):
    assert not wrong_type(field_type, value)
