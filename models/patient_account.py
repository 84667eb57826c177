from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..logic import aging, escalation, priority
from .patient_protected import check_value_types, is_trusted, trusted, trusted_flag

BALANCE_FIELDS = (
    "balance_due",
    "balance_insurance_pending",
    *("aging_" + key for key in aging.BUCKET_KEYS),
    "days_past_due",
    "last_payment_date",
    "last_payment_amount",
    "first_open_date",
    "aging_date",
)
# What any specialist may record on an account they do not own: the guarantor's
# contact preferences, said to whoever answers the phone.  Everything else (stage,
# holds, assignment, plans) needs the account to be theirs or unassigned.
OPEN_FIELDS = frozenset({"sms_consent_method", "phone_invalid", "color"})
# Written by the module only: balances from the accounting, the dates that start
# the 501(r) clock, holds (through the Hold button), the consent record.
PROTECTED_FIELDS = frozenset(
    {
        *BALANCE_FIELDS,
        "name",
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
# The longest a hold may last, from today.
MAX_HOLD_DAYS = 3653
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


def open_items_from(accounts):
    """FROM and WHERE of the open receivable lines of patient accounts.

    ``accounts`` is an SQL table expression with ``id``, ``partner_id`` and
    ``company_id``, aliased ``pa``.  A line counts when it is posted, still
    open, and belongs either to the account's invoices and credit notes or to
    an entry without an invoice (a payment or bank receipt not yet matched).
    """
    return SQL(
        """
          FROM account_move_line aml
          JOIN account_move move ON move.id = aml.move_id
          JOIN account_account account ON account.id = aml.account_id
          JOIN %s pa
            ON pa.partner_id = aml.partner_id
           AND pa.company_id = aml.company_id
         WHERE aml.parent_state = 'posted'
           AND account.account_type = 'asset_receivable'
           AND aml.amount_residual != 0
           AND (move.patient_account_id = pa.id OR move.move_type = 'entry')
        """,
        accounts,
    )


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
        "written acknowledgement of the request.",
    )
    cease_date = fields.Date(readonly=True, copy=False)
    phone_invalid = fields.Boolean(
        string="Wrong Number", tracking=True, copy=False, help="Outbound calls are refused."
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

    def _default_stage_id(self):
        return self.env["patient.account.stage"].search(
            [("is_closed", "=", False), ("is_manual", "=", False)], limit=1
        )

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

    def _priority_inputs(self):
        """The inputs of the priority score; later capabilities add theirs."""
        self.ensure_one()
        today = self.aging_date or fields.Date.context_today(self)
        since = (
            fields.Datetime.to_datetime(self.last_contact_date).date()
            if self.last_contact_date
            else self.first_open_date
        )
        return {
            "balance": self.balance_due,
            "days_past_due": self.days_past_due,
            "broken_promises": self.promise_broken_count,
            "defaulted_plans": self.plan_default_count,
            "days_since_contact": (today - since).days if since and self.balance_due > 0 else 0,
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
        for account in self:
            company = account.company_id
            if company not in weights:
                weights[company] = company._collections_priority_weights()
            account.priority_score = priority.score(account._priority_inputs(), weights[company])

    @api.depends("priority_score")
    def _compute_priority_explanation(self):
        labels = {
            "balance": self.env._("Balance due"),
            "days_past_due": self.env._("Days past due"),
            "broken_promises": self.env._("Broken promises"),
            "days_since_contact": self.env._("Days since last contact"),
            "defaulted_plans": self.env._("Defaulted payment plans"),
        }
        for account in self:
            currency = account.currency_id

            def fmt(term, value, currency=currency):
                return currency.format(float(value)) if term.unit == "amount" else str(int(value))

            account.priority_explanation = priority.explain(
                account._priority_inputs(),
                account.company_id._collections_priority_weights(),
                labels=labels,
                fmt_value=fmt,
            )

    @api.depends("partner_id", "move_ids.patient_id")
    def _compute_patient_ids(self):
        """Patients on the account's invoices, plus the guarantor's dependents."""
        Move = self.env["account.move"].sudo()
        by_account = {
            account.id: set(patients.ids)
            for account, patients in Move._read_group(
                [("patient_account_id", "in", self.ids), ("patient_id", "!=", False)],
                ["patient_account_id"],
                ["patient_id:recordset"],
            )
        }
        dependents = {
            guarantor.id: set(patients.ids)
            for guarantor, patients in self.env["res.partner"]
            .sudo()
            ._read_group(
                [("guarantor_id", "in", self.partner_id.ids), ("is_patient", "=", True)],
                ["guarantor_id"],
                ["id:recordset"],
            )
        }
        # a dependent is the account's patient when the account's company knows them
        # as its patient: another practice's patients stay its own
        wanted = defaultdict(set)
        for account in self:
            wanted[account.company_id.id] |= dependents.get(account.partner_id.id, set())
        Partner = self.env["res.partner"].sudo()
        scoped = {
            company_id: set(Partner.browse(sorted(ids))._patient_select_scoped([company_id]).ids)
            for company_id, ids in wanted.items()
            if ids
        }
        for account in self:
            known = scoped.get(account.company_id.id, set())
            ids = by_account.get(account.id, set()) | (
                dependents.get(account.partner_id.id, set()) & known
            )
            if account.partner_id.sudo().is_patient:
                ids.add(account.partner_id.id)
            account.patient_ids = [fields.Command.set(sorted(ids))]

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
        for vals in vals_list:
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

    def _protected_refusal(self, names):
        balances = set(names) & set(BALANCE_FIELDS)
        if balances:
            return UserError(
                self.env._(
                    "Balances and aging come from the accounting: post, pay or reconcile "
                    "invoices instead of editing %(fields)s.",
                    fields=self._protected_labels(balances),
                )
            )
        return super()._protected_refusal(names)

    def write(self, vals):
        if not is_trusted(self.env):
            if any(
                name not in OPEN_FIELDS and not name.startswith(("message_", "activity_"))
                for name in vals
            ):
                self._check_owner()
            if "company_id" in vals and any(
                account.company_id.id != vals["company_id"] for account in self.sudo()
            ):
                raise UserError(
                    self.env._(
                        "A patient account belongs to the company that billed the patient: "
                        "its company cannot change."
                    )
                )
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["patient.account.stage"].browse(vals["stage_id"])
        entering = self.filtered(lambda account: account.stage_id != stage)
        # the run and the plans check the gates themselves; never a caller's context
        internal = trusted_flag(self.env, "collections_run")
        if not internal:
            entering._check_stage_allowed(stage)
        vals = {**vals, **self._prepare_stage_entry_vals(stage)}
        # the entry dates are the module's own, written with the stage
        res = super(PatientAccount, trusted(self)).write(vals)
        if not internal:
            entering._schedule_stage_activities(stage)
        return res

    def _check_owner(self):
        """Specialists change stage, holds, plans and assignment only on their own
        accounts or unassigned ones; managers on any account of their companies."""
        # the module's own code, the system's (data files, scheduled jobs) and managers
        user = self.env.user
        if is_trusted(self.env) or user._is_superuser() or user.has_group(MANAGER_GROUP):
            self.check_access("write")
            return
        self.check_access("write")  # users outside collections learn nothing more
        foreign = self.sudo().filtered(
            lambda account: account.user_id and account.user_id != self.env.user
        )
        if foreign:
            self.env["patient.access.log"]._log_denied(foreign, detail="change")
            raise AccessError(
                self.env._(
                    "%(accounts)s: assigned to another specialist. Only they or a collections "
                    "manager can change its stage, holds, payment plans or assignment; you "
                    "can still log interactions on it.",
                    accounts=", ".join(foreign.mapped("name")),
                )
            )

    def _check_open_change(self):
        """What any collections user who may change these accounts' contact
        preferences (specialists and managers of their companies) may do."""
        self.check_access("write")
        if not self.env.user.has_group("patient_collections.group_collections_specialist"):
            raise AccessError(
                self.env._("Only collections specialists record a guarantor's preferences.")
            )

    def _import_history(self, stage=False, first_statement_date=False, final_notice_date=False):
        """History from before the module (a data import, the demo): the stage the
        account is in and the letters already sent, honoured by the run as if the
        module had sent them.  For collections managers and the system only."""
        user = self.env.user
        if not (user._is_superuser() or user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only collections managers import the collections history.")
            )
        self.check_access("write")
        check_value_types(
            self,
            [
                {
                    "first_statement_date": first_statement_date,
                    "final_notice_date": final_notice_date,
                }
            ],
        )
        vals = {}
        if first_statement_date:
            vals["first_statement_date"] = first_statement_date
        if final_notice_date:
            vals["final_notice_date"] = final_notice_date
        if stage:
            vals["stage_id"] = stage
        # written as the module would: an import is no hand move through the gates
        trusted(self, collections_run=True).write(vals)
        if final_notice_date:
            # entering a final-notice stage dates the notice today: the import's date wins
            trusted(self).write({"final_notice_date": final_notice_date})
        return True

    def _return_to_escalation(self):
        """Back to the stage the account deserves (after a payment plan ends): the
        resolved stage when nothing is owed, else where the notice sequence goes
        on from the letters it received (the run's own rules: no letter skipped,
        no gate passed); the first stage when it may enter none yet, so the run
        takes it on.  Tracked in the chatter."""
        accounts = self.sudo()
        stages = self.env["patient.account.stage"].sudo().search([])  # pylint: disable=no-search-all
        closed = escalation.closed_stage([stage._as_rule() for stage in stages])
        paid = accounts.filtered(
            lambda account: account.balance_due <= 0 and account.balance_insurance_pending <= 0
        )
        targets = {account.id: closed.id if closed else None for account in paid}
        targets.update(
            self.env["patient.collection.run"]._resume_targets(
                accounts - paid, fields.Date.context_today(self)
            )
        )
        first = self._default_stage_id()
        for account in accounts:
            target = targets.get(account.id) or (first.id if account not in paid else None)
            if target and target != account.stage_id.id:
                trusted(account, collections_run=True).write({"stage_id": target})

    def _on_accounting_change(self):
        """Balances, then the allocation of payments to active plans."""
        self._refresh_balances()
        self.sudo().plan_ids.filtered(lambda plan: plan.state == "active")._allocate_payments()

    def _create_payment_plan(self, terms, channel="phone_in"):
        """Create and activate a payment plan for this account (the wizard's path,
        for imports and scripts); the total defaults to the balance due."""
        self.ensure_one()
        terms = {"total_amount": self.balance_due, "frequency": "monthly", **terms}
        return self.env["patient.payment.plan"]._create_plans([(self, terms)], channel=channel)

    def action_create_plan(self):
        self.ensure_one()
        self._check_owner()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Plan"),
            "res_model": "patient.payment.plan.create",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id, "active_ids": self.ids},
        }

    def _write_stage(self, stage):
        """The run's stage change: one write, gates already checked by the run,
        tracking replaced by the run's own batched chatter lines."""
        return trusted(self.sudo(), collections_run=True, tracking_disable=True).write(
            {"stage_id": stage.id}
        )

    # ------------------------------------------------------------------ stages

    def _prepare_stage_entry_vals(self, stage):
        today = fields.Date.context_today(self)
        vals = {"stage_date": today}
        if stage.is_final_notice:
            vals["final_notice_date"] = today
        return vals

    def _extraordinary_blocks(self, today=None):
        """Gate reasons that keep this account out of extraordinary actions."""
        self.ensure_one()
        company = self.company_id
        return escalation.extraordinary_action_blocks(
            today or fields.Date.context_today(self),
            self.first_statement_date or self.first_open_date,
            self.final_notice_date,
            self.hold_reason,
            notification_days=company.collections_notification_days,
            final_notice_days=company.collections_final_notice_days,
            check_501r=company.collections_501r_gating,
            check_disputes=company.collections_dispute_gating,
        )

    @api.model
    def _gate_messages(self):
        return {
            escalation.GATE_NOTIFICATION_PERIOD: self.env._(
                "the financial-assistance notification period since the first statement has "
                "not passed yet"
            ),
            escalation.GATE_FINAL_NOTICE: self.env._(
                "no final notice was sent early enough before it"
            ),
            escalation.GATE_DISPUTE: self.env._("a billing dispute is open"),
            escalation.GATE_FINANCIAL_ASSISTANCE: self.env._(
                "a financial-assistance application is open"
            ),
        }

    def _check_stage_allowed(self, stage):
        """Refuse a hand move into an extraordinary-action stage the account may not enter."""
        if not stage.is_extraordinary_action:
            return
        messages = self._gate_messages()
        problems = []
        for account in self.sudo():
            blocks = account._extraordinary_blocks()
            if blocks:
                problems.append(
                    self.env._(
                        "%(account)s: %(reasons)s",
                        account=account.name,
                        reasons="; ".join(messages[block] for block in blocks),
                    )
                )
        if problems:
            raise UserError(
                self.env._(
                    "%(stage)s is an extraordinary collection action and is not allowed yet:\n"
                    "%(problems)s",
                    stage=stage.name,
                    problems="\n".join(problems),
                )
            )

    def _schedule_stage_activities(self, stage):
        """The stage's activity for each account's specialist, created in one batch."""
        if not stage.activity_type_id or not self:
            return self.env["mail.activity"]
        today = fields.Date.context_today(self)
        activity_type = stage.activity_type_id
        deadline = activity_type._get_date_deadline() if activity_type.delay_count else today
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": account.id,
                "activity_type_id": activity_type.id,
                "summary": stage.activity_summary or stage.name,
                "user_id": account.user_id.id,
                "date_deadline": deadline,
            }
            for account in self
            if account.user_id
        ]
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )

    # ------------------------------------------------------------------ holds

    def _set_hold(self, reason, until=False, note=False, auto=False):
        """Put these accounts on hold, with one chatter line each."""
        if not self:
            return
        if not reason:
            raise UserError(self.env._("Choose why the account is put on hold."))
        today = fields.Date.context_today(self)
        if until and until < today:
            raise UserError(
                self.env._("A hold cannot end in the past: choose today or a later date.")
            )
        if until and until > today + timedelta(days=MAX_HOLD_DAYS):
            raise UserError(
                self.env._("A hold lasts at most ten years: choose an earlier end date, or none.")
            )
        self._check_owner()
        # the chatter line below says it all: no tracking lines besides
        trusted(self, tracking_disable=True).write(
            {"hold_reason": reason, "hold_until": until, "hold_note": note, "hold_auto": auto}
        )
        label = dict(self._fields["hold_reason"]._description_selection(self.env))[reason]
        if until:
            body = self.env._("On hold: %(reason)s, until %(date)s.", reason=label, date=until)
        else:
            body = self.env._("On hold: %(reason)s.", reason=label)
        self._message_log_batch(bodies=dict.fromkeys(self.ids, Markup("<p>%s</p>") % body))

    def _release_hold(self, why=None):
        """Lift the hold of these accounts, with one chatter line each."""
        held = self.filtered("hold_reason")
        if not held:
            return
        bodies = {}
        labels = dict(self._fields["hold_reason"]._description_selection(self.env))
        for account in held:
            text = self.env._("Hold lifted (%(reason)s).", reason=labels[account.hold_reason])
            if why:
                text = f"{text} {why}"
            bodies[account.id] = Markup("<p>%s</p>") % text
        held._check_owner()
        trusted(held, tracking_disable=True).write(
            {"hold_reason": False, "hold_until": False, "hold_note": False, "hold_auto": False}
        )
        held._message_log_batch(bodies=bodies)

    # ------------------------------------------------------------------ actions

    def _contact_tz(self):
        """The guarantor's time zone, else the company's, else the user's."""
        self.ensure_one()
        account = self.sudo()
        return (
            account.partner_id.tz or account.company_id.partner_id.tz or self.env.user.tz or "UTC"
        )

    def _collections_manager(self):
        """A collections manager of the account's company, for reviews and approvals."""
        self.ensure_one()
        group = self.env.ref("patient_collections.group_collections_manager")
        managers = group.sudo().users.filtered(
            lambda user: (
                not user.share
                and user.active
                and user != self.env.ref("base.user_root")
                and self.company_id in user.company_ids
            )
        )
        return managers.sorted("id")[:1]

    def action_log_interaction(self):
        self.ensure_one()
        self.check_access("read")
        self.env["patient.interaction"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Interaction"),
            "res_model": "patient.interaction",
            "view_mode": "form",
            "views": [
                (self.env.ref("patient_collections.patient_interaction_view_form_quick").id, "form")
            ],
            "target": "new",
            "context": {
                "default_account_id": self.id,
                "default_partner_id": self.partner_id.id,
            },
        }

    def action_record_sms_consent(self):
        # any specialist records what the guarantor says; the date is always now
        self._check_open_change()
        for account in self:
            if not account.sms_consent_method:
                raise UserError(
                    self.env._("Say how the guarantor gave consent to text messages first.")
                )
        trusted(self).write({"sms_consent": True, "sms_consent_date": fields.Datetime.now()})
        self._message_log_batch(
            bodies=dict.fromkeys(
                self.ids, Markup("<p>%s</p>") % self.env._("Consent to text messages recorded.")
            )
        )
        return True

    def action_revoke_sms_consent(self):
        self._check_open_change()
        consenting = self.filtered("sms_consent")
        trusted(consenting).write(
            {"sms_consent": False, "sms_consent_date": False, "sms_consent_method": False}
        )
        consenting._message_log_batch(
            bodies=dict.fromkeys(
                consenting.ids,
                Markup("<p>%s</p>") % self.env._("Consent to text messages revoked."),
            )
        )
        return True

    def action_open_hold(self):
        self._check_owner()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hold"),
            "res_model": "patient.account.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": self.ids,
                "default_action": "release" if all(self.mapped("hold_reason")) else "set",
            },
        }

    @api.model
    def action_open_board(self):
        """The board; specialists start on their own accounts."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_account_board_action"
        )
        context = {}
        if not self.env.user.has_group("patient_collections.group_collections_manager"):
            context["search_default_my_accounts"] = 1
        action["context"] = context
        return action

    def action_refresh_balances(self):
        self.check_access("read")
        self._refresh_balances()
        return True

    def action_view_access_log(self):
        """Who opened, printed, emailed or exported this account (managers)."""
        self.ensure_one()
        self.check_access("read")
        self.env["patient.access.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_access_log_action"
        )
        action["domain"] = [
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "=", self.id),
            ("record_ref", "ilike", self.name),
        ]
        return action

    def action_view_invoices(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("patient_account_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    # ------------------------------------------------------------------ balances

    @api.model
    def _refresh_balances_sql(self, account_ids, today):
        """One statement that recomputes balances and aging for ``account_ids``.

        Open receivable lines count when they belong to the account's invoices
        or credit notes, or to entries without an invoice (payments and bank
        receipts not yet matched), so an unapplied payment lowers what is owed.
        Amounts are Odoo's own residuals in company currency.
        """
        days = SQL("GREATEST(%s::date - COALESCE(aml.date_maturity, aml.date), 0)", today)
        bucket_sums = []
        for key, first, last in aging.bucket_bounds():
            conditions = [SQL("NOT items.pending")]
            if first is not None:
                conditions.append(SQL("items.days >= %s", first))
            if last is not None:
                conditions.append(SQL("items.days <= %s", last))
            bucket_sums.append(
                SQL(
                    "COALESCE(SUM(items.amount) FILTER (WHERE %s), 0) AS %s",
                    SQL(" AND ").join(conditions),
                    SQL.identifier("aging_" + key),
                )
            )
        bucket_sets = SQL(", ").join(
            SQL("%s = agg.%s", SQL.identifier(f), SQL.identifier(f))
            for f in ("aging_" + key for key in aging.BUCKET_KEYS)
        )
        return SQL(
            """
            WITH acc AS (
                SELECT id, partner_id, company_id
                  FROM patient_account
                 WHERE id = ANY(%(ids)s)
            ), items AS (
                SELECT pa.id AS account_id,
                       aml.amount_residual AS amount,
                       %(days)s AS days,
                       aml.date,
                       COALESCE(move.insurance_status = 'pending', FALSE) AS pending
                %(open_items)s
            ), payments AS (
                SELECT DISTINCT ON (acc.id)
                       acc.id AS account_id, aml.date, -SUM(aml.balance) AS amount
                  FROM acc
                  JOIN account_move_line aml
                    ON aml.partner_id = acc.partner_id
                   AND aml.company_id = acc.company_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND aml.balance < 0
                   AND (move.origin_payment_id IS NOT NULL OR move.statement_line_id IS NOT NULL)
              GROUP BY acc.id, aml.date
              ORDER BY acc.id, aml.date DESC
            ), agg AS (
                SELECT acc.id,
                       COALESCE(SUM(items.amount) FILTER (WHERE NOT items.pending), 0)
                           AS balance_due,
                       COALESCE(SUM(items.amount) FILTER (WHERE items.pending), 0)
                           AS balance_insurance_pending,
                       %(bucket_sums)s,
                       COALESCE(MAX(items.days) FILTER (
                           WHERE NOT items.pending AND items.amount > 0), 0) AS days_past_due,
                       MIN(items.date) FILTER (WHERE items.amount > 0) AS first_open_date
                  FROM acc
             LEFT JOIN items ON items.account_id = acc.id
              GROUP BY acc.id
            )
            UPDATE patient_account pa
               SET balance_due = agg.balance_due,
                   balance_insurance_pending = agg.balance_insurance_pending,
                   %(bucket_sets)s,
                   days_past_due = agg.days_past_due,
                   last_payment_date = payments.date,
                   last_payment_amount = COALESCE(payments.amount, 0),
                   first_open_date = agg.first_open_date,
                   aging_date = %(today)s,
                   priority_score = %(priority)s
              FROM agg
         LEFT JOIN payments ON payments.account_id = agg.id,
                   res_company company
             WHERE pa.id = agg.id
               AND company.id = pa.company_id
            """,
            priority=self._priority_score_sql(today),
            ids=list(account_ids),
            days=days,
            open_items=open_items_from(SQL.identifier("acc")),
            bucket_sums=SQL(", ").join(bucket_sums),
            bucket_sets=bucket_sets,
            today=today,
        )

    @api.model
    def _priority_score_sql(self, today):
        """The priority score of ``_compute_priority`` as SQL, for the refresh's
        UPDATE (aliases: ``pa`` the account, ``agg`` its new balances, ``company``)."""
        values = {
            "balance": "agg.balance_due",
            "days_past_due": "agg.days_past_due",
            "broken_promises": "pa.promise_broken_count",
            "days_since_contact": (
                "CASE WHEN agg.balance_due > 0 THEN GREATEST({today} - "
                "COALESCE(pa.last_contact_date::date, agg.first_open_date), 0) END"
            ),
            "defaulted_plans": "pa.plan_default_count",
        }
        weights = {key: f"company.collections_weight_{key}" for key in priority.TERM_KEYS}
        template = priority.sql_score(values, weights)
        # the template holds no placeholder but {today}; the date goes in as a parameter
        head, _sep, tail = template.partition("{today}")
        return SQL(head + "%s::date" + tail, today) if _sep else SQL(template)

    def _refresh_balances(self, today=None, batch_size=50000):
        """Recompute balances and aging of these accounts, set-based.

        One aggregate UPDATE per batch of accounts; the ORM cache is then
        invalidated and dependent stored fields are marked for recomputation.
        """
        if not self:
            return
        today = today or fields.Date.context_today(self)
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "balance",
                "date",
                "date_maturity",
                "parent_state",
                "account_id",
                "partner_id",
                "company_id",
                "move_id",
            ]
        )
        self.env["account.move"].flush_model(
            [
                "move_type",
                "patient_account_id",
                "insurance_status",
                "origin_payment_id",
                "statement_line_id",
            ]
        )
        self.flush_model(["partner_id", "company_id"])
        ids = self.ids
        # The aggregate always reads many lines: hash joins.  Statistics taken while
        # a big import is still uncommitted can make the planner pick nested loops
        # over the receivable lines, minutes instead of a second; not for this one
        # statement (SET LOCAL is put back right after it).
        # (an error rolls the setting back with the statement)
        self.env.cr.execute("SET LOCAL enable_nestloop = off")
        for start in range(0, len(ids), batch_size):
            self.env.cr.execute(self._refresh_balances_sql(ids[start : start + batch_size], today))
        self.env.cr.execute("SET LOCAL enable_nestloop = on")
        self.invalidate_recordset(
            [*BALANCE_FIELDS, "priority_score", "open_item_ids", "open_item_count"]
        )
        self.modified(list(BALANCE_FIELDS))
        # the UPDATE computed the priority score too: nothing left to recompute
        self.env.remove_to_compute(self._fields["priority_score"], self)

    @api.model
    def _cron_refresh_balances(self, batch_size=50000, extra_domain=()):
        """Age every account for today, batch after batch, reporting progress.

        Accounts already aged today are skipped, so running twice changes
        nothing the second time.  Returns how many accounts were aged.
        """
        today = fields.Date.context_today(self)
        domain = ["|", ("aging_date", "=", False), ("aging_date", "<", today), *extra_domain]
        Account = self.with_context(active_test=False).sudo()
        remaining = Account.search_count(domain)
        done = 0
        while remaining:
            accounts = Account.search(domain, limit=batch_size, order="id")
            if not accounts:
                break
            accounts._refresh_balances(today=today, batch_size=batch_size)
            done += len(accounts)
            remaining = max(remaining - len(accounts), 0)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _refresh_for_partners(self, partners, companies):
        """Refresh the accounts of these guarantors in these companies."""
        commercial = partners.commercial_partner_id
        if not commercial or not companies:
            return self.browse()
        accounts = (
            self.sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", commercial.ids), ("company_id", "in", companies.ids)])
        )
        accounts._on_accounting_change()
        return accounts

    @api.model
    def _get_or_create_for(self, keys):
        """The accounts for (guarantor, company) pairs, created when missing.

        ``keys`` is an iterable of (partner record, company record); returns a
        dict from (partner id, company id) to the account, with one search and
        at most one batched create.
        """
        keys = {(partner.id, company.id) for partner, company in keys}
        if not keys:
            return {}
        Account = self.sudo().with_context(active_test=False)
        existing = Account.search(
            [
                ("partner_id", "in", list({p for p, _c in keys})),
                ("company_id", "in", list({c for _p, c in keys})),
            ]
        )
        found = {(a.partner_id.id, a.company_id.id): a for a in existing}
        missing = sorted(keys - set(found))
        if missing:
            created = Account.create([{"partner_id": p, "company_id": c} for p, c in missing])
            found.update({(a.partner_id.id, a.company_id.id): a for a in created})
        return {key: found[key] for key in keys}
