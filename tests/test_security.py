from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestSecurityBaseline(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.plain_user = new_test_user(
            cls.env, login="pc_plain", groups="base.group_user", **common
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="pc_billing",
            groups="account.group_account_invoice,base.group_partner_manager",
            **common,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="pc_accountant",
            groups="account.group_account_invoice,patient_collections.group_collections_accountant",
            **common,
        )
        cls.specialist = new_test_user(
            cls.env,
            login="pc_specialist",
            groups="patient_collections.group_collections_specialist",
            **common,
        )
        cls.invoice = cls.make_invoice(cls.child, 100.0, "2026-01-05")
        cls.account = cls.invoice.patient_account_id

    def test_plain_user_has_no_access_to_accounts(self):
        Account = self.env["patient.account"].with_user(self.plain_user)
        with self.assertRaises(AccessError):
            Account.search([])
        with self.assertRaises(AccessError):
            self.account.with_user(self.plain_user).read(["balance_due"])
        with self.assertRaises(AccessError):
            self.env["patient.account.line"].with_user(self.plain_user).search([])

    def test_plain_user_cannot_read_patient_fields(self):
        child = self.child.with_user(self.plain_user)
        for field in (
            "patient_mrn",
            "patient_birthdate",
            "guarantor_id",
            "is_patient",
            "patient_balance",
        ):
            with self.assertRaises(AccessError, msg=field):
                child.read([field])
        self.assertNotIn("patient_mrn", child.fields_get())
        self.assertEqual(child.read(["name"])[0]["name"], "Testchild Alpha")

    def test_billing_user_cannot_read_invoice_phi(self):
        invoice = self.invoice.with_user(self.billing_user)
        for field in ("patient_id", "service_date", "insurance_status", "amount_copay"):
            with self.assertRaises(AccessError, msg=field):
                invoice.read([field])
        self.assertEqual(invoice.read(["amount_total"])[0]["amount_total"], 100.0)

    def test_accounting_keeps_working_for_users_outside_collections(self):
        """A billing user posts, pays, unreconciles and resets invoices of a patient
        account; the module follows along without giving them any of its data."""
        env = self.env(user=self.billing_user)
        invoice = env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.guarantor.id,
                "invoice_date": "2026-02-01",
                "invoice_date_due": "2026-02-01",
                "invoice_line_ids": [
                    (0, 0, {"name": "Lab work", "quantity": 1, "price_unit": 30.0, "tax_ids": []})
                ],
            }
        )
        invoice.action_post()
        payment = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"amount": 100.0, "payment_date": "2026-02-02"})
            ._create_payments()
        )
        self.account.invalidate_recordset()
        self.assertEqual(self.account.balance_due, 0.0)
        payment.with_env(env).action_draft()
        self.account.invalidate_recordset()
        self.assertEqual(self.account.balance_due, 100.0)
        invoice.button_draft()
        invoice.unlink()

    def test_users_outside_collections_reverse_and_duplicate(self):
        """Reversing and duplicating read the restricted fields as superuser."""
        env = self.env(user=self.billing_user)
        reversal = (
            env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create({"journal_id": self.invoice.journal_id.id, "date": "2026-02-01"})
        )
        reversal.refund_moves()
        credit_note = self.env["account.move"].search([("reversed_entry_id", "=", self.invoice.id)])
        self.assertEqual(credit_note.patient_id, self.child)
        credit_note.with_env(env).action_post()
        self.assertEqual(credit_note.patient_account_id, self.account)
        self.account.invalidate_recordset()
        self.assertEqual(self.account.balance_due, 0.0)
        duplicate = self.invoice.with_env(env).copy()
        self.assertEqual(duplicate.patient_id, self.child)
        twin = self.child.with_user(self.billing_user).copy()
        self.assertTrue(twin.is_patient)
        self.assertEqual(twin.guarantor_id, self.guarantor)
        self.assertFalse(twin.patient_mrn, "a medical record number is never duplicated")

    def test_accountant_reads_but_does_not_change(self):
        account = self.account.with_user(self.accountant)
        self.assertEqual(account.balance_due, 100.0)
        self.assertEqual(account.open_item_ids.amount_residual, 100.0)
        with self.assertRaises(AccessError):
            account.write({"user_id": self.specialist.id})
        with self.assertRaises(AccessError):
            self.env["patient.account"].with_user(self.accountant).create(
                {"partner_id": self.other_guarantor.id}
            )
        with self.assertRaises(AccessError):
            self.child.with_user(self.accountant).read(["patient_mrn"])

    def test_specialist_sees_account_and_open_items_not_accounting(self):
        account = self.account.with_user(self.specialist)
        self.assertEqual(account.balance_due, 100.0)
        item = account.open_item_ids
        self.assertEqual(item.move_name, self.invoice.name)
        self.assertEqual(item.patient_id, self.child)
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.specialist).read(["name"])
        with self.assertRaises(AccessError):
            account.unlink()

    def test_company_rule(self):
        other = self.setup_other_company(name="Other Clinic Test")["company"]
        outsider = new_test_user(
            self.env,
            login="pc_other_company",
            groups="patient_collections.group_collections_manager",
            company_id=other.id,
            company_ids=[other.id],
        )
        self.assertFalse(self.env["patient.account"].with_user(outsider).search([]))
        with self.assertRaises(AccessError):
            self.account.with_user(outsider).read(["name"])
