from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # the write-off a line of a write-off entry belongs to: entries of the run hold
    # up to ENTRY_SIZE write-offs, and one of them is reversed on its own
    patient_writeoff_id = fields.Many2one(
        "patient.writeoff",
        string="Patient Write-off",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
