from odoo import fields, models
from odoo.exceptions import UserError

from .common import active_records_default


class PatientInteractionVoid(models.TransientModel):
    _name = "patient.interaction.void"
    _inherit = ["patient.wizard.mixin"]
    _description = "Void Interactions"
    _text_limits = {"reason": 500}

    interaction_ids = fields.Many2many(
        "patient.interaction", required=True, default=active_records_default("patient.interaction")
    )
    reason = fields.Char(required=True)

    def action_void(self):
        self.ensure_one()
        if not self.interaction_ids:
            raise UserError(self.env._("Select at least one interaction to void."))
        self.interaction_ids.action_void(self.reason)
        # the page under the dialogs read afresh: a void closes the account's
        # call-back to-do and moves its promise, which the account's chatter and
        # fields show (closing the dialog alone left them as they were)
        return {"type": "ir.actions.client", "tag": "soft_reload"}
