"""The collections settings the law sets a floor to (501(r)'s periods)."""

from odoo import api, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.constrains(
        "collections_501r_gating", "collections_notification_days", "collections_final_notice_days"
    )
    def _check_501r_periods(self):
        """501(r)'s reasonable efforts are 120 days of notification after the first
        statement and a final notice 30 days before an extraordinary action: with
        the gating on, shorter periods would let the run act before the law allows."""
        for company in self.filtered("collections_501r_gating"):
            if (
                company.collections_notification_days < 120
                or company.collections_final_notice_days < 30
            ):
                raise ValidationError(
                    self.env._(
                        "501(r) Reasonable Efforts need a notification period of 120 days at "
                        "least and a final notice 30 days at least before an extraordinary "
                        "collection action (%(company)s: %(notification)s and %(notice)s days). "
                        "Enter those, or turn 501(r) Reasonable Efforts off if the practice is "
                        "not bound by 501(r).",
                        company=company.name,
                        notification=company.collections_notification_days,
                        notice=company.collections_final_notice_days,
                    )
                )
