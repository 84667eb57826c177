from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..logic import assistance
from .patient_protected import check_value_types

REGIONS = [
    ("contiguous", "48 contiguous states and D.C."),
    ("alaska", "Alaska"),
    ("hawaii", "Hawaii"),
]
MAX_GUIDELINE = 1_000_000


class PatientPovertyGuideline(models.Model):
    """The HHS poverty guidelines of one year and region (federal data, no patient's)."""

    _name = "patient.poverty.guideline"
    _description = "Federal Poverty Guideline"
    _order = "year desc, region"

    year = fields.Integer(required=True, index=True)
    region = fields.Selection(REGIONS, required=True, default="contiguous")
    base_amount = fields.Float(
        string="One Person", required=True, digits=(16, 2), help="The guideline for one person."
    )
    per_person_amount = fields.Float(string="Each Additional Person", required=True, digits=(16, 2))
    source = fields.Char(help="Where the figures come from (e.g. the Federal Register notice).")

    _sql_constraints = [
        (
            "year_region_uniq",
            "unique(year, region)",
            "There is one poverty guideline per year and region: edit the existing one.",
        ),
    ]

    @api.depends("year", "region")
    def _compute_display_name(self):
        regions = dict(self._fields["region"]._description_selection(self.env))
        for guideline in self:
            guideline.display_name = f"{guideline.year} – {regions.get(guideline.region, '')}"

    @api.constrains("year", "base_amount", "per_person_amount")
    def _check_amounts(self):
        for guideline in self:
            if not 1900 <= guideline.year <= 2199:
                raise ValidationError(
                    self.env._("A poverty guideline's year is between 1900 and 2199.")
                )
            if not 0 < guideline.base_amount <= MAX_GUIDELINE or not (
                0 <= guideline.per_person_amount <= MAX_GUIDELINE
            ):
                raise ValidationError(
                    self.env._(
                        "A poverty guideline has a positive amount for one person and an "
                        "amount for each additional person of zero or more (at most "
                        "%(max)s).",
                        max=MAX_GUIDELINE,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        check_value_types(self, vals_list)
        guidelines = super().create(vals_list)
        guidelines._rescale_applications(guidelines.mapped("year"))
        return guidelines

    def write(self, vals):
        check_value_types(self, [vals])
        years = self.mapped("year")
        result = super().write(vals)
        self._rescale_applications(years + self.mapped("year"))
        return result

    def unlink(self):
        years = self.mapped("year")
        result = super().unlink()
        self._rescale_applications(years)
        return result

    def _rescale_applications(self, years):
        """Open applications of these years follow the guidelines as they are now."""
        self.env["patient.financial.assistance"]._rescale_open([("year", "in", list(set(years)))])

    @api.model
    def _guideline_for(self, year, region, household_size):
        """The guideline amount of a household, or a UserError naming what to enter."""
        guideline = self.sudo().search([("year", "=", year), ("region", "=", region)], limit=1)
        if not guideline:
            regions = dict(self._fields["region"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "No federal poverty guideline for %(year)s (%(region)s): a collections "
                    "manager enters it under Collections > Configuration > Poverty Guidelines.",
                    year=year,
                    region=regions.get(region, region),
                )
            )
        return float(
            assistance.guideline_amount(
                guideline.base_amount, guideline.per_person_amount, household_size
            )
        )
