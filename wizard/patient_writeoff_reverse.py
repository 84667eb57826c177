from odoo import api, fields, models


class PatientWriteoffReverse(models.TransientModel):
    _name = "patient.writeoff.reverse"
    _inherit = ["patient.wizard.mixin"]
    _description = "Reverse a Write-off"
    _text_limits = {"reason": 200}

    writeoff_id = fields.Many2one(
        "patient.writeoff", required=True, default=lambda self: self._default_writeoff()
    )
    # read as the user: another company's write-off is not shown (its rules refuse)
    currency_id = fields.Many2one(related="writeoff_id.currency_id", compute_sudo=False)
    amount = fields.Monetary(related="writeoff_id.amount", compute_sudo=False)
    reason = fields.Char(required=True)

    @api.model
    def _default_writeoff(self):
        context = self.env.context
        ids = context.get("active_ids")
        if (
            context.get("active_model") == "patient.writeoff"
            and isinstance(ids, list)
            and len(ids) == 1
            and isinstance(ids[0], int)
            and not isinstance(ids[0], bool)
        ):
            return self.env["patient.writeoff"].browse(ids).exists()
        return self.env["patient.writeoff"]

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        # the dialog shows the write-off's number and amount: only to whoever may
        # reverse it (its company's collections managers)
        for record in records:
            record.writeoff_id._check_can_reverse()
        return records

    def action_reverse(self):
        self.ensure_one()
        # the write-off checks who may reverse it and whether it still can be
        self.writeoff_id.action_reverse(self.reason)
        return {"type": "ir.actions.act_window_close"}
