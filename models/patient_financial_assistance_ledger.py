"""What an assistance discount is taken from and how its credit notes are built:
the account's open credits applied first (as Odoo would), the discount on what
was billed less what was credited (credit notes, write-offs: not payments), the
credit note mirroring the invoice's lines and taxes, dated by Odoo's own rule
after the lock dates, and the refund due (what the guarantor paid beyond what
they owe after the discount)."""

from odoo import Command, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date


class PatientFinancialAssistance(models.Model):
    _inherit = "patient.financial.assistance"

    # ------------------------------------------------------------------ open items

    def _open_receivable_lines(self):
        """The account's posted open receivable lines in company currency (its
        invoices and credit notes, entries without an invoice: payments not yet
        matched, and credit notes about no patient), as the balances count them
        (``open_items_from``)."""
        return self.account_id.sudo()._open_item_lines()

    def _apply_open_credits(self, invoices):
        """The account's open credits (payments not yet matched, credit notes) applied
        to what is still open of ``invoices``, oldest first, per receivable account,
        as Odoo's outstanding credits would be: the discount and the refund are then
        judged on the ledger as it stands.  Company currency only (another
        currency's matching and its exchange difference are left to the accountant)."""
        currency = self.company_id.currency_id
        lines = self._open_receivable_lines().filtered(lambda line: line.currency_id == currency)
        debits = lines.filtered(lambda line: line.move_id in invoices and line.amount_residual > 0)
        credits = lines.filtered(lambda line: line.amount_residual < 0)
        plan = []
        for account in debits.account_id:
            group = (debits | credits).filtered(lambda line, acc=account: line.account_id == acc)
            if group.filtered(lambda line: line.amount_residual < 0):
                plan.append(group)
        if plan:
            self.env["account.move.line"].sudo()._reconcile_plan(plan)

    def _money_moves(self):
        """The account's earlier assistance credit notes: what is left of them after
        their own invoices is what the guarantor overpaid, money like a payment."""
        return (
            self.sudo()
            .search([("account_id", "=", self.account_id.id), ("state", "=", "approved")])
            .credit_note_ids
        )

    @staticmethod
    def _is_payment(move, money_moves):
        return bool(move.origin_payment_id or move.statement_line_id or move in money_moves)

    def _counted(self, writeoff, invoices):
        """Whether this approved application counted ``writeoff`` (reconciled with
        ``invoices``) in its discount, as ``_credited`` did when it was approved: on
        an invoice it discounted, posted by then (on or before the decision date,
        its entry older than the approval's credit notes)."""
        self.ensure_one()
        application = self.sudo()
        if application.account_id != writeoff.account_id or not (
            application.invoice_ids & invoices
        ):
            return False
        if not (writeoff.date and writeoff.date <= application.decision_date):
            return False
        credit_notes = application.credit_note_ids
        return not credit_notes or writeoff.move_id.id < min(credit_notes.ids)

    def _credited(self, invoices):
        """({invoice id: what credit notes and other corrections took off it},
        {invoice id: what the account's posted write-offs took off it}), company
        currency; payments (and earlier assistance credit notes' money) are neither.
        A correction lowers the charge the discount is on; a write-off is the
        practice's, part of the discount already (not refunded), except an
        administrative one: the practice's error, a correction of the charge."""
        money = self._money_moves()
        writeoffs = (
            self.env["patient.writeoff"]
            .sudo()
            .search(
                [
                    ("account_id", "=", self.account_id.id),
                    ("state", "=", "posted"),
                    ("reason", "!=", "administrative"),
                ]
            )
            .move_id
        )
        corrected, written = {}, {}
        for invoice in invoices:
            receivable = invoice.line_ids.filtered(
                lambda line: line.account_id.account_type == "asset_receivable"
            )
            partials = receivable.matched_credit_ids
            exchange = partials.exchange_move_id
            corrected[invoice.id] = written[invoice.id] = 0.0
            for partial in partials:
                move = partial.credit_move_id.move_id
                if self._is_payment(move, money) or move in exchange:
                    continue
                target = written if move in writeoffs else corrected
                target[invoice.id] += partial.amount
        return corrected, written

    def _refund_due(self, credit_notes):
        """What the guarantor paid beyond what they owe after the discount: what is
        left of the assistance credit notes (payments above the discounted amounts)
        and the payments still unmatched, at most what the account is in credit
        (a credit note is no money paid; anything still owed is paid from it first)."""
        lines = self._open_receivable_lines()
        money = self._money_moves() | credit_notes
        paid = -sum(
            line.amount_residual
            for line in lines
            if line.amount_residual < 0 and self._is_payment(line.move_id, money)
        )
        in_credit = -sum(lines.mapped("amount_residual"))
        return self.company_id.currency_id.round(max(min(paid, in_credit), 0.0))

    # ------------------------------------------------------------------ credit notes

    def _discount_date(self, invoices):
        """The credit notes' invoice date (today on the practice's calendar) and the
        accounting date Odoo's own rule gives it after the lock dates, or a
        UserError saying what to change when no date is open."""
        today = self.company_id._patient_today()
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        for journal in invoices.journal_id:
            of_journal = invoices.filtered(lambda inv, j=journal: inv.journal_id == j)
            has_tax = bool(of_journal.invoice_line_ids.tax_ids)
            probe = Move.new(
                {
                    "move_type": "out_refund",
                    "journal_id": journal.id,
                    "company_id": self.company_id.id,
                    "invoice_date": today,
                    "date": today,
                }
            )
            accounting = probe._get_accounting_date(today, has_tax)
            locks = probe._get_violated_lock_dates(accounting, has_tax)
            if locks:
                raise UserError(
                    self.env._(
                        "The books of %(company)s are locked (%(locks)s): the financial-assistance "
                        "credit notes cannot be posted on %(date)s (a credit note is never dated "
                        "after today). An accountant moves the lock date to before %(date)s "
                        "(Accounting > Configuration > Settings; a hard lock date cannot be "
                        "moved), or the application is approved once a date after the lock is "
                        "open. Nothing was posted.",
                        company=self.company_id.name,
                        locks=self.env["res.company"]._format_lock_dates(locks),
                        date=format_date(self.env, today),
                    )
                )
        return today

    def _discount_lines_vals(self, invoice, amount, charity):
        """Credit note lines for ``amount`` (company currency, taxes included) taken
        from ``invoice`` proportionally: one line per invoice line with its taxes,
        on the charity-care account."""
        name = self.env._("Financial assistance discount")
        lines = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        total = invoice.amount_total
        if not lines or not total:
            return [
                {
                    "name": name,
                    "quantity": 1,
                    "price_unit": amount,
                    "account_id": charity.id,
                    "tax_ids": [],
                }
            ]
        currency = self.company_id.currency_id
        factor = amount / total  # company amount per unit of the invoice's currency
        return [
            {
                "name": name,
                "quantity": 1,
                "account_id": charity.id,
                "price_unit": currency.round(
                    line.price_unit * line.quantity * (1 - (line.discount or 0.0) / 100.0) * factor
                ),
                "tax_ids": [Command.set(line.tax_ids.ids)],
            }
            for line in lines
        ]

    def _round_discount_notes(self, credit_notes, amounts, charity):
        """A credit note whose taxes rounded it a cent or two off its discount gets
        the difference on a line of its own, untaxed, on the charity-care account:
        the credit note's total is what comes off."""
        currency = self.company_id.currency_id
        for note, amount in zip(credit_notes, amounts, strict=True):
            difference = currency.round(amount + note.amount_total_signed)
            if not currency.is_zero(difference):
                note.write(
                    {
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": self.env._("Financial assistance discount (rounding)"),
                                    "quantity": 1,
                                    "price_unit": difference,
                                    "account_id": charity.id,
                                    "tax_ids": [],
                                }
                            )
                        ]
                    }
                )
