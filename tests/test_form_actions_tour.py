"""Tours of issue 14's account form, board and phone layout, each as the role
that does it, then what the clicks left in the database."""

from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common import PatientCollectionsCommon
from .common_tours import TourMixin
from .test_tours_roles import ACCOUNT_FORM, SPECIALIST, daytime_tz


class TourCase(TourMixin, PatientCollectionsCommon, HttpCase):
    def make_account(self, name, user, **partner_vals):
        """``user``'s account of a guarantor in a zone where calls are allowed now."""
        guarantor = self.env["res.partner"].create(
            {"name": name, "is_patient": True, "tz": daytime_tz(), **partner_vals}
        )
        invoice = self.make_invoice(guarantor, 310.0, date.today() - timedelta(days=40))
        invoice.patient_account_id.user_id = user
        return invoice.patient_account_id


@tagged("post_install", "-at_install")
class TestSpecialistFormActions(TourCase):
    def test_call_email_and_hotkeys(self):
        specialist = self.company_user("pc_tour_form_actions", SPECIALIST)
        account = self.make_account(
            "Tourform Guarantor",
            specialist,
            phone="+1 (312) 555-0123",
            email="tourform@example.com",
        )
        guarantor = account.partner_id
        self.run_tour(
            ACCOUNT_FORM % account.id, "patient_collections_specialist_form_actions", specialist
        )
        call, email = account.interaction_ids.sorted("id")
        # the call logged after dialling (Alt+L); the email logged by the contact gate
        self.assertRecordValues(
            call,
            [{"channel": "phone_out", "outcome": "left_voicemail", "user_id": specialist.id}],
        )
        self.assertRecordValues(
            email,
            [
                {
                    "channel": "email",
                    "outcome": "other",
                    "partner_id": guarantor.id,
                    "user_id": specialist.id,
                    "is_statement": False,
                }
            ],
        )
        sent = account.message_ids.filtered(
            lambda message: (
                message.message_type == "comment"
                and "Synthetic tour question" in (message.body or "")
            )
        )
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.partner_ids, guarantor)
        self.assertEqual(sent.author_id, specialist.partner_id)
        self.assertNotIn("Tourform", sent.subject or "", "no name in the subject")
        self.assertTrue(
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", sent.id)]),
            "the email went out",
        )
        bodies = " ".join(account.message_ids.mapped("body"))
        self.assertIn("Call: left voicemail", bodies)
        self.assertIn("Email sent", bodies)
        printed = self.env["patient.access.log"].search(
            [("event", "=", "print"), ("user_id", "=", specialist.id)]
        )
        self.assertEqual(printed.res_id, account.id, "Alt+E printed the statement")
        self.assertFalse(account.plan_ids, "Alt+Y's dialog was cancelled")
        self.assertFalse(account.hold_reason, "Alt+O's dialog was cancelled")


@tagged("post_install", "-at_install")
class TestBoardLegendTour(TourCase):
    browser_size = "1440x900"

    def test_legend_and_folded_columns(self):
        specialist = self.company_user("pc_tour_legend", SPECIALIST)
        self.make_account("Tourlegend Guarantor", specialist)
        self.run_tour("/odoo", "patient_collections_board_legend", specialist)


@tagged("post_install", "-at_install")
class TestMobileBoardTour(TourCase):
    browser_size = "375x740"
    touch_enabled = True

    def test_phone_board_and_log(self):
        specialist = self.company_user("pc_tour_phone", SPECIALIST)
        account = self.make_account("Tourphone Guarantor", specialist)
        self.run_tour("/odoo", "patient_collections_mobile_board", specialist)
        interaction = account.interaction_ids
        self.assertRecordValues(
            interaction,
            [
                {
                    "channel": "phone_out",
                    "outcome": "reached",
                    "note": "Synthetic phone note",
                    "user_id": specialist.id,
                }
            ],
        )
