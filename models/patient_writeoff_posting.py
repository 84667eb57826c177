"""Posting write-offs to the ledger: per company, journal entries crediting the
receivable (one line per open item settled, oldest first) against the
write-off account of each reason, posted and reconciled with the open items in
one reconciliation; then the balances, the chatter, and the resolved stage for
the accounts left with nothing."""

from markupsafe import Markup

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import assistance, escalation
from .patient_account_balances import open_items_from
from .patient_protected import trusted
from .patient_writeoff import ENTRY_SIZE


class PatientWriteoff(models.Model):
    _inherit = "patient.writeoff"

    def _open_items_rows(self, select, tail):
        """Rows of ``SELECT select`` over the open receivable items of these
        write-offs' accounts (``open_items_from``, aliases pa, aml, move),
        insurance-pending ones left out (they are not the patient's yet), then
        ``tail`` (conditions, grouping, order).  One query."""
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "partner_id", "date_maturity"]
        )
        self.env["account.move"].flush_model(["patient_account_id", "insurance_status"])
        accounts = SQL(
            "(SELECT id, partner_id, company_id FROM patient_account WHERE id = ANY(%s))",
            self.account_id.ids,
        )
        self.env.cr.execute(
            SQL(
                "SELECT %s %s AND COALESCE(move.insurance_status, '') != 'pending' %s",
                select,
                open_items_from(accounts),
                tail,
            )
        )
        return self.env.cr.fetchall()

    def _open_items(self):
        """{account id: [(line id, open amount, receivable account id, partner id,
        currency id, open amount in that currency)]}: the open positive receivable
        items of these write-offs' accounts, oldest first."""
        items = {}
        for account_id, *item in self._open_items_rows(
            SQL(
                "pa.id, aml.id, aml.amount_residual, aml.account_id, aml.partner_id,"
                " aml.currency_id, aml.amount_residual_currency"
            ),
            SQL(
                "AND aml.amount_residual > 0"
                " ORDER BY pa.id, COALESCE(aml.date_maturity, aml.date), aml.id"
            ),
        ):
            items.setdefault(account_id, []).append(tuple(item))
        return items

    def _apply_open_credits(self):
        """The unapplied credits of these write-offs' accounts (a payment or a credit
        note not matched yet) are matched with their open debts first, oldest
        first, as an accountant would: the balance written off already nets them,
        so the write-off settles the items and leaves no credit and debt open side
        by side (aged apart)."""
        Line = self.env["account.move.line"].sudo()
        for (line_ids,) in self._open_items_rows(
            SQL("array_agg(aml.id ORDER BY COALESCE(aml.date_maturity, aml.date), aml.id)"),
            SQL(
                "GROUP BY pa.id, aml.account_id"
                " HAVING bool_or(aml.amount_residual > 0) AND bool_or(aml.amount_residual < 0)"
            ),
        ):
            Line.browse(line_ids).reconcile()

    def _post_batch(self, approved_by=None, date=None):
        """Post these write-offs: per company one journal entry crediting the open
        items (oldest first) against the write-off accounts, posted and reconciled
        with them in one reconciliation; then the balances, the chatter, and the
        resolved stage for accounts left with nothing."""
        writeoffs = self.sudo()
        if not writeoffs:
            return
        # _after_posting lowers the plans by these write-offs, with their names
        self.env["patient.payment.plan"]._credits_lowered_by_caller(writeoffs.account_id)
        # the accounting date: the run's, else today on each practice's calendar
        todays = {} if date else writeoffs.company_id._patient_todays()
        writeoffs._apply_open_credits()
        items = writeoffs._open_items()
        for company, group in writeoffs.grouped("company_id").items():
            day = date or todays[company.id]
            journal = self._journal_for(company)
            accounts = self._postable_accounts(company, set(group.mapped("reason")))
            entries = [
                writeoff._writeoff_entry_lines(items.get(writeoff.account_id.id, []), accounts)
                for writeoff in group
            ]
            # entries of ENTRY_SIZE write-offs each (Odoo slows down on huge entries),
            # created and posted together, reconciled in one plan
            chunks = [
                (group[start : start + ENTRY_SIZE], entries[start : start + ENTRY_SIZE])
                for start in range(0, len(group), ENTRY_SIZE)
            ]
            moves = self._create_writeoff_moves(company, journal, day, chunks)
            plan = self._writeoff_reconciliation_plan(moves, chunks)
            for move, (chunk, _parts) in zip(moves, chunks, strict=True):
                trusted(chunk).write(
                    {
                        "state": "posted",
                        "move_id": move.id,
                        "date": move.date,  # Odoo moves it past a lock date
                        "approved_by_id": (approved_by or self.env.user).id,
                    }
                )
            self.env["account.move.line"].sudo()._reconcile_plan(plan)
        writeoffs._after_posting()

    def _writeoff_entry_lines(self, open_items, accounts):
        """(line values, matches) of this write-off: a credit on each open item it
        settles, oldest first, and the debit on the write-off account of its
        reason; ``matches`` gives the open item of each line (None: the debit).
        A UserError when the open items are smaller than the write-off."""
        self.ensure_one()
        try:
            parts = assistance.allocate_oldest_first(
                [(item, item[1]) for item in open_items], self.amount
            )
        except ValueError:
            raise UserError(
                self.env._(
                    "%(name)s: the open items of %(account)s are smaller than the "
                    "write-off of %(amount)s.",
                    name=self.name,
                    account=self.account_id.name,
                    amount=self.currency_id.format(self.amount),
                )
            ) from None
        label = self.env._(
            "Write-off %(name)s: %(reason)s", name=self.name, reason=self._reason_label()
        )
        partner_id = self.account_id.partner_id.id
        line_vals, matches = [], []
        for item, part in parts:
            line_id, _residual, receivable_id, item_partner, _c, _r = item
            line_vals.append(
                {
                    "name": label,
                    "account_id": receivable_id,
                    "partner_id": item_partner or partner_id,
                    "debit": 0.0,
                    "credit": part,
                    "patient_writeoff_id": self.id,
                    **self._item_currency_vals(item, part),
                }
            )
            matches.append(line_id)
        line_vals.append(
            {
                "name": label,
                "account_id": accounts[self.reason].id,
                "partner_id": partner_id,
                "debit": self.amount,
                "credit": 0.0,
                "patient_writeoff_id": self.id,
            }
        )
        matches.append(None)
        return line_vals, matches

    def _item_currency_vals(self, item, part):
        """The currency amounts of the write-off's credit of ``part`` (company
        currency) on ``item``, an open item in a foreign currency: its open amount
        in that currency when all of it goes (so the item closes in both), else
        that share of it.  Nothing for an item in company currency."""
        _line, residual, _account, _partner, currency_id, residual_currency = item
        if not currency_id or currency_id == self.company_id.currency_id.id:
            return {}
        currency = self.env["res.currency"].browse(currency_id)
        if self.company_id.currency_id.compare_amounts(part, residual) >= 0:
            share = residual_currency
        else:
            share = currency.round(residual_currency * part / residual)
        return {"currency_id": currency_id, "amount_currency": -share}

    @api.model
    def _create_writeoff_moves(self, company, journal, date, chunks):
        """One posted journal entry per chunk of write-offs, in ``journal``."""
        moves = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                [
                    {
                        "move_type": "entry",
                        "journal_id": journal.id,
                        "company_id": company.id,
                        "date": date,
                        "ref": self.env._("Patient balance write-offs")
                        if len(chunk) > 1
                        else chunk.name,
                        "line_ids": [
                            Command.create(vals) for line_vals, _m in parts for vals in line_vals
                        ],
                    }
                    for chunk, parts in chunks
                ]
            )
        )
        moves.action_post()
        return moves

    @api.model
    def _writeoff_reconciliation_plan(self, moves, chunks):
        """The pairs (open item, credit line of the entry) to reconcile."""
        Line = self.env["account.move.line"].sudo()
        plan = []
        for move, (_chunk, parts) in zip(moves, chunks, strict=True):
            matches = [item for _l, chunk_matches in parts for item in chunk_matches]
            created = move.line_ids.sorted("id")
            plan += [
                Line.browse([item_id, line.id])
                for line, item_id in zip(created, matches, strict=True)
                if item_id
            ]
        return plan

    @api.model
    def _postable_accounts(self, company, reasons):
        """{reason: write-off account} of ``company``, or a UserError naming the
        reasons without one (checked before anything is written)."""
        labels = dict(self._fields["reason"]._description_selection(self.env))
        accounts = {reason: company._collections_writeoff_account(reason) for reason in reasons}
        missing = sorted(labels[reason] for reason, account in accounts.items() if not account)
        if missing:
            raise UserError(
                self.env._(
                    "No write-off account for %(reasons)s in the collections settings of "
                    "%(company)s: a collections manager sets it before anything is posted.",
                    reasons=", ".join(missing),
                    company=company.name,
                )
            )
        self._journal_for(company)
        return accounts

    @api.model
    def _journal_for(self, company):
        """The company's miscellaneous-operations journal."""
        journal = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    *self.env["account.journal"]._check_company_domain(company),
                    ("type", "=", "general"),
                ],
                order="sequence, id",
                limit=1,
            )
        )
        if not journal:
            raise UserError(
                self.env._(
                    "%(company)s has no miscellaneous operations journal to post write-offs in: "
                    "an accountant creates one first.",
                    company=company.name,
                )
            )
        return journal

    def _after_posting(self):
        """Balances from the ledger, a chatter line per account, the resolved stage
        for those left with nothing."""
        accounts = self.account_id
        accounts._on_accounting_change()
        bodies = {}
        for writeoff in self:
            bodies.setdefault(writeoff.account_id.id, [])
            bodies[writeoff.account_id.id].append(
                self.env._(
                    "Written off: %(amount)s (%(reason)s), %(name)s.",
                    amount=writeoff.currency_id.format(writeoff.amount),
                    reason=writeoff._reason_label(),
                    name=writeoff.name,
                )
            )
        accounts._message_log_batch(
            bodies={
                account_id: Markup("<p>%s</p>") % " ".join(texts)
                for account_id, texts in bodies.items()
            }
        )
        credits = {}
        for writeoff in self:
            credits.setdefault(writeoff.account_id.id, []).append(
                (writeoff.amount, self.env._("Write-off %(name)s", name=writeoff.name))
            )
        self._record_plan_lowering(self._resolve_settled(accounts, credits))

    @api.model
    def _cancel_plans_of_settled(self, settled):
        """The draft and active payment plans of accounts left with nothing (written
        off, forgiven) are cancelled: nothing is left for them to collect, and their
        installments would be missed and the plan defaulted.  A line on each account."""
        plans = settled.plan_ids.filtered(lambda plan: plan.state in ("draft", "active"))
        if not plans:
            return
        plans._cancel()
        bodies = {}
        for plan in plans:
            text = self.env._(
                "Payment plan %(plan)s cancelled: nothing is left to pay.", plan=plan.name
            )
            bodies.setdefault(plan.account_id.id, []).append(text)
        plans.account_id._message_log_batch(
            bodies={
                account_id: Markup("<p>%s</p>") % " ".join(texts)
                for account_id, texts in bodies.items()
            }
        )

    @api.model
    def _resolve_settled(self, accounts, credits=None):
        """Accounts with nothing left go to the resolved stage, their plans are
        cancelled; the active plans of the others are lowered by what was taken
        off their balances (``credits``: {account id: [(amount, source label)]},
        see PatientPaymentPlan._lower_for_credits).  Returns {plan id: how much it
        was lowered}."""
        settled = accounts.sudo().filtered(
            lambda account: account.balance_due <= 0 and account.balance_insurance_pending <= 0
        )
        self._cancel_plans_of_settled(settled)
        lowered = {}
        if credits:
            lowered = self.env["patient.payment.plan"]._lower_for_credits(
                accounts.sudo() - settled, credits
            )
        self._close_settled(settled)
        return lowered

    @api.model
    def _close_settled(self, settled):
        """The accounts left with nothing go to the resolved stage."""
        if len(settled) <= 1:
            trusted(settled)._return_to_escalation()
            return
        # many at once (the run): one write to the closed stage, one batch of chatter lines
        stages = self.env["patient.account.stage"].sudo().search([])  # pylint: disable=no-search-all
        target = escalation.closed_stage([stage._as_rule() for stage in stages])
        if not target:
            return
        stage = stages.browse(target.id)
        moving = settled.filtered(lambda account: account.stage_id != stage)
        if not moving:
            return
        previous = {account.id: account.stage_id.display_name or "" for account in moving}
        moving._write_stage(stage)
        moving._message_log_batch(
            bodies={
                account_id: Markup("<p>%s</p>")
                % self.env._("Stage: %(old)s → %(new)s.", old=old, new=stage.display_name)
                for account_id, old in previous.items()
            }
        )
