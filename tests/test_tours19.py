"""Clicked in the browser by the role that meets it
(static/tests/tours/patient_collections_tours19.js), then the database state
those clicks must have left:

1. a collections manager opens a callback request from the account and voids it
   in the Void dialog: the interaction is voided, its call-back activity closed,
   the specialist's own call left alone; a specialist finds no Void button
   (voiding is a manager's, README "Interactions");
2. the guarantor opens the portal's payment form twice (the first tab started its
   payment and was left) and pays with Odoo's Demo provider: the first draft is
   cancelled, and its provider's late confirmation pays nothing; the balance is
   paid once, never below zero.  ``payment_demo`` must be installed (skipped with
   the reason otherwise, as tests/test_portal_tours.py)."""

from datetime import date, datetime, timedelta

from odoo.tests import HttpCase, tagged

from .common import PatientCollectionsCommon
from .common_tours import TourMixin
from .test_portal_tours import DemoProviderCase
from .test_tours_roles import ACCOUNT_FORM, MANAGER, SPECIALIST, daytime_tz

REASON = "Testtour guarantor never asked"
OWN_CALL = "Testtour call about the statement"


@tagged("post_install", "-at_install")
class TestTours19VoidCallback(TourMixin, PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user("pc_t19_specialist", SPECIALIST, name="Testtour Alpha")
        cls.manager = cls.company_user("pc_t19_manager", MANAGER, name="Testtour Beta")
        cls.guarantor.tz = daytime_tz()
        today = date.today()
        invoice = cls.make_invoice(cls.child, 250.0, today - timedelta(days=40))
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

    def setUp(self):
        super().setUp()
        Interaction = self.env["patient.interaction"].with_user(self.specialist)
        self.callback = Interaction.create(
            {
                "account_id": self.account.id,
                "channel": "phone_in",
                "outcome": "callback_requested",
                "callback_at": datetime.now().replace(microsecond=0) + timedelta(days=1),
            }
        )
        # the specialist's own call to make, unrelated
        self.account.with_user(self.specialist).activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date.today() + timedelta(days=2),
            summary=OWN_CALL,
        )
        self.assertEqual(
            self.calls().mapped("summary"),
            [self.callback._callback_summary()[0], OWN_CALL],
        )

    def calls(self):
        return self.account.activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.call_type
        ).sorted("date_deadline")

    def test_manager_voids_a_callback_request_from_the_account(self):
        summary = self.callback._callback_summary()[0]
        self.run_tour(
            ACCOUNT_FORM % self.account.id, "pc_tours19_manager_voids_a_callback", self.manager
        )
        self.assertRecordValues(
            self.callback,
            [
                {
                    "state": "voided",
                    "void_reason": REASON,
                    "voided_by_id": self.manager.id,
                    "user_id": self.specialist.id,
                }
            ],
        )
        self.assertEqual(self.calls().mapped("summary"), [OWN_CALL], "only the voided one")
        done = self.account.message_ids.filtered(
            lambda message: message.mail_activity_type_id == self.call_type
        )
        self.assertEqual(len(done), 1, "the call back is marked done, not left open")
        self.assertIn("the callback request was voided", str(done.body))
        self.assertIn(summary, str(done.body))

    def test_specialist_has_no_void_button(self):
        self.run_tour(
            ACCOUNT_FORM % self.account.id, "pc_tours19_specialist_sees_no_void", self.specialist
        )
        self.assertEqual(self.callback.state, "logged")
        self.assertEqual(len(self.calls()), 2)


@tagged("post_install", "-at_install")
class TestTours19PortalPayTwice(TourMixin, DemoProviderCase):
    def test_guarantor_opens_the_payment_form_twice_and_pays_once(self):
        self.run_tour("/my/patient-accounts", "pc_tours19_portal_pay_twice", self.guarantor_user)
        first, second = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)], order="id")
        )
        self.assertRecordValues(
            first | second,
            [
                {"state": "cancel", "amount": 300.0, "provider_id": self.demo_provider.id},
                {"state": "done", "amount": 300.0, "provider_id": self.demo_provider.id},
            ],
        )
        self.assertFalse(first.payment_id, "the first form's payment is never booked")
        self.assertTrue(second.is_post_processed)
        self.assertEqual(second.partner_id, self.guarantor)
        self.assertEqual(second.payment_id.amount, 300.0)
        # the provider confirms the first again: Odoo still books the newest only
        first._set_done()
        self.assertEqual(first.state, "cancel")
        self.assertEqual(self.account.balance_due, 0.0)
        self.assertEqual(self.old_invoice.amount_residual, 0.0)
        self.assertEqual(self.new_invoice.amount_residual, 0.0)
        self.assertFalse(self.account._portal_payments_in_progress())
        self.assert_payment_interaction_and_receipt()
