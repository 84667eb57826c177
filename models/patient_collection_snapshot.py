from odoo import api, fields, models
from odoo.exceptions import AccessError

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
# The contacts of the right-party rate: calls, outbound and inbound.
CALL_CHANNELS = ("phone_out", "phone_in")
# Contacts that are no one's work: the guarantor's own on the portal (and the
# statements the module sends, ``is_statement``).
UNWORKED_CHANNELS = ("portal",)
SPECIALIST_GROUP = "patient_collections.group_collections_specialist"
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
    "paid_invoice_count",
    "paid_invoice_days",
)
# What the accounts were at the run (and Collected, re-taken on its own): the
# other figures are the day's flows, taken again the next day.
STOCK_KPI_FIELDS = ("collected_amount", "plan_active_count", "plan_defaulted_count")


class PatientCollectionSnapshot(models.Model):
    """The day's aged balances and activity of a company, one row per stage,
    specialist and insurance status: written by the collections run in one
    INSERT ... SELECT, the history the aged report and the dashboard read.

    The model's concerns live in files of their own: writing the day
    (``patient_collection_snapshot_take.py``), the dashboard's numbers
    (``..._dashboard.py``), the lists behind them (``..._drilldown.py``) and the
    demo history (``..._demo.py``)."""

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
    # drawn from interactions: for those who may read interactions (not accountants)
    accounts_worked = fields.Integer(
        readonly=True,
        help="Accounts with a contact logged by the practice's staff that day (any channel; "
        "not the statements the module sends, nor the guarantor's own portal contacts).",
        groups=SPECIALIST_GROUP,
    )
    contact_count = fields.Integer(
        string="Calls",
        readonly=True,
        help="Phone calls logged that day, outbound and inbound (letters, emails, texts and "
        "portal contacts are not counted): the right-party contact rate's denominator.",
        groups=SPECIALIST_GROUP,
    )
    right_party_count = fields.Integer(
        string="Right-Party Calls",
        readonly=True,
        help="Calls of that day that reached the guarantor (reached, promise to pay, payment "
        "made, dispute, hardship, refused, cease request).",
        groups=SPECIALIST_GROUP,
    )
    promise_made_count = fields.Integer(
        string="Promises Made", readonly=True, groups=SPECIALIST_GROUP
    )
    promise_kept_count = fields.Integer(
        string="Promises Kept", readonly=True, groups=SPECIALIST_GROUP
    )
    promise_broken_count = fields.Integer(
        string="Promises Broken", readonly=True, groups=SPECIALIST_GROUP
    )
    plan_active_count = fields.Integer(string="Active Plans", readonly=True)
    plan_started_count = fields.Integer(string="Plans Started", readonly=True)
    plan_defaulted_count = fields.Integer(string="Defaulted Plans", readonly=True)
    # average days to pay = sum(paid_invoice_days) / sum(paid_invoice_count) over a period
    paid_invoice_count = fields.Integer(
        string="Invoices Paid",
        readonly=True,
        help="Patient invoices fully paid that day: their last reconciliation is dated that day.",
    )
    paid_invoice_days = fields.Integer(
        string="Days to Pay (sum)",
        readonly=True,
        help="Sum, over the invoices fully paid that day, of the days from the invoice date "
        "to that day.",
    )

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
