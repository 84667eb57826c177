"""Approving a financial-assistance application posts its discount: one credit
note per eligible invoice on the company's charity-care account, reconciled
with what is still open of it; what the guarantor paid above the discounted
amount is the refund due (501(r)), an accountant's activity."""

from datetime import timedelta

from odoo import Command, models
from odoo.exceptions import UserError

from .patient_account import MANAGER_GROUP
from .patient_financial_assistance import SCALE_FIELDS
from .patient_protected import trusted


class PatientFinancialAssistance(models.Model):
    _inherit = "patient.financial.assistance"

    def _approve(self):
        """Approve this application: its discount posted on the eligible invoices,
        the decision recorded, then the hold lifted, the refund due scheduled and
        the decision letter sent."""
        self.ensure_one()
        percent = self._approvable_discount_percent()
        charity = self._charity_account()
        invoices = self._eligible_invoices()
        # _after_approval lowers the account's plan by the discount, naming it
        self.env["patient.payment.plan"]._credits_lowered_by_caller(self.account_id)
        credit_notes, discount, refund_due = self._post_discount(invoices, percent, charity)
        self._record_approval(percent, invoices, credit_notes, discount, refund_due)
        self._after_approval(refund_due)

    def _approvable_discount_percent(self):
        """The discount this application gets on the sliding scale, or a UserError
        saying what to enter or to deny it.  Judged on the scale computed afresh from
        what was entered, never on stored figures."""
        self.env.add_to_compute(self._fields["year"], self)
        for name in SCALE_FIELDS:
            self.env.add_to_compute(self._fields[name], self)
        if self.guideline_missing and not self.presumptive_reason:
            self.env["patient.poverty.guideline"]._guideline_for(
                self.year, self.region, self.household_size
            )  # raises the clear error naming the guideline to enter
        percent = self.discount_percent
        if percent <= 0:
            self.env["patient.assistance.tier"]._check_scale(self.company_id)
            raise UserError(
                self.env._(
                    "At %(fpl)s %% of the poverty guideline the household is above the "
                    "sliding scale: deny the application (or check the income and household "
                    "size).",
                    fpl=format(self.fpl_percent, "g"),
                )
            )
        return percent

    def _charity_account(self):
        """The company's charity-care account, or a UserError asking a manager to set it."""
        company = self.company_id
        charity = company._collections_posting_account("collections_charity_account_id")
        if not charity:
            raise UserError(
                self.env._(
                    "No charity care account in the collections settings of %(company)s: a "
                    "collections manager sets it before an application is approved.",
                    company=company.name,
                )
            )
        return charity

    def _record_approval(self, percent, invoices, credit_notes, discount, refund_due):
        """The decision and what it posted, on the application."""
        # the entries' links are the accountants' fields: written as the module
        trusted(self.sudo()).write(
            {
                "state": "approved",
                "decided_by_id": self.env.user.id,
                "decision_date": self.company_id._patient_today(),
                "applied_discount_percent": percent,
                "discount_amount": discount,
                "refund_due": refund_due,
                "invoice_ids": [Command.set(invoices.ids)],
                "credit_note_ids": [Command.set(credit_notes.ids)],
            }
        )

    def _after_approval(self, refund_due):
        """The hold lifted, the balances from the ledger, the refund due for an
        accountant, the decision letter, the resolved stage if nothing is left."""
        self._release_accounts(self.env._("The financial-assistance application was approved."))
        account = self.account_id.sudo()
        account._on_accounting_change()
        if refund_due > 0:
            self._schedule_refund(refund_due)
        self._log_decision()
        # what the discount took off the balance (the rest is the refund due)
        credit = self.discount_amount - refund_due
        label = self.env._("Financial assistance %(name)s", name=self.name)
        self.env["patient.writeoff"]._resolve_settled(account, {account.id: [(credit, label)]})

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
        responsibility (what was billed less what was credited), on the
        charity-care account with the invoice's taxes, reconciled with what is
        still open of it and then of the other invoices discounted; what the
        guarantor paid beyond what they owe after it is the refund due.  Returns
        (credit notes, discount, refund due)."""
        currency = self.company_id.currency_id
        today = self._discount_date(invoices)  # before anything is written
        self._apply_open_credits(invoices)
        corrected, written = self._credited(invoices)
        discounted, amounts, vals_list = self._discount_credit_note_vals(
            invoices, percent, charity, (corrected, written), today
        )
        if not vals_list and any([*corrected.values(), *written.values()]):
            # credit notes and write-offs took off more than the discount: nothing to credit
            return self.env["account.move"], 0.0, 0.0
        if not vals_list:
            raise UserError(
                self.env._(
                    "No invoice of this account is eligible (posted, not waiting for insurance, "
                    "with a date of service in the policy's look-back, not discounted already): "
                    "nothing to discount."
                )
            )
        credit_notes = (
            self.env["account.move"].sudo().with_company(self.company_id).create(vals_list)
        )
        self._round_discount_notes(credit_notes, amounts, charity)
        credit_notes.action_post()
        self._reconcile_discount(discounted, credit_notes)
        discount = sum(credit_notes.mapped("amount_total_signed")) * -1
        return credit_notes, currency.round(discount), self._refund_due(credit_notes)

    def _discount_credit_note_vals(self, invoices, percent, charity, credited, today):
        """(invoices discounted, discounts, credit note values in the same order):
        ``percent`` of what each invoice billed less what credit notes corrected,
        less what was written off of it (``credited``: ({invoice id: corrected},
        {invoice id: written off})): neither is a payment, so neither is refunded;
        its lines and taxes in proportion; invoices whose discount rounds to zero
        are left out."""
        currency = self.company_id.currency_id
        vals_list, amounts = [], []
        corrected, written = credited
        discounted = invoices.browse()
        for invoice in invoices:
            charged = max(invoice.amount_total_signed - corrected.get(invoice.id, 0.0), 0.0)
            amount = currency.round(charged * percent / 100.0 - written.get(invoice.id, 0.0))
            if currency.is_zero(amount) or amount < 0:
                continue
            discounted |= invoice
            amounts.append(amount)
            vals_list.append(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "patient_id": invoice.patient_id.id,
                    "journal_id": invoice.journal_id.id,
                    "currency_id": currency.id,
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    # the accounting date follows from it by Odoo's rule (lock dates)
                    "invoice_date": today,
                    "ref": self.env._(
                        "Financial assistance %(name)s: %(percent)s %% of %(invoice)s",
                        name=self.name,
                        percent=format(percent, "g"),
                        invoice=invoice.name,
                    ),
                    "invoice_line_ids": [
                        Command.create(vals)
                        for vals in self._discount_lines_vals(invoice, amount, charity)
                    ],
                }
            )
        return discounted, amounts, vals_list

    def _reconcile_discount(self, invoices, credit_notes):
        """Each credit note reconciled with what is still open of its invoice, then
        what is left of the credit notes with what is still open of the other
        invoices discounted (per receivable account), in one reconciliation: only
        what the guarantor paid above the discounted total stays open, to refund."""
        by_account = {}
        for invoice, note in zip(invoices, credit_notes, strict=True):
            lines = (invoice.line_ids | note.line_ids).filtered(
                lambda line: line.account_type == "asset_receivable" and not line.reconciled
            )
            for account, group in lines.grouped("account_id").items():
                by_account.setdefault(account, []).append(group)
        # a nested plan: each group first, then what is left of all of them together
        plan = list(by_account.values())
        if plan:
            self.env["account.move.line"].sudo()._reconcile_plan(plan)

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
        summary = self.env._("Refund due: %(amount)s", amount=account.currency_id.format(amount))
        note = self.env._(
            "Financial assistance %(name)s was approved: the guarantor paid %(amount)s more "
            "than the discounted amount. Refund it from the open credit note(s).",
            name=self.name,
            amount=account.currency_id.format(amount),
        )
        # the refund due is the account's whole overpayment: an earlier approval's
        # refund not made yet is part of it, its to-do now says the total (two
        # to-dos would refund the same money twice)
        account._schedule_once(
            "patient_collections.mail_activity_type_refund_due",
            summary,
            note,
            user=accountants.sorted("id")[:1] or account._collections_manager(),
        )
