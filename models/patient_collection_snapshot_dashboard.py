from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools.misc import format_date

from .patient_collection_snapshot import BUCKET_FIELDS

SPECIALIST_GROUP = "patient_collections.group_collections_specialist"
# the sums read from the latest day's rows and from the last 30 days' rows
DAY_SUMS = ("account_count", "balance_due", "plan_active_count", "plan_defaulted_count")
PERIOD_SUMS = (
    "promise_kept_count",
    "promise_broken_count",
    "contact_count",
    "right_party_count",
    "accounts_worked",
    "paid_invoice_count",
    "paid_invoice_days",
)
# tiles drawn from interactions: shown to those who may read interactions (the
# fields they are read from are restricted to them by the fields' groups)
ACTIVITY_TILES = ("promises_kept", "right_party", "worked")
# the rows of a day a run took (a day no run took has only Collected rows, of no
# account: its balances were never read)
TAKEN = [("account_count", ">", 0)]


def pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else False


class PatientCollectionSnapshotDashboard(models.Model):
    """The dashboard's numbers: a handful of grouped reads of the snapshot rows
    the user may read (record rules: a specialist's own rows, managers' and
    accountants' every row of their companies), never a query per account."""

    _inherit = "patient.collection.snapshot"

    @api.model
    def _dashboard_sums(self, domain, names):
        return self._money_sums(domain, [], names).get((), dict.fromkeys(names, 0))

    @api.model
    def _money_sums(self, domain, groupby, names):
        """{groupby values: {name: sum}}: the rows' sums per group, their amounts
        converted from each company's currency to the current company's at the
        practice's today (as Odoo's own reports do), so that companies of
        different currencies are never added up as if they were one."""
        target = self.env.company.currency_id
        today = None  # read only when an amount is converted
        money = {name for name in names if self._fields[name].type == "monetary"}
        sums = {}
        width = len(groupby)
        for row in self._read_group(
            domain, [*groupby, "currency_id"], [f"{name}:sum" for name in names]
        ):
            currency = row[width]
            group = sums.setdefault(row[:width], dict.fromkeys(names, 0))
            for name, value in zip(names, row[width + 1 :], strict=True):
                if value and name in money and currency and currency != target:
                    today = today or self.env.company._patient_today()
                    value = currency._convert(value, target, self.env.company, today)
                group[name] += value or 0
        return sums

    @api.model
    def _dashboard_scope(self):
        """``all`` for managers and accountants (every account of their companies),
        ``own`` for specialists (the accounts assigned to them): the scope of the
        snapshot rows they read and of the lists behind the tiles."""
        return "all" if self.env.user._patient_reads_every_account() else "own"

    @api.model
    def _dashboard_latest_days(self):
        """{company id: its latest snapshot day} among the user's active companies:
        each company's runs date their rows by its own calendar (and one may not
        have run yet today), so each is read on its own latest day."""
        return {
            company.id: day
            for company, day in self._read_group(
                [("company_id", "in", self.env.companies.ids), *TAKEN],
                ["company_id"],
                ["date:max"],
            )
        }

    @api.model
    def _days_domain(self, days):
        """The rows of each company on its day (``days``: {company id: day})."""
        return expression.OR(
            [
                [("company_id", "=", company_id), ("date", "=", day)]
                for company_id, day in days.items()
            ]
        )

    @api.model
    def _dashboard_periods(self, latest, latest_days):
        """The days the tiles cover: each company's latest snapshot day, the month
        and the 30 days ending on the latest of them, and each company's last
        snapshot 30 days or more before its latest."""
        base = [("company_id", "in", self.env.companies.ids)]
        before = {
            company.id: day
            for company, day in self._read_group(
                expression.AND(
                    [
                        TAKEN,
                        expression.OR(
                            [
                                [
                                    ("company_id", "=", company_id),
                                    ("date", "<=", day - timedelta(days=30)),
                                ]
                                for company_id, day in latest_days.items()
                            ]
                        ),
                    ]
                ),
                ["company_id"],
                ["date:max"],
            )
        }
        return {
            "base": base,
            "latest": latest,
            "month_start": latest.replace(day=1),
            "start_30": latest - timedelta(days=29),
            "before": before,
            "day": expression.AND([base, self._days_domain(latest_days)]),
            "month": [*base, ("date", ">=", latest.replace(day=1)), ("date", "<=", latest)],
            "last_30": [*base, ("date", ">", latest - timedelta(days=30)), ("date", "<=", latest)],
        }

    @api.model
    def _dashboard_numbers(self, periods):
        """Every number of the tiles, from a handful of grouped reads."""
        # the latest day per company: the roll rate reads the companies that have
        # a day 30 or more days before
        by_company = self._money_sums(periods["day"], ["company_id"], [*DAY_SUMS, *BUCKET_FIELDS])
        now = dict.fromkeys([*DAY_SUMS, *BUCKET_FIELDS], 0)
        for sums in by_company.values():
            for name, value in sums.items():
                now[name] += value
        reads_activity = self.env.user.has_group(SPECIALIST_GROUP)
        # the sums of the fields this user may read (a field's groups restrict it)
        names = [n for n in PERIOD_SUMS if self._fields[n].is_accessible(self.env)]
        activity = dict.fromkeys(PERIOD_SUMS, 0) | self._dashboard_sums(periods["last_30"], names)
        collected = self._dashboard_sums(periods["month"], ["collected_amount"])
        specialist_days = 0
        if reads_activity:
            # the accounts assigned to a specialist worked, over the days each
            # specialist worked (each counted once, not the days times the
            # specialists): the same rows above and below the line
            worked = self._read_group(
                [*periods["last_30"], ("user_id", "!=", False), ("accounts_worked", ">", 0)],
                ["user_id", "date:day"],
                ["accounts_worked:sum"],
            )
            specialist_days = len(worked)
            activity["accounts_worked"] = sum(total for _user, _day, total in worked)
        old_1_30 = new_31_60 = 0
        if periods["before"]:
            old = self._dashboard_sums(
                expression.AND([periods["base"], self._days_domain(periods["before"])]),
                ["aging_1_30"],
            )
            old_1_30 = old["aging_1_30"]
            # 31-60 today of the same companies: one without a day 30 days back
            # (a practice new to the module) is on neither side
            new_31_60 = sum(
                sums["aging_31_60"]
                for (company,), sums in by_company.items()
                if company.id in periods["before"]
            )
        return {
            **now,
            **activity,
            "collected": collected["collected_amount"],
            "specialist_days": specialist_days,
            "old_1_30": old_1_30,
            "new_31_60": new_31_60,
        }

    @api.model
    def _dashboard_values(self, n):
        """{tile key: value} from the numbers.  Average days to pay: the days from
        invoice date to full payment, averaged over the patient invoices fully
        paid in the last 30 days (sum of the days ÷ number of invoices)."""
        return {
            "collection_rate": pct(n["collected"], n["collected"] + n["balance_due"]),
            "balance_due": n["balance_due"],
            "roll_rate": pct(n["new_31_60"], n["old_1_30"]),
            "avg_days_to_pay": round(n["paid_invoice_days"] / n["paid_invoice_count"], 1)
            if n["paid_invoice_count"]
            else False,
            "plans_active": n["plan_active_count"],
            "plans_defaulted": n["plan_defaulted_count"],
            "promises_kept": pct(
                n["promise_kept_count"], n["promise_kept_count"] + n["promise_broken_count"]
            ),
            "right_party": pct(n["right_party_count"], n["contact_count"]),
            "worked": round(n["accounts_worked"] / n["specialist_days"], 1)
            if n["specialist_days"]
            else False,
        }

    @api.model
    def _dashboard_tile_specs(self):
        """(key, label, unit) of the KPI tiles, in their order on the dashboard."""
        return [
            ("collection_rate", self.env._("Collection Rate (month)"), "%"),
            ("balance_due", self.env._("Balance Due"), "money"),
            ("roll_rate", self.env._("Roll Rate 1-30 → 31-60"), "%"),
            ("avg_days_to_pay", self.env._("Average Days to Pay (30 days)"), "days"),
            ("plans_active", self.env._("Plans Active"), ""),
            ("plans_defaulted", self.env._("Plans Defaulted"), ""),
            ("promises_kept", self.env._("Promises Kept (30 days)"), "%"),
            ("right_party", self.env._("Right-Party Contacts (30 days)"), "%"),
            ("worked", self.env._("Accounts Worked per Specialist-Day"), ""),
        ]

    @api.model
    def get_dashboard_data(self):
        """The dashboard's numbers, read with the user's rights, for their active
        companies, each with the window action of the list behind it."""
        currency = self.env.company.currency_id
        latest_days = self._dashboard_latest_days()
        latest = max(latest_days.values(), default=False)
        result = {
            "currency": {"symbol": currency.symbol, "position": currency.position},
            "date": fields.Date.to_string(latest) if latest else False,
            # the heading's date, in the reader's format
            "date_label": format_date(self.env, latest) if latest else "",
            "tiles": [],
            "buckets": [],
            "stages": [],
            "trend": [],
        }
        if not latest:
            return result
        periods = self._dashboard_periods(latest, latest_days)
        numbers = self._dashboard_numbers(periods)
        values = self._dashboard_values(numbers)
        actions = self._dashboard_tile_actions(periods)
        activity = self.env.user.has_group(SPECIALIST_GROUP)
        result["tiles"] = [
            {"key": key, "label": label, "unit": unit, "value": values[key], "action": actions[key]}
            for key, label, unit in self._dashboard_tile_specs()
            if activity or key not in ACTIVITY_TILES
        ]
        result["buckets"] = self._dashboard_buckets(numbers)
        result["stages"] = self._dashboard_stages(periods)
        result["trend"] = self._dashboard_trend(periods)
        return result

    @api.model
    def _dashboard_buckets(self, numbers):
        labels = {
            name: self._fields[name].get_description(self.env)["string"] for name in BUCKET_FIELDS
        }
        return [
            {
                "key": name,
                "label": labels[name],
                "value": numbers[name],
                "action": self._bucket_action(name, labels[name]),
            }
            for name in BUCKET_FIELDS
        ]

    @api.model
    def _dashboard_stages(self, periods):
        return [
            {
                "label": stage.sudo().display_name if stage else self.env._("No stage"),
                "value": sums["balance_due"],
                "action": self._stage_action(stage),
            }
            for (stage,), sums in self._money_sums(
                periods["day"], ["stage_id"], ["balance_due"]
            ).items()
        ]

    @api.model
    def _dashboard_trend(self, periods):
        """12 months: the balance due of each company's last snapshot of each month,
        the amount collected in the month, and the month's average days to pay."""
        base, latest = periods["base"], periods["latest"]
        year = [*base, ("date", ">", latest - timedelta(days=366))]
        names = ["collected_amount", "paid_invoice_count", "paid_invoice_days"]
        months = [
            (month, *(sums[name] for name in names))
            for (month,), sums in self._money_sums(year, ["date:month"], names).items()
        ]
        if not months:
            return []
        # each company's last day taken in the month
        month_ends = self._read_group([*year, *TAKEN], ["date:month", "company_id"], ["date:max"])
        balance_on = {
            (company.id, day): sums["balance_due"]
            for (company, day), sums in self._money_sums(
                expression.AND(
                    [
                        base,
                        expression.OR(
                            [
                                [("company_id", "=", company.id), ("date", "=", last)]
                                for _month, company, last in month_ends
                            ]
                        ),
                    ]
                ),
                ["company_id", "date:day"],
                ["balance_due"],
            ).items()
        }
        balances = {}
        for month, company, last in month_ends:
            balances[month] = balances.get(month, 0) + (balance_on.get((company.id, last)) or 0)
        return [
            {
                "label": month.strftime("%Y-%m"),
                "balance_due": balances.get(month, 0),
                "collected": collected or 0,
                "days_to_pay": round(days / paid, 1) if paid else None,
            }
            for month, collected, paid, days in months
        ]
