"""Odoo's contact merge and patient accounts: one account per guarantor and
company, so two contacts each with an account in the same company are not
merged (Odoo would delete one account and leave its invoices on none)."""

from odoo import models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        self._patient_check_mergeable(partner_ids)
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)

    def _patient_check_mergeable(self, partner_ids):
        accounts = (
            self.env["patient.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", list(partner_ids))])
        )
        for company, group in accounts.grouped("company_id").items():
            if len(group) > 1:
                raise UserError(
                    self.env._(
                        "These contacts cannot be merged: each has a patient account in "
                        "%(company)s (%(accounts)s), and an account's history (invoices, "
                        "interactions, statements, plans) cannot be moved to another. Keep "
                        "the contacts apart.",
                        company=company.name,
                        accounts=", ".join(group.mapped("name")),
                    )
                )
