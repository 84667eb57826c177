"""Invoices posted without a patient (before the module was installed, or by
an accountant who left the field empty) become patient invoices when the
accountant names the patient on the posted invoice: the guarantor's account
opens with them, on the form (a tour, static/src/tours/existing_invoice_tour.js)
as through the ORM.  A posted invoice on an account keeps a patient."""

from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import PatientCollectionsCommon

ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)
INVOICE_FORM = "/odoo/action-account.action_move_out_invoice_type/%s"


@tagged("post_install", "-at_install")
class TestExistingInvoices(PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc_exist_accountant", ACCOUNTANT)
        cls.today = fields.Date.context_today(cls.env.user)

    def test_naming_the_patient_opens_the_guarantors_account(self):
        first = self.posted_without_patient(self.guarantor, 300.0, days_past_due=40)
        second = self.posted_without_patient(self.guarantor, 120.0, days_past_due=10)
        self.pay(first, 100.0, self.today - timedelta(days=5))
        self.assertFalse(self.account_of(self.guarantor), "no patient: not a patient invoice")
        first.with_user(self.accountant).patient_id = self.child
        account = self.account_of(self.guarantor)
        self.assertEqual(first.patient_account_id, account)
        self.assertFalse(second.patient_account_id, "only the invoice given a patient")
        self.assertEqual(account.balance_due, 200.0, "the residual, the payment kept")
        self.assertEqual(account.days_past_due, 40)
        self.assertEqual(first.payment_state, "partial", "the reconciliation is untouched")
        second.with_user(self.accountant).patient_id = self.child_2
        self.assertEqual(second.patient_account_id, account, "one account per guarantor")
        self.assertEqual(account.balance_due, 320.0)

    def test_a_posted_invoice_on_an_account_keeps_a_patient(self):
        invoice = self.make_invoice(self.child, 90.0, self.today - timedelta(days=20))
        account = invoice.patient_account_id
        with self.assertRaisesRegex(UserError, "cannot be removed"):
            invoice.with_user(self.accountant).patient_id = False
        self.assertRecordValues(
            invoice, [{"patient_id": self.child.id, "patient_account_id": account.id}]
        )
        invoice.with_user(self.accountant).patient_id = self.child_2  # a wrong patient corrected
        self.assertEqual(invoice.patient_account_id, account)
        self.assertEqual(account.balance_due, 90.0)
        draft = self.make_invoice(self.child, 50.0, self.today, post=False)
        draft.patient_id = False  # a draft is not on an account yet
        self.assertFalse(draft.patient_id)

    def test_only_the_collections_groups_name_the_patient(self):
        invoice = self.posted_without_patient(self.other_guarantor, 75.0, days_past_due=40)
        clerk = self.company_user("pc_exist_clerk", "base.group_user,account.group_account_invoice")
        with self.assertRaises(AccessError):
            invoice.with_user(clerk).write({"patient_id": self.other_guarantor.id})
        self.assertFalse(self.account_of(self.other_guarantor))

    def test_the_posted_invoice_form_takes_the_patient(self):
        invoice = self.posted_without_patient(self.other_guarantor, 60.0, days_past_due=40)
        with Form(invoice.with_user(self.accountant)) as form:
            form.patient_id = self.other_guarantor
        self.assertEqual(self.account_of(self.other_guarantor).balance_due, 60.0)

    def test_accountant_names_the_patient_in_the_browser(self):
        invoice = self.posted_without_patient(self.other_guarantor, 45.0, days_past_due=40)
        self.env.flush_all()
        self.start_tour(
            INVOICE_FORM % invoice.id, "pc_existing_invoice_patient", login=self.accountant.login
        )
        self.env.invalidate_all()
        account = self.account_of(self.other_guarantor)
        self.assertEqual(invoice.patient_id, self.other_guarantor)
        self.assertEqual(invoice.patient_account_id, account)
        self.assertEqual(account.balance_due, 45.0)

    def test_accountant_names_an_existing_customer_in_the_browser(self):
        """A customer invoiced before the module, never marked a patient: the
        Patient field offers them, and naming them makes them a patient."""
        customer = self.env["res.partner"].create({"name": "Testcustomer Onboard"})
        invoice = self.posted_without_patient(customer, 70.0, days_past_due=40)
        self.assertFalse(customer.is_patient)
        self.assertGreater(customer.customer_rank, 0)
        self.env.flush_all()
        self.start_tour(
            INVOICE_FORM % invoice.id, "pc_existing_customer_patient", login=self.accountant.login
        )
        self.env.invalidate_all()
        account = self.account_of(customer)
        self.assertEqual(invoice.patient_id, customer)
        self.assertEqual(invoice.patient_account_id, account)
        self.assertEqual(account.balance_due, 70.0)
        self.assertTrue(customer.is_patient, "named on an invoice: a patient")
        self.assertIn(customer, self.env["res.partner"].search([("is_patient", "=", True)]))


@tagged("post_install", "-at_install")
class TestExistingInvoicesTwoPractices(PatientCollectionsCommon):
    """Two practices in one database: the Patient field offers the people this
    practice invoiced (not those only the other one did), a patient of one
    practice named on the other's invoice becomes its patient too, and a
    contact of the other practice cannot be named by forging its id."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.practice_b = cls.setup_other_company(name="Testpractice Bravo")["company"]
        cls.accountant = cls.company_user("pc_exist2_accountant", ACCOUNTANT)
        cls.today = fields.Date.context_today(cls.env.user)

    def invoice(self, partner, company, patient=None):
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "company_id": company.id,
            "invoice_date": self.today,
            "invoice_line_ids": [
                Command.create({"name": "Visit", "quantity": 1, "price_unit": 50, "tax_ids": []})
            ],
        }
        if patient:
            vals["patient_id"] = patient.id
        return self.env["account.move"].with_company(company).create(vals)

    def offered(self, user, company):
        """The contacts the invoice form's Patient field offers ``user``."""
        arch = self.env["account.move"].get_views([(False, "form")])["views"]["form"]["arch"]
        domain = etree.fromstring(arch).xpath("//field[@name='patient_id']")[0].get("domain")
        Partner = self.env["res.partner"].with_user(user).with_company(company)
        return Partner.search(safe_eval(domain, {"company_id": company.id}))

    def test_only_this_practices_customers_are_offered(self):
        ours = self.env["res.partner"].create({"name": "Testcustomer Ours"})
        theirs = self.env["res.partner"].create({"name": "Testcustomer Theirs"})
        self.invoice(ours, self.env.company).action_post()
        self.invoice(theirs, self.practice_b).action_post()
        offered = self.offered(self.accountant, self.env.company)
        self.assertIn(ours, offered)
        self.assertNotIn(theirs, offered, "invoiced by the other practice only")

    def test_a_patient_of_one_practice_becomes_a_patient_of_the_other(self):
        shared = self.env["res.partner"].create({"name": "Testpatient Shared"})
        self.invoice(shared, self.env.company, patient=shared)
        self.assertIn(self.env.company, shared.sudo().patient_company_ids)
        self.assertNotIn(self.practice_b, shared.sudo().patient_company_ids)
        self.invoice(shared, self.practice_b, patient=shared)  # a draft is enough
        self.assertIn(self.practice_b, shared.sudo().patient_company_ids)

    def test_a_forged_patient_of_the_other_practice_is_refused(self):
        stranger = self.env["res.partner"].create(
            {"name": "Testpatient Stranger", "company_id": self.practice_b.id}
        )
        Move = self.env["account.move"].with_user(self.accountant)
        vals = {"move_type": "out_invoice", "patient_id": stranger.id}
        with self.assertRaises(AccessError) as caught:
            Move.create(vals)
        self.assertNotIn("Stranger", str(caught.exception))
        invoice = self.invoice(self.guarantor, self.env.company)
        with self.assertRaises(AccessError):
            invoice.with_user(self.accountant).write({"patient_id": stranger.id})

    def test_the_patients_of_a_batch_are_checked_and_read_at_once(self):
        """Naming patients on the invoices of one create costs the same few
        queries however many invoices: their check and their guarantors' read
        are made once for all."""
        patients = self.env["res.partner"].create(
            [
                {
                    "name": f"Testpatient Batch {n}",
                    "guarantor_id": self.guarantor.id,
                    "is_patient": True,
                }
                for n in range(6)
            ]
        )
        Move = self.env["account.move"].with_user(self.accountant)

        def queries(vals_list):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            moves = Move.create(vals_list)
            count = self.env.cr.sql_log_count - before
            self.assertEqual(moves.partner_id, self.guarantor)
            return count

        def extra(partners):
            """What naming ``partners`` adds to the queries of their invoices."""
            named = [{"move_type": "out_invoice", "patient_id": p.id} for p in partners]
            billed = [{"move_type": "out_invoice", "partner_id": self.guarantor.id}] * len(named)
            return queries(named) - queries(billed)

        extra(patients[:1])  # the caches of a first create
        self.assertEqual(extra(patients[4:6]), extra(patients[:4]))
