"""The one way the module writes many rows of a model at once (plans and their
installments, agreed interactions, the call activities of defaulted plans, the
chatter notes of the nightly run):
each column passed as one array literal to ``INSERT ... SELECT FROM unnest``
(PostgreSQL reads one array much faster than as many VALUES rows), the log
access columns set as the ORM sets them.  The callers convert the values as
the ORM's create would and do what it does around the rows."""

from odoo.models import LOG_ACCESS_COLUMNS


def _array_element(value):
    """One element of a PostgreSQL array literal, as psycopg2 would pass the
    value itself (strings quoted, None NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):  # str() first: Markup.replace would escape the quotes
        return '"{}"'.format(str(value).replace("\\", "\\\\").replace('"', '\\"'))
    if isinstance(value, float):
        return repr(value)
    return str(value)  # integers, decimals, dates, datetimes


def _array_literal(values):
    return "{" + ",".join(map(_array_element, values)) + "}"


def insert_rows(model, columns, rows, page=50000):
    """INSERTs of ``rows`` (values of ``columns`` of ``model``, as stored), in
    pages; the new ids in the order of ``rows``."""
    if not rows:
        return []
    casts = ", ".join(f"%s::{model._fields[name].column_type[1]}[]" for name in columns)
    names = ", ".join(f'"{name}"' for name in (*columns, *LOG_ACCESS_COLUMNS))
    aliases = ", ".join(f"u.c{index}" for index in range(len(columns)))
    query = (
        f'INSERT INTO "{model._table}" ({names}) '  # noqa: S608 - the model's own columns
        f"SELECT {aliases}, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC' "
        f"FROM unnest({casts}) WITH ORDINALITY "
        f"AS u({', '.join(f'c{index}' for index in range(len(columns)))}, n) "
        "ORDER BY u.n RETURNING id"
    )
    ids = []
    uid = model.env.uid
    for start in range(0, len(rows), page):
        chunk = rows[start : start + page]
        arrays = [_array_literal(values) for values in zip(*chunk, strict=True)]
        model.env.cr.execute(query, [uid, uid, *arrays])
        ids += [row[0] for row in model.env.cr.fetchall()]
    return ids
