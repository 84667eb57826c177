from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..logic import assistance
from .patient_protected import check_value_types

MAX_FPL_PERCENT = 10000


class PatientAssistanceTier(models.Model):
    """One step of a company's sliding scale: up to this % FPL, this discount."""

    _name = "patient.assistance.tier"
    _description = "Financial Assistance Tier"
    _order = "company_id, max_fpl_percent"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    max_fpl_percent = fields.Float(
        string="Up to % FPL",
        required=True,
        digits=(16, 2),
        help="Households with an income at or below this percentage of the federal "
        "poverty guideline get this tier's discount (unless a lower tier applies).",
    )
    discount_percent = fields.Float(string="Discount %", required=True, digits=(16, 2))

    _sql_constraints = [
        (
            "company_max_uniq",
            "unique(company_id, max_fpl_percent)",
            "Each tier of a sliding scale has its own % FPL limit.",
        ),
    ]

    @api.depends("max_fpl_percent", "discount_percent")
    def _compute_display_name(self):
        for tier in self:
            tier.display_name = self.env._(
                "≤ %(fpl)s %% FPL: %(discount)s %%",
                fpl=format(tier.max_fpl_percent, "g"),
                discount=format(tier.discount_percent, "g"),
            )

    @api.constrains("max_fpl_percent", "discount_percent")
    def _check_percents(self):
        for tier in self:
            if not 0 < tier.max_fpl_percent <= MAX_FPL_PERCENT:
                raise ValidationError(
                    self.env._(
                        "A tier's %% FPL limit is more than 0 and at most %(max)s.",
                        max=MAX_FPL_PERCENT,
                    )
                )
            if not 0 < tier.discount_percent <= 100:
                raise ValidationError(
                    self.env._("A tier's discount is more than 0 % and at most 100 %.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_value_types(self, vals_list)
        tiers = super().create(vals_list)
        tiers._rescale_applications(tiers.company_id)
        return tiers

    def write(self, vals):
        check_value_types(self, [vals])
        companies = self.company_id
        result = super().write(vals)
        self._rescale_applications(companies | self.company_id)
        return result

    def unlink(self):
        companies = self.company_id
        result = super().unlink()
        self._rescale_applications(companies)
        return result

    def _rescale_applications(self, companies):
        """Open applications of these companies follow their sliding scale as it is now."""
        self.env["patient.financial.assistance"]._rescale_open(
            [("company_id", "in", companies.ids)]
        )

    @api.model
    def _scale(self, company):
        """The sliding scale of ``company``: [(max % FPL, discount %)]."""
        tiers = self.sudo().search([("company_id", "=", company.id)])
        return [(tier.max_fpl_percent, tier.discount_percent) for tier in tiers]

    @api.model
    def _check_scale(self, company):
        """A UserError saying where to set the sliding scale of a company without one."""
        if not self.sudo().search_count([("company_id", "=", company.id)], limit=1):
            raise UserError(
                self.env._(
                    "%(company)s has no sliding scale: a collections manager sets its tiers "
                    "under Collections > Configuration > Sliding Scale before an application "
                    "is approved.",
                    company=company.name,
                )
            )

    @api.model
    def _discount(self, company, percent, presumptive=False):
        scale = self._scale(company)
        if presumptive:
            return assistance.top_discount(scale)
        return assistance.discount_for(scale, percent)
