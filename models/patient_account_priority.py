"""The priority score of an account: computed, explained, and as SQL for the
balance engine's UPDATE (the same rule, ``logic/priority.py``)."""

from odoo import api, fields, models
from odoo.tools import SQL

from ..logic import priority


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _priority_inputs(self, today=None, tz=None):
        """The inputs of the priority score; later capabilities add theirs.  As of
        the day the account was aged, else ``today`` (the practice's calendar);
        the last contact (a UTC datetime) on the day it was on that calendar
        (``tz``: the company's time zone, as the refresh's SQL reads it)."""
        self.ensure_one()
        today = self.aging_date or today or self.company_id._patient_today()
        if self.last_contact_date:
            tz = tz or self.company_id._patient_tz()
            since = fields.Datetime.context_timestamp(
                self.with_context(tz=tz), self.last_contact_date
            ).date()
        else:
            since = self.first_open_date
        return {
            "balance": self.balance_due,
            "days_past_due": self.days_past_due,
            "broken_promises": self.promise_broken_count,
            "defaulted_plans": self.plan_default_count,
            "days_since_contact": (today - since).days if since and self.balance_due > 0 else 0,
        }

    def _priority_calendars(self):
        """``{company id: (today, time zone)}``: the calendars of these accounts'
        companies (the score of an aged account is as of its aging date), their
        zones read once."""
        return {
            company_id: (fields.Date.context_today(self.with_context(tz=tz)), tz)
            for company_id, tz in self.company_id._patient_tzs().items()
        }

    @api.depends(
        "balance_due",
        "days_past_due",
        "aging_date",
        "first_open_date",
        "last_contact_date",
        "promise_broken_count",
        "plan_default_count",
        "company_id.collections_weight_balance",
        "company_id.collections_weight_days_past_due",
        "company_id.collections_weight_broken_promises",
        "company_id.collections_weight_days_since_contact",
        "company_id.collections_weight_defaulted_plans",
    )
    def _compute_priority(self):
        weights = {}
        calendars = self._priority_calendars()
        for account in self:
            company = account.company_id
            if company not in weights:
                weights[company] = company._collections_priority_weights()
            account.priority_score = priority.score(
                account._priority_inputs(*calendars[company.id]), weights[company]
            )

    @api.depends("priority_score")
    def _compute_priority_explanation(self):
        labels = {
            "balance": self.env._("Balance due"),
            "days_past_due": self.env._("Days past due"),
            "broken_promises": self.env._("Broken promises"),
            "days_since_contact": self.env._("Days since last contact"),
            "defaulted_plans": self.env._("Defaulted payment plans"),
        }
        calendars = self._priority_calendars()
        for account in self:
            currency = account.currency_id

            def fmt(term, value, currency=currency):
                return currency.format(float(value)) if term.unit == "amount" else str(int(value))

            account.priority_explanation = priority.explain(
                account._priority_inputs(*calendars[account.company_id.id]),
                account.company_id._collections_priority_weights(),
                labels=labels,
                fmt_value=fmt,
            )

    @api.model
    def _priority_score_sql(self, today):
        """The priority score of ``_compute_priority`` as SQL, for the refresh's
        UPDATE (aliases: ``pa`` the account, ``agg`` its new balances and
        ``agg.tz`` its company's time zone, on whose day the last contact, a UTC
        datetime, was; ``company``)."""
        values = {
            "balance": "agg.balance_due",
            "days_past_due": "agg.days_past_due",
            "broken_promises": "pa.promise_broken_count",
            "days_since_contact": (
                "CASE WHEN agg.balance_due > 0 THEN GREATEST({today} - "
                "COALESCE((pa.last_contact_date AT TIME ZONE 'UTC' AT TIME ZONE agg.tz)::date, "
                "agg.first_open_date), 0) END"
            ),
            "defaulted_plans": "pa.plan_default_count",
        }
        weights = {key: f"company.collections_weight_{key}" for key in priority.TERM_KEYS}
        template = priority.sql_score(values, weights)
        # the template holds no placeholder but {today}; the date goes in as a parameter
        head, _sep, tail = template.partition("{today}")
        return SQL(head + "%s::date" + tail, today) if _sep else SQL(template)
