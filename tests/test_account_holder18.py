"""A patient account is its guarantor's (patient_account_ownership.py refuses one
opened for a dependent or a company's contact).  Editing the contact who holds an
active account afterwards cannot make them someone's dependent or a company's
contact either: the account, its invoices and the guarantor rule would disagree."""

from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_tours_roles import MANAGER

CONTACTS_EDITOR = "base.group_user,base.group_partner_manager"


@tagged("post_install", "-at_install")
class TestAccountHolderContact18(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_invoice(cls.child, 100.0, date.today() - timedelta(days=10))
        cls.account = cls.env["patient.account"].search([("partner_id", "=", cls.guarantor.id)])
        cls.manager = cls.company_user("pc_hold18_manager", f"{MANAGER},base.group_partner_manager")
        # edits contacts, not in collections: may not read the account
        cls.editor = cls.company_user("pc_hold18_editor", CONTACTS_EDITOR)
        cls.employer = cls.env["res.partner"].create(
            {"name": "Testemployer Omega", "is_company": True}
        )

    def assert_still_guarantor(self):
        self.assertRecordValues(
            self.guarantor.sudo(),
            [{"guarantor_id": False, "parent_id": False, "is_company": False}],
        )
        self.assertEqual(self.guarantor._patient_guarantor(), self.guarantor)

    def test_a_manager_is_refused_naming_the_account(self):
        self.assertTrue(self.account.active)
        holder = self.guarantor.with_user(self.manager)
        for vals in (
            {"guarantor_id": self.other_guarantor.id},
            {"parent_id": self.employer.id},
            {"is_company": True},  # a person's account is not a company's
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError) as caught:
                holder.write(vals)
            message = str(caught.exception)
            self.assertIn(f"holds patient account {self.account.name}", message)
            self.assertIn("Archive that account first", message)
            self.assertNotIn(self.guarantor.name, message)
            self.assert_still_guarantor()

    def test_who_may_not_read_the_account_is_refused_without_its_number(self):
        with self.assertRaises(ValidationError) as caught:
            self.guarantor.with_user(self.editor).write({"parent_id": self.employer.id})
        message = str(caught.exception)
        self.assertIn("holds an active patient account", message)
        self.assertNotIn(self.account.name, message)
        self.assertNotIn(self.guarantor.name, message)
        self.assert_still_guarantor()

    def test_a_merge_does_not_give_an_account_holder_a_company(self):
        """Odoo's merge writes the duplicate's company on the contact kept and, refused,
        goes on without it: nothing of the refused write stays."""
        duplicate = self.env["res.partner"].create(
            {"name": "Testparent Alpha Dup", "parent_id": self.employer.id}
        )
        wizard = self.env["base.partner.merge.automatic.wizard"]
        wizard._merge((self.guarantor | duplicate).ids, self.guarantor, extra_checks=False)
        self.assertFalse(duplicate.exists())
        self.assertEqual(self.account.partner_id, self.guarantor)
        self.env.invalidate_all()
        self.assert_still_guarantor()

    def test_an_archived_account_does_not_hold_its_contact(self):
        self.account.with_user(self.manager).action_archive()
        self.guarantor.with_user(self.manager).write({"guarantor_id": self.other_guarantor.id})
        self.assertEqual(self.guarantor._patient_guarantor(), self.other_guarantor)

    def test_a_contact_without_an_account_may_change(self):
        partner = self.other_guarantor.with_user(self.manager)
        partner.write({"guarantor_id": self.guarantor.id})
        self.assertEqual(partner._patient_guarantor(), self.guarantor)
        partner.write({"guarantor_id": False, "parent_id": self.employer.id})
        self.assertEqual(partner._patient_guarantor(), self.employer)

    def test_the_same_values_again_are_allowed(self):
        self.guarantor.with_user(self.manager).write(
            {"guarantor_id": False, "parent_id": False, "is_company": False}
        )
        self.assert_still_guarantor()
        # an account a dependent held before the rule (the superuser's data): writing
        # their guarantor again changes nothing, and is no new disagreement
        self.env["patient.account"].sudo().create({"partner_id": self.child_2.id})
        self.child_2.with_user(self.manager).write({"guarantor_id": self.guarantor.id})
        self.assertEqual(self.child_2.sudo().guarantor_id, self.guarantor)

    def test_a_company_holding_an_account_may_get_a_parent_company(self):
        """The guarantor rule decides, not the field: a company with a parent is still
        its own guarantor; made a person under that parent, it is not."""
        Partner = self.env["res.partner"]
        clinic_client = Partner.create({"name": "Testcompany Sigma", "is_company": True})
        # an account a company held before invoices billed to a company, and a
        # manager's hand, were refused one (the superuser's data)
        self.env["patient.account"].sudo().create({"partner_id": clinic_client.id})
        account = self.account_of(clinic_client)
        self.assertTrue(account)
        company = clinic_client.with_user(self.manager)
        company.write({"parent_id": self.employer.id})
        self.assertEqual(clinic_client._patient_guarantor(), clinic_client)
        with self.assertRaises(ValidationError) as caught:
            company.write({"is_company": False})
        self.assertIn(f"holds patient account {account.name}", str(caught.exception))
        self.assertTrue(clinic_client.is_company)
