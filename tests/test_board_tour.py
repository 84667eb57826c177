from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.patient_collections.models.patient_protected import trusted


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
