from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        (
            partials.debit_move_id.move_id | partials.credit_move_id.move_id
        )._patient_refresh_accounts()
        return partials

    def unlink(self):
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        # a removed reconciliation leaves no newer one for the nightly sweep to see
        self.env["patient.payment.plan"].sudo().search(
            [("account_id", "in", moves.sudo().patient_account_id.ids), ("state", "=", "active")]
        )._mark_stale()
        res = super().unlink()
        moves._patient_refresh_accounts()
        return res
