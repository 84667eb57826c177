"""Clicked in the browser by the role that meets it
(static/tests/tours/patient_collections_tours18_moves.js), then the database
state those clicks must have left:

1. an accountant lists the customer invoices without a patient (Invoicing >
   Customers > Invoices, filter "Without patient"), selects two invoices of one
   guarantor posted before the module and names their patient once in the
   Patient column: both join the guarantor's patient account."""

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PatientCollectionsCommon
from .common_tours import TourMixin
from .test_existing_invoices import ACCOUNTANT


@tagged("post_install", "-at_install")
class TestTours18Moves(TourMixin, PatientCollectionsCommon, HttpCase):
    def test_accountant_names_the_patient_of_old_invoices_in_the_list(self):
        Partner = self.env["res.partner"]
        parent = Partner.create({"name": "Tourmove Parent", "is_patient": True})
        child = Partner.create(
            {"name": "Tourmove Child", "is_patient": True, "guarantor_id": parent.id}
        )
        other = Partner.create({"name": "Tourmove Other"})
        named_guarantor = Partner.create({"name": "Tourmove Named", "is_patient": True})
        first = self.posted_without_patient(parent, 111.0)
        second = self.posted_without_patient(parent, 222.0)
        stranger = self.posted_without_patient(other, 333.0)
        named = self.make_invoice(named_guarantor, 444.0, fields.Date.today())
        accountant = self.company_user("pc_tours18_accountant", ACCOUNTANT)
        self.run_tour("/odoo", "pc_tours18_moves_name_patients", accountant)
        account = self.account_of(parent)
        self.assertRecordValues(
            first | second,
            [
                {"patient_id": child.id, "patient_account_id": account.id},
                {"patient_id": child.id, "patient_account_id": account.id},
            ],
        )
        self.assertEqual(account.balance_due, 333.0)
        self.assertFalse(stranger.patient_id)
        self.assertEqual(named.patient_id, named_guarantor)
