from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .patient_protected import is_trusted

BUCKETS = ("current", "1_30", "31_60", "61_90", "91_120", "over_120")
BUCKET_FIELDS = tuple(f"aging_{bucket}" for bucket in BUCKETS)
AMOUNT_FIELDS = ("balance_due", "balance_insurance_pending", *BUCKET_FIELDS)
# Outcomes of an interaction that reached the guarantor (right-party contact).
RIGHT_PARTY_OUTCOMES = (
    "reached",
    "promise_to_pay",
    "payment_made",
    "dispute",
    "hardship",
    "refused",
    "cease_request",
)
INSURANCE_STATUSES = [("pending", "Insurance Pending"), ("none", "No Claim Pending")]
# The columns of a snapshot row, in the order the INSERT ... SELECT writes them.
KPI_FIELDS = (
    "collected_amount",
    "accounts_moved",
    "accounts_worked",
    "contact_count",
    "right_party_count",
    "promise_made_count",
    "promise_kept_count",
    "promise_broken_count",
    "plan_active_count",
    "plan_started_count",
    "plan_defaulted_count",
)


class PatientCollectionSnapshot(models.Model):
    """The day's aged balances and activity of a company, one row per stage,
    specialist and insurance status: written by the collections run in one
    INSERT ... SELECT, the history the aged report and the dashboard read."""

    _name = "patient.collection.snapshot"
    _description = "Collections Daily Snapshot"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _audit_list = True
    _order = "date desc, company_id, stage_id, user_id"
    _rec_name = "date"
    # what the accounts were on a day: written by the run only
    _protected_immutable = True

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    stage_id = fields.Many2one("patient.account.stage", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Specialist", readonly=True, index=True)
    insurance_status = fields.Selection(INSURANCE_STATUSES, readonly=True, required=True)
    account_count = fields.Integer(string="Accounts", readonly=True)
    balance_due = fields.Monetary(readonly=True)
    balance_insurance_pending = fields.Monetary(string="Insurance Pending", readonly=True)
    aging_current = fields.Monetary(string="Current", readonly=True)
    aging_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    aging_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    aging_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    aging_91_120 = fields.Monetary(string="91-120 Days", readonly=True)
    aging_over_120 = fields.Monetary(string="Over 120 Days", readonly=True)
    collected_amount = fields.Monetary(
        string="Collected", readonly=True, help="Payments whose date is the snapshot's day."
    )
    accounts_moved = fields.Integer(readonly=True)
    accounts_worked = fields.Integer(readonly=True, help="Accounts with a contact logged that day.")
    contact_count = fields.Integer(string="Contacts", readonly=True)
    right_party_count = fields.Integer(string="Right-Party Contacts", readonly=True)
    promise_made_count = fields.Integer(string="Promises Made", readonly=True)
    promise_kept_count = fields.Integer(string="Promises Kept", readonly=True)
    promise_broken_count = fields.Integer(string="Promises Broken", readonly=True)
    plan_active_count = fields.Integer(string="Active Plans", readonly=True)
    plan_started_count = fields.Integer(string="Plans Started", readonly=True)
    plan_defaulted_count = fields.Integer(string="Defaulted Plans", readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        # the rows are written by _take (INSERT ... SELECT), never created one by one
        if not is_trusted(self.env):
            raise self._protected_immutable_refusal()
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return AccessError(self.env._("A collections snapshot is written by the daily run only."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A collections snapshot cannot be deleted by hand."))

    # ------------------------------------------------------------------ writing

    @api.model
    def _flush_sources(self):
        self.env["patient.account"].flush_model(
            [
                "company_id",
                "currency_id",
                "active",
                "stage_id",
                "stage_date",
                "user_id",
                "balance_due",
                "balance_insurance_pending",
                "last_payment_date",
                "last_payment_amount",
                *BUCKET_FIELDS,
            ]
        )
        self.env["patient.interaction"].flush_model(
            ["account_id", "date", "outcome", "state", "promise_state", "promise_checked_on"]
        )
        self.env["patient.payment.plan"].flush_model(["account_id", "state", "activation_date"])

    @api.model
    def _take(self, companies, day):
        """Store ``day``'s rows of ``companies`` (replacing the day's earlier rows):
        one DELETE and one INSERT ... SELECT over the active accounts.  Returns the
        number of rows written."""
        self._flush_sources()
        self.flush_model()
        company_ids = list(companies.ids)
        cr = self.env.cr
        cr.execute(
            SQL(
                "DELETE FROM patient_collection_snapshot WHERE date = %s AND company_id = ANY(%s)",
                day,
                company_ids,
            )
        )
        cr.execute(self._insert_query(company_ids, day))
        count = cr.rowcount
        self.invalidate_model()
        return count

    @api.model
    def _insert_query(self, company_ids, day):
        buckets = SQL(", ").join(SQL("SUM(pa.%s)", SQL.identifier(name)) for name in BUCKET_FIELDS)
        bucket_columns = SQL(", ").join(SQL.identifier(name) for name in BUCKET_FIELDS)
        uid = self.env.uid
        return SQL(
            """
            WITH accounts AS (
                SELECT pa.*
                  FROM patient_account pa
                 WHERE pa.company_id = ANY(%(companies)s) AND pa.active
            ), contacts AS (
                SELECT i.account_id,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1) AS contacts,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1
                                          AND i.outcome = ANY(%(right_party)s)) AS right_party,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1
                                          AND i.outcome = 'promise_to_pay') AS promises,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'kept') AS kept,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'broken') AS broken
                  FROM patient_interaction i
                  JOIN accounts a ON a.id = i.account_id
                 WHERE i.state = 'logged'
                   AND ((i.date >= %(day)s::date AND i.date < %(day)s::date + 1)
                        OR i.promise_checked_on = %(day)s)
              GROUP BY i.account_id
            ), plans AS (
                SELECT p.account_id,
                       COUNT(*) FILTER (WHERE p.state = 'active') AS active,
                       COUNT(*) FILTER (WHERE p.activation_date = %(day)s) AS started,
                       COUNT(*) FILTER (WHERE p.state = 'defaulted') AS defaulted
                  FROM patient_payment_plan p
                  JOIN accounts a ON a.id = p.account_id
                 WHERE p.state IN ('active', 'defaulted') OR p.activation_date = %(day)s
              GROUP BY p.account_id
            )
            INSERT INTO patient_collection_snapshot (
                date, company_id, currency_id, stage_id, user_id, insurance_status,
                account_count, balance_due, balance_insurance_pending, %(bucket_columns)s,
                collected_amount, accounts_moved, accounts_worked, contact_count,
                right_party_count, promise_made_count, promise_kept_count,
                promise_broken_count, plan_active_count, plan_started_count,
                plan_defaulted_count, create_uid, create_date, write_uid, write_date)
            SELECT %(day)s, pa.company_id, MIN(pa.currency_id), pa.stage_id, pa.user_id,
                   CASE WHEN pa.balance_insurance_pending > 0 THEN 'pending' ELSE 'none' END,
                   COUNT(*), SUM(pa.balance_due), SUM(pa.balance_insurance_pending), %(buckets)s,
                   COALESCE(SUM(pa.last_payment_amount)
                            FILTER (WHERE pa.last_payment_date = %(day)s), 0),
                   COUNT(*) FILTER (WHERE pa.stage_date = %(day)s),
                   COUNT(*) FILTER (WHERE COALESCE(c.contacts, 0) > 0),
                   COALESCE(SUM(c.contacts), 0), COALESCE(SUM(c.right_party), 0),
                   COALESCE(SUM(c.promises), 0), COALESCE(SUM(c.kept), 0),
                   COALESCE(SUM(c.broken), 0), COALESCE(SUM(p.active), 0),
                   COALESCE(SUM(p.started), 0), COALESCE(SUM(p.defaulted), 0),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM accounts pa
         LEFT JOIN contacts c ON c.account_id = pa.id
         LEFT JOIN plans p ON p.account_id = pa.id
          GROUP BY pa.company_id, pa.stage_id, pa.user_id,
                   CASE WHEN pa.balance_insurance_pending > 0 THEN 'pending' ELSE 'none' END
            """,
            companies=company_ids,
            day=day,
            right_party=list(RIGHT_PARTY_OUTCOMES),
            buckets=buckets,
            bucket_columns=bucket_columns,
            uid=uid,
        )

    # ------------------------------------------------------------------ dashboard

    @api.model
    def _dashboard_sums(self, domain, names):
        [values] = self._read_group(domain, [], [f"{name}:sum" for name in names])
        return dict(zip(names, (value or 0 for value in values), strict=True))

    @api.model
    def get_dashboard_data(self):
        """The dashboard's numbers, read with the user's rights (a specialist: their
        own rows), for their active companies: a handful of grouped reads."""
        companies = self.env.companies
        base = [("company_id", "in", companies.ids)]
        [[latest]] = self._read_group(base, [], ["date:max"])
        currency = self.env.company.currency_id
        result = {
            "currency": {"symbol": currency.symbol, "position": currency.position},
            "date": fields.Date.to_string(latest) if latest else False,
            "tiles": [],
            "buckets": [],
            "stages": [],
            "trend": [],
        }
        if not latest:
            return result
        day = [*base, ("date", "=", latest)]
        now = self._dashboard_sums(
            day,
            [
                "account_count",
                "balance_due",
                "plan_active_count",
                "plan_defaulted_count",
                *BUCKET_FIELDS,
            ],
        )
        month_start = latest.replace(day=1)
        month = [*base, ("date", ">=", month_start), ("date", "<=", latest)]
        last_30 = [*base, ("date", ">", latest - timedelta(days=30)), ("date", "<=", latest)]
        activity = self._dashboard_sums(
            last_30,
            [
                "promise_kept_count",
                "promise_broken_count",
                "contact_count",
                "right_party_count",
                "accounts_worked",
            ],
        )
        collected = self._dashboard_sums(month, ["collected_amount"])["collected_amount"]
        [[days, workers]] = self._read_group(
            [*last_30, ("user_id", "!=", False), ("accounts_worked", ">", 0)],
            [],
            ["date:count_distinct", "user_id:count_distinct"],
        )
        judged = activity["promise_kept_count"] + activity["promise_broken_count"]
        collectible = collected + now["balance_due"]
        # roll rate: the share of a bucket 30 days ago found in the next bucket today
        before = self._read_group(
            [*base, ("date", "<=", latest - timedelta(days=30))], [], ["date:max"]
        )[0][0]
        roll = False
        if before:
            old = self._dashboard_sums([*base, ("date", "=", before)], ["aging_1_30"])
            if old["aging_1_30"]:
                roll = 100.0 * now["aging_31_60"] / old["aging_1_30"]

        def pct(part, whole):
            return round(100.0 * part / whole, 1) if whole else False

        list_action = {"domain": day}
        result["tiles"] = [
            {
                "key": "collection_rate",
                "label": self.env._("Collection Rate (month)"),
                "value": pct(collected, collectible),
                "unit": "%",
                "action": {"domain": month, "context": {"group_by": ["date:day"]}},
            },
            {
                "key": "balance_due",
                "label": self.env._("Balance Due"),
                "value": now["balance_due"],
                "unit": "money",
                "action": {**list_action, "context": {"group_by": ["stage_id"]}},
            },
            {
                "key": "over_120",
                "label": self.env._("Over 120 Days"),
                "value": now["aging_over_120"],
                "unit": "money",
                "action": {"domain": [*day, ("aging_over_120", ">", 0)]},
            },
            {
                "key": "roll_rate",
                "label": self.env._("Roll Rate 1-30 → 31-60"),
                "value": round(roll, 1) if roll is not False else False,
                "unit": "%",
                "action": {
                    "domain": [*base, ("date", "in", [latest, before or latest])],
                    "context": {"group_by": ["date:day"]},
                },
            },
            {
                "key": "promises_kept",
                "label": self.env._("Promises Kept (30 days)"),
                "value": pct(activity["promise_kept_count"], judged),
                "unit": "%",
                "action": {
                    "domain": [
                        *last_30,
                        "|",
                        ("promise_kept_count", ">", 0),
                        ("promise_broken_count", ">", 0),
                    ],
                    "context": {"group_by": ["date:day"]},
                },
            },
            {
                "key": "right_party",
                "label": self.env._("Right-Party Contacts (30 days)"),
                "value": pct(activity["right_party_count"], activity["contact_count"]),
                "unit": "%",
                "action": {"domain": [*last_30, ("contact_count", ">", 0)]},
            },
            {
                "key": "plans",
                "label": self.env._("Plans Active / Defaulted"),
                "value": f"{now['plan_active_count']} / {now['plan_defaulted_count']}",
                "unit": "",
                "action": {"domain": [*day, ("plan_active_count", ">", 0)]},
            },
            {
                "key": "worked",
                "label": self.env._("Accounts Worked per Specialist-Day"),
                "value": round(activity["accounts_worked"] / (days * workers), 1)
                if days and workers
                else False,
                "unit": "",
                "action": {
                    "domain": [*last_30, ("accounts_worked", ">", 0)],
                    "context": {"group_by": ["user_id", "date:day"]},
                },
            },
        ]
        labels = {
            name: self._fields[name].get_description(self.env)["string"] for name in BUCKET_FIELDS
        }
        result["buckets"] = [{"label": labels[name], "value": now[name]} for name in BUCKET_FIELDS]
        result["stages"] = [
            {"label": stage.display_name if stage else self.env._("No stage"), "value": amount or 0}
            for stage, amount in self._read_group(day, ["stage_id"], ["balance_due:sum"])
        ]
        # 12-month trend: the last snapshot of each month
        year = [*base, ("date", ">", latest - timedelta(days=366))]
        month_ends = [last for _month, last in self._read_group(year, ["date:month"], ["date:max"])]
        if month_ends:
            per_day = dict(
                self._read_group(
                    [*base, ("date", "in", month_ends)], ["date:day"], ["balance_due:sum"]
                )
            )
            collected_month = dict(self._read_group(year, ["date:month"], ["collected_amount:sum"]))
            for month_start_day, last in self._read_group(year, ["date:month"], ["date:max"]):
                result["trend"].append(
                    {
                        "label": month_start_day.strftime("%Y-%m"),
                        "balance_due": per_day.get(last, 0) or 0,
                        "collected": collected_month.get(month_start_day, 0) or 0,
                    }
                )
        return result

    # ------------------------------------------------------------------ demo

    @api.model
    def _demo_history(self, weeks=16):
        """Demo data only: today's snapshot of every company with accounts, and
        ``weeks`` weekly snapshots before it made from today's rows (older weeks
        owe a little more, collected a little less): a dashboard with history.
        Those past rows are invented, not what the accounts were."""
        if not self.env.su:
            raise AccessError(self.env._("Demo history is loaded with the demo data only."))
        Account = self.env["patient.account"].with_context(active_test=False)
        companies = self.env["res.company"].browse(
            [company.id for [company] in Account._read_group([], ["company_id"])]
        )
        if not companies:
            return 0
        today = fields.Date.context_today(self)
        self._take(companies, today)
        scaled = SQL(", ").join(
            SQL("ROUND((s.%s * (1 + 0.03 * w))::numeric, 2)", SQL.identifier(name))
            for name in AMOUNT_FIELDS
        )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM patient_collection_snapshot
                 WHERE company_id = ANY(%(companies)s) AND date < %(today)s;
                INSERT INTO patient_collection_snapshot (
                    date, company_id, currency_id, stage_id, user_id, insurance_status,
                    account_count, %(amount_columns)s, collected_amount, accounts_moved,
                    accounts_worked, contact_count, right_party_count, promise_made_count,
                    promise_kept_count, promise_broken_count, plan_active_count,
                    plan_started_count, plan_defaulted_count,
                    create_uid, create_date, write_uid, write_date)
                SELECT s.date - 7 * w, s.company_id, s.currency_id, s.stage_id, s.user_id,
                       s.insurance_status, s.account_count, %(scaled)s,
                       ROUND((s.balance_due * (0.015 + 0.002 * MOD(w, 4)))::numeric, 2),
                       s.accounts_moved, s.accounts_worked + MOD(w, 3),
                       s.contact_count + MOD(w, 4), s.right_party_count + MOD(w, 2),
                       s.promise_made_count, s.promise_kept_count + MOD(w, 2),
                       s.promise_broken_count + (MOD(w, 3) = 0)::int, s.plan_active_count,
                       s.plan_started_count, s.plan_defaulted_count,
                       s.create_uid, s.create_date, s.write_uid, s.write_date
                  FROM patient_collection_snapshot s, generate_series(1, %(weeks)s) w
                 WHERE s.company_id = ANY(%(companies)s) AND s.date = %(today)s
                """,
                companies=companies.ids,
                today=today,
                weeks=weeks,
                amount_columns=SQL(", ").join(SQL.identifier(name) for name in AMOUNT_FIELDS),
                scaled=scaled,
            )
        )
        self.invalidate_model()
        return weeks
