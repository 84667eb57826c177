from odoo import models

from .patient_phi_list_audit import ListReadAudit, audit_open, nested_reads, opens_unaudited
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
        paths = self._clinical_paths(specification)
        inside = set().union(*paths.values())
        if not (clinical or inside) or opens_unaudited(self):
            return read(self)

        def seen():
            shown = self.browse().union(*(self.mapped(path) for path in paths))
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

    def _clinical_paths(self, specification):
        """{dotted path: clinical identifiers}: the contacts a ``web_read``
        specification reads clinical identifiers of inside these, through
        relational fields at any depth (a guarantor's dependents)."""
        paths = {}
        for path, comodel, inner in nested_reads(self, specification):
            names = set(inner) & set(CLINICAL_ID_FIELDS)
            if names and comodel._name == self._name:
                paths[path] = names
        return paths

    def _audit_refs(self):
        """{id: (company id, False)}: the practice of the user's companies (the
        active ones first) whose patient the contact is, so that its managers see
        the line (a contact has no reference of its own to show)."""
        # (the context's companies are not trusted, nor refused here: a refusal
        # because of them is logged too)
        mine = self.env.user._get_company_ids()
        asked = self.env.context.get("allowed_company_ids") or []
        order = [cid for cid in asked if cid in mine] + [cid for cid in mine if cid not in asked]
        # one query per company (a user has few): each one's scope subqueries run
        # once, which a single query correlated with the company could not do
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
