"""Odoo's own invoice portal (/my/invoices) follows the module's rule: an invoice
whose claim the insurer still has is not the patient's to pay yet."""

from odoo import Command, fields
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

    def test_pending_claim_is_left_out_of_the_overdue_payment(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        today = fields.Date.today()
        overdue = self.make_invoice(
            self.child, 80.0, self.days_ago(today, 60), self.days_ago(today, 30)
        )
        pending = self.make_invoice(
            self.child,
            220.0,
            self.days_ago(today, 60),
            self.days_ago(today, 30),
            insurance_status="pending",
        )
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open("/my/invoices/overdue")
        self.assertEqual(page.status_code, 200)
        self.assertIn("/my/invoices/overdue", page.url, "the page offers the payment")
        self.make_jsonrpc_request(
            "/invoice/transaction/overdue",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_id,
                "token_id": None,
                "amount": 80.0,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": "/my",
                "payment_reference": False,
            },
        )
        transaction = self.env["payment.transaction"].sudo().search([], order="id desc", limit=1)
        owed = self.env["account.move"].search(
            [
                ("partner_id", "=", pending.partner_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "not in", ("in_payment", "paid")),
                ("invoice_date_due", "<", today),
            ]
        )
        self.assertIn(overdue, transaction.invoice_ids)
        self.assertNotIn(pending, transaction.invoice_ids, "the insurer's claim is not paid")
        self.assertEqual(transaction.invoice_ids, owed - pending)

    def test_payments_in_progress_are_seen_by_both_portals(self):
        """A payment taken on one portal and not booked yet leaves the other
        portal only what is left: the guarantor never pays one balance twice."""
        self.assertEqual(self.account.balance_due, 300.0)
        self.assertTrue(self.old_invoice._has_to_be_paid())
        self.assertTrue(self.new_invoice._has_to_be_paid())
        # Odoo's overdue payment of the 200.00 invoice and of a 50.00 invoice of the
        # guarantor's that is no patient's, pending at the provider
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.guarantor.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create({"name": "Gift shop", "price_unit": 50.0, "tax_ids": []})
                ],
            }
        )
        other.action_post()
        self.assertFalse(other.patient_account_id)
        invoice_tx = self._create_transaction(
            "redirect",
            amount=250.0,
            currency_id=self.account.currency_id.id,
            partner_id=self.guarantor.id,
            invoice_ids=[Command.set((self.new_invoice | other).ids)],
            reference="PC-TEST-INVOICE-PORTAL",
        )
        invoice_tx._set_pending()
        self.assertEqual(self.account._portal_payments_in_progress(), 200.0, "the account's part")
        self.assertEqual(self.account._portal_payable(), 100.0, "the rest is offered")
        self.assertIn(
            "100.00",
            " ".join(self.account._portal_payment_problems(300.0)),
            "paying the whole balance again is refused",
        )
        invoice_tx._set_canceled()
        self.assertEqual(self.account._portal_payable(), 300.0)
        # the patient portal's 150.00, pending: Pay Now only where it does not pay twice
        self.patient_tx(150.0)._set_pending()
        self.assertTrue(self.old_invoice._has_to_be_paid(), "100.00 of the 150.00 left")
        self.assertFalse(self.new_invoice._has_to_be_paid(), "200.00: more than is left")
