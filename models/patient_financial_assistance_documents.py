"""The documents of a financial-assistance application (proof of income and
household): the many2many_binary widget uploads them before the application is
saved, unattached (``res_id`` 0), which Odoo lets only their uploader read; the
collections manager who decides the application could not open it.  Once the
application is saved they are attached to it, so whoever may read the
application reads them; a document the user may not read cannot be linked."""

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .patient_financial_assistance import OPEN_STATES
from .patient_protected import is_trusted

APPLICATION = "patient.financial.assistance"


class PatientFinancialAssistance(models.Model):
    _inherit = "patient.financial.assistance"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_documents_readable(vals_list)
        applications = super().create(vals_list)
        applications._attach_documents()
        return applications

    def write(self, vals):
        self._check_documents_readable([vals])
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._attach_documents()
        return res

    @api.model
    def _check_documents_readable(self, vals_list):
        """The user may read every document they link (never another's file)."""
        ids = set()
        for vals in vals_list:
            commands = vals.get("attachment_ids")
            for command in commands if isinstance(commands, (list, tuple)) else []:
                if not isinstance(command, (list, tuple)) or not command:
                    continue
                if command[0] == Command.LINK and len(command) > 1:
                    ids.add(command[1])
                elif command[0] == Command.SET and len(command) > 2:
                    ids.update(command[2] if isinstance(command[2], (list, tuple)) else [])
        ids = [value for value in ids if isinstance(value, int) and not isinstance(value, bool)]
        if ids:
            self.env["ir.attachment"].browse(ids).exists().check("read")

    def _attach_documents(self):
        """Attach the documents uploaded for a new application to it (one write
        per application, as superuser: the uploader's own files only)."""
        uid = self.env.uid
        for application in self.sudo():
            unattached = application.attachment_ids.filtered(
                lambda attachment: (
                    not attachment.res_id
                    and attachment.res_model in (False, self._name)
                    and attachment.create_uid.id == uid
                )
            )
            if unattached:
                unattached.write({"res_model": self._name, "res_id": application.id})

    def _check_documents_changeable(self):
        """The documents of an application are its evidence: added or removed
        only while it is open, by whoever may change it (the account's
        specialist or a manager), whatever way the file is reached."""
        if not self or is_trusted(self.env) or self.env.su:
            return
        applications = self.sudo().exists()
        decided = applications.filtered(lambda application: application.state not in OPEN_STATES)
        if decided:
            raise UserError(
                self.env._(
                    "%(names)s: the documents of a decided application are the evidence of "
                    "its decision: they cannot be removed, replaced or added to. Open a new "
                    "application if the household's situation changed.",
                    names=", ".join(decided.mapped("name")),
                )
            )
        applications.account_id.with_env(self.env)._check_owner()


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _assistance_applications(self):
        """The applications these files are documents of (as superuser)."""
        files = self.sudo().filtered(lambda attachment: attachment.res_model == APPLICATION)
        return self.env[APPLICATION].browse(set(files.mapped("res_id")) - {0})

    @api.model_create_multi
    def create(self, vals_list):
        self.env[APPLICATION].browse(
            {
                vals["res_id"]
                for vals in vals_list
                if vals.get("res_model") == APPLICATION and isinstance(vals.get("res_id"), int)
            }
            - {0}
        )._check_documents_changeable()
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - {"access_token", "public"}:
            self._assistance_applications()._check_documents_changeable()
            if vals.get("res_model", APPLICATION) == APPLICATION and isinstance(
                vals.get("res_id"), int
            ):
                self.env[APPLICATION].browse(vals["res_id"] or [])._check_documents_changeable()
        return super().write(vals)

    def unlink(self):
        self._assistance_applications()._check_documents_changeable()
        return super().unlink()
