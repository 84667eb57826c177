from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """Who receives the weekly aged patient balances report of a company."""

    _inherit = "res.company"

    collections_aging_report_user_ids = fields.Many2many(
        "res.users",
        "res_company_collections_aging_report_user_rel",
        "company_id",
        "user_id",
        string="Weekly Aged Balances To",
        domain=[("share", "=", False)],
        help="Internal users who receive the aged patient balances every week: totals by "
        "stage and account numbers, never patient names.",
    )

    @api.constrains("collections_aging_report_user_ids")
    def _check_collections_aging_report_users(self):
        # who the users are (internal, of the company) is checked whatever the writer reads
        for company in self.sudo().with_context(active_test=False):
            users = company.collections_aging_report_user_ids
            outsiders = users.filtered(
                lambda user, company=company: user.share or company not in user.company_ids
            )
            if outsiders:
                raise ValidationError(
                    self.env._(
                        "The weekly aged balances report goes to internal users of %(company)s "
                        "only: remove the others from the recipients.",
                        company=company.name,
                    )
                )
