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
        help="Collections managers and accountants who receive the aged patient balances "
        "every week: totals by stage and account numbers, never patient names.",
    )

    def _aging_report_recipients(self):
        """The company's chosen recipients who may receive its weekly aged
        balances: internal users of the company, collections managers or
        accountants (who read every account of it)."""
        self.ensure_one()
        return self.sudo().collections_aging_report_user_ids.filtered(
            lambda user: (
                not user.share and self in user.company_ids and user._patient_reads_every_account()
            )
        )

    @api.constrains("collections_aging_report_user_ids")
    def _check_collections_aging_report_users(self):
        # who the users are (internal, of the company) is checked whatever the writer reads
        for company in self.sudo().with_context(active_test=False):
            users = company.collections_aging_report_user_ids
            outsiders = users - company._aging_report_recipients()
            if outsiders:
                raise ValidationError(
                    self.env._(
                        "The weekly aged balances report goes only to collections managers and "
                        "accountants of %(company)s: remove %(users)s from the recipients, or "
                        "give them one of those roles first.",
                        company=company.name,
                        users=", ".join(outsiders.mapped("name")),
                    )
                )
