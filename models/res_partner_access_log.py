from odoo import models

from .patient_phi_list_audit import ListReadAudit
from .res_partner import PATIENT_FIELDS


class ResPartner(ListReadAudit, models.Model):
    """Contact lists that read, filter, group or order on patient fields are
    list reads of patient data: one access log line per call (see
    :class:`~.patient_phi_list_audit.ListReadAudit`); other contact lists are not."""

    _inherit = "res.partner"

    def _audit_list_phi_fields(self):
        return PATIENT_FIELDS
