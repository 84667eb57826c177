from odoo import fields, models

from .common import active_records_default


class PatientInteractionVoid(models.TransientModel):
    _name = "patient.interaction.void"
    _description = "Void Interactions"

    interaction_ids = fields.Many2many(
        "patient.interaction", required=True, default=active_records_default("patient.interaction")
    )
    reason = fields.Char(required=True)

    def action_void(self):
        self.ensure_one()
        self.interaction_ids.action_void(self.reason)
        return {"type": "ir.actions.act_window_close"}
