"""Odoo's own invoice portal (/my/invoices) follows the module's rule: an invoice
whose claim the insurer still has is not the patient's to pay yet."""

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase


@tagged("post_install", "-at_install")
class TestPortalInvoicePay(PortalCase):
    def test_pending_claim_has_no_pay_now(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        pending = self.make_invoice(
            self.child, 220.0, fields.Date.today(), insurance_status="pending"
        )
        self.assertTrue(self.new_invoice._has_to_be_paid())
        self.assertFalse(pending._has_to_be_paid())
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        for invoice, offered in ((self.new_invoice, True), (pending, False)):
            page = self.url_open(f"/my/invoices/{invoice.id}")
            self.assertEqual(page.status_code, 200)
            self.assertEqual('data-bs-target="#pay_with"' in page.text, offered, invoice.name)
        listing = self.url_open("/my/invoices")
        self.assertEqual(listing.text.count('title="Pay Now"'), 2, "the two adjudicated ones")
        pending.sudo().insurance_status = "adjudicated"
        self.assertTrue(pending._has_to_be_paid(), "payable once adjudicated")
