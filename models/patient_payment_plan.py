from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import plan_schedule
from .patient_protected import is_trusted, trusted

# What a user may still change on a plan: the signed agreement, once scanned.
USER_FIELDS = frozenset({"agreement", "agreement_filename"})
FREQUENCIES = [("weekly", "Weekly"), ("biweekly", "Every two weeks"), ("monthly", "Monthly")]


class PatientPaymentPlan(models.Model):
    _name = "patient.payment.plan"
    _description = "Patient Payment Plan"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _reportlab_reports = {"patient_collections.report_payment_plan_agreement": "_agreement_pdfs"}

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    account_id = fields.Many2one(
        "patient.account",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="account_id.partner_id", store=True, index=True, string="Guarantor"
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id", store=True)
    total_amount = fields.Monetary(required=True, tracking=True)
    down_payment = fields.Monetary()
    installment_count = fields.Integer(help="Number of installments, the down payment aside.")
    installment_amount = fields.Monetary(help="Amount of each installment but the last.")
    frequency = fields.Selection(FREQUENCIES, required=True, default="monthly")
    first_due_date = fields.Date(required=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("defaulted", "Defaulted"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    activation_date = fields.Date(readonly=True, copy=False)
    end_date = fields.Date(
        readonly=True, copy=False, help="When it completed, defaulted or was cancelled."
    )
    installment_ids = fields.One2many(
        "patient.payment.plan.installment", "plan_id", string="Installments", readonly=True
    )
    amount_paid = fields.Monetary(compute="_compute_progress", store=True)
    amount_remaining = fields.Monetary(compute="_compute_progress", store=True)
    next_due_date = fields.Date(compute="_compute_progress", store=True, index=True)
    next_due_amount = fields.Monetary(compute="_compute_progress", store=True)
    missed_count = fields.Integer(compute="_compute_progress", store=True)
    agreement = fields.Binary(string="Signed Agreement", attachment=True, copy=False)
    agreement_filename = fields.Char(copy=False)

    @api.depends(
        "total_amount",
        "installment_ids.amount",
        "installment_ids.amount_paid",
        "installment_ids.state",
        "installment_ids.due_date",
    )
    def _compute_progress(self):
        for plan in self:
            installments = plan.installment_ids
            paid = sum(installments.mapped("amount_paid"))
            unpaid = installments.filtered(lambda i: i.state != "paid").sorted(
                lambda i: (i.due_date, i.sequence)
            )
            plan.amount_paid = paid
            plan.amount_remaining = plan.total_amount - paid
            plan.next_due_date = unpaid[:1].due_date
            plan.next_due_amount = unpaid[:1].amount_due if unpaid else 0.0
            plan.missed_count = len(installments.filtered(lambda i: i.state == "missed"))

    def init(self):
        # one active plan per account, even under concurrent confirmations
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS patient_payment_plan_one_active_idx "
                "ON patient_payment_plan (account_id) WHERE state = 'active'"
            )
        )

    # ------------------------------------------------------------------ creation

    @api.model
    def _terms_problems(self, account, terms, today):
        """Messages for what is wrong with the terms ([] when a plan can be made)."""
        company = account.company_id
        codes = plan_schedule.validate(
            terms["total_amount"],
            terms.get("down_payment") or 0.0,
            terms["frequency"],
            terms["first_due_date"],
            today,
            account.balance_due,
            installment_count=terms.get("installment_count"),
            installment_amount=terms.get("installment_amount"),
            minimum_installment=company.collections_plan_min_installment,
            max_term_months=company.collections_plan_max_months,
            digits=account.currency_id.decimal_places,
            max_installments=company.collections_plan_max_installments,
        )
        fmt = account.currency_id.format
        messages = {
            plan_schedule.ERR_TOTAL: self.env._("The plan's total must be more than zero."),
            plan_schedule.ERR_TOTAL_ABOVE_BALANCE: self.env._(
                "The plan's total cannot be more than the balance due (%(balance)s; "
                "insurance-pending amounts are not part of it).",
                balance=fmt(account.balance_due),
            ),
            plan_schedule.ERR_DOWN_NEGATIVE: self.env._("The down payment cannot be negative."),
            plan_schedule.ERR_DOWN_ABOVE_TOTAL: self.env._(
                "The down payment must be less than the plan's total."
            ),
            plan_schedule.ERR_CHOOSE_ONE: self.env._(
                "Choose either the number of installments or the installment amount."
            ),
            plan_schedule.ERR_COUNT: self.env._("The number of installments must be at least one."),
            plan_schedule.ERR_AMOUNT: self.env._("The installment amount must be more than zero."),
            plan_schedule.ERR_FIRST_DUE_PAST: self.env._(
                "The first installment cannot be due in the past: choose today or later."
            ),
            plan_schedule.ERR_BELOW_MINIMUM: self.env._(
                "Installments must be at least %(minimum)s (the last one may be less): "
                "choose fewer installments or a larger amount.",
                minimum=fmt(company.collections_plan_min_installment),
            ),
            plan_schedule.ERR_TERM: self.env._(
                "The plan would last more than %(months)s months: choose more per "
                "installment, fewer installments or a more frequent schedule.",
                months=company.collections_plan_max_months,
            ),
            plan_schedule.ERR_FREQUENCY: self.env._("Choose how often installments are due."),
            plan_schedule.ERR_TOO_MANY: self.env._(
                "A plan has at most %(count)s installments (Collections Settings): choose "
                "fewer installments or a larger amount.",
                count=company.collections_plan_max_installments,
            ),
        }
        problems = [messages[code] for code in codes]
        if account.sudo().plan_ids.filtered(lambda plan: plan.state == "active"):
            problems.append(
                self.env._(
                    "%(account)s already has an active payment plan: complete or cancel it first.",
                    account=account.name,
                )
            )
        return problems

    @api.model
    def _prepare_plan_vals(self, account, terms, today):
        """The values of a draft plan and its schedule (the terms are valid)."""
        schedule = plan_schedule.build_schedule(
            terms["total_amount"],
            terms.get("down_payment") or 0.0,
            terms["frequency"],
            terms["first_due_date"],
            installment_count=terms.get("installment_count"),
            installment_amount=terms.get("installment_amount"),
            start_date=today,
            digits=account.currency_id.decimal_places,
        )
        installments = [line for line in schedule if line.sequence > 0]
        return {
            "account_id": account.id,
            "total_amount": terms["total_amount"],
            "down_payment": terms.get("down_payment") or 0.0,
            "installment_count": len(installments),
            "installment_amount": float(installments[0].amount),
            "frequency": terms["frequency"],
            "first_due_date": terms["first_due_date"],
            "installment_ids": [
                fields.Command.create(
                    {
                        "sequence": line.sequence,
                        "due_date": line.due_date,
                        "amount": float(line.amount),
                    }
                )
                for line in schedule
            ],
        }

    @api.model
    def _create_plans(self, requests, channel="phone_in"):
        """Create and activate plans for (account, terms) pairs, refusing them all
        with every problem found before anything is written."""
        today = fields.Date.context_today(self)
        # installments are written by the plan only: created with it as superuser
        self.check_access("create")
        accounts = self.env["patient.account"].browse([a.id for a, _t in requests])
        accounts.check_access("write")
        accounts._check_owner()
        problems = []
        for account, terms in requests:
            problems += [
                f"{account.name}: {text}" for text in self._terms_problems(account, terms, today)
            ]
        if problems:
            raise UserError("\n".join(problems))
        plans = trusted(self.sudo()).create(
            [self._prepare_plan_vals(a, t, today) for a, t in requests]
        )
        plans._activate(channel=channel)
        return plans.with_env(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise UserError(
                self.env._(
                    "Payment plans are made with the Payment Plan button of the patient "
                    "account, which checks the terms and builds the schedule."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("patient.payment.plan") or "/"
        return super().create(vals_list)

    def _activate(self, channel="phone_in"):
        """Activate draft plans: the accounts go to the payment plan stage, each
        gets an interaction and a chatter line.  Called as superuser, once the
        caller checked the user's rights (see _create_plans)."""
        today = fields.Date.context_today(self)
        self.write({"state": "active", "activation_date": today})
        stage = self.env.ref("patient_collections.stage_payment_plan", raise_if_not_found=False)
        accounts = self.account_id
        if stage:
            trusted(accounts.filtered(lambda a: a.stage_id != stage), collections_run=True).write(
                {"stage_id": stage.id}
            )
        trusted(self.env["patient.interaction"]).create(
            [
                {
                    "account_id": plan.account_id.id,
                    "channel": channel,
                    "outcome": "reached",
                    "note": self.env._("Payment plan %(plan)s agreed.", plan=plan.name),
                }
                for plan in self
            ]
        )
        for plan in self:
            plan.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Payment plan %(plan)s: %(total)s in %(count)s installments from %(date)s.",
                    plan=plan.name,
                    total=plan.currency_id.format(plan.total_amount),
                    count=plan.installment_count,
                    date=plan.first_due_date,
                )
            )

    # ------------------------------------------------------------------ actions

    def write(self, vals):
        if not is_trusted(self.env):
            locked = {
                name
                for name in vals
                if name not in USER_FIELDS and not name.startswith(("message_", "activity_"))
            }
            if locked:
                raise UserError(
                    self.env._(
                        "A payment plan's terms and payments are a record of what was agreed "
                        "and paid: they cannot be edited. Cancel the plan and make a new one."
                    )
                )
            self.account_id._check_owner()
        return super().write(vals)

    def action_cancel(self):
        self.check_access("read")
        self.account_id._check_owner()
        for plan in self:
            if plan.state not in ("draft", "active"):
                raise UserError(
                    self.env._(
                        "Only a draft or active plan can be cancelled (%(plan)s).", plan=plan.name
                    )
                )
        cancelled = trusted(self.sudo())
        cancelled.write({"state": "cancelled", "end_date": fields.Date.context_today(self)})
        for account in cancelled.account_id:
            account._return_to_escalation()
        return True

    def action_register_payment(self):
        """Odoo's payment registration on the account's open invoices, with the next
        installment's amount filled in."""
        self.ensure_one()
        self.check_access("read")
        invoices = self.env["account.move"].search(
            [
                ("patient_account_id", "=", self.account_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due, id",
        )
        if not invoices:
            raise UserError(self.env._("The account has no open invoice to register a payment on."))
        amount = self.next_due_amount or self.amount_remaining
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register Payment"),
            "res_model": "account.payment.register",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": "account.move",
                "active_ids": invoices.ids,
                "default_group_payment": True,
                "default_amount": amount,
            },
        }

    def action_print_agreement(self):
        self.check_access("read")
        return self.env.ref(
            "patient_collections.action_report_payment_plan_agreement"
        ).report_action(self)

    # ------------------------------------------------------------------ payments

    def _payments_since_activation(self):
        """{plan id: [(date, amount, payment id)]}: the guarantor's payments reconciled
        with the account's invoices since the plan started, in company currency."""
        if not self:
            return {}
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "date"])
        self.env["account.move"].flush_model(
            ["state", "patient_account_id", "origin_payment_id", "statement_line_id"]
        )
        self.flush_model(["account_id", "activation_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT plan.id, credit_line.date, partial.amount, pay_move.origin_payment_id,
                       partial.id
                  FROM patient_payment_plan plan
                  JOIN account_move invoice ON invoice.patient_account_id = plan.account_id
                  JOIN account_move_line debit_line ON debit_line.move_id = invoice.id
                  JOIN account_partial_reconcile partial
                    ON partial.debit_move_id = debit_line.id
                  JOIN account_move_line credit_line ON credit_line.id = partial.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = credit_line.move_id
                 WHERE plan.id = ANY(%s)
                   AND invoice.state = 'posted'
                   AND pay_move.state = 'posted'
                   AND (pay_move.origin_payment_id IS NOT NULL
                        OR pay_move.statement_line_id IS NOT NULL)
                   AND credit_line.date >= plan.activation_date
                """,
                self.ids,
            )
        )
        payments = defaultdict(list)
        for plan_id, date, amount, payment_id, partial_id in self.env.cr.fetchall():
            payments[plan_id].append((date, amount, payment_id or f"partial-{partial_id}"))
        return payments

    def _lock_for_allocation(self):
        """Serialize allocations of the same plans across transactions."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM patient_payment_plan WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    self.ids,
                )
            )

    def _allocate_payments(self, today=None):
        """Spread the payments over the installments again, from scratch, and update
        the installments' paid amounts and states (only the ones that change).
        Follows the accounting whoever posted the payment: runs as superuser."""
        plans = trusted(self.sudo()).filtered(lambda plan: plan.state == "active")
        if not plans:
            return
        today = today or fields.Date.context_today(self)
        plans._lock_for_allocation()
        payments = plans._payments_since_activation()
        changes = defaultdict(list)
        payment_links = {}
        for plan in plans:
            grace = timedelta(days=plan.company_id.collections_plan_grace_days)
            installments = plan.installment_ids
            allocation = plan_schedule.allocate(
                [(i.id, i.due_date, i.amount) for i in installments],
                payments.get(plan.id, []),
                digits=plan.currency_id.decimal_places,
            )
            for installment in installments:
                result = allocation[installment.id]
                paid = float(result.paid)
                if plan.currency_id.compare_amounts(paid, installment.amount) >= 0:
                    state = "paid"
                elif installment.due_date + grace < today:
                    state = "missed"
                elif paid > 0:
                    state = "partial"
                else:
                    state = "open"
                values = (paid, result.paid_date if state == "paid" else False, state)
                current = (installment.amount_paid, installment.paid_date, installment.state)
                if values != current:
                    changes[values].append(installment.id)
                payment_ids = sorted(ref for ref in result.payments if isinstance(ref, int))
                if payment_ids != sorted(installment.sudo().payment_ids.ids):
                    payment_links[installment.id] = payment_ids
        self.env["patient.payment.plan.installment"]._write_allocation(changes, payment_links)
        plans._close_if_done(today)

    def _close_if_done(self, today):
        """Complete fully paid plans; default plans with too many missed installments."""
        completed = self.filtered(
            lambda plan: (
                plan.installment_ids and all(i.state == "paid" for i in plan.installment_ids)
            )
        )
        defaulted = (self - completed).filtered(
            lambda plan: (
                plan.missed_count >= max(plan.company_id.collections_plan_misses_default, 1)
            )
        )
        if completed:
            completed.write({"state": "completed", "end_date": today})
            for plan in completed:
                plan.message_post(
                    body=self.env._("All installments are paid: the plan is complete.")
                )
                plan.account_id._message_log(
                    body=Markup("<p>%s</p>")
                    % self.env._("Payment plan %(plan)s completed.", plan=plan.name)
                )
            completed.account_id._return_to_escalation()
        if defaulted:
            defaulted.write({"state": "defaulted", "end_date": today})
            model_id = self.env["ir.model"]._get_id("patient.account")
            activities = []
            for plan in defaulted:
                plan.message_post(
                    body=self.env._(
                        "%(count)s installments missed: the plan is in default.",
                        count=plan.missed_count,
                    )
                )
                account = plan.account_id
                account._message_log(
                    body=Markup("<p>%s</p>")
                    % self.env._("Payment plan %(plan)s defaulted.", plan=plan.name)
                )
                activities.append(
                    {
                        "res_model_id": model_id,
                        "res_id": account.id,
                        "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                        "summary": self.env._("Payment plan defaulted: call the guarantor"),
                        "user_id": (account.user_id or self.env.user).id,
                        "date_deadline": today,
                    }
                )
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activities
            )
            defaulted.account_id._return_to_escalation()

    # ------------------------------------------------------------------ reports

    def _agreement_pdfs(self):
        from ..logic import pdf_plan_agreement  # noqa: PLC0415 - reportlab loads on demand

        return pdf_plan_agreement.render([plan._agreement_values() for plan in self])

    def _agreement_values(self):
        self.ensure_one()
        plan = self.sudo()
        company = plan.company_id
        fmt = plan.currency_id.format
        frequencies = dict(self._fields["frequency"]._description_selection(self.env))
        guarantor = plan.partner_id
        return {
            "practice": {
                "name": company.name,
                "address": company.partner_id._display_address(without_company=True),
                "phone": company.phone or "",
            },
            "account": plan.account_id.name,
            "plan": plan.name,
            "date": fields.Date.to_string(plan.activation_date or fields.Date.context_today(self)),
            "guarantor": guarantor.name,
            "guarantor_address": guarantor._display_address(without_company=True),
            "total": fmt(plan.total_amount),
            "down_payment": fmt(plan.down_payment),
            "frequency": frequencies[plan.frequency],
            "schedule": [
                [
                    self.env._("Down payment")
                    if line.sequence == 0
                    else self.env._("Installment %(number)s", number=line.sequence),
                    fields.Date.to_string(line.due_date),
                    fmt(line.amount),
                ]
                for line in plan.installment_ids
            ],
            "terms": [
                self.env._(
                    "The guarantor agrees to pay the amounts above by their due dates. Payments "
                    "are applied to the installments in order of their due dates."
                ),
                self.env._(
                    "An installment unpaid %(days)s days after its due date is missed; after "
                    "%(misses)s missed installments the plan ends and the remaining balance is "
                    "due.",
                    days=company.collections_plan_grace_days,
                    misses=company.collections_plan_misses_default,
                ),
            ],
            "labels": {
                "title": self.env._("Payment Plan Agreement"),
                "account": self.env._("Account"),
                "plan": self.env._("Plan"),
                "date": self.env._("Date"),
                "terms_heading": self.env._("Terms"),
                "total": self.env._("Total"),
                "down_payment": self.env._("Down payment"),
                "frequency": self.env._("Frequency"),
                "schedule_heading": self.env._("Schedule"),
                "installment": self.env._("Installment"),
                "due_date": self.env._("Due date"),
                "amount": self.env._("Amount"),
                "guarantor_signature": self.env._("Guarantor's signature"),
                "practice_signature": self.env._("For the practice"),
            },
        }
