"""What a practice's first day with the module showed (session 14's onboarding
tester): merging contacts that both have an account, an invoice's patient
account set by a client, stages reordered or emptied of their roles, an EOB
entered after posting, and credit notes posted before the module."""

from datetime import date, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_desk import DeskCommon
from .test_tours_roles import ACCOUNTANT


@tagged("post_install", "-at_install")
class TestOnboard14(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc_ob14_accountant", ACCOUNTANT)
        cls.agency = cls.env.ref("patient_collections.stage_agency")

    def merge(self, partners, destination):
        wizard = self.env["base.partner.merge.automatic.wizard"]
        return wizard._merge(partners.ids, destination, extra_checks=False)

    def test_contacts_with_accounts_are_not_merged(self):
        first, _invoice = self.owing_account("Mergeperson One", amount=300.0)
        second, _invoice = self.owing_account("Mergeperson Two", amount=200.0)
        partners = first.partner_id | second.partner_id
        with self.assertRaisesRegex(UserError, "cannot be merged"):
            self.merge(partners, second.partner_id)
        self.assertEqual((first | second).exists(), first | second)
        self.assertEqual((first.balance_due, second.balance_due), (300.0, 200.0))
        # one account between them: Odoo's merge takes it to the contact kept
        alone = self.env["res.partner"].create({"name": "Mergeperson Three", "is_patient": True})
        self.merge(first.partner_id | alone, alone)
        self.assertEqual(first.partner_id, alone)
        self.assertEqual(first.balance_due, 300.0)

    def test_a_guarantor_is_not_merged_with_someone_else_s_patient(self):
        """An invoice's customer is its patient's guarantor: a guarantor merged
        with a patient of a guarantor (theirs or another's), or the patients of
        two guarantors together, would bill a patient's charges to someone who is
        not their guarantor. Refused, nothing changed; a duplicate of one
        guarantor's patient merges."""
        Partner = self.env["res.partner"]
        account, invoice = self.owing_account("Mergeguarantor One", amount=120.0)
        guarantor = account.partner_id
        patient = Partner.create(
            {"name": "Mergepatient One", "is_patient": True, "guarantor_id": guarantor.id}
        )
        twin = Partner.create(
            {"name": "Mergepatient Twin", "is_patient": True, "guarantor_id": guarantor.id}
        )
        stranger = Partner.create({"name": "Mergeguarantor Two", "is_patient": True})
        # no account yet: a guarantor by their dependent alone
        other = Partner.create(
            {"name": "Mergepatient Two", "is_patient": True, "guarantor_id": stranger.id}
        )
        for partners, kept, words in (
            (guarantor | other, guarantor, "one is a guarantor"),
            (guarantor | patient, patient, "one is a guarantor"),
            (stranger | other, stranger, "one is a guarantor"),
            (patient | other, patient, "patients of different guarantors"),
        ):
            with self.subTest(kept=kept.name), self.assertRaisesRegex(UserError, words):
                self.merge(partners, kept)
        self.assertEqual((patient | twin | other).guarantor_id, guarantor | stranger)
        self.assertEqual(invoice.partner_id, guarantor)
        self.assertEqual(account.balance_due, 120.0)
        self.merge(patient | twin, patient)
        self.assertFalse(twin.exists())
        self.assertEqual(patient.guarantor_id, guarantor)

    def test_the_invoice_s_account_is_the_module_s(self):
        account, invoice = self.owing_account("Linkperson One")
        other, _invoice = self.owing_account("Linkperson Two")
        with self.assertRaises(AccessError):
            invoice.with_user(self.accountant).write({"patient_account_id": other.id})
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.accountant).with_context(
                default_patient_account_id=other.id
            ).create({"move_type": "out_invoice", "partner_id": other.partner_id.id})
        self.assertEqual(invoice.patient_account_id, account)
        self.assertEqual(account.balance_due, 150.0)

    def test_new_accounts_never_start_past_the_gates(self):
        # dragged to the top of the board
        self.agency.sequence = 0
        account, _invoice = self.owing_account("Stageperson Reordered")
        self.assertEqual(account.stage_id, self.new)
        # a manager opening one by hand with a default stage from the context
        partner = self.env["res.partner"].create({"name": "Stageperson Default"})
        with self.assertRaises(UserError):
            self.env["patient.account"].with_user(self.manager).with_context(
                default_stage_id=self.agency.id
            ).create({"partner_id": partner.id})
        self.assertFalse(self.env["patient.account"].search([("partner_id", "=", partner.id)]))

    def test_the_run_keeps_its_resolved_and_first_stages(self):
        # (Odoo's assertRaises: the refused write rolled back, as a request's is)
        for refused in (
            lambda stage: stage.action_archive(),
            lambda stage: stage.write({"is_closed": False}),
        ):
            with self.assertRaises(ValidationError) as caught:
                refused(self.resolved.with_user(self.manager))
            self.assertIn("resolved stage", str(caught.exception))
        self.assertRecordValues(self.resolved, [{"active": True, "is_closed": True}])
        # another resolved stage first: then it may go
        self.Stage.create({"name": "Onboardtest Closed", "sequence": 95, "is_closed": True})
        self.resolved.with_user(self.manager).action_archive()
        self.assertFalse(self.resolved.active)
        # a stage a run names is archived, never deleted
        self.owing_account("Stageperson Run", days=40)
        self.env["patient.collection.run"].run()
        named = self.env["patient.collection.run.line"].search([("stage_id", "!=", False)])
        self.assertTrue(named)
        with self.assertRaisesRegex(UserError, "archive it"):
            named.stage_id[:1].unlink()

    def test_an_eob_entered_after_posting_adds_up(self):
        _account, invoice = self.owing_account("Eobperson One", amount=80.0)
        with self.assertRaisesRegex(UserError, "does not add up"):
            invoice.with_user(self.accountant).write(
                {"amount_charges": 1000.0, "amount_insurance_paid": 10.0, "amount_deductible": 5.0}
            )
        invoice.with_user(self.accountant).write(
            {"amount_charges": 200.0, "amount_insurance_paid": 120.0, "amount_deductible": 80.0}
        )
        self.assertEqual(invoice.amount_deductible, 80.0)

    def test_a_credit_note_from_before_the_module_lowers_the_balance(self):
        account, _invoice = self.owing_account("Creditperson Before", amount=100.0)
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": account.partner_id.id,
                "invoice_date": date.today() - timedelta(days=5),
                "invoice_line_ids": [
                    (0, 0, {"name": "Refund", "quantity": 1, "price_unit": 30.0, "tax_ids": []})
                ],
            }
        )
        credit_note.action_post()
        self.assertFalse(credit_note.patient_account_id)
        self.assertEqual(account.balance_due, 70.0)
