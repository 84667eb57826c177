from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.patient_writeoff import WRITEOFF_REASONS


class PatientAccountWriteoff(models.TransientModel):
    _name = "patient.account.writeoff"
    _inherit = ["patient.wizard.mixin"]
    _description = "Write Off a Patient Balance"
    _text_limits = {"note": 2000}

    account_id = fields.Many2one(
        "patient.account", required=True, default=lambda self: self._default_account()
    )
    # read as the user (not as superuser, Odoo's default for related fields): another
    # company's account is refused, not shown
    currency_id = fields.Many2one(related="account_id.currency_id", compute_sudo=False)
    balance_due = fields.Monetary(
        related="account_id.balance_due", string="Balance Due", compute_sudo=False
    )
    amount = fields.Monetary(
        # required in the form; zero is refused with its own message
        default=lambda self: self._default_account().balance_due,
        help="Defaults to the balance due; settles the oldest open items first.",
    )
    reason = fields.Selection(WRITEOFF_REASONS, required=True)
    note = fields.Text()
    writeoff_limit = fields.Float(
        related="account_id.company_id.collections_writeoff_limit",
        string="Your Limit",
        compute_sudo=False,
    )
    needs_approval = fields.Boolean(compute="_compute_needs_approval")
    # what this dialog proposed: confirming it again (a retried request) writes nothing off twice
    writeoff_id = fields.Many2one("patient.writeoff", string="Proposed Write-off", readonly=True)

    @api.model
    def _default_account(self):
        context = self.env.context
        if context.get("active_model") == "patient.account" and context.get("active_id"):
            return self.env["patient.account"].browse(context["active_id"]).exists()
        return self.env["patient.account"]

    @api.depends("amount", "account_id")
    def _compute_needs_approval(self):
        manager = self.env.user.has_group("patient_collections.group_collections_manager")
        for wizard in self:
            wizard.needs_approval = bool(
                not manager
                and wizard.account_id
                and self.env["patient.writeoff"]._above_own_limit(wizard.account_id, wizard.amount)
            )

    def action_confirm(self):
        self.ensure_one()
        account = self.account_id
        account._check_writeoff_rights()
        if self.writeoff_id:
            raise UserError(
                self.env._(
                    "This dialog already proposed write-off %(name)s: close it, and open Write "
                    "Off again for another write-off.",
                    name=self.writeoff_id.sudo().name,
                )
            )
        self._check_amount()
        writeoff = self.env["patient.writeoff"]._propose(
            account, self.amount, self.reason, note=self.note or False
        )
        self.writeoff_id = writeoff
        if writeoff.state == "to_approve":
            message = self.env._(
                "Write-off %(name)s is waiting for a collections manager's approval.",
                name=writeoff.name,
            )
        else:
            message = self.env._("Write-off %(name)s posted.", name=writeoff.name)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_amount(self):
        account = self.account_id.sudo()
        currency = account.currency_id
        amount = currency.round(self.amount)
        if not self.reason:
            raise UserError(self.env._("Choose why the balance is written off."))
        self.account_id._check_owes_something()
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(self.env._("A write-off is an amount above zero."))
        if currency.compare_amounts(amount, account.balance_due) > 0:
            raise UserError(
                self.env._(
                    "A write-off cannot exceed the balance due of %(balance)s: enter that "
                    "much or less.",
                    balance=currency.format(account.balance_due),
                )
            )
        pending = (
            self.env["patient.writeoff"]
            .sudo()
            .search_count([("account_id", "=", account.id), ("state", "=", "to_approve")])
        )
        if pending:
            raise UserError(
                self.env._(
                    "A write-off of this account is already waiting for approval: a "
                    "collections manager decides it first."
                )
            )
