"""Financial assistance (charity care) applications, decided on the sliding scale.

An open application (draft or submitted) holds its account for financial
assistance: the 501(r) gate keeps it out of extraordinary collection actions.
A collections manager approves it (the discount is posted as credit notes on
the company's charity-care account, reconciled with the eligible invoices) or
denies it with a reason; either decision lifts the hold and is logged in the
chatter and as a letter interaction to the guarantor.
"""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import assistance
from .patient_account import MANAGER_GROUP
from .patient_poverty_guideline import REGIONS
from .patient_protected import is_trusted, trusted

_logger = logging.getLogger(__name__)
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


class PatientFinancialAssistance(models.Model):
    _name = "patient.financial.assistance"
    _description = "Financial Assistance Application"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "application_date desc, id desc"
    _check_company_auto = True
    _protected_fields = DECISION_FIELDS

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
    currency_id = fields.Many2one(related="account_id.currency_id")
    partner_id = fields.Many2one(related="account_id.partner_id", string="Guarantor")
    application_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True, index=True
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
            if guideline and 1 <= size <= assistance.MAX_HOUSEHOLD:
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
            elif guideline:
                application.discount_percent = Tier._discount(company, percent)
            else:
                application.discount_percent = 0.0

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
                    self.env._("The household's annual income is zero or more: correct it.")
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

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda application: application.state != "draft"):
            raise UserError(self.env._("Only draft applications can be deleted; deny the others."))
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
        trusted(self).write(
            {
                "state": "denied",
                "deny_reason": reason,
                "decided_by_id": self.env.user.id,
                "decision_date": fields.Date.context_today(self),
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

    # ------------------------------------------------------------------ approval

    def _approve(self):
        self.ensure_one()
        if self.guideline_missing and not self.presumptive_reason:
            self.env["patient.poverty.guideline"]._guideline_for(
                self.year, self.region, self.household_size
            )  # raises the clear error naming the guideline to enter
        percent = self.discount_percent
        if percent <= 0:
            raise UserError(
                self.env._(
                    "At %(fpl)s %% of the poverty guideline the household is above the "
                    "sliding scale: deny the application (or check the income and household "
                    "size).",
                    fpl=f"{self.fpl_percent:g}",
                )
            )
        company = self.company_id
        charity = company.sudo().collections_charity_account_id
        if not charity:
            raise UserError(
                self.env._(
                    "No charity care account in the collections settings of %(company)s: a "
                    "collections manager sets it before an application is approved.",
                    company=company.name,
                )
            )
        invoices = self._eligible_invoices()
        credit_notes, discount, refund_due = self._post_discount(invoices, percent, charity)
        # the entries' links are the accountants' fields: written as the module
        trusted(self.sudo()).write(
            {
                "state": "approved",
                "decided_by_id": self.env.user.id,
                "decision_date": fields.Date.context_today(self),
                "applied_discount_percent": percent,
                "discount_amount": discount,
                "refund_due": refund_due,
                "invoice_ids": [Command.set(invoices.ids)],
                "credit_note_ids": [Command.set(credit_notes.ids)],
            }
        )
        self._release_accounts(self.env._("The financial-assistance application was approved."))
        account = self.account_id.sudo()
        account._on_accounting_change()
        if refund_due > 0:
            self._schedule_refund(refund_due)
        self._log_decision()
        self.env["patient.writeoff"]._resolve_settled(account)

    def _eligible_invoices(self):
        """Posted patient invoices of the account with a date of service within the
        company's look-back before the application (or after it), adjudicated or
        self-pay, not discounted by an earlier approved application."""
        self.ensure_one()
        Move = self.env["account.move"].sudo()
        lookback = self.company_id.collections_assistance_lookback_days
        since = self.application_date - timedelta(days=lookback)
        done = (
            self.sudo()
            .search([("account_id", "=", self.account_id.id), ("state", "=", "approved")])
            .invoice_ids
        )
        invoices = Move.search(
            [
                ("patient_account_id", "=", self.account_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("id", "not in", done.ids),
                "|",
                ("insurance_status", "=", False),
                ("insurance_status", "!=", "pending"),
            ],
            order="invoice_date, id",
        )
        return invoices.filtered(
            lambda move: (
                (move.service_date or move.invoice_date or move.date) >= since
                and move.amount_total_signed > 0
            )
        )

    def _post_discount(self, invoices, percent, charity):
        """One credit note per eligible invoice for ``percent`` of its patient
        responsibility, on the charity-care account, reconciled with what is still
        open of it; what the credit note holds beyond that is what the guarantor
        overpaid (the refund due).  Returns (credit notes, discount, refund due)."""
        Move = self.env["account.move"].sudo()
        currency = self.company_id.currency_id
        vals_list = []
        kept = invoices.browse()
        for invoice in invoices:
            amount = currency.round(invoice.amount_total_signed * percent / 100.0)
            if currency.is_zero(amount):
                continue
            kept |= invoice
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "patient_id": invoice.patient_id.id,
                    "journal_id": invoice.journal_id.id,
                    "currency_id": currency.id,
                    "invoice_date": fields.Date.context_today(self),
                    "date": fields.Date.context_today(self),
                    "ref": self.env._(
                        "Financial assistance %(name)s: %(percent)s %% of %(invoice)s",
                        name=self.name,
                        percent=f"{percent:g}",
                        invoice=invoice.name,
                    ),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": self.env._("Financial assistance discount"),
                                "quantity": 1,
                                "price_unit": amount,
                                "account_id": charity.id,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        if not vals_list:
            raise UserError(
                self.env._(
                    "No invoice of this account is eligible (posted, not waiting for insurance, "
                    "with a date of service in the policy's look-back, not discounted already): "
                    "nothing to discount."
                )
            )
        credit_notes = Move.with_company(self.company_id).create(vals_list)
        credit_notes.action_post()
        Line = self.env["account.move.line"].sudo()
        plan = []
        for invoice, note in zip(kept, credit_notes, strict=True):
            lines = (invoice.line_ids | note.line_ids).filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
            if invoice.amount_residual and len(lines) > 1:
                plan.append(lines)
        if plan:
            Line._reconcile_plan(plan)
        discount = sum(credit_notes.mapped("amount_total_signed")) * -1
        refund_due = -sum(credit_notes.mapped("amount_residual_signed"))
        return credit_notes, currency.round(discount), currency.round(max(refund_due, 0.0))

    def _schedule_refund(self, amount):
        """An activity for an accountant of the company: refund the overpayment."""
        account = self.account_id.sudo()
        group = self.env.ref("patient_collections.group_collections_accountant")
        # the accountants themselves, not the managers who are accountants too
        accountants = group.sudo().users.filtered(
            lambda user: (
                not user.share
                and user.active
                and account.company_id in user.company_ids
                and not user.has_group(MANAGER_GROUP)
            )
        )
        user = accountants.sorted("id")[:1] or account._collections_manager()
        if not user:
            return
        account.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=self.env._("Refund due: %(amount)s", amount=account.currency_id.format(amount)),
            note=self.env._(
                "Financial assistance %(name)s was approved: the guarantor paid %(amount)s more "
                "than the discounted amount. Refund it from the open credit note(s).",
                name=self.name,
                amount=account.currency_id.format(amount),
            ),
        )

    # ------------------------------------------------------------------ the decision letter

    def _decision_text(self):
        self.ensure_one()
        currency = self.currency_id
        if self.state == "approved":
            text = self.env._(
                "Your application %(name)s for financial assistance was approved: a discount "
                "of %(percent)s %% (%(amount)s) was applied to your bills.",
                name=self.name,
                percent=f"{self.applied_discount_percent:g}",
                amount=currency.format(self.discount_amount),
            )
            if self.refund_due > 0:
                text += " " + self.env._(
                    "You paid %(amount)s more than you owe: it will be refunded to you.",
                    amount=currency.format(self.refund_due),
                )
            return text
        return self.env._(
            "Your application %(name)s for financial assistance was not approved. Reason: "
            "%(reason)s You may apply again if your situation changes, or ask us about a "
            "payment plan.",
            name=self.name,
            reason=self.deny_reason,
        )

    def _log_decision(self):
        """The decision in the application's and the account's chatter, and as a letter
        to the guarantor (an interaction), unless they asked us to cease contact."""
        self.ensure_one()
        account = self.account_id.sudo()
        text = self._decision_text()
        attachment = self._decision_letter_attachment(text)
        self.sudo()._message_log(body=Markup("<p>%s</p>") % text)
        account._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Financial assistance %(name)s: %(state)s.",
                name=self.name,
                state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            ),
            attachment_ids=attachment.ids,
        )
        if account.cease_communication:
            return
        trusted(self.env["patient.interaction"].sudo(), patient_interaction_logged=True).create(
            {
                "account_id": account.id,
                "channel": "letter",
                "outcome": "other",
                "note": text[:2000],
            }
        )

    def _decision_letter_attachment(self, text):
        """The decision letter, a PDF in the statement's look, attached to the account."""
        from ..logic import pdf_assistance_letter  # noqa: PLC0415 - reportlab on demand

        account = self.account_id.sudo()
        company = account.company_id
        partner = account.partner_id
        pdf = pdf_assistance_letter.render(
            {
                "company_name": company.name or "",
                "company_address": company.partner_id._display_address(without_company=True),
                "date": str(fields.Date.context_today(self)),
                "account": account.name or "",
                "guarantor_name": partner.name or "",
                "guarantor_address": partner._display_address(without_company=True),
                "title": self.env._("Your financial assistance application"),
                "body": text,
                "notice": company.collections_assistance_notice or "",
            }
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._("Financial assistance %(name)s.pdf", name=self.name),
                    "raw": pdf,
                    "res_model": "patient.account",
                    "res_id": account.id,
                    "mimetype": "application/pdf",
                }
            )
        )

    # ------------------------------------------------------------------ demo data

    @api.model
    def _demo_assistance(self, approved_guarantor, pending_guarantor, writeoff_guarantor):
        """Demo data (demo/patient_assistance_demo.xml): the main company's charity and
        write-off accounts (its first expense account, when none is set), one approved
        application, one pending, and a posted write-off."""
        company = self.env.ref("base.main_company")
        expense = self.env["account.account"].search(
            [
                *self.env["account.account"]._check_company_domain(company),
                ("account_type", "=", "expense"),
            ],
            limit=1,
        )
        if not expense:
            return
        settings = {
            "collections_charity_account_id": expense.id,
            **{
                f"collections_writeoff_account_{reason}_id": expense.id
                for reason in ("small_balance", "bad_debt", "administrative")
            },
        }
        company.write({key: value for key, value in settings.items() if not company[key]})
        Account = self.env["patient.account"]

        def account_of(partner_xmlid):
            partner = self.env.ref(partner_xmlid)
            return Account.search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1
            )

        approved = account_of(approved_guarantor)
        if approved and approved.balance_due > 0:
            application = self.create(
                {
                    "account_id": approved.id,
                    "household_size": 3,
                    "annual_income": 30000,
                    "note": "Demo: pay slips and tax return received.",
                }
            )
            try:
                with self.env.cr.savepoint():
                    application._approve()
            except UserError:
                # the demo invoices may all wait for insurance: the application stays open
                _logger.info("Demo application id %s left open: nothing to approve", application.id)
        pending = account_of(pending_guarantor)
        if pending:
            self.create(
                {
                    "account_id": pending.id,
                    "household_size": 2,
                    "annual_income": 41000,
                    "note": "Demo: waiting for the last pay slip.",
                }
            ).action_submit()
        written_off = account_of(writeoff_guarantor)
        if written_off and written_off.balance_due > 0:
            amount = min(written_off.balance_due, 20.0)
            self.env["patient.writeoff"]._propose(
                written_off, amount, "administrative", note="Demo: billing error"
            )
