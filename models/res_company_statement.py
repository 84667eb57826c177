from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .patient_protected import text_problems

# Printed on the letterhead and the remittance slip of every statement: longer
# texts would not fit their place (an address: lines of the slip).
STATEMENT_CONTACT_LIMITS = {
    "collections_remit_to_address": 300,
    "collections_billing_phone": 40,
    "collections_office_hours": 200,
}
# One-line settings: a line break would print as a second line where one fits.
STATEMENT_ONE_LINE = ("collections_billing_phone", "collections_office_hours")
# An address of the slip: at most this many lines.
REMIT_TO_MAX_LINES = 5


class ResCompany(models.Model):
    """What a statement tells the guarantor about reaching the billing office."""

    _inherit = "res.company"

    collections_remit_to_address = fields.Text(
        string="Remit-to Address",
        help="Where guarantors mail their payments: printed on the remittance slip and the "
        "letterhead of statements. Empty: the company's address.",
    )
    collections_billing_phone = fields.Char(
        string="Billing Phone",
        help="The number guarantors call about their bill, printed on statements. "
        "Empty: the company's phone.",
    )
    collections_office_hours = fields.Char(
        string="Billing Office Hours",
        translate=True,
        help="When the billing office answers, printed on statements "
        "(e.g. Monday to Friday, 8 am to 5 pm).",
    )

    @api.model
    def _statement_contact_problems(self, vals):
        """What is wrong with the statement contact settings in ``vals``."""
        vals = {name: vals[name] for name in STATEMENT_CONTACT_LIMITS if name in vals}
        problems = text_problems(self, vals, STATEMENT_CONTACT_LIMITS)
        for name, value in vals.items():
            if not isinstance(value, str):
                continue
            label = self._fields[name].get_description(self.env)["string"]
            if name in STATEMENT_ONE_LINE and ("\n" in value or "\r" in value):
                problems.append(
                    self.env._("%(field)s fits one line: remove the line breaks.", field=label)
                )
            if (
                name == "collections_remit_to_address"
                and len(value.strip().splitlines()) > REMIT_TO_MAX_LINES
            ):
                problems.append(
                    self.env._(
                        "%(field)s has at most %(lines)s lines.",
                        field=label,
                        lines=REMIT_TO_MAX_LINES,
                    )
                )
        return problems

    @api.model
    def _check_statement_contact(self, vals):
        problems = self._statement_contact_problems(vals)
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_statement_contact(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_statement_contact(vals)
        return super().write(vals)

    def _statement_contact(self):
        """The billing office's contact as a statement prints it."""
        self.ensure_one()
        return {
            "remit_to": self.collections_remit_to_address
            or self.partner_id._display_address(without_company=True),
            "billing_phone": self.collections_billing_phone or self.phone or "",
            "office_hours": self.collections_office_hours or "",
        }
