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
