from odoo import api, fields, models


class PatientFinancialAssistanceDeny(models.TransientModel):
    _name = "patient.financial.assistance.deny"
    _inherit = ["patient.wizard.mixin"]
    _description = "Deny a Financial Assistance Application"
    _text_limits = {"reason": 2000}

    application_id = fields.Many2one(
        "patient.financial.assistance",
        required=True,
        default=lambda self: self._default_application(),
    )
    reason = fields.Text(required=True)

    @api.model
    def _default_application(self):
        context = self.env.context
        if context.get("active_model") == "patient.financial.assistance" and context.get(
            "active_id"
        ):
            return self.env["patient.financial.assistance"].browse(context["active_id"]).exists()
        return self.env["patient.financial.assistance"]

    def action_deny(self):
        self.ensure_one()
        self.application_id.action_deny(self.reason)
        return {"type": "ir.actions.act_window_close"}
