"""Write-offs of patient balances, posted to the ledger.

A write-off is a journal entry: the receivable credited (one line per open item
it settles, oldest first, reconciled with it) against the write-off account of
its reason in the collections settings, never revenue.  Specialists write off
up to their limit; above it the write-off waits for a collections manager.
Posting to the ledger is in ``patient_writeoff_posting.py``.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .patient_account import MANAGER_GROUP
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
    currency_id = fields.Many2one(related="account_id.currency_id", compute_sudo=False)
    amount = fields.Monetary(required=True, readonly=True)
    reason = fields.Selection(WRITEOFF_REASONS, required=True, readonly=True, index=True)
    note = fields.Text(readonly=True, groups=SPECIALIST_GROUP)
    state = fields.Selection(
        [
            ("to_approve", "To Approve"),
            ("posted", "Posted"),
            ("refused", "Refused"),
            ("reversed", "Reversed"),
        ],
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

    def copy(self, default=None):  # pylint: disable=method-required-super
        raise AccessError(
            self.env._("Write-offs are proposed with the Write Off button of an account.")
        )

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
        their limit (a manager: any amount), counting what they already wrote off
        on the account themselves, else waiting for a manager."""
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
        if is_manager or not self._above_own_limit(account, amount):
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
                "Proposed write-off of %(amount)s (%(reason)s): with what the specialist "
                "already wrote off on the account, above their limit.",
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

    @api.model
    def _above_own_limit(self, account, amount):
        """Whether writing ``amount`` off ``account`` takes the current user past
        the company's limit: the limit is on what they write off on the account
        on their own, not on each write-off (split in parts, the parts add up)."""
        own = self.sudo()._read_group(
            [
                ("account_id", "=", account.id),
                ("state", "=", "posted"),
                ("origin", "=", "manual"),
                ("requested_by_id", "=", self.env.uid),
                ("approved_by_id", "=", self.env.uid),
            ],
            aggregates=["amount:sum"],
        )[0][0]
        limit = account.company_id.collections_writeoff_limit
        return account.currency_id.compare_amounts((own or 0.0) + amount, limit) > 0

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
        # the accounts' balances, held until this commits: two approvals at once
        # never write off what only one of them may (the later one is retried)
        self.env.cr.execute(
            SQL(
                "SELECT id FROM patient_account WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                self.sudo().account_id.ids,
            )
        )
        # all of an account's write-offs approved together take from one balance
        for account, writeoffs in self.sudo().grouped("account_id").items():
            total = sum(writeoffs.mapped("amount"))
            if account.currency_id.compare_amounts(total, account.balance_due) > 0:
                raise UserError(
                    self.env._(
                        "%(name)s: the balance due of %(account)s is now %(balance)s, less than "
                        "the write-off. Refuse it and propose a new one.",
                        name=", ".join(writeoffs.mapped("name")),
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
        # a client may send anything: a text, else the default
        reason = (reason.strip() if isinstance(reason, str) else "") or self.env._(
            "Refused by a collections manager."
        )
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
