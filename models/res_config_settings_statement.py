from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """The statement contact settings (models/res_company_statement.py, which
    checks them when the settings write them to the company)."""

    _inherit = "res.config.settings"

    collections_remit_to_address = fields.Text(
        related="company_id.collections_remit_to_address", readonly=False
    )
    collections_billing_phone = fields.Char(
        related="company_id.collections_billing_phone", readonly=False
    )
    collections_office_hours = fields.Char(
        related="company_id.collections_office_hours", readonly=False
    )
