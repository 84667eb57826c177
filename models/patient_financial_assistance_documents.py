"""The documents of a financial-assistance application (proof of income and
household): the many2many_binary widget uploads them before the application is
saved, unattached (``res_id`` 0), which Odoo lets only their uploader read; the
collections manager who decides the application could not open it.  Once the
application is saved they are attached to it, so whoever may read the
application reads them; a document the user may not read cannot be linked."""

from odoo import api, models
from odoo.fields import Command


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
