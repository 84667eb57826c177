from odoo import models

from ..models.res_users import login_mail


class PortalWizardUser(models.TransientModel):
    _inherit = "portal.wizard.user"

    def _send_email(self):
        """The portal invitation: a mail about the person's login (see
        models/res_users.py)."""
        return super(PortalWizardUser, login_mail(self))._send_email()
