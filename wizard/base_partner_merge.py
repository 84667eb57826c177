"""Odoo's contact merge and patient accounts: one account per guarantor and
company, so two contacts each with an account in the same company are not
merged (Odoo would delete one account and leave its invoices on none); and an
invoice's customer is its patient's guarantor, so a guarantor is not merged
with someone else's patient, nor patients of two guarantors together (the
merged patient's invoices would be billed to someone who is not their
guarantor, and their charges split between two guarantors' accounts)."""

from odoo import models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        self._patient_check_mergeable(partner_ids)
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)

    def _patient_check_mergeable(self, partner_ids):
        # the merged contacts' accounts (archived ones too), read once for both checks
        accounts = (
            self.env["patient.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", list(partner_ids))])
        )
        self._patient_check_guarantors_mergeable(partner_ids, accounts)
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

    def _patient_check_guarantors_mergeable(self, partner_ids, accounts):
        """Refused: the patients of two guarantors, or a guarantor (of an account
        or of dependents) with a patient of a guarantor.  ``accounts``: the
        contacts' patient accounts, archived ones too (as superuser)."""
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = partners.browse(list(partner_ids)).exists()
        guarantors = partners.guarantor_id
        if len(guarantors) > 1:
            raise UserError(
                self.env._(
                    "These contacts cannot be merged: they are patients of different "
                    "guarantors, and a patient's charges are billed to their one guarantor. "
                    "Correct the Guarantor of the duplicate first, then merge."
                )
            )
        if not guarantors:
            return
        if accounts or partners.patient_dependent_ids:
            raise UserError(
                self.env._(
                    "These contacts cannot be merged: one is a guarantor, another is the "
                    "patient of a guarantor, and a patient's charges are billed to their "
                    "guarantor. Keep the guarantor and their patients apart."
                )
            )
