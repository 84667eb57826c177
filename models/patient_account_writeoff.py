from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SPECIALIST_GROUP = "patient_collections.group_collections_specialist"


class PatientAccount(models.Model):
    """The end of a balance's life: financial assistance and write-offs (issue 18)."""

    _inherit = "patient.account"

    writeoff_ids = fields.One2many("patient.writeoff", "account_id", string="Write-offs")
    writeoff_count = fields.Integer(compute="_compute_writeoff_count")
    assistance_ids = fields.One2many(
        "patient.financial.assistance",
        "account_id",
        string="Financial Assistance",
        groups=SPECIALIST_GROUP,
    )
    assistance_count = fields.Integer(compute="_compute_assistance_count", groups=SPECIALIST_GROUP)

    @api.depends("writeoff_ids")
    def _compute_writeoff_count(self):
        counts = dict(
            self.env["patient.writeoff"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.writeoff_count = counts.get(account, 0)

    @api.depends("assistance_ids")
    def _compute_assistance_count(self):
        counts = dict(
            self.env["patient.financial.assistance"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.assistance_count = counts.get(account, 0)

    def _check_writeoff_rights(self):
        """Collections specialists write off balances of their own (or unassigned)
        accounts, managers of any account of their companies."""
        if not self.env.user.has_group(SPECIALIST_GROUP):
            raise AccessError(
                self.env._("Only collections specialists and managers write off balances.")
            )
        self._check_owner()

    def _check_owes_something(self):
        """Refuse a write-off of an account that owes nothing (paid since its form
        or the dialog was opened)."""
        if self._owes_nothing():
            account = self.sudo()
            raise UserError(
                self.env._(
                    "Nothing is owed on %(account)s (balance due %(balance)s): there is nothing "
                    "to write off. Reload the account to see its balances.",
                    account=account.name,
                    balance=account.currency_id.format(account.balance_due),
                )
            )

    def action_open_writeoff(self):
        self.ensure_one()
        self._check_writeoff_rights()
        self._check_owes_something()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Write Off"),
            "res_model": "patient.account.writeoff",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id, "active_ids": self.ids},
        }

    def action_view_writeoffs(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_writeoff_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_open_assistance(self):
        """The account's applications, or a new one."""
        self.ensure_one()
        self._check_owner()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_financial_assistance_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        if not self.assistance_ids:
            action.update({"view_mode": "form", "views": [(False, "form")]})
        return action
