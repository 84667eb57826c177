from odoo import models

from .patient_phi_list_audit import LIST_READ, LIST_READ_KEY, ListReadAudit, audit_open
from .res_partner import CLINICAL_ID_FIELDS, PATIENT_FIELDS


def clinical_names_inside(specification):
    """The clinical identifiers a ``web_read`` specification reads of the records
    it shows inside the read ones (nested ``fields``, at any depth)."""
    names = set()
    if not isinstance(specification, dict):
        return names
    for spec in specification.values():
        inner = spec.get("fields") if isinstance(spec, dict) else None
        if isinstance(inner, dict):
            names |= (set(inner) & set(CLINICAL_ID_FIELDS)) | clinical_names_inside(inner)
    return names


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

    def _audit_clinical_read(self, read, fnames, detail, specification=None):
        """``read(records)`` logged as an open of the patients among these contacts
        when it reads their clinical identifiers (``CLINICAL_ID_FIELDS``; all fields
        when ``fnames`` is None), or those of the contacts it shows inside them
        (``specification``: a web_read's; a guarantor's dependents), as a refusal
        when refused.  Not logged: other contacts, the superuser, the records of a
        list (their list line says it), what is read inside another record's form,
        and a form's onchanges (records being edited, whose open was logged when
        the form was read)."""
        if fnames is None:
            fnames = [
                name for name in CLINICAL_ID_FIELDS if self._fields[name].is_accessible(self.env)
            ]
        clinical = set(fnames) & set(CLINICAL_ID_FIELDS)
        inside = clinical_names_inside(specification)
        if (
            not (clinical or inside)
            or not self
            or self.env.su
            or self.env.context.get(LIST_READ_KEY) is LIST_READ
            or not all(isinstance(record_id, int) for record_id in self._ids)
        ):
            return read(self)

        def seen():
            shown = self._clinical_shown(specification) if inside else self.browse()
            opened = (self if clinical else self.browse()) | shown
            # the patients whose identifiers the user saw: those of the user's companies
            return opened._patient_in_scope().sudo().filtered("is_patient")

        return audit_open(
            self,
            read,
            detail=detail,
            seen=seen,
            refused=lambda: self.sudo().filtered("is_patient"),
            field_names=", ".join(sorted(clinical | inside)),
        )

    def _clinical_shown(self, specification):
        """The contacts a ``web_read`` specification reads clinical identifiers of
        inside these, through their relational fields to contacts at any depth (a
        guarantor's dependents); read as the user, who was just allowed to."""
        shown = self.browse()
        for name, spec in specification.items():
            field = self._fields.get(name)
            inner = spec.get("fields") if isinstance(spec, dict) else None
            if not (field and field.relational and field.comodel_name == self._name):
                continue
            if not clinical_names_inside({name: spec}):
                continue
            if set(inner) & set(CLINICAL_ID_FIELDS):
                shown |= self[name]
            shown |= self[name]._clinical_shown(inner)
        return shown

    def _audit_refs(self):
        """{id: (company id, False)}: the practice of the user's companies (the
        active ones first) whose patient the contact is, so that its managers see
        the line (a contact has no reference of its own to show)."""
        # (the context's companies are not trusted, nor refused here: a refusal
        # because of them is logged too)
        mine = self.env.user._get_company_ids()
        asked = self.env.context.get("allowed_company_ids") or []
        order = [cid for cid in asked if cid in mine] + [cid for cid in mine if cid not in asked]
        refs = {}
        for company_id in order:
            rest = self.filtered(lambda partner: partner.id not in refs)
            if not rest:
                break
            for partner in rest._patient_select_scoped([company_id]):
                refs[partner.id] = (company_id, False)
        return refs

    def web_read(self, specification):
        return self._audit_clinical_read(
            lambda records: super().web_read(specification),
            list(specification or ()),
            "open",
            specification,
        )

    def read(self, fields=None, load="_classic_read"):
        return self._audit_clinical_read(
            lambda records: super().read(fields=fields, load=load),
            fields or None,  # no field named: all of them, as Odoo reads
            "read",
        )

    # an open writes the access log: a read/write transaction, not a replica's
    web_read._readonly = False
    read._readonly = False
