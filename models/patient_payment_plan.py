from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..logic import plan_status
from .patient_account import MANAGER_GROUP
from .patient_protected import is_trusted, trusted

# What a user may still change on a plan: the signed agreement, once scanned.
USER_FIELDS = frozenset({"agreement", "agreement_filename"})
# the plan's progress, computed from its installments (_compute_progress), also
# written in SQL by the set-based creation and allocation
PROGRESS_FIELDS = (
    "amount_paid",
    "amount_remaining",
    "next_due_date",
    "next_due_amount",
    "missed_count",
    "open_due_date",
)
# accounts whose credits this transaction's write-off or assistance lowers the
# plans by itself, with its own note (transaction data: never a client's value)
OWN_CREDITS = "patient_collections.plan_credits_by_caller"

FREQUENCIES = [("weekly", "Weekly"), ("biweekly", "Every two weeks"), ("monthly", "Monthly")]


class PatientPaymentPlan(models.Model):
    _name = "patient.payment.plan"
    _description = "Patient Payment Plan"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

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
    open_due_date = fields.Date(
        string="Oldest Open Installment",
        compute="_compute_progress",
        store=True,
        help="Due date of the oldest installment not paid and not missed: the nightly "
        "sweep looks at the plan when its grace days are over.",
    )
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
            rows = [
                (i.due_date, i.sequence, i.state, i.amount_paid, i.amount_due)
                for i in plan.installment_ids
            ]
            unpaid = min(
                (
                    (due, seq, amount_due)
                    for due, seq, state, _p, amount_due in rows
                    if state != "paid"
                ),
                default=(False, 0, 0.0),
            )
            paid = sum(row[3] for row in rows)
            plan.amount_paid = paid
            plan.amount_remaining = plan.total_amount - paid
            plan.next_due_date = unpaid[0]
            plan.next_due_amount = unpaid[2]
            plan.missed_count = sum(row[2] == "missed" for row in rows)
            plan.open_due_date = min(
                (row[0] for row in rows if row[2] in ("open", "partial")), default=False
            )

    def init(self):
        # one active plan per account, even under concurrent confirmations
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS patient_payment_plan_one_active_idx "
                "ON patient_payment_plan (account_id) WHERE state = 'active'"
            )
        )

    def _company_today(self, company=None):
        """Today on the company's calendar (res.company._patient_today): the date
        of record of plans, their installments and payments."""
        return (company or self.company_id[:1] or self.env.company)._patient_today()

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
            had_agreement = self._check_agreement_change(vals)
            result = super().write(vals)
            self._log_agreement_change(vals, had_agreement)
            return result
        return super().write(vals)

    def _check_agreement_change(self, vals):
        """{plan id: whether it had a signed agreement} when ``vals`` changes it.
        The signed agreement is the record of what the guarantor agreed to: a
        specialist attaches it; only a collections manager replaces or removes one
        (a wrong scan), and every change is logged on the plan."""
        if "agreement" not in vals:
            return {}
        had = {plan.id: bool(plan.agreement) for plan in self.sudo().with_context(bin_size=True)}
        user = self.env.user
        if any(had.values()) and not user._is_superuser() and not user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "%(plans)s: a signed agreement is already attached. Only a collections "
                    "manager replaces or removes it.",
                    plans=", ".join(plan.name for plan in self.sudo() if had[plan.id]),
                )
            )
        return had

    def _log_agreement_change(self, vals, had_agreement):
        """A line on each plan whose signed agreement was attached, replaced or removed."""
        if "agreement" not in vals:
            return
        name = vals.get("agreement_filename") or ""
        bodies = {}
        for plan in self:
            if vals["agreement"]:
                text = (
                    self.env._("Signed agreement replaced: %(file)s", file=name)
                    if had_agreement.get(plan.id)
                    else self.env._("Signed agreement attached: %(file)s", file=name)
                )
            elif had_agreement.get(plan.id):
                text = self.env._("Signed agreement removed.")
            else:
                continue
            bodies[plan.id] = Markup("<p>%s</p>") % text
        if bodies:
            self.browse(list(bodies)).sudo()._message_log_batch(bodies=bodies)

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
        cancelled = self.sudo()
        cancelled._cancel()
        for account in cancelled.account_id:
            account._return_to_escalation()
        return True

    def _cancel(self, today=None):
        """Cancel these plans, ended on ``today`` (default: each company's calendar
        date): the state and end date, written as the module.  The caller checked
        that the user may (``action_cancel``) or that the module must (an account
        left with nothing to pay); what follows for the accounts is the caller's."""
        for company, plans in self.grouped("company_id").items():
            trusted(plans.sudo()).write(
                {"state": "cancelled", "end_date": today or self._company_today(company)}
            )

    # ------------------------------------------------------------------ credits

    @api.model
    def _lower_for_credits(self, accounts, credits):
        """What was taken off these accounts' balances outside payments (a partial
        write-off, an approved financial-assistance discount) comes off their
        active plans too, or the unpaid installments would add up to more than the
        guarantor owes, and be missed and default the plan once the balance is paid.
        ``credits``: {account id: [(amount, source label)]}.  The installments are
        lowered from the last one backwards (the allocation fills them oldest
        first, so what was paid stays where it is); one lowered to nothing is
        removed; the total follows; a note on the plan says so.  The payments are
        then allocated again (the states, the progress and the sweep's bookkeeping:
        payments_key, open_due_date), and a plan left with nothing to pay completes.
        The accounts' balances and allocation are up to date (_on_accounting_change).
        Returns {plan id: how much it was lowered} (a reversed write-off raises it
        back by that: ``_raise_back``)."""
        plans = accounts.sudo().plan_ids.filtered(
            lambda plan: plan.state == "active" and credits.get(plan.account_id.id)
        )
        if not plans:
            return {}
        # {new amount: installment ids}, installments removed, {plan id: new total},
        # {plan id: how much it was lowered}
        new_amounts, removed, totals, notes = {}, [], {}, {}
        for plan in plans:
            currency = plan.currency_id
            credit = currency.round(sum(amount for amount, _s in credits[plan.account_id.id]))
            left = credit
            unpaid = plan.installment_ids.filtered(lambda i: i.state != "paid").sorted(
                lambda i: (i.due_date, i.id), reverse=True
            )
            for installment in unpaid:
                if currency.compare_amounts(left, 0) <= 0:
                    break
                cut = min(left, currency.round(installment.amount_due))
                if currency.compare_amounts(cut, 0) <= 0:
                    continue
                amount = currency.round(installment.amount - cut)
                if currency.is_zero(amount):
                    removed.append(installment.id)
                else:
                    new_amounts.setdefault(amount, []).append(installment.id)
                left = currency.round(left - cut)
            lowered = currency.round(credit - left)
            if currency.is_zero(lowered):
                continue
            totals[plan.id] = currency.round(plan.total_amount - lowered)
            notes[plan.id] = lowered
        if not totals:
            return {}
        Installment = trusted(self.env["patient.payment.plan.installment"].sudo())
        for amount, ids in new_amounts.items():
            Installment.browse(ids).write({"amount": amount})
        Installment.browse(removed).unlink()
        lowered_plans = trusted(plans.browse(list(totals)))
        for total, group in lowered_plans.grouped(lambda plan: totals[plan.id]).items():
            group.write({"total_amount": total})
        lowered_plans._mark_stale()
        lowered_plans._allocate_payments()
        lowered_plans._message_log_batch(
            bodies={
                plan.id: Markup("<p>%s</p>")
                % plan._lowered_note(credits[plan.account_id.id], notes[plan.id])
                for plan in lowered_plans
            }
        )
        lowered_plans._complete_emptied()
        return notes

    def _lowered_note(self, sources, lowered):
        """The plan's chatter line: what lowered it, by how much, what is left."""
        self.ensure_one()
        fmt = self.currency_id.format
        left = sum(
            installment.amount_due
            for installment in self.installment_ids
            if installment.state != "paid"
        )
        return self.env._(
            "%(sources)s took %(credit)s off the account's balance: the plan's last unpaid "
            "installments are lowered by %(lowered)s (an installment lowered to nothing is "
            "removed). Left to pay on the plan: %(left)s.",
            sources=", ".join(label for _a, label in sources),
            credit=fmt(sum(amount for amount, _l in sources)),
            lowered=fmt(lowered),
            left=fmt(left),
        )

    def _complete_emptied(self):
        """Those of these active plans with no installment left (all of them were
        lowered to nothing) complete: nothing is left to pay on them."""
        emptied = self.filtered(lambda plan: plan.state == "active" and not plan.installment_ids)
        if not emptied:
            return
        for company, plans in emptied.grouped("company_id").items():
            ends = dict.fromkeys(plans.ids, plan_status.COMPLETED)
            today = self._company_today(company)
            plans._write_progress(today, ends=ends)
            plans._close(today, ends, {})

    @api.model
    def _credits_lowered_by_caller(self, accounts):
        """The caller (a write-off, a financial-assistance discount) lowers the plans
        of ``accounts`` by its credit itself: ``_lower_to_owed`` leaves them alone
        until the end of the transaction."""
        self.env.cr.precommit.data.setdefault(OWN_CREDITS, set()).update(accounts.ids)

    def _lower_to_owed(self):
        """Those of these active plans left to collect more than their account's
        open items still owe (credit notes, adjustments or someone else's
        payments took it off, not the guarantor's payments the plan counts) are
        lowered to what is owed, or cancelled with the account resolved when nothing
        is (``patient.writeoff._resolve_settled``): else their installments would be
        missed and the plan defaulted over money nobody owes."""
        skip = self.env.cr.precommit.data.get(OWN_CREDITS, ())
        plans = self.sudo().filtered(
            lambda plan: plan.state == "active" and plan.account_id.id not in skip
        )
        if not plans:
            return
        owed = plans.account_id._open_debts()
        label = self.env._("Credits on the account's invoices (credit notes, adjustments)")
        credits = {}
        for plan in plans:
            currency = plan.currency_id
            excess = currency.round(plan.amount_remaining - owed.get(plan.account_id.id, 0.0))
            if currency.compare_amounts(excess, 0) > 0:
                credits[plan.account_id.id] = [(excess, label)]
        if credits:
            accounts = plans.account_id.filtered(lambda account: account.id in credits)
            self.env["patient.writeoff"]._resolve_settled(accounts, credits)

    def action_register_payment(self):
        """Odoo's payment registration on the account's open invoices, with the next
        installment's amount filled in."""
        self.ensure_one()
        self.check_access("read")
        if self.state != "active":
            # a form opened before the plan was cancelled, completed or defaulted
            state = dict(self._fields["state"]._description_selection(self.env))[self.state]
            raise UserError(
                self.env._(
                    "%(plan)s is %(state)s: it takes no more payments. Register the "
                    "guarantor's payment on the account's invoices instead.",
                    plan=self.name,
                    state=state,
                )
            )
        # the plan is on the balance due: not on claims the insurer still has (read
        # as superuser: the claim's status is PHI, the invoices' access is Odoo's)
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("patient_account_id", "=", self.account_id.id),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("amount_residual", ">", 0),
                    ("insurance_status", "!=", "pending"),
                ],
                order="invoice_date_due, id",
            )
            .with_env(self.env)
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
                # the installment's amount is in the plan's currency (the company's),
                # whatever the invoices' currency
                "default_currency_id": self.currency_id.id,
                "default_amount": amount,
                # a date of record: the company's calendar date, not the user's
                "default_payment_date": fields.Date.to_string(self.company_id._patient_today()),
            },
        }
