from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestPatientPartner(PatientCollectionsCommon):
    def test_mrn_unique_within_company(self):
        with self.assertRaisesRegex(ValidationError, "MRN-T-001"):
            self.env["res.partner"].create(
                {"name": "Testperson Delta", "is_patient": True, "patient_mrn": "MRN-T-001"}
            )

    def test_same_mrn_allowed_in_another_company(self):
        other = self.setup_other_company(name="Second Clinic Test")["company"]
        first = self.env["res.partner"].create(
            {"name": "Testperson Eps", "patient_mrn": "MRN-X-9", "company_id": self.env.company.id}
        )
        second = self.env["res.partner"].create(
            {"name": "Testperson Zeta", "patient_mrn": "MRN-X-9", "company_id": other.id}
        )
        self.assertEqual(first.patient_mrn, second.patient_mrn)
        with self.assertRaises(ValidationError):
            self.env["res.partner"].create(
                {"name": "Testperson Eta", "patient_mrn": "MRN-X-9", "company_id": other.id}
            )

    def test_patient_cannot_be_own_guarantor(self):
        with self.assertRaisesRegex(ValidationError, "own guarantor"):
            self.guarantor.guarantor_id = self.guarantor

    def test_birthdate_not_in_future(self):
        with self.assertRaisesRegex(ValidationError, "future"):
            self.child.patient_birthdate = "2999-01-01"

    def test_guarantor_defaults_to_patient(self):
        self.assertEqual(self.child._patient_guarantor(), self.guarantor)
        self.assertEqual(self.guarantor._patient_guarantor(), self.guarantor)

    def test_invoice_is_billed_to_guarantor(self):
        move = self.make_invoice(self.child, 50.0, "2026-01-10", post=False)
        self.assertEqual(move.partner_id, self.guarantor)
        self.assertEqual(move.patient_id, self.child)
        form = Form(self.env["account.move"].with_context(default_move_type="out_invoice"))
        form.patient_id = self.child_2
        self.assertEqual(form.partner_id, self.guarantor)

    def test_patient_balance_and_smart_button(self):
        self.make_invoice(self.child, 120.0, "2026-01-10")
        self.make_invoice(self.child_2, 30.0, "2026-01-12")
        self.assertEqual(self.guarantor.patient_balance, 150.0)
        self.assertEqual(self.child.patient_balance, 0.0)
        action = self.guarantor.action_view_patient_accounts()
        account = self.account_of(self.guarantor)
        self.assertEqual(action["res_model"], "patient.account")
        self.assertEqual(action["res_id"], account.id)
        self.assertEqual(account.patient_ids, self.child | self.child_2 | self.guarantor)
