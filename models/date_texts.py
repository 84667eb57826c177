"""Moments in the words of the person who reads them.  Every message a person
reads when it is written (refusals, chatter notes, display names) writes a date
with Odoo's ``format_date`` (the reader's language), never ISO, and a moment in a
named time zone with ``format_moment`` below.  File names and stored keys stay
ISO (sortable, no slash)."""

import babel.dates

from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from ..logic import contact_rules


def format_moment(env, moment, tz):
    """``moment`` (naive UTC or aware) as a date and a time without seconds in
    the zone ``tz``, in the language of ``env``: "12/02/2026 08:00" (en_US),
    "02/12/2026 08:00" (es_419)."""
    if not moment:
        return ""
    lang = get_lang(env)
    locale = babel_locale_parse(lang.code)
    pattern = " ".join(
        posix_to_ldml(lang_format, locale=locale)
        for lang_format in (lang.date_format, lang.short_time_format)
    )
    local = contact_rules.local_time(moment, tz)
    return babel.dates.format_datetime(local, format=pattern, locale=locale, tzinfo=local.tzinfo)
