from odoo import fields, models
from odoo.exceptions import UserError

from ..models.patient_account import HOLD_REASONS
from .common import active_records_default


class PatientAccountHold(models.TransientModel):
    _name = "patient.account.hold"
    _description = "Put Patient Accounts on Hold or Release Them"

    account_ids = fields.Many2many(
        "patient.account",
        string="Accounts",
        required=True,
        default=active_records_default("patient.account"),
    )
    action = fields.Selection(
        [("set", "Put on hold"), ("release", "Release the hold")], required=True, default="set"
    )
    hold_reason = fields.Selection(HOLD_REASONS, string="Reason")
    hold_until = fields.Date(string="Until", help="Left empty, the hold stays until released.")
    hold_note = fields.Text(string="Note")

    def action_apply(self):
        self.ensure_one()
        accounts = self.account_ids
        if not accounts:
            raise UserError(self.env._("Select at least one patient account."))
        accounts.check_access("write")
        if self.action == "set":
            if not self.hold_reason:
                raise UserError(self.env._("Choose why the account is put on hold."))
            accounts._set_hold(self.hold_reason, self.hold_until, self.hold_note)
        else:
            accounts._release_hold(why=self.env._("Released by hand."))
        return {"type": "ir.actions.act_window_close"}
