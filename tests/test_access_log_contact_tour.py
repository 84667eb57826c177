"""The access log in the browser: a specialist who follows an account's guarantor
to the contact form, where the medical record number shows, leaves an 'open' line
for that contact (static/tests/tours/patient_collections_contact_open_tours.js)."""

from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common import PatientCollectionsCommon
from .common_tours import TourMixin

ACCOUNT_FORM = "/odoo/action-patient_collections.patient_account_action/%s"


@tagged("post_install", "-at_install")
class TestContactOpenTour(TourMixin, PatientCollectionsCommon, HttpCase):
    def test_specialist_opening_the_guarantor_is_logged(self):
        specialist = self.company_user(
            "pc_cot_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
            name="Tourspecialist Contact",
        )
        guarantor = self.env["res.partner"].create(
            {"name": "Tourguarantor Contactopen", "is_patient": True, "patient_mrn": "MRN-TOUR-77"}
        )
        account = self.make_invoice(
            guarantor, 180.0, date.today() - timedelta(days=35)
        ).patient_account_id
        account.user_id = specialist
        Log = self.env["patient.access.log"].sudo()
        self.run_tour(ACCOUNT_FORM % account.id, "pc_contact_open_from_account", specialist)
        opens = Log.search([("user_id", "=", specialist.id), ("event", "=", "open")], order="id")
        self.assertEqual(opens.mapped("res_model"), ["patient.account", "res.partner"])
        contact = opens[1]
        self.assertEqual(contact.res_id, guarantor.id)
        self.assertEqual(contact.field_names, "patient_birthdate, patient_mrn")
        self.assertFalse(contact.record_ref)
        self.assertTrue(contact.ip_address, "a browser's request has an address")
