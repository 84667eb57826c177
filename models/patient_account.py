"""The patient account: its fields, defaults, computes and numbering.

The account's other concerns are files of their own, each an ``_inherit`` of
``patient.account``: ``patient_account_ownership`` (who may change what),
``patient_account_priority`` (the priority score), ``patient_account_balances``
(the set-based balance engine), ``patient_account_stages`` (stages, 501(r) gates,
holds), ``patient_account_escalation`` (the notice sequence on hand moves),
``patient_account_contacts`` (patients, time zone, manager),
``patient_account_messaging`` (the outbound-contact gate),
``patient_account_actions`` (buttons), ``patient_account_statement``,
``patient_account_portal`` and ``patient_account_writeoff``.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..logic import aging

BALANCE_FIELDS = (
    "balance_due",
    "balance_insurance_pending",
    *("aging_" + key for key in aging.BUCKET_KEYS),
    "days_past_due",
    "last_payment_date",
    "last_payment_amount",
    "first_open_date",
    "aging_date",
    "aging_band",
)
# Written by the module only: balances from the accounting, the dates that start
# the 501(r) clock, holds (through the Hold button), the consent record.
PROTECTED_FIELDS = frozenset(
    {
        *BALANCE_FIELDS,
        "name",
        # the company's: balances, statements and the portal's payments are in it
        "currency_id",
        "priority_score",
        "stage_date",
        "first_statement_date",
        "final_notice_date",
        "hold_reason",
        "hold_until",
        "hold_note",
        "hold_auto",
        "cease_date",
        "sms_consent",
        "sms_consent_date",
        "interaction_count",
        "last_contact_date",
        "promise_kept_count",
        "promise_broken_count",
        "plan_default_count",
    }
)
MANAGER_GROUP = "patient_collections.group_collections_manager"
HOLD_REASONS = [
    ("insurance_pending", "Insurance pending"),
    ("dispute", "Dispute"),
    ("financial_assistance", "Financial assistance application"),
    ("bankruptcy", "Bankruptcy"),
    ("deceased", "Deceased"),
    ("promise_to_pay", "Promise to pay"),
    ("other", "Other"),
]


class PatientAccount(models.Model):
    _name = "patient.account"
    _description = "Patient Account"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "priority_score desc, days_past_due desc, id"
    # whoever may read an account may write in its chatter and schedule on it
    _mail_post_access = "read"
    _check_company_auto = True
    _protected_fields = PROTECTED_FIELDS

    name = fields.Char(
        string="Account Number",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    active = fields.Boolean(default=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Guarantor",
        required=True,
        index=False,  # the (partner, company) unique constraint's index serves it
        ondelete="restrict",
        tracking=True,
        check_company=True,
        help="The person financially responsible: statements and calls go to them.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency", related="company_id.currency_id", store=True, string="Currency"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Specialist",
        index=True,
        tracking=True,
        check_company=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("patient_collections.group_collections_specialist").id)
        ],
        help="The collections specialist who works this account.",
    )
    stage_id = fields.Many2one(
        "patient.account.stage",
        required=True,
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        default=lambda self: self._default_stage_id(),
    )
    stage_date = fields.Date(string="In Stage Since", readonly=True, copy=False)
    is_closed = fields.Boolean(related="stage_id.is_closed")
    first_statement_date = fields.Date(
        readonly=True,
        copy=False,
        help="When the first statement was sent: the 501(r) notification period starts then.",
    )
    final_notice_date = fields.Date(
        readonly=True, copy=False, help="When the account last entered the final notice stage."
    )
    hold_reason = fields.Selection(HOLD_REASONS, tracking=True, index=True, copy=False)
    hold_until = fields.Date(tracking=True, copy=False)
    hold_note = fields.Text(copy=False, groups="patient_collections.group_collections_specialist")
    hold_auto = fields.Boolean(
        readonly=True, copy=False, help="Set by the daily run, which also releases it."
    )
    priority_score = fields.Integer(
        string="Priority",
        compute="_compute_priority",
        store=True,
        index=True,
        aggregator="avg",
        help="0 to 100, from balance, days past due, broken promises, days since last "
        "contact and defaulted plans, weighted by the company settings.",
    )
    priority_explanation = fields.Text(compute="_compute_priority_explanation")
    color = fields.Integer()
    interaction_ids = fields.One2many(
        "patient.interaction",
        "account_id",
        groups="patient_collections.group_collections_specialist",
    )
    interaction_count = fields.Integer(compute="_compute_interaction_stats", store=True)
    last_contact_date = fields.Datetime(
        compute="_compute_interaction_stats",
        store=True,
        help="The last interaction logged (voided ones excepted).",
    )
    promise_kept_count = fields.Integer(compute="_compute_interaction_stats", store=True)
    promise_broken_count = fields.Integer(compute="_compute_interaction_stats", store=True)
    plan_ids = fields.One2many("patient.payment.plan", "account_id", string="Payment Plans")
    active_plan_id = fields.Many2one("patient.payment.plan", compute="_compute_active_plan")
    plan_default_count = fields.Integer(
        string="Defaulted Plans", compute="_compute_plan_default_count", store=True
    )
    cease_communication = fields.Boolean(
        tracking=True,
        copy=False,
        help="The guarantor asked us to stop contacting them: no outbound contact but the "
        "written acknowledgement of the request. Only a collections manager lifts it.",
    )
    cease_date = fields.Date(readonly=True, copy=False)
    phone_invalid = fields.Boolean(
        string="Wrong Number",
        tracking=True,
        copy=False,
        help="Outbound calls are refused. Recording a new number for the guarantor "
        "lifts it; otherwise only a collections manager does.",
    )
    sms_consent = fields.Boolean(string="Text Consent", readonly=True, copy=False, tracking=True)
    sms_consent_date = fields.Datetime(string="Text Consent Recorded", readonly=True, copy=False)
    sms_consent_method = fields.Selection(
        [
            ("written", "Written form"),
            ("verbal", "Verbal, recorded call"),
            ("portal", "Patient portal"),
            ("text_reply", "Reply to a text"),
        ],
        string="Consent Given By",
        copy=False,
    )
    patient_ids = fields.Many2many(
        "res.partner",
        string="Patients",
        compute="_compute_patient_ids",
        help="The patients treated whose charges this guarantor is responsible for.",
    )
    move_ids = fields.One2many("account.move", "patient_account_id", string="All Invoices")
    invoice_ids = fields.One2many(
        "account.move",
        "patient_account_id",
        string="Open Invoices",
        domain=[("state", "=", "posted"), ("amount_residual", "!=", 0)],
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    open_item_ids = fields.One2many(
        "patient.account.line", "account_id", string="Open Items", readonly=True
    )
    open_item_count = fields.Integer(compute="_compute_open_item_count")

    # Balances, refreshed set-based by _refresh_balances (never edited by hand).
    balance_due = fields.Monetary(
        readonly=True,
        index=True,
        help="Patient responsibility still open, insurance-pending amounts excluded.",
    )
    balance_insurance_pending = fields.Monetary(
        string="Insurance Pending",
        readonly=True,
        help="Open amounts on invoices whose insurance claim is not adjudicated yet: never chased.",
    )
    aging_current = fields.Monetary(string="Current", readonly=True)
    aging_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    aging_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    aging_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    aging_91_120 = fields.Monetary(string="91-120 Days", readonly=True)
    aging_over_120 = fields.Monetary(string="Over 120 Days", readonly=True)
    days_past_due = fields.Integer(
        readonly=True, index=True, help="Days past due of the oldest overdue open invoice."
    )
    last_payment_date = fields.Date(readonly=True)
    last_payment_amount = fields.Monetary(readonly=True)
    first_open_date = fields.Date(
        string="Oldest Open Invoice",
        readonly=True,
        help="Posting date of the oldest invoice still open.",
    )
    aging_date = fields.Date(
        string="Aged On",
        readonly=True,
        help="The day balances and aging were computed for.",
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A guarantor has one patient account per company: open the existing one instead.",
        ),
    ]

    # ------------------------------------------------------------------ defaults

    def _patient_account(self):
        return self.sudo()

    def _audit_refs(self):
        # the account number is the reference: one query for a statement run's thousands
        self.flush_model(["name", "company_id"])
        self.env.cr.execute(
            SQL("SELECT id, company_id, name FROM patient_account WHERE id = ANY(%s)", self.ids)
        )
        return {row_id: (company_id, name) for row_id, company_id, name in self.env.cr.fetchall()}

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        # every stage is a column, even when empty (a handful of configuration records)
        return stages.search([], order=stages._order)  # pylint: disable=no-search-all

    # ------------------------------------------------------------------ computes

    @api.depends(
        "interaction_ids.state",
        "interaction_ids.date",
        "interaction_ids.promise_state",
    )
    def _compute_interaction_stats(self):
        stats = {
            account.id: (count, last)
            for account, count, last in self.env["patient.interaction"]
            .sudo()
            ._read_group(
                [("account_id", "in", self.ids), ("state", "=", "logged")],
                ["account_id"],
                ["__count", "date:max"],
            )
        }
        promises = {
            (account.id, state): count
            for account, state, count in self.env["patient.interaction"]
            .sudo()
            ._read_group(
                [
                    ("account_id", "in", self.ids),
                    ("state", "=", "logged"),
                    ("promise_state", "in", ("kept", "broken")),
                ],
                ["account_id", "promise_state"],
                ["__count"],
            )
        }
        for account in self:
            count, last = stats.get(account.id, (0, False))
            account.interaction_count = count
            account.last_contact_date = last
            account.promise_kept_count = promises.get((account.id, "kept"), 0)
            account.promise_broken_count = promises.get((account.id, "broken"), 0)

    @api.depends("plan_ids.state")
    def _compute_active_plan(self):
        for account in self:
            account.active_plan_id = account.plan_ids.filtered(lambda plan: plan.state == "active")[
                :1
            ]

    @api.depends("plan_ids.state")
    def _compute_plan_default_count(self):
        for account in self:
            account.plan_default_count = len(
                account.plan_ids.filtered(lambda plan: plan.state == "defaulted")
            )

    def _compute_open_item_count(self):
        counts = dict(
            self.env["patient.account.line"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.open_item_count = counts.get(account, 0)

    @api.constrains("user_id", "company_id")
    def _check_user_company(self):
        specialists = self.env.ref("patient_collections.group_collections_specialist")
        for account in self.sudo().filtered("user_id"):
            user = account.user_id
            if (
                user.share
                or specialists not in user.groups_id
                or account.company_id not in user.company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(account)s can only be assigned to a collections specialist or "
                        "manager of %(company)s.",
                        account=account.name,
                        company=account.company_id.name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    def _prepare_create_vals(self, vals_list):
        default_stage = None
        for vals in vals_list:
            if "stage_id" in vals and not vals["stage_id"]:
                # an account is always on the board: sent empty, it opens in the first stage
                if default_stage is None:
                    default_stage = self._default_stage_id()
                if not default_stage:
                    raise ValidationError(
                        self.env._(
                            "No collection stage to open the patient account in: a collections "
                            "manager adds or restores one in Collections > Configuration > "
                            "Stages."
                        )
                    )
                vals["stage_id"] = default_stage.id
            elif isinstance(vals.get("stage_id"), int):
                # an archived stage is off the board and out of the run's rules
                stage = self.env["patient.account.stage"].sudo().browse(vals["stage_id"])
                if stage.exists() and not stage.active:
                    raise ValidationError(self._archived_stage_message(stage))
            if not vals.get("name") or vals["name"] == self.env._("New"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "patient.account"
                ) or self.env._("New")
        return super()._prepare_create_vals(vals_list)

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._refresh_balances()
        return accounts


# Kept importable from here (the open items view, write-offs): the FROM and WHERE
# of an account's open receivable lines live with the balance engine.
from .patient_account_balances import open_items_from  # noqa: E402, F401
