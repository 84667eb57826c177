"""Patient accounts open from the guarantor's posted invoices.  By hand, only a
collections manager opens one, and never a second for the same guarantor and
company (archived or not): the refusal is a clear message, not a database error."""

from datetime import date, timedelta

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestAccountCreation(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        invoice = cls.make_invoice(cls.child, 120.0, date.today() - timedelta(days=5))
        cls.account = invoice.patient_account_id
        cls.stranger = cls.env["res.partner"].create({"name": "Creationperson Nobody"})

    def count(self, partner):
        return self.Account.with_context(active_test=False).search_count(
            [("partner_id", "=", partner.id)]
        )

    def test_specialist_cannot_create_by_hand(self):
        Account = self.Account.with_user(self.specialist)
        self.assertFalse(Account.has_access("create"), "the UI offers no creation")
        for partner in (self.stranger, self.guarantor):
            with self.subTest(partner=partner.name), self.assertRaises(AccessError) as caught:
                Account.create({"partner_id": partner.id})
            self.assertIn("posted", str(caught.exception))
        self.assertEqual(self.count(self.stranger), 0)
        self.assertEqual(self.count(self.guarantor), 1)
        # nor through the account field of the Log Interaction dialog
        quick_form = self.env.ref("patient_collections.patient_interaction_view_form_quick")
        arch = (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .get_view(quick_form.id, "form")["arch"]
        )
        self.assertRegex(arch, r'name="account_id"[^>]*no_create')

    def test_no_second_account_for_a_guarantor(self):
        Account = self.Account.with_user(self.manager)
        with self.assertRaises(ValidationError) as caught:
            Account.create({"partner_id": self.guarantor.id})
        self.assertIn(self.account.name, str(caught.exception))
        self.assertNotIn("Testparent", str(caught.exception), "no guarantor name")
        with self.assertRaises(ValidationError):
            self.account.with_user(self.manager).copy()
        self.account.with_user(self.manager).action_archive()
        with self.assertRaises(ValidationError) as caught:
            Account.create({"partner_id": self.guarantor.id})
        self.assertIn("restore", str(caught.exception))
        with self.assertRaises(ValidationError):
            Account.create([{"partner_id": self.stranger.id}, {"partner_id": self.stranger.id}])
        self.assertEqual(self.count(self.guarantor), 1)
        self.assertEqual(self.count(self.stranger), 0)

    def test_manager_opens_one_by_hand(self):
        account = self.Account.with_user(self.manager).create({"partner_id": self.stranger.id})
        self.assertRecordValues(
            account,
            [{"partner_id": self.stranger.id, "company_id": self.env.company.id}],
        )
        self.assertTrue(account.stage_id)

    def test_manager_opens_no_account_for_a_dependent(self):
        """By hand too, an account is a guarantor's: not their dependent's, nor a
        company contact's (the load() of an import refused the same way)."""
        Account = self.Account.with_user(self.manager)
        firm = self.env["res.partner"].create({"name": "Creationfirm", "is_company": True})
        employee = self.env["res.partner"].create(
            {"name": "Creationperson Employee", "parent_id": firm.id}
        )
        for partner in (self.child_2, employee):
            with self.subTest(partner=partner.name):
                with self.assertRaises(ValidationError) as caught:
                    Account.create({"partner_id": partner.id})
                self.assertIn("is the guarantor's", str(caught.exception))
                self.assertEqual(self.count(partner), 0)
        result = Account.load(["partner_id/.id"], [[str(self.child_2.id)]])
        self.assertFalse(result["ids"])
        self.assertIn("is the guarantor's", str(result["messages"]))
        self.assertEqual(self.count(self.child_2), 0)

    def test_manager_opens_no_account_for_a_company(self):
        """A patient account is a person's: invoices billed to a company open none,
        and a manager's hand (or an import) opens none either (a company is its own
        commercial partner, so the dependents' rule alone let it through)."""
        firm = self.env["res.partner"].create({"name": "Creationfirm Solo", "is_company": True})
        with self.assertRaises(ValidationError) as caught:
            self.Account.with_user(self.manager).create({"partner_id": firm.id})
        self.assertIn("is the guarantor's", str(caught.exception))
        self.assertEqual(self.count(firm), 0)
        result = self.Account.with_user(self.manager).load(["partner_id/.id"], [[str(firm.id)]])
        self.assertFalse(result["ids"])
        self.assertIn("is the guarantor's", str(result["messages"]))
        self.assertEqual(self.count(firm), 0)

    def test_invoices_still_open_accounts(self):
        guarantor = self.env["res.partner"].create(
            {"name": "Creationperson Billed", "is_patient": True}
        )
        invoice = self.make_invoice(guarantor, 90.0, date.today())
        self.assertEqual(invoice.patient_account_id.partner_id, guarantor)
        second = self.make_invoice(guarantor, 30.0, date.today())
        self.assertEqual(second.patient_account_id, invoice.patient_account_id)
        self.assertEqual(invoice.patient_account_id.balance_due, 120.0)
