"""Months of invoices posted before the module: the customer invoice list has a
Patient column and a "Without patient" filter, and the list's multi-edit names
the patient of several invoices in one write (the tour is in
tests/test_tours18_moves.py).  The write keeps the naming rules: a selection
holding an invoice of another customer is refused whole, nothing named."""

from lxml import etree

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import PatientCollectionsCommon
from .test_existing_invoices import ACCOUNTANT


@tagged("post_install", "-at_install")
class TestExistingInvoicesList(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc_move18_list_accountant", ACCOUNTANT)
        cls.today = fields.Date.context_today(cls.env.user)

    def invoice_list(self):
        Move = self.env["account.move"].with_user(self.accountant)
        view = self.env.ref("account.view_out_invoice_tree")
        return etree.fromstring(Move.get_view(view.id, "list")["arch"])

    def test_the_list_edits_the_patient_column_only(self):
        arch = self.invoice_list()
        self.assertEqual(arch.get("multi_edit"), "1")
        [patient] = arch.xpath("//field[@name='patient_id']")
        self.assertEqual(patient.get("optional"), "show")
        self.assertIn("state == 'cancel'", patient.get("readonly"))
        for name in ("invoice_date", "date", "invoice_origin", "ref", "invoice_user_id"):
            for node in arch.xpath(f"//field[@name='{name}']"):
                with self.subTest(field=name):
                    self.assertEqual(node.get("readonly"), "1", "the list's other columns")
        clerk = self.company_user(
            "pc_move18_list_clerk", "base.group_user,account.group_account_invoice"
        )
        view = self.env.ref("account.view_out_invoice_tree")
        arch = etree.fromstring(
            self.env["account.move"].with_user(clerk).get_view(view.id, "list")["arch"]
        )
        self.assertFalse(
            arch.xpath("//field[@name='patient_id']"),
            "no Patient column outside the collections groups",
        )

    def test_the_without_patient_filter(self):
        invoice = self.posted_without_patient(self.guarantor, 80.0)
        credit = self.posted_without_patient(self.guarantor, 20.0, move_type="out_refund")
        named = self.make_invoice(self.child, 50.0, self.today)
        bill = self.env["account.move"].create(
            {"move_type": "in_invoice", "partner_id": self.guarantor.id}
        )
        Move = self.env["account.move"].with_user(self.accountant)
        search = etree.fromstring(Move.get_view(False, "search")["arch"])
        [node] = search.xpath("//filter[@name='patient_missing']")
        self.assertEqual(node.get("string"), "Without patient")
        found = Move.search(safe_eval(node.get("domain")))
        self.assertIn(invoice, found)
        self.assertIn(credit, found)
        self.assertNotIn(named, found)
        self.assertNotIn(bill, found, "customer invoices and credit notes only")

    def test_one_write_names_the_patient_of_a_guarantors_invoices(self):
        """What the list's multi-edit sends: one write with the selected ids."""
        first = self.posted_without_patient(self.guarantor, 100.0)
        second = self.posted_without_patient(self.guarantor, 60.0)
        stranger = self.posted_without_patient(self.other_guarantor, 70.0)
        selection = (first | second | stranger).with_user(self.accountant)
        with self.assertRaises(ValidationError) as caught:
            selection.write({"patient_id": self.child.id})
        self.assertIn(stranger.name, str(caught.exception))
        self.assertFalse(selection.patient_id, "refused whole: nothing named")
        self.assertFalse(self.account_of(self.guarantor))
        (first | second).with_user(self.accountant).write({"patient_id": self.child.id})
        account = self.account_of(self.guarantor)
        self.assertEqual((first | second).patient_account_id, account)
        self.assertEqual(account.balance_due, 160.0)
