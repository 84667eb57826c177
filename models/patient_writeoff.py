"""Write-offs of patient balances, posted to the ledger.

A write-off is a journal entry: the receivable credited (one line per open item
it settles, oldest first, reconciled with it) against the write-off account of
its reason in the collections settings, never revenue.  Specialists write off
up to their limit; above it the write-off waits for a collections manager.
"""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..logic import assistance, escalation
from .patient_account import MANAGER_GROUP, open_items_from
from .patient_protected import is_trusted, trusted

WRITEOFF_REASONS = [
    ("small_balance", "Small balance"),
    ("bad_debt", "Bad debt"),
    ("charity", "Charity"),
    ("administrative", "Administrative"),
    ("deceased", "Deceased"),
    ("bankruptcy", "Bankruptcy"),
]
SPECIALIST_GROUP = "patient_collections.group_collections_specialist"
# Write-offs per journal entry when many are posted at once (the run).
ENTRY_SIZE = 100


class PatientWriteoff(models.Model):
    _name = "patient.writeoff"
    _description = "Patient Balance Write-off"
    _inherit = ["patient.phi.thread.mixin", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    # what was written off and by whom: written by the module only
    _protected_immutable = True

    name = fields.Char(string="Number", readonly=True, copy=False, index="trigram")
    account_id = fields.Many2one(
        "patient.account", required=True, readonly=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(
        "res.company", related="account_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="account_id.currency_id")
    amount = fields.Monetary(required=True, readonly=True)
    reason = fields.Selection(WRITEOFF_REASONS, required=True, readonly=True, index=True)
    note = fields.Text(readonly=True, groups=SPECIALIST_GROUP)
    state = fields.Selection(
        [("to_approve", "To Approve"), ("posted", "Posted"), ("refused", "Refused")],
        required=True,
        readonly=True,
        index=True,
        tracking=True,
    )
    origin = fields.Selection(
        [("manual", "Write-off wizard"), ("run", "Daily run (small balances)")],
        required=True,
        readonly=True,
        default="manual",
    )
    requested_by_id = fields.Many2one("res.users", string="Proposed By", readonly=True)
    approved_by_id = fields.Many2one("res.users", string="Decided By", readonly=True)
    refuse_reason = fields.Char(readonly=True)
    date = fields.Date(string="Posted On", readonly=True, index=True)
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        readonly=True,
        index="btree_not_null",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise AccessError(
                self.env._("Write-offs are proposed with the Write Off button of an account.")
            )
        for vals in vals_list:
            if not vals.get("name"):
                vals["name"] = self.env["ir.sequence"].next_by_code("patient.writeoff") or "/"
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return AccessError(
            self.env._(
                "A write-off is a record of what was posted: it cannot be changed. A manager "
                "approves or refuses a proposed one."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A write-off cannot be deleted; its entry can be reversed."))

    # ------------------------------------------------------------------ proposing

    @api.model
    def _propose(self, account, amount, reason, note=False):
        """A write-off of ``account`` by the current user: posted at once within
        their limit (a manager: any amount), else waiting for a manager."""
        user = self.env.user
        is_manager = user.has_group(MANAGER_GROUP)
        company = account.company_id
        vals = {
            "account_id": account.id,
            "amount": amount,
            "reason": reason,
            "note": note,
            "requested_by_id": user.id,
            "origin": "manual",
        }
        self._postable_accounts(company, {reason})
        limit = company.collections_writeoff_limit
        Writeoff = trusted(self.sudo(), mail_create_nolog=True)
        if is_manager or account.currency_id.compare_amounts(amount, limit) <= 0:
            writeoff = Writeoff.create({**vals, "state": "to_approve"})
            writeoff._post_batch(approved_by=user)
            return writeoff
        manager = account._collections_manager()
        if not manager:
            raise UserError(
                self.env._(
                    "This write-off is above your limit of %(limit)s and needs a collections "
                    "manager of %(company)s, but there is none: ask an administrator to name one.",
                    limit=account.currency_id.format(limit),
                    company=company.name,
                )
            )
        writeoff = Writeoff.create({**vals, "state": "to_approve"})
        writeoff.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=manager.id,
            summary=self.env._("Approve write-off %(name)s", name=writeoff.name),
            note=self.env._(
                "Proposed write-off of %(amount)s (%(reason)s) above the specialist limit.",
                amount=account.currency_id.format(amount),
                reason=writeoff._reason_label(),
            ),
        )
        account._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Write-off %(name)s of %(amount)s (%(reason)s) proposed; waiting for a "
                "collections manager.",
                name=writeoff.name,
                amount=account.currency_id.format(amount),
                reason=writeoff._reason_label(),
            )
        )
        return writeoff

    def _reason_label(self):
        self.ensure_one()
        return dict(self._fields["reason"]._description_selection(self.env))[self.reason]

    # ------------------------------------------------------------------ decisions

    def _check_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collections manager approves write-offs."))
        self.check_access("read")
        self.account_id.check_access("write")

    def action_approve(self):
        self._check_manager()
        waiting = self.filtered(lambda writeoff: writeoff.state == "to_approve")
        if waiting != self:
            raise UserError(self.env._("Only write-offs waiting for approval can be approved."))
        for writeoff in self.sudo():
            account = writeoff.account_id
            if account.currency_id.compare_amounts(writeoff.amount, account.balance_due) > 0:
                raise UserError(
                    self.env._(
                        "%(name)s: the balance due of %(account)s is now %(balance)s, less than "
                        "the write-off. Refuse it and propose a new one.",
                        name=writeoff.name,
                        account=account.name,
                        balance=account.currency_id.format(account.balance_due),
                    )
                )
        self.sudo()._post_batch(approved_by=self.env.user)
        self.sudo().activity_ids.action_feedback(feedback=self.env._("Approved."))
        return True

    def action_refuse(self, reason=None):
        self._check_manager()
        if self.filtered(lambda writeoff: writeoff.state != "to_approve"):
            raise UserError(self.env._("Only write-offs waiting for approval can be refused."))
        reason = reason or self.env._("Refused by a collections manager.")
        trusted(self.sudo()).write(
            {"state": "refused", "refuse_reason": reason[:200], "approved_by_id": self.env.user.id}
        )
        self.sudo().activity_ids.action_feedback(feedback=reason[:200])
        for writeoff in self.sudo():
            writeoff.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._("Write-off %(name)s refused.", name=writeoff.name)
            )
        return True

    def action_view_move(self):
        self.ensure_one()
        self.move_id.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    # ------------------------------------------------------------------ posting

    def _open_items(self):
        """{account id: [(line id, open amount, receivable account id, partner id)]}:
        the open positive receivable items of these write-offs' accounts, oldest
        first, insurance-pending ones left out (they are not the patient's yet).
        One query."""
        accounts = self.account_id
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "partner_id", "date_maturity"]
        )
        self.env["account.move"].flush_model(["patient_account_id", "insurance_status"])
        self.env.cr.execute(
            SQL(
                """
                SELECT pa.id, aml.id, aml.amount_residual, aml.account_id, aml.partner_id
                %s
                   AND aml.amount_residual > 0
                   AND COALESCE(move.insurance_status, '') != 'pending'
              ORDER BY pa.id, COALESCE(aml.date_maturity, aml.date), aml.id
                """,
                open_items_from(
                    SQL(
                        "(SELECT id, partner_id, company_id FROM patient_account"
                        " WHERE id = ANY(%s))",
                        accounts.ids,
                    )
                ),
            )
        )
        items = {}
        for account_id, line_id, residual, receivable_id, partner_id in self.env.cr.fetchall():
            items.setdefault(account_id, []).append((line_id, residual, receivable_id, partner_id))
        return items

    def _post_batch(self, approved_by=None, date=None):
        """Post these write-offs: per company one journal entry crediting the open
        items (oldest first) against the write-off accounts, posted and reconciled
        with them in one reconciliation; then the balances, the chatter, and the
        resolved stage for accounts left with nothing."""
        writeoffs = self.sudo()
        if not writeoffs:
            return
        date = date or fields.Date.context_today(self)
        Move = self.env["account.move"].sudo()
        Line = self.env["account.move.line"].sudo()
        items = writeoffs._open_items()
        labels = dict(self._fields["reason"]._description_selection(self.env))
        for company, group in writeoffs.grouped("company_id").items():
            journal = self._journal_for(company)
            accounts = self._postable_accounts(company, set(group.mapped("reason")))
            entries = []  # per write-off: its lines, and the open item of each (None: debit)
            for writeoff in group:
                line_vals, matches = [], []
                open_items = items.get(writeoff.account_id.id, [])
                try:
                    parts = assistance.allocate_oldest_first(
                        [(item, item[1]) for item in open_items], writeoff.amount
                    )
                except ValueError:
                    raise UserError(
                        self.env._(
                            "%(name)s: the open items of %(account)s are smaller than the "
                            "write-off of %(amount)s.",
                            name=writeoff.name,
                            account=writeoff.account_id.name,
                            amount=writeoff.currency_id.format(writeoff.amount),
                        )
                    ) from None
                label = self.env._(
                    "Write-off %(name)s: %(reason)s",
                    name=writeoff.name,
                    reason=labels[writeoff.reason],
                )
                partner_id = writeoff.account_id.partner_id.id
                for (line_id, _residual, receivable_id, item_partner), part in parts:
                    line_vals.append(
                        {
                            "name": label,
                            "account_id": receivable_id,
                            "partner_id": item_partner or partner_id,
                            "debit": 0.0,
                            "credit": part,
                        }
                    )
                    matches.append(line_id)
                line_vals.append(
                    {
                        "name": label,
                        "account_id": accounts[writeoff.reason].id,
                        "partner_id": partner_id,
                        "debit": writeoff.amount,
                        "credit": 0.0,
                    }
                )
                matches.append(None)
                entries.append((line_vals, matches))
            # entries of ENTRY_SIZE write-offs each (Odoo slows down on huge entries),
            # created and posted together, reconciled in one plan
            chunks = [
                (group[start : start + ENTRY_SIZE], entries[start : start + ENTRY_SIZE])
                for start in range(0, len(group), ENTRY_SIZE)
            ]
            moves = Move.with_company(company).create(
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
            moves.action_post()
            plan = []
            for move, (chunk, parts) in zip(moves, chunks, strict=True):
                matches = [item for _l, chunk_matches in parts for item in chunk_matches]
                created = move.line_ids.sorted("id")
                plan += [
                    Line.browse([item_id, line.id])
                    for line, item_id in zip(created, matches, strict=True)
                    if item_id
                ]
                trusted(chunk).write(
                    {
                        "state": "posted",
                        "move_id": move.id,
                        "date": date,
                        "approved_by_id": (approved_by or self.env.user).id,
                    }
                )
            Line._reconcile_plan(plan)
        writeoffs._after_posting()

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
        self._resolve_settled(accounts)

    @api.model
    def _resolve_settled(self, accounts):
        """Accounts with nothing left go to the resolved stage."""
        settled = accounts.sudo().filtered(
            lambda account: account.balance_due <= 0 and account.balance_insurance_pending <= 0
        )
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
        previous = {account.id: account.stage_id.name or "" for account in moving}
        moving._write_stage(stage)
        moving._message_log_batch(
            bodies={
                account_id: Markup("<p>%s</p>")
                % self.env._("Stage: %(old)s → %(new)s.", old=old, new=stage.name)
                for account_id, old in previous.items()
            }
        )
