"""logic.practice_texts: the practice's own text reaches every reader; a text it
never changed reaches each in the shipped translation (stage18)."""

import pytest

from logic.practice_texts import own_texts, reader_text, same_text

SHIPPED = {"en_US": "Second statement", "es_ES": "Segundo aviso", "es_419": "Segundo aviso"}


def shipped(lang):
    return SHIPPED.get(lang, SHIPPED["en_US"])


# as Odoo stores a shipped record after loading Spanish
INSTALLED = dict(SHIPPED)


@pytest.mark.parametrize(
    ("stored", "lang", "expected"),
    [
        # never changed: the shipped translation
        (INSTALLED, "en_US", "Second statement"),
        (INSTALLED, "es_419", "Segundo aviso"),
        (INSTALLED, "fr_FR", "Second statement"),
        ({"en_US": "Second statement"}, "es_ES", "Segundo aviso"),  # English only stored
        # changed in English: every reader, the shipped Spanish left behind
        ({**INSTALLED, "en_US": "Letter two"}, "es_419", "Letter two"),
        ({**INSTALLED, "en_US": "Letter two"}, "es_ES", "Letter two"),
        ({**INSTALLED, "en_US": "Letter two"}, "en_US", "Letter two"),
        # changed in Spanish: English and the other Spanish readers too
        ({**INSTALLED, "es_419": "Carta dos"}, "en_US", "Carta dos"),
        ({**INSTALLED, "es_419": "Carta dos"}, "es_ES", "Carta dos"),
        ({**INSTALLED, "es_419": "Carta dos"}, "fr_FR", "Carta dos"),
        # its own text in English and its own Spanish: each reader theirs
        ({**INSTALLED, "en_US": "Letter two", "es_419": "Carta dos"}, "es_419", "Carta dos"),
        ({**INSTALLED, "en_US": "Letter two", "es_419": "Carta dos"}, "es_ES", "Carta dos"),
        ({**INSTALLED, "en_US": "Letter two", "es_419": "Carta dos"}, "en_US", "Letter two"),
        ({**INSTALLED, "en_US": "Letter two", "es_419": "Carta dos"}, "fr_FR", "Letter two"),
        # a value Odoo copied from the shipped English is not the practice's
        ({**INSTALLED, "fr_FR": "Second statement"}, "fr_FR", "Second statement"),
        ({**INSTALLED, "es_419": " Segundo  aviso\n"}, "en_US", "Second statement"),
    ],
)
def test_reader_text(stored, lang, expected):
    assert reader_text(stored, shipped, lang) == expected


def test_a_record_that_ships_nothing_is_all_the_practices():
    stored = {"en_US": "Hardship review", "es_419": "Revisión por dificultad"}
    assert reader_text(stored, None, "es_ES") == "Revisión por dificultad"
    assert reader_text(stored, None, "fr_FR") == "Hardship review"
    assert reader_text({"en_US": "Hardship review"}, None, "es_419") == "Hardship review"
    assert reader_text(None, None, "en_US") == ""


def test_own_texts_and_same_text():
    assert own_texts({**INSTALLED, "en_US": "Letter two"}, shipped) == {"en_US": "Letter two"}
    assert own_texts(INSTALLED, shipped) == {}
    assert own_texts({"en_US": "x", "_en_US": "y"}, None) == {"en_US": "x"}
    assert same_text("a  b\n", "a b")
    assert not same_text("a b", "a c")
