from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestBoardTour(HttpCase):
    def test_specialist_moves_a_card(self):
        specialist = new_test_user(
            self.env,
            login="pc_tour_specialist",
            password="pc_tour_specialist",
            groups="base.group_user,patient_collections.group_collections_specialist",
        )
        Partner = self.env["res.partner"]
        Account = self.env["patient.account"]
        mine = Account.create(
            {
                "partner_id": Partner.create({"name": "Tourperson Mine", "is_patient": True}).id,
                "user_id": specialist.id,
            }
        )
        Account.create(
            {"partner_id": Partner.create({"name": "Tourperson Unassigned", "is_patient": True}).id}
        )
        new = self.env.ref("patient_collections.stage_new")
        first = self.env.ref("patient_collections.stage_first_statement")
        self.assertEqual(mine.stage_id, new)
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if committed, so later changes are tracked
        self.start_tour("/odoo", "patient_collections_board_tour", login="pc_tour_specialist")
        mine.invalidate_recordset()
        self.assertEqual(mine.stage_id, first)
        tracked = mine.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "stage_id"
        )
        self.assertEqual(tracked.old_value_char, new.name)
        self.assertEqual(tracked.new_value_char, first.name)


@tagged("post_install", "-at_install")
class TestAccountantTour(HttpCase):
    def test_accountant_opens_an_account(self):
        accountant = new_test_user(
            self.env,
            login="pc_tour_accountant",
            password="pc_tour_accountant",
            groups="base.group_user,patient_collections.group_collections_accountant",
        )
        partner = self.env["res.partner"].create({"name": "Tourperson Books", "is_patient": True})
        account = self.env["patient.account"].create({"partner_id": partner.id})
        trusted(account)._set_hold("other", note="Synthetic note")
        self.start_tour("/odoo", "patient_collections_accountant_tour", login="pc_tour_accountant")
        opened = self.env["patient.access.log"].search(
            [("event", "=", "open"), ("user_id", "=", accountant.id)]
        )
        self.assertEqual(opened.res_id, account.id)
        self.assertEqual(opened.record_ref, account.name)


@tagged("post_install", "-at_install")
class TestBoardFindAndFilter(PatientCollectionsCommon, HttpCase):
    """Finding and reaching people from the Board, as the roles that do it."""

    def start(self, tour, user):
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.start_tour("/odoo", tour, login=user.login)

    def test_specialist_finds_an_account_by_a_patients_phone(self):
        specialist = self.company_user(
            "pc_tour_finder",
            "base.group_user,patient_collections.group_collections_specialist",
            tz="Europe/Paris",  # the caller's zone never replaces the practice's
        )
        self.env.company.partner_id.tz = "America/Chicago"
        Partner = self.env["res.partner"]
        guarantor = Partner.create(
            {
                "name": "Tourfind Guarantor",
                "is_patient": True,
                "phone": "+1 (312) 555-0100",
                "email": "tourfind@example.com",
            }
        )
        child = Partner.create(
            {
                "name": "Tourfind Child",
                "is_patient": True,
                "guarantor_id": guarantor.id,
                "phone": "(312) 010-4477",
            }
        )
        other = Partner.create(
            {"name": "Tourfind Other", "is_patient": True, "phone": "312 5550199"}
        )
        account = self.make_invoice(child, 90.0, "2026-01-05").patient_account_id
        other_account = self.make_invoice(other, 40.0, "2026-01-05").patient_account_id
        self.assertEqual(account.partner_id, guarantor)
        account.write(
            {"user_id": specialist.id, "preferred_channel": "sms", "best_time": "evening"}
        )
        other_account.user_id = specialist
        self.start("patient_collections_account_find_by_phone", specialist)

    def test_manager_filters_callbacks_and_promises(self):
        manager = self.company_user(
            "pc_tour_board_manager",
            "base.group_user,patient_collections.group_collections_manager",
        )
        Partner = self.env["res.partner"]
        callback = self.make_invoice(
            Partner.create({"name": "Tourboard Callback", "is_patient": True}), 70.0, "2026-01-05"
        ).patient_account_id
        promise = self.make_invoice(
            Partner.create({"name": "Tourboard Promise", "is_patient": True}), 80.0, "2026-01-05"
        ).patient_account_id
        today = fields.Date.context_today(promise)
        callback.activity_schedule(
            "mail.mail_activity_data_call", date_deadline=today, user_id=manager.id
        )
        trusted(promise)._set_hold("promise_to_pay", until=today)
        trusted(promise).write({"name": "PATOUR0042"})
        self.start("patient_collections_board_manager_filters", manager)
