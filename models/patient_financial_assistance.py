"""Financial assistance (charity care) applications, decided on the sliding scale.

An open application holds its account out of extraordinary actions (501(r)). A
manager approves it (a credit note on the charity-care account: ``..._posting.py``)
or denies it with a reason; either lifts the hold, goes in the chatter and as a
letter to the guarantor (``patient_financial_assistance_notice.py``)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import assistance
from .patient_account import MANAGER_GROUP
from .patient_poverty_guideline import REGIONS
from .patient_protected import is_trusted, trusted

ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"
PRESUMPTIVE_REASONS = [
    ("medicaid", "Enrolled in Medicaid"),
    ("homeless", "Homeless"),
    ("snap", "Receives SNAP or WIC benefits"),
    ("deceased", "Deceased without an estate"),
]
OPEN_STATES = ("draft", "submitted")
# Module-only fields: the decision and what it posted.
DECISION_FIELDS = frozenset(
    {
        "name",
        "state",
        "decided_by_id",
        "decision_date",
        "deny_reason",
        "discount_amount",
        "refund_due",
        "invoice_ids",
        "credit_note_ids",
        "applied_discount_percent",
    }
)
MAX_INCOME = 1e9
# How far back an application may be dated (received by mail, entered late).
MAX_BACKDATE_DAYS = 365
# computed from the guidelines and the company's sliding scale
SCALE_FIELDS = ("guideline_amount", "guideline_missing", "fpl_percent", "discount_percent")


class PatientFinancialAssistance(models.Model):
    _name = "patient.financial.assistance"
    _description = "Financial Assistance Application"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "application_date desc, id desc"
    _check_company_auto = True
    # a client enters the scale's inputs; the scale itself (and the guideline's
    # year, from the application date) only the module computes
    _protected_fields = DECISION_FIELDS | {*SCALE_FIELDS, "year"}

    name = fields.Char(string="Number", readonly=True, copy=False, index="trigram")
    account_id = fields.Many2one(
        "patient.account",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", related="account_id.company_id", store=True, index=True
    )
    # read as the user: a new application names no account the user may not read
    currency_id = fields.Many2one(related="account_id.currency_id", compute_sudo=False)
    partner_id = fields.Many2one(
        related="account_id.partner_id", string="Guarantor", compute_sudo=False
    )
    application_date = fields.Date(
        required=True,
        # today on the practice's calendar (the user may change it in the form)
        default=lambda self: self.env.company._patient_today(),
        tracking=True,
        index=True,
    )
    year = fields.Integer(
        compute="_compute_year",
        store=True,
        help="The year of the poverty guideline applied: the application's.",
    )
    region = fields.Selection(REGIONS, required=True, default="contiguous")
    household_size = fields.Integer(required=True, default=1, tracking=True)
    annual_income = fields.Monetary(string="Household Annual Income", tracking=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "patient_financial_assistance_attachment_rel",
        "assistance_id",
        "attachment_id",
        string="Documents",
        help="Proof of income and household: pay slips, tax return, benefit letters.",
    )
    presumptive_reason = fields.Selection(
        PRESUMPTIVE_REASONS,
        string="Presumptive Eligibility",
        tracking=True,
        help="Evidence that grants the scale's most generous tier without income review.",
    )
    note = fields.Text()
    guideline_amount = fields.Monetary(
        string="Poverty Guideline", compute="_compute_scale", store=True
    )
    guideline_missing = fields.Boolean(compute="_compute_scale", store=True)
    fpl_percent = fields.Float(
        string="% FPL", compute="_compute_scale", store=True, digits=(16, 2), aggregator="avg"
    )
    discount_percent = fields.Float(
        string="Discount %",
        compute="_compute_scale",
        store=True,
        digits=(16, 2),
        help="From the company's sliding scale; presumptive eligibility: its top tier.",
    )
    applied_discount_percent = fields.Float(string="Discount Applied %", readonly=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("denied", "Denied"),
        ],
        default="draft",
        required=True,
        index=True,
        tracking=True,
        readonly=True,
    )
    deny_reason = fields.Text(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Date(readonly=True)
    discount_amount = fields.Monetary(string="Discount Posted", readonly=True)
    refund_due = fields.Monetary(
        readonly=True,
        help="What the guarantor paid above the discounted amount: to refund (501(r)).",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "patient_financial_assistance_invoice_rel",
        "assistance_id",
        "move_id",
        string="Invoices Discounted",
        readonly=True,
        groups=ACCOUNTING_GROUPS,
    )
    credit_note_ids = fields.Many2many(
        "account.move",
        "patient_financial_assistance_credit_note_rel",
        "assistance_id",
        "move_id",
        string="Credit Notes",
        readonly=True,
        groups=ACCOUNTING_GROUPS,
    )

    # ------------------------------------------------------------------ computes

    @api.depends("application_date")
    def _compute_year(self):
        for application in self:
            application.year = (application.application_date or fields.Date.today()).year

    @api.depends(
        "year", "region", "household_size", "annual_income", "presumptive_reason", "company_id"
    )
    def _compute_scale(self):
        Guideline = self.env["patient.poverty.guideline"].sudo()
        Tier = self.env["patient.assistance.tier"]
        guidelines = {
            (g.year, g.region): g
            for g in Guideline.search([("year", "in", list(set(self.mapped("year"))))])
        }
        for application in self:
            guideline = guidelines.get((application.year, application.region))
            size = application.household_size
            amount = percent = 0.0
            sized = 1 <= size <= assistance.MAX_HOUSEHOLD
            if guideline and sized:
                amount = float(
                    assistance.guideline_amount(
                        guideline.base_amount, guideline.per_person_amount, size
                    )
                )
                percent = assistance.fpl_percent(max(application.annual_income, 0.0), amount)
            application.guideline_amount = amount
            application.guideline_missing = not guideline
            application.fpl_percent = percent
            company = application.company_id or self.env.company
            if application.presumptive_reason:
                application.discount_percent = Tier._discount(company, 0, presumptive=True)
            elif guideline and sized:
                application.discount_percent = Tier._discount(company, percent)
            else:
                application.discount_percent = 0.0

    @api.model
    def _rescale_open(self, domain):
        """The open applications matching ``domain`` follow the poverty guidelines
        and sliding scales as they are now (a decided one keeps what it was
        decided on): called when a guideline or a tier changes."""
        applications = self.sudo().search([("state", "in", OPEN_STATES), *domain])
        for name in SCALE_FIELDS:
            self.env.add_to_compute(self._fields[name], applications)

    # ------------------------------------------------------------------ checks

    @api.constrains("household_size", "annual_income")
    def _check_household(self):
        for application in self:
            if not 1 <= application.household_size <= assistance.MAX_HOUSEHOLD:
                raise ValidationError(
                    self.env._(
                        "A household has 1 to %(max)s people: enter the household size.",
                        max=assistance.MAX_HOUSEHOLD,
                    )
                )
            if not 0 <= application.annual_income < MAX_INCOME:
                raise ValidationError(
                    self.env._(
                        "The household's annual income is from zero to under %(max)s: correct it.",
                        max=application.currency_id.format(MAX_INCOME),
                    )
                )

    @api.constrains("application_date")
    def _check_application_date(self):
        """Dated the day the application was received: the look-back of the
        invoices it discounts counts from that day."""
        for application in self:
            today = application.sudo().company_id._patient_today()
            received = application.application_date
            if received > today or received < today - timedelta(days=MAX_BACKDATE_DAYS):
                raise ValidationError(
                    self.env._(
                        "An application is dated the day it was received: not after today, "
                        "nor more than %(days)s days before. Correct the application date.",
                        days=MAX_BACKDATE_DAYS,
                    )
                )

    @api.constrains("account_id", "state")
    def _check_one_open(self):
        open_ones = self.filtered(lambda application: application.state in OPEN_STATES)
        if not open_ones:
            return
        counts = self.sudo()._read_group(
            [("account_id", "in", open_ones.account_id.ids), ("state", "in", OPEN_STATES)],
            ["account_id"],
            ["__count"],
        )
        for account, count in counts:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(account)s already has an open financial-assistance application: "
                        "decide it first.",
                        account=account.name,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    def _prepare_create_vals(self, vals_list):
        if not is_trusted(self.env):
            accounts = self.env["patient.account"].browse(
                {vals["account_id"] for vals in vals_list if vals.get("account_id")}
            )
            accounts._check_owner()
        for vals in vals_list:
            if not vals.get("name"):
                vals["name"] = (
                    self.env["ir.sequence"].sudo().next_by_code("patient.financial.assistance")
                    or "/"
                )
        return super()._prepare_create_vals(vals_list)

    @api.model_create_multi
    def create(self, vals_list):
        applications = super().create(vals_list)
        applications._hold_accounts()
        return applications

    def write(self, vals):
        if not is_trusted(self.env):
            changed = [name for name in vals if not name.startswith(("message_", "activity_"))]
            if changed:
                decided = self.filtered(lambda application: application.state not in OPEN_STATES)
                if decided:
                    raise UserError(
                        self.env._(
                            "%(names)s: a decided application cannot be changed; open a new "
                            "one if the household's situation changed.",
                            names=", ".join(decided.mapped("name")),
                        )
                    )
                if "account_id" in vals and any(
                    application.account_id.id != vals["account_id"] for application in self
                ):
                    raise UserError(
                        self.env._("An application stays on its account: open a new one instead.")
                    )
                self.account_id._check_owner()
        return super().write(vals)

    def copy(self, default=None):  # pylint: disable=method-required-super
        # the decision's fields are the module's own, the invoices an accountant's
        raise UserError(
            self.env._(
                "An application is not duplicated: create a new one with the household's "
                "current situation."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda application: application.state != "draft"):
            raise UserError(self.env._("Only draft applications can be deleted; deny the others."))
        if not is_trusted(self.env):
            # withdrawing lifts the account's hold: the account's owner or a manager
            self.account_id._check_owner()
        if self:
            self._release_accounts(self.env._("The application was withdrawn."), deleting=self)

    # ------------------------------------------------------------------ holds

    def _hold_accounts(self):
        """An open application holds its account for financial assistance."""
        accounts = self.filtered(lambda a: a.state in OPEN_STATES).account_id
        to_hold = accounts.sudo().filtered(
            lambda account: account.hold_reason != "financial_assistance"
        )
        if to_hold:
            trusted(to_hold.with_env(self.env))._set_hold("financial_assistance")

    def _release_accounts(self, why, deleting=None):
        """Lift the financial-assistance hold of accounts left without an open application."""
        accounts = self.account_id.sudo()
        still_open = (
            self.sudo()
            .search(
                [
                    ("account_id", "in", accounts.ids),
                    ("state", "in", OPEN_STATES),
                    ("id", "not in", (deleting or self.browse()).ids + self.ids),
                ]
            )
            .account_id
        )
        to_release = (accounts - still_open).filtered(
            lambda account: account.hold_reason == "financial_assistance"
        )
        if to_release:
            trusted(to_release.with_env(self.env))._release_hold(why=why)

    # ------------------------------------------------------------------ actions

    def _check_decider(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a collections manager decides financial-assistance applications.")
            )
        self.check_access("write")
        self.account_id.check_access("write")
        if self.filtered(lambda application: application.state not in OPEN_STATES):
            raise UserError(self.env._("This application is decided already."))

    def action_submit(self):
        self.check_access("write")
        self.account_id._check_owner()
        if self.filtered(lambda application: application.state != "draft"):
            raise UserError(self.env._("Only draft applications are submitted."))
        trusted(self).write({"state": "submitted"})
        return True

    def action_approve(self):
        self._check_decider()
        for application in self:
            application._approve()
        return True

    def action_deny(self, reason=None):
        self._check_decider()
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("Say why the application is denied."))
        if len(reason) > 2000 or "\x00" in reason:
            raise UserError(self.env._("The reason is too long (2000 characters at most)."))
        # decided today on each practice's calendar
        todays = self.company_id._patient_todays()
        for company, applications in self.grouped("company_id").items():
            trusted(applications).write(
                {
                    "state": "denied",
                    "deny_reason": reason,
                    "decided_by_id": self.env.user.id,
                    "decision_date": todays[company.id],
                    "applied_discount_percent": 0.0,
                }
            )
        self._release_accounts(self.env._("The financial-assistance application was denied."))
        for application in self:
            application._log_decision()
        return True

    def action_open_deny(self):
        self.ensure_one()
        self._check_decider()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Deny Application"),
            "res_model": "patient.financial.assistance.deny",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id, "active_ids": self.ids},
        }
