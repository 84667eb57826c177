"""Which text of a translatable setting the module ships a reader gets.

A stage's name and statement message, the company's "How to pay" and
financial-assistance notice: the module ships each in English with its
translations, and the practice may change it in any language.  Odoo keeps one
value per language and shows the reader's, so a practice that rewrote its text in
English still printed the shipped Spanish to Spanish readers, and a shipped text
stored in English only printed English to everyone.  The rule:

- the practice's own text in the reader's language, when it wrote one;
- else its own text in another language (the same language of another country
  first, then English, then any), when it changed the text in any language;
- else the shipped text in the reader's language.

A stored value counts as the practice's own when it is neither the shipped text in
that language nor the shipped English (a value Odoo copied from English).
"""


def same_text(first, second):
    """Equal but for spacing (a form may add a line break at the end)."""
    return " ".join((first or "").split()) == " ".join((second or "").split())


def own_texts(stored, shipped):
    """{language: text} of the values in ``stored`` ({language: text}, the
    field's value per language as the database holds it) that the practice
    wrote.  ``shipped(language)`` gives the shipped text in a language (its
    English where it has no translation); ``shipped`` None: the record ships no
    text (made by the practice), all of its values are its own."""
    texts = {
        lang: text for lang, text in (stored or {}).items() if text and not lang.startswith("_")
    }
    if shipped is None:
        return texts
    english = shipped("en_US")
    return {
        lang: text
        for lang, text in texts.items()
        if not (same_text(text, shipped(lang)) or same_text(text, english))
    }


def reader_text(stored, shipped, lang):
    """The text a reader in ``lang`` gets (see the module's docstring);
    ``stored`` and ``shipped`` as for :func:`own_texts`."""
    own = own_texts(stored, shipped)
    if own:
        if lang in own:
            return own[lang]
        language = lang.split("_")[0]
        for code in sorted(own):
            if code.split("_")[0] == language:
                return own[code]
        return own.get("en_US") or own[min(own)]
    if shipped is not None:
        return shipped(lang)
    return ""
