from odoo import api, fields, models


class PatientInteractionVoid(models.TransientModel):
    _name = "patient.interaction.void"
    _description = "Void Interactions"

    interaction_ids = fields.Many2many("patient.interaction", required=True)
    reason = fields.Char(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "patient.interaction":
            values["interaction_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def action_void(self):
        self.ensure_one()
        self.interaction_ids.action_void(self.reason)
        return {"type": "ir.actions.act_window_close"}
