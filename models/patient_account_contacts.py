"""Who a patient account is about and who answers for it: the patients whose
charges it carries, the guarantor's time zone, the company's manager."""

from collections import defaultdict

from odoo import api, fields, models


class PatientAccount(models.Model):
    _inherit = "patient.account"

    @api.depends("partner_id", "move_ids.patient_id")
    def _compute_patient_ids(self):
        """Patients on the account's invoices, plus the guarantor's dependents."""
        Move = self.env["account.move"].sudo()
        by_account = {
            account.id: set(patients.ids)
            for account, patients in Move._read_group(
                [("patient_account_id", "in", self.ids), ("patient_id", "!=", False)],
                ["patient_account_id"],
                ["patient_id:recordset"],
            )
        }
        dependents = {
            guarantor.id: set(patients.ids)
            for guarantor, patients in self.env["res.partner"]
            .sudo()
            ._read_group(
                [("guarantor_id", "in", self.partner_id.ids), ("is_patient", "=", True)],
                ["guarantor_id"],
                ["id:recordset"],
            )
        }
        # a dependent is the account's patient when the account's company knows them
        # as its patient: another practice's patients stay its own
        wanted = defaultdict(set)
        for account in self:
            wanted[account.company_id.id] |= dependents.get(account.partner_id.id, set())
        Partner = self.env["res.partner"].sudo()
        scoped = {
            company_id: set(Partner.browse(sorted(ids))._patient_select_scoped([company_id]).ids)
            for company_id, ids in wanted.items()
            if ids
        }
        for account in self:
            known = scoped.get(account.company_id.id, set())
            ids = by_account.get(account.id, set()) | (
                dependents.get(account.partner_id.id, set()) & known
            )
            if account.partner_id.sudo().is_patient:
                ids.add(account.partner_id.id)
            account.patient_ids = [fields.Command.set(sorted(ids))]

    def _contact_tz(self):
        """The guarantor's time zone, else the company's, else the user's."""
        self.ensure_one()
        account = self.sudo()
        return (
            account.partner_id.tz or account.company_id.partner_id.tz or self.env.user.tz or "UTC"
        )

    def _collections_manager(self):
        """A collections manager of the account's company, for reviews and approvals."""
        self.ensure_one()
        group = self.env.ref("patient_collections.group_collections_manager")
        managers = group.sudo().users.filtered(
            lambda user: (
                not user.share
                and user.active
                and user != self.env.ref("base.user_root")
                and self.company_id in user.company_ids
            )
        )
        return managers.sorted("id")[:1]
