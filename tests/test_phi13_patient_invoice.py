"""Defect 5: the server took any contact as an invoice's patient (a company's
billing contact opened a patient account), on a vendor bill, on a cancelled
invoice, and with a customer who is not the patient's guarantor; the invoice
form's domain and read-only were the view's only, and an import went round them."""

from contextlib import contextmanager
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)


@tagged("post_install", "-at_install")
class TestPhi13PatientInvoice(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc13_inv_accountant", ACCOUNTANT)
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Testcompany Acme", "is_company": True})
        cls.acme_billing = Partner.create(
            {"name": "Testbilling Acme", "parent_id": cls.acme.id, "type": "invoice"}
        )
        cls.day = date.today() - timedelta(days=20)

    def move(self, partner, move_type="out_invoice", post=True, **extra):
        move = self.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": self.day,
                "date": self.day,
                "invoice_date_due": self.day,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Office visit", "quantity": 1, "price_unit": 80.0, "tax_ids": []}
                    )
                ],
                **extra,
            }
        )
        if post:
            move.action_post()
        return move

    @contextmanager
    def assertRefused(self, exception, text):
        """``assertRaisesRegex`` has no savepoint (the refused write would stay
        half done): Odoo's ``assertRaises``, and the message checked."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def assertNoAccount(self, partner):
        self.env.invalidate_all()
        self.assertFalse(
            self.Account.search([("partner_id", "=", partner.commercial_partner_id.id)])
        )

    def test_only_a_person_marked_patient(self):
        invoice = self.move(self.acme)
        for contact in (self.acme_billing, self.acme):
            with (
                self.subTest(contact=contact.name),
                self.assertRefused(ValidationError, "must be a person, not a company"),
            ):
                invoice.with_user(self.accountant).write({"patient_id": contact.id})
        self.assertNoAccount(self.acme)
        self.assertFalse(invoice.patient_id)
        # a company ticked Patient is no person either
        self.acme.is_patient = True
        with self.assertRefused(ValidationError, "must be a person, not a company"):
            invoice.with_user(self.accountant).write({"patient_id": self.acme.id})
        with self.assertRefused(ValidationError, "must be a person, not a company"):
            self.move(self.acme_billing, post=False, patient_id=self.acme_billing.id)
        # a person not ticked Patient yet is named as before
        person = self.env["res.partner"].create({"name": "Testperson Unticked"})
        self.move(person).with_user(self.accountant).write({"patient_id": person.id})
        self.assertTrue(self.Account.search([("partner_id", "=", person.id)]))

    def test_a_credit_note_after_the_guarantor_changed(self):
        """The patient's guarantor changes (custody): a credit note on an invoice
        the old guarantor was billed for credits them, as Odoo reverses it."""
        invoice = self.make_invoice(self.child, 90.0, self.day)
        self.child.guarantor_id = self.other_guarantor
        credit = invoice._reverse_moves()
        self.assertEqual(credit.partner_id, self.guarantor)
        self.assertEqual(credit.patient_id, self.child)

    def test_the_customer_is_the_patients_guarantor(self):
        invoice = self.move(self.other_guarantor)
        with self.assertRefused(ValidationError, "must be the patient's guarantor"):
            invoice.with_user(self.accountant).write({"patient_id": self.child.id})
        self.assertNoAccount(self.other_guarantor)
        # the guarantor's own invoice takes the child; the patient without a
        # guarantor is billed themselves
        self.move(self.guarantor).with_user(self.accountant).write({"patient_id": self.child.id})
        self.move(self.other_guarantor).with_user(self.accountant).write(
            {"patient_id": self.other_guarantor.id}
        )
        # and the customer of a patient invoice is not changed to another
        patient_invoice = self.make_invoice(self.child, 40.0, self.day, post=False)
        with self.assertRefused(ValidationError, "must be the patient's guarantor"):
            patient_invoice.partner_id = self.other_guarantor

    def test_only_customer_invoices_and_credit_notes(self):
        bill = self.move(self.guarantor, move_type="in_invoice")
        with self.assertRefused(ValidationError, "Only customer invoices and credit notes"):
            bill.with_user(self.accountant).write({"patient_id": self.guarantor.id})
        with self.assertRefused(ValidationError, "Only customer invoices and credit notes"):
            self.move(self.guarantor, move_type="in_refund", post=False, patient_id=self.child.id)
        self.assertNoAccount(self.guarantor)
        refund = self.move(self.guarantor, move_type="out_refund")
        refund.with_user(self.accountant).write({"patient_id": self.child.id})
        self.assertEqual(refund.patient_id, self.child)

    def test_a_cancelled_invoice_keeps_its_patient(self):
        cancelled = self.move(self.guarantor, post=False)
        cancelled.button_cancel()
        with self.assertRefused(UserError, "cancelled invoice cannot be changed"):
            cancelled.with_user(self.accountant).write({"patient_id": self.child.id})
        self.assertNoAccount(self.guarantor)
        named = self.make_invoice(self.child, 30.0, self.day, post=False)
        named.button_cancel()
        with self.assertRefused(UserError, "cancelled invoice cannot be changed"):
            named.with_user(self.accountant).write({"patient_id": self.child_2.id})
        named.with_user(self.accountant).write({"patient_id": self.child.id})  # unchanged: fine
        self.assertEqual(named.patient_id, self.child)

    def test_import_is_checked_too(self):
        invoice = self.move(self.acme)
        result = (
            self.env["account.move"]
            .with_user(self.accountant)
            .load([".id", "patient_id/.id"], [[str(invoice.id), str(self.acme_billing.id)]])
        )
        self.assertFalse(result["ids"])
        self.env.invalidate_all()
        self.assertIn(
            "must be a person, not a company",
            " ".join(m["message"] for m in result["messages"]),
        )
        self.assertFalse(invoice.patient_id)
        self.assertNoAccount(self.acme)
