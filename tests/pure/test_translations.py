"""The shipped translations are complete and keep what the code needs of each message.

i18n/patient_collections.pot is the module's terms (``make pot`` exports it from Odoo; the Odoo
test ``test_translations`` checks it is not stale). Every language file must translate every one
of them, keep each placeholder and markup tag, and have no fuzzy (unchecked) entry."""

import ast
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po

I18N = Path(__file__).resolve().parents[2] / "i18n"
POT = I18N / "patient_collections.pot"
LANGUAGES = sorted(path for path in I18N.glob("*.po"))

# %s %d %(name)s %% and str.format fields {page}; Odoo's own ones, nothing else
PLACEHOLDER = re.compile(r"%(?:\([a-zA-Z_]\w*\))?[sdfr%]|\{[a-zA-Z_]\w*\}")
TAG = re.compile(r"</?([a-zA-Z][\w.:-]*)")


def load(path):
    with path.open("rb") as handle:
        return read_po(handle)


def entries(catalog):
    return {message.id: message for message in catalog if message.id}


def test_the_template_and_a_language_are_shipped():
    assert POT.is_file(), "i18n/patient_collections.pot is missing: run `make pot`"
    assert [path.name for path in LANGUAGES] == ["es.po"]
    assert len(entries(load(POT))) > 1000


@pytest.mark.parametrize("path", LANGUAGES, ids=lambda path: path.name)
def test_every_term_is_translated(path):
    terms = entries(load(POT))
    translated = entries(load(path))
    missing = sorted(
        term for term in terms if not (translated.get(term) and translated[term].string)
    )
    assert not missing, (
        f"{len(missing)} terms of the .pot without a translation, first: {missing[:5]}"
    )
    fuzzy = sorted(term for term, message in translated.items() if message.fuzzy)
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries, first: {fuzzy[:5]}"
    stale = sorted(set(translated) - set(terms))
    assert not stale, f"{len(stale)} entries no longer in the .pot (run `make pot`): {stale[:5]}"


@pytest.mark.parametrize("path", LANGUAGES, ids=lambda path: path.name)
def test_translations_keep_placeholders_and_markup(path):
    broken = []
    for term, message in entries(load(path)).items():
        if not message.string:
            continue
        for pattern in (PLACEHOLDER, TAG):
            if Counter(pattern.findall(term)) != Counter(pattern.findall(message.string)):
                broken.append(term)
                break
    assert not broken, f"{len(broken)} translations change a placeholder or tag: {broken[:5]}"


def test_the_checks_catch_a_lost_placeholder_and_tag():
    assert Counter(PLACEHOLDER.findall("Pay %(amount)s by {date}")) != Counter(
        PLACEHOLDER.findall("Pague antes del {date}")
    )
    assert Counter(TAG.findall("<b>Due</b> now")) != Counter(TAG.findall("Vence ahora"))


SHIPPED = Path(__file__).resolve().parents[2]


def shipped_python():
    for path in sorted(SHIPPED.rglob("*.py")):
        parts = path.relative_to(SHIPPED).parts
        if parts[0] not in {"tests", "bench", "scripts"} and not parts[0].startswith("."):
            yield path


def test_odoo_can_extract_the_terms_of_every_python_file():
    """Odoo extracts ``_()`` terms with babel, which evaluates each argument it takes for a
    string: an f-string there (``percent=f"{x:g}"``) makes it drop the whole file."""
    failed = []
    for path in shipped_python():
        with path.open("rb") as handle:
            try:
                list(extract_python(handle, {"_": None, "_lt": None}, [], {"encoding": "UTF-8"}))
            except Exception as error:  # any failure drops the file's terms
                failed.append(f"{path.relative_to(SHIPPED)}: {error!r}")
    assert not failed, failed


def marked_strings(path):
    """(line, text) of each string literal the file marks for translation: the first
    argument of a ``_()`` / ``env._()`` / ``_lt()`` call, wherever the call is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func, first = node.func, node.args[0]
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if (
            name in ("_", "_lt")
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            yield node.lineno, first.value


def test_every_string_marked_in_the_code_is_a_term():
    """babel skips a ``_()`` inside the arguments of another ``_()`` (a message built
    from translated parts): such a part would never reach the template, and would stay
    in English for every reader. Each marked string must be in the template."""
    terms = entries(load(POT))
    missing = [
        f"{path.relative_to(SHIPPED)}:{line}: {text[:60]!r}"
        for path in shipped_python()
        for line, text in marked_strings(path)
        if text not in terms
    ]
    assert not missing, f"{len(missing)} marked strings not in the .pot: {missing[:5]}"
