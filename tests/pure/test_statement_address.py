from logic import statement_address as sa


def test_blank_parts_are_missing():
    for blank in (None, False, "", "   ", "\t", " \n ", "\u00a0", "\u2003\u200b", "\ufeff"):
        assert not sa.filled(blank), repr(blank)
        assert not sa.mailable(blank, "Testville", "00001"), repr(blank)
        assert not sa.mailable("1 Test Street", blank, blank), repr(blank)


def test_a_street_with_a_city_or_a_zip():
    assert sa.mailable("  12 Elm St ", "Testville", False)
    assert sa.mailable("12 Elm St", "   ", " 00001 ")
    assert sa.mailable("12 Elm St", "\tTestville", None)
    assert not sa.mailable("12 Elm St", None, None)


def test_the_blanks_are_sql_safe():
    # passed to btrim as a parameter: no NUL (PostgreSQL text refuses it)
    assert "\x00" not in sa.BLANKS
    assert " " in sa.BLANKS and "\t" in sa.BLANKS and "\u00a0" in sa.BLANKS
