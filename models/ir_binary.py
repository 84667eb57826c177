from odoo import models
from odoo.exceptions import AccessError

from .patient_access_log import is_patient_file_model

# the fields of an attachment that hold its file
FILE_FIELDS = ("raw", "datas", "db_datas")


class IrBinary(models.AbstractModel):
    """Every route that streams a file (``/web/content``, ``/web/image``, the
    chatter's ``/mail/attachment/zip``) goes through ``ir.binary``: a statement,
    a plan agreement or a run's merged statements streamed this way writes a
    'download' line naming the record the file belongs to; a refused one a
    'denied' line."""

    _inherit = "ir.binary"

    def _patient_file_owners(self, record, field_name):
        """The patient record whose file ``record.field_name`` is, or None."""
        if record._name == "ir.attachment":
            attachment = record.sudo()
            if attachment.res_id and is_patient_file_model(self.env, attachment.res_model):
                return self.env[attachment.res_model].sudo().browse(attachment.res_id)
            return None
        if is_patient_file_model(self.env, record._name):
            return record.sudo()
        return None

    def _log_patient_file_denied(self, record, field_name):
        owner = self._patient_file_owners(record, field_name)
        if owner is not None:
            detail = (
                f"ir.attachment,{record.id}"
                if record._name == "ir.attachment"
                else f"{record._name},{record.id}"
            )
            self.env["patient.access.log"]._log_denied(
                owner, detail=detail, field_names=field_name or "raw"
            )

    def _find_record_check_access(self, record, access_token, field):
        try:
            return super()._find_record_check_access(record, access_token, field)
        except AccessError:
            self._log_patient_file_denied(record, field)
            raise

    def _record_to_stream(self, record, field_name):
        try:
            stream = super()._record_to_stream(record, field_name)
        except AccessError:
            self._log_patient_file_denied(record, field_name)
            raise
        Log = self.env["patient.access.log"]
        if record._name == "ir.attachment":
            if field_name in FILE_FIELDS:
                Log._log_download(record, field_name)
        elif (
            is_patient_file_model(self.env, record._name) and record._fields[field_name].attachment
        ):
            # a file field of the record itself (a plan's signed agreement)
            Log._log_download(
                self.env["ir.attachment"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", record._name),
                        ("res_id", "=", record.id),
                        ("res_field", "=", field_name),
                    ],
                    limit=1,
                ),
                field_name,
            )
        return stream
