"""The company's time zone and calendar date: the one rule every date of record
uses (runs, statements, plans, installments, payments, promises) and the zone
call hours fall back to for a guarantor without one (README "Dates and time
zones")."""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _tz_get


def day_start_utc(tz, local_day):
    """The start of ``local_day`` in the time zone ``tz``, as a UTC datetime
    (naive, as stored)."""
    moment = pytz.timezone(tz).localize(datetime.combine(local_day, time.min))
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class ResCompany(models.Model):
    _inherit = "res.company"

    collections_tz = fields.Selection(
        _tz_get,
        string="Practice Time Zone",
        help="The practice's calendar: runs, statements, plans and payments are dated by "
        "this time zone's date, and call hours of a guarantor without a time zone follow "
        "it. Empty: the time zone of the company's address, else the one most of its "
        "staff work in, else UTC. Times shown to a user stay in the user's own zone.",
    )

    def _patient_tzs(self):
        """``{company id: time zone}`` for these companies: the Practice Time Zone
        setting, else the address's, else the zone most of the company's internal
        users work in (the alphabetically first among equals), else UTC.  Never the
        current user's: the same answer whoever asks.  One query for all the
        companies without a zone of their own."""
        companies = self.sudo()
        zones = {
            company.id: company.collections_tz or company.partner_id.tz for company in companies
        }
        unset = [company_id for company_id, tz in zones.items() if not tz]
        if unset:
            staff = {}
            groups = (
                self.env["res.users"]
                .sudo()
                ._read_group(
                    [("company_id", "in", unset), ("share", "=", False), ("tz", "!=", False)],
                    ["company_id", "tz"],
                    ["__count"],
                )
            )
            for company, tz, count in groups:
                staff.setdefault(company.id, []).append((-count, tz))
            for company_id in unset:
                zones[company_id] = min(staff[company_id])[1] if company_id in staff else "UTC"
        return zones

    def _patient_tz(self):
        """The time zone of this company's calendar (see :meth:`_patient_tzs`)."""
        self.ensure_one()
        return self._patient_tzs()[self.id]

    def _patient_tz_rows(self, zones=None):
        """SQL rows ``(company id, time zone)`` of these companies' calendars, to
        join as ``(…) AS tz(company_id, name)``: a UTC datetime ``d`` is on the day
        ``(d AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date`` of the practice
        (``zones``: their :meth:`_patient_tzs` when read already)."""
        zones = self._patient_tzs() if zones is None else zones
        if not zones:
            return SQL("SELECT NULL::int, NULL::varchar WHERE FALSE")
        rows = {company_id: (tz,) for company_id, tz in zones.items()}
        return SQL("VALUES %s", self._patient_values(rows, "(%s, %s)"))

    def _patient_today(self):
        """Today on this company's calendar: the date of record of what it does today."""
        self.ensure_one()
        return fields.Date.context_today(self.with_context(tz=self._patient_tz()))

    def _patient_todays(self):
        """``{company id: today on its calendar}`` for these companies, in one query."""
        return {
            company_id: fields.Date.context_today(self.with_context(tz=tz))
            for company_id, tz in self._patient_tzs().items()
        }

    def _patient_day_bounds(self, first, last=None):
        """``{company id: (start, stop)}``: the days ``first`` to ``last`` (default:
        ``first``) on each company's calendar as UTC datetimes (naive, as stored),
        ``start <= datetime < stop``; the lengths of days of a change of daylight
        saving time included.  The companies' zones read once."""
        stop = (last or first) + timedelta(days=1)
        return {
            company_id: (day_start_utc(tz, first), day_start_utc(tz, stop))
            for company_id, tz in self._patient_tzs().items()
        }

    @api.model
    def _patient_company_domain(self, keys, leaves):
        """A domain on records with a ``company_id``: for each distinct key of
        ``keys`` (``{company id: key}``), its companies' records matching
        ``leaves(key)`` (a list of leaves), the keys OR-ed."""
        companies = defaultdict(list)
        for company_id, key in keys.items():
            companies[key].append(company_id)
        return expression.OR(
            [("company_id", "in", ids), *leaves(key)] for key, ids in companies.items()
        )

    @api.model
    def _patient_values(self, rows, template):
        """The rows of a SQL ``VALUES`` list, one per company: ``template`` (the
        placeholders of a row, as ``"(%s, %s)"``) filled with the company id and
        its values in ``rows`` (``{company id: tuple of values}``)."""
        return SQL(", ").join(
            SQL(template, company_id, *values) for company_id, values in rows.items()
        )

    @api.model
    def _patient_day_domain(self, field_name, compare):
        """A domain on records with a ``company_id``: ``field_name`` (a date)
        ``compare`` today, each record's today on its practice's calendar (every
        company's, whoever searches, wherever they are): one leaf per distinct
        date, for its companies."""
        companies = self.sudo().search([])  # pylint: disable=no-search-all
        return self._patient_company_domain(
            companies._patient_todays(), lambda day: [(field_name, compare, day)]
        )

    def _patient_window_domain(self, field_name, first, last):
        """A domain on records with a ``company_id``: ``field_name`` (a UTC
        datetime) within the days ``first`` to ``last`` on the calendar of each
        of these companies (:meth:`_patient_day_bounds`): one leaf per distinct
        UTC window, for its companies."""

        def within(window):
            start, stop = window
            return [
                (field_name, ">=", fields.Datetime.to_string(start)),
                (field_name, "<", fields.Datetime.to_string(stop)),
            ]

        return self._patient_company_domain(self._patient_day_bounds(first, last), within)

    @api.model
    def _patient_day_search(self, leaves, field_name, compare, operator, value):
        """The search of a boolean "due by the practice's calendar" field (the
        promise filters): records matching ``leaves`` and
        :meth:`_patient_day_domain` (``field_name`` ``compare`` each practice's
        today) for ``= True`` or ``!= False``, the others for ``= False`` or
        ``!= True``.  Any other search is refused."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search for promises due or not."))
        domain = [*leaves, *self._patient_day_domain(field_name, compare)]
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]
