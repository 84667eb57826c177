from odoo import models

from .account_move import PATIENT_MOVE_FIELDS
from .patient_phi_mixin import ListReadAudit


class AccountMove(ListReadAudit, models.Model):
    """Invoice lists that read, filter, group or order on patient fields are
    list reads of patient data: one access log line per call (see
    :class:`~.patient_phi_mixin.ListReadAudit`); other invoice lists are not."""

    _inherit = "account.move"

    def _audit_list_phi_fields(self):
        return PATIENT_MOVE_FIELDS
