"""Odoo's own invoice portal follows the module's rule: an invoice whose claim the
insurer still has is not the patient's to pay yet.  Its Pay Now is hidden by
``account.move._has_to_be_paid``; the "overdue invoices" page and its payment
(``/my/invoices/overdue``, ``/invoice/transaction/overdue``) leave it out here."""

from odoo.http import request
from odoo.osv import expression

from odoo.addons.account.controllers.portal import PortalAccount


class PatientInvoicePortal(PortalAccount):
    def _get_overdue_invoices_domain(self, partner_id=None):
        domain = super()._get_overdue_invoices_domain(partner_id)
        # the claim's status is the back office's field: looked up as superuser,
        # among the invoices the guarantor's own domain already names
        pending = (
            request.env["account.move"]
            .sudo()
            ._search(expression.AND([domain, [("insurance_status", "=", "pending")]]))
        )
        return expression.AND([domain, [("id", "not in", pending)]])
