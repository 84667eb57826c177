"""A patient account is a person's: never a company's, nor a company contact's.

Customers filed under their employer (a company) before the module was
installed: Odoo booked their invoices' receivable on the employer (the
invoice's commercial partner, frozen when the customer was chosen).  Naming
the patient on such an invoice or credit note is refused, also once the
contact has left the company, with what to do: reset it to draft, choose the
patient, post it again (the receivable then moves to the guarantor).  A
patient whose guarantor is a company, and a draft whose guarantor was filed
under a company before posting, open no account either."""

from contextlib import contextmanager
from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_existing_invoices import ACCOUNTANT


@tagged("post_install", "-at_install")
class TestExistingInvoicesCompany(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc_move18_accountant", ACCOUNTANT)
        cls.today = fields.Date.context_today(cls.env.user)
        Partner = cls.env["res.partner"]
        cls.employer = Partner.create({"name": "Testemployer Widgets", "is_company": True})
        cls.employee = Partner.create({"name": "Testemployee Delta", "parent_id": cls.employer.id})

    @contextmanager
    def assertRefused(self, *texts):
        """Odoo's ``assertRaises`` (a savepoint: the refused write is undone), and
        the message checked."""
        with self.assertRaises(ValidationError) as caught:
            yield
        for text in texts:
            self.assertIn(text, str(caught.exception))

    def assertNoAccount(self, *partners):
        self.env.invalidate_all()
        found = self.Account.with_context(active_test=False).search(
            [("partner_id", "in", [p.id for p in partners])]
        )
        self.assertFalse(found, "no patient account for a company or a company's contact")

    def receivable_partner(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).partner_id

    def test_an_employers_invoice_and_credit_note_open_no_account(self):
        """The tester's case: the credit note opened an account for the employer."""
        invoice = self.posted_without_patient(self.employee, 200.0)
        credit = self.posted_without_patient(self.employee, 40.0, move_type="out_refund")
        self.assertEqual(invoice.commercial_partner_id, self.employer)
        for move in (invoice, credit):
            with self.subTest(move=move.name), self.assertRefused("remove the company"):
                move.with_user(self.accountant).write({"patient_id": self.employee.id})
        # the contact leaves the employer: the invoices stay booked on it
        self.employee.parent_id = False
        for move in (invoice, credit):
            with (
                self.subTest(move=move.name),
                self.assertRefused("booked on a company", "reset it to draft, choose the patient"),
            ):
                move.with_user(self.accountant).write({"patient_id": self.employee.id})
        self.assertNoAccount(self.employer, self.employee)
        self.assertFalse(invoice.patient_id or credit.patient_id)
        self.assertEqual(self.receivable_partner(credit), self.employer)

    def test_reset_to_draft_and_posted_again_it_joins_the_guarantors_account(self):
        """What the refusal says to do works: the receivable moves to the guarantor,
        and a payment the reset unreconciled is given to the guarantor and added
        back to the invoice."""
        invoice = self.posted_without_patient(self.employee, 200.0)
        credit = self.posted_without_patient(self.employee, 40.0, move_type="out_refund")
        payment = self.pay(invoice, 50.0, self.today - timedelta(days=10))
        self.assertEqual(payment.partner_id, self.employer, "Odoo paid the employer's line")
        self.employee.parent_id = False
        for move in (invoice, credit):
            move = move.with_user(self.accountant)
            move.button_draft()
            move.write({"patient_id": self.employee.id})
            move.action_post()
        account = self.account_of(self.employee)
        self.assertRecordValues(
            invoice | credit,
            [
                {"state": "posted", "commercial_partner_id": self.employee.id},
                {"state": "posted", "commercial_partner_id": self.employee.id},
            ],
        )
        self.assertEqual((invoice | credit).patient_account_id, account)
        self.assertEqual(self.receivable_partner(invoice | credit), self.employee)
        self.assertEqual(account.balance_due, 160.0, "the payment was unreconciled")
        self.assertEqual(invoice.payment_state, "not_paid")
        # the payment as the refusal says: given to the guarantor, added to the invoice
        payment = payment.with_user(self.accountant)
        payment.action_draft()
        payment.partner_id = self.employee
        payment.action_post()
        outstanding = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(outstanding.partner_id, self.employee)
        invoice.with_user(self.accountant).js_assign_outstanding_line(outstanding.id)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(account.balance_due, 110.0)
        self.assertNoAccount(self.employer)

    def test_a_company_as_the_patients_guarantor_opens_no_account(self):
        colleague = self.env["res.partner"].create(
            {"name": "Testemployee Epsilon", "parent_id": self.employer.id}
        )
        for guarantor in (self.employer, colleague):
            patient = self.env["res.partner"].create(
                {"name": "Testpatient Zeta", "is_patient": True, "guarantor_id": guarantor.id}
            )
            with self.subTest(guarantor=guarantor.name):
                with self.assertRefused("billed to a company"):
                    self.make_invoice(patient, 90.0, self.today)
                with self.assertRefused("billed to a company"):
                    self.make_invoice(patient, 10.0, self.today, move_type="out_refund")
        self.assertNoAccount(self.employer, colleague)

    def test_a_guarantor_filed_under_a_company_before_posting_is_refused(self):
        person = self.env["res.partner"].create({"name": "Testperson Eta", "is_patient": True})
        draft = self.make_invoice(person, 70.0, self.today, post=False)
        person.parent_id = self.employer
        with self.assertRefused("billed to a company"):
            draft.with_user(self.accountant).action_post()
        self.assertEqual(draft.state, "draft")
        self.assertNoAccount(self.employer, person)

    def test_a_posted_invoice_of_another_customer_says_how_to_correct_it(self):
        invoice = self.posted_without_patient(self.other_guarantor, 60.0)
        with self.assertRefused(
            "must be the patient's guarantor", "reset it to draft, choose the patient"
        ):
            invoice.with_user(self.accountant).write({"patient_id": self.child.id})
        self.assertFalse(self.account_of(self.other_guarantor))
