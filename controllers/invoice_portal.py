"""Odoo's own invoice portal follows the module's rule: an invoice whose claim the
insurer still has is not the patient's to pay yet, and nothing is paid twice.
Its Pay Now is hidden by ``account.move._has_to_be_paid`` and its route
(``/invoice/transaction/<id>``) refuses such an invoice, and any amount above what
is left to pay on it less the online payments not booked yet.  The "overdue
invoices" page and its payment (``/my/invoices/overdue``,
``/invoice/transaction/overdue``) leave out the insurance-pending invoices and
those of accounts with an online payment in progress, and charge what is still
owed (the residuals), whatever amount the client sends."""

from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.osv import expression

from odoo.addons.account_payment.controllers.payment import PaymentPortal as InvoicePaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount

from .portal import _as_float


def _still_owed(invoices):
    """What the invoices (of one currency) still owe: their residuals, not their totals."""
    return invoices[:1].currency_id.round(sum(invoices.sudo().mapped("amount_residual")))


class PatientInvoicePortal(PortalAccount):
    def _get_overdue_invoices_domain(self, partner_id=None):
        domain = super()._get_overdue_invoices_domain(partner_id)
        # the claim's status and the account are the back office's fields: looked
        # up as superuser, among the invoices the guarantor's own domain already names
        Move = request.env["account.move"].sudo()
        pending = Move._search(expression.AND([domain, [("insurance_status", "=", "pending")]]))
        patient = Move.search(expression.AND([domain, [("patient_account_id", "!=", False)]]))
        paying = patient.patient_account_id.filtered(
            lambda account: account._portal_has_payment_in_progress()
        )
        # by id: the guarantor's search may not name the back office's field
        waiting = patient.filtered(lambda move: move.patient_account_id in paying)
        return expression.AND(
            [domain, [("id", "not in", pending)], [("id", "not in", waiting.ids)]]
        )

    def _overdue_invoices_get_page_view_values(self, overdue_invoices, **kwargs):
        values = super()._overdue_invoices_get_page_view_values(overdue_invoices, **kwargs)
        if "payment" in values:
            # a partly paid invoice asks for what is left on it
            owed = _still_owed(overdue_invoices)
            values["payment"]["amount"] = owed
            values["amount"] = owed
        return values


class PatientInvoicePaymentPortal(InvoicePaymentPortal):
    @http.route()
    def invoice_transaction(self, invoice_id, access_token=None, **kwargs):
        """A patient invoice is paid only when it is to be paid (not while the
        insurer has its claim), for at most what is left to pay on it less the
        online payments of it not booked yet."""
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except MissingError:
            raise
        except AccessError:
            raise ValidationError(request.env._("The access token is invalid.")) from None
        if not invoice_sudo.patient_account_id:
            return super().invoice_transaction(invoice_id, access_token, **kwargs)
        currency = invoice_sudo.currency_id
        payable = invoice_sudo._patient_portal_payable()
        if currency.compare_amounts(payable, 0.0) <= 0:
            raise ValidationError(
                request.env._(
                    "This invoice cannot be paid online now: nothing is left to pay on it, "
                    "or it waits for your insurance or for a payment being processed."
                )
            )
        amount = _as_float(kwargs.get("amount"))
        if amount is None or currency.compare_amounts(amount, 0.0) <= 0:
            raise ValidationError(request.env._("Enter the amount to pay."))
        if currency.compare_amounts(amount, payable) > 0:
            raise ValidationError(
                request.env._(
                    "You can pay at most %(amount)s on this invoice now.",
                    amount=currency.format(payable),
                )
            )
        kwargs.update(
            {
                "amount": amount,
                # never a validation (a provider's 0.00 transaction), back to the invoice
                "is_validation": False,
                "landing_route": invoice_sudo.get_portal_url(),
            }
        )
        return super().invoice_transaction(invoice_id, access_token, **kwargs)

    @http.route()
    def overdue_invoices_transaction(self, payment_reference=None, **kwargs):
        """What the overdue invoices still owe, whatever the client sends."""
        if request.env.user._is_public():
            return super().overdue_invoices_transaction(payment_reference, **kwargs)
        overdue = request.env["account.move"].search(self._get_overdue_invoices_domain())
        if not overdue:
            raise ValidationError(request.env._("No overdue invoice is left to pay."))
        if len(overdue.currency_id) == 1:
            kwargs["amount"] = _still_owed(overdue)
            kwargs["is_validation"] = False
        return super().overdue_invoices_transaction(payment_reference, **kwargs)
