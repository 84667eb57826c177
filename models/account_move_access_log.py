from odoo import models

from .account_move import PATIENT_MOVE_FIELDS
from .patient_phi_list_audit import audit_open, opens_unaudited
from .patient_phi_mixin import ListReadAudit

# what makes reading an invoice an open of patient data: its patient account's
# number, shown on every patient invoice, is no patient data of its own
OPENED_FIELDS = tuple(name for name in PATIENT_MOVE_FIELDS if name != "patient_account_id")


class AccountMove(ListReadAudit, models.Model):
    """Invoice lists that read, filter, group or order on patient fields are
    list reads of patient data: one access log line per call (see
    :class:`~.patient_phi_mixin.ListReadAudit`); other invoice lists are not.
    A patient's invoice opened with its patient fields (the invoice form, ``read``
    over the API: the patient, the date of service, the claim, the insurance's
    part) is an open of patient data: one line per invoice, naming the fields."""

    _inherit = "account.move"

    def _audit_list_phi_fields(self):
        return PATIENT_MOVE_FIELDS

    def _audit_refs(self):
        """{id: (company id, False)}: the practice of the invoice, so that its
        managers see the line (an invoice is named by its id only)."""
        return {move.id: (move.company_id.id, False) for move in self.sudo()}

    def _audit_patient_read(self, read, fnames, detail):
        """``read(records)`` logged as an open of the patients' invoices among these
        when it reads patient fields (all fields when ``fnames`` is None), as a
        refusal when refused.  Not logged: other invoices, the superuser, the
        records of a list (their list line says it)."""
        if fnames is None:
            fnames = [name for name in OPENED_FIELDS if self._fields[name].is_accessible(self.env)]
        patient = set(fnames) & set(OPENED_FIELDS)
        if not patient or opens_unaudited(self):
            return read(self)

        def patients_invoices():
            return self.sudo().filtered("patient_id")

        return audit_open(
            self,
            read,
            detail=detail,
            seen=patients_invoices,
            refused=patients_invoices,
            field_names=", ".join(sorted(patient)),
        )

    def web_read(self, specification):
        return self._audit_patient_read(
            lambda records: super(AccountMove, records).web_read(specification),  # noqa: UP008
            list(specification or ()),
            "open",
        )

    def read(self, fields=None, load="_classic_read"):
        return self._audit_patient_read(
            lambda records: super(AccountMove, records).read(  # noqa: UP008
                fields=fields, load=load
            ),
            fields or None,  # no field named: all of them, as Odoo reads
            "read",
        )

    # an open writes the access log: a read/write transaction, not a replica's
    web_read._readonly = False
    read._readonly = False
