"""The practice's own texts, the shipped texts as translated: one way for every
translatable text the module ships and a practice may change (the company's "How
to pay" and financial-assistance notice, a stage's name and statement message).
The rule is ``logic.practice_texts``; here, what it reads from the database."""

from odoo.tools import SQL

from ..logic.practice_texts import reader_text


def stored_values(records, name):
    """{record id: {language: text}}: the translatable field ``name`` of
    ``records`` as the database holds it, every language (one query)."""
    ids = [record_id for record_id in records.ids if isinstance(record_id, int)]
    if not ids:
        return {}
    records.browse(ids).flush_recordset([name])
    records.env.cr.execute(
        SQL(
            "SELECT id, %s FROM %s WHERE id = ANY(%s)",
            SQL.identifier(name),
            SQL.identifier(records._table),
            ids,
        )
    )
    return dict(records.env.cr.fetchall())


def reader_texts(records, name, shipped_of, stored=None):
    """{record id: the text of ``name`` a reader in the context's language gets}
    (``logic.practice_texts.reader_text``).  ``shipped_of(record id)``: the
    record's shipped text as ``shipped(language)``, or None when it ships none;
    ``stored``: :func:`stored_values` when the caller read them already."""
    lang = records.env.lang or "en_US"
    if stored is None:
        stored = stored_values(records, name)
    return {
        record_id: reader_text(values, shipped_of(record_id), lang)
        for record_id, values in stored.items()
    }
