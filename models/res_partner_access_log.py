from odoo import models

from .patient_phi_list_audit import LIST_READ, LIST_READ_KEY, ListReadAudit, audit_open
from .res_partner import CLINICAL_ID_FIELDS, PATIENT_FIELDS


class ResPartner(ListReadAudit, models.Model):
    """Contact lists that read, filter, group or order on patient fields are
    list reads of patient data: one access log line per call (see
    :class:`~.patient_phi_list_audit.ListReadAudit`); other contact lists are not.
    A patient's contact opened with their medical record number or date of birth
    (the contact form, ``read`` over the API) is an open of patient data: one line
    per patient, naming the fields, never their values."""

    _inherit = "res.partner"

    def _audit_list_phi_fields(self):
        return PATIENT_FIELDS

    def _audit_clinical_read(self, read, fnames, detail):
        """``read(records)`` logged as an open of the patients among these contacts
        when it reads their clinical identifiers (``CLINICAL_ID_FIELDS``; all fields
        when ``fnames`` is None), as a refusal when refused.  Not logged: other
        contacts, the superuser, the records of a list (their list line says it),
        what is read inside another record's form, and a form's onchanges (records
        being edited, whose open was logged when the form was read)."""
        if fnames is None:
            fnames = [
                name for name in CLINICAL_ID_FIELDS if self._fields[name].is_accessible(self.env)
            ]
        clinical = sorted(set(fnames) & set(CLINICAL_ID_FIELDS))
        if (
            not clinical
            or not self
            or self.env.su
            or self.env.context.get(LIST_READ_KEY) is LIST_READ
            or not all(isinstance(record_id, int) for record_id in self._ids)
        ):
            return read(self)
        return audit_open(
            self,
            read,
            detail=detail,
            # the patients whose identifiers the user saw: those of the user's companies
            seen=lambda: self._patient_in_scope().sudo().filtered("is_patient"),
            refused=lambda: self.sudo().filtered("is_patient"),
            field_names=", ".join(clinical),
        )

    def web_read(self, specification):
        return self._audit_clinical_read(
            lambda records: super().web_read(specification),
            list(specification or ()),
            "open",
        )

    def read(self, fields=None, load="_classic_read"):
        return self._audit_clinical_read(
            lambda records: super().read(fields=fields, load=load),
            fields,
            "read",
        )

    # an open writes the access log: a read/write transaction, not a replica's
    web_read._readonly = False
    read._readonly = False
