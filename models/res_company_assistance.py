"""Every practice starts with the default sliding scale (an example to adapt under
Collections > Configuration > Sliding Scale): a company created later gets it too."""

from odoo import api, models

# (up to % FPL, discount %): the shipped main company's scale
DEFAULT_SCALE = ((200.0, 100.0), (300.0, 50.0), (400.0, 25.0))
BACKFILL_PARAM = "patient_collections.default_sliding_scales_given"


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._give_default_sliding_scale()
        return companies

    def _give_default_sliding_scale(self):
        """The default tiers for those of these companies without any tier."""
        Tier = self.env["patient.assistance.tier"].sudo()
        scaled = set(Tier.search([("company_id", "in", self.ids)]).company_id.ids)
        Tier.create(
            [
                {"company_id": company.id, "max_fpl_percent": fpl, "discount_percent": discount}
                for company in self
                if company.id not in scaled
                for fpl, discount in DEFAULT_SCALE
            ]
        )

    @api.model
    def _give_default_sliding_scales_once(self):
        """At the module update after this feature: the companies that existed
        without a sliding scale get the default one, once (a scale a manager later
        empties is not given back at the next update)."""
        Param = self.env["ir.config_parameter"].sudo()
        if Param.get_param(BACKFILL_PARAM):
            return
        companies = self.sudo().search([])  # pylint: disable=no-search-all
        companies._give_default_sliding_scale()
        Param.set_param(BACKFILL_PARAM, "1")
