"""Text consent is the guarantor's, for their own number (TCPA: the consent of
the person texted): a text to a patient's or another contact's number on the
same account is refused, however it is made."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

NOW = datetime(2026, 6, 1, 15, 0)  # 11:00 in New York
GUARANTOR_NUMBER = "+12025550143"
PATIENT_NUMBER = "+12025550177"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestSmsConsentNumber(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "pc_smsn_specialist", "patient_collections.group_collections_specialist"
        )
        cls.guarantor.write({"tz": "America/New_York", "phone": GUARANTOR_NUMBER})
        # a teenage patient with a phone of their own, who never consented
        cls.child.write({"tz": "America/New_York", "mobile": PATIENT_NUMBER})
        invoice = cls.make_invoice(cls.child, 120.0, NOW.date() - timedelta(days=20))
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist
        cls.account.write({"sms_consent_method": "written"})
        cls.account.with_user(cls.specialist).action_record_sms_consent()

    def texts(self, number):
        return self.env["sms.sms"].sudo().search([("number", "=", number)])

    def logged(self):
        return self.account.interaction_ids.filtered(lambda i: i.channel == "sms")

    def by_number(self, number):
        self.env["sms.composer"].with_user(self.specialist).create(
            {"composition_mode": "numbers", "numbers": number, "body": "Teststmt reminder"}
        ).action_send_sms()

    def test_the_guarantor_s_number_is_texted(self):
        self.by_number(GUARANTOR_NUMBER)
        self.assertEqual(len(self.texts(GUARANTOR_NUMBER)), 1)
        self.assertEqual(len(self.logged()), 1)

    def test_a_patient_s_own_number_is_refused_in_numbers_mode(self):
        with self.assertRaises(UserError) as caught:
            self.by_number(PATIENT_NUMBER)
        self.assertIn("is not one of them", str(caught.exception))
        self.assertIn(self.account.name, str(caught.exception))
        self.assertFalse(self.texts(PATIENT_NUMBER))
        self.assertFalse(self.logged())

    def test_a_patient_s_own_number_is_refused_from_code(self):
        with self.assertRaises(UserError) as caught:
            self.env["sms.sms"].with_user(self.specialist).sudo().create(
                {"number": PATIENT_NUMBER, "partner_id": self.child.id, "body": "Teststmt"}
            )
        self.assertIn("is not one of them", str(caught.exception))
        self.assertFalse(self.texts(PATIENT_NUMBER))

    def test_a_patient_s_own_number_is_refused_from_the_chatter(self):
        """Texted from the account's chatter (the notification judges the account's
        consent, then queues a text to the patient's number)."""
        with self.assertRaises(UserError) as caught:
            self.account.with_user(self.specialist)._message_sms(
                "Teststmt reminder", partner_ids=self.child.ids
            )
        self.assertIn("is not one of them", str(caught.exception))
        self.assertFalse(self.texts(PATIENT_NUMBER))

    def test_a_patient_sharing_the_guarantor_s_number_is_texted(self):
        """A household phone: the number is the guarantor's, their consent covers it."""
        self.child.mobile = "+1 (202) 555-0143"
        self.env["sms.sms"].with_user(self.specialist).sudo().create(
            {"number": GUARANTOR_NUMBER, "partner_id": self.child.id, "body": "Teststmt"}
        )
        self.assertEqual(len(self.texts(GUARANTOR_NUMBER)), 1)

    def test_a_former_dependent_is_texted_on_their_own_account(self):
        """Grown up, the patient is their own guarantor (their older visits stay on
        the parent's account): their own account's consent, for their number,
        lets them be texted there."""
        self.child.guarantor_id = False
        own = self.make_invoice(self.child, 80.0, NOW.date() - timedelta(days=5)).patient_account_id
        self.assertNotEqual(own, self.account)
        own.user_id = self.specialist
        own.write({"sms_consent_method": "written"})
        own.with_user(self.specialist).action_record_sms_consent()
        self.by_number(PATIENT_NUMBER)
        self.assertEqual(len(self.texts(PATIENT_NUMBER)), 1)

    def test_a_queued_text_to_a_patient_s_number_is_cancelled_at_sending(self):
        """A text already waiting in the queue for a patient's own number (queued
        by the module's own path, or before this rule) never leaves it."""
        text = trusted(
            self.env["sms.sms"].with_user(self.specialist).sudo(),
            patient_interaction_logged=True,
        ).create({"number": PATIENT_NUMBER, "partner_id": self.child.id, "body": "Teststmt"})
        self.assertEqual(text.state, "outgoing")
        self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(text.state, "canceled")
        self.assertIn(
            "A text message waiting in the queue was not sent: Text message consent",
            " ".join(self.account.message_ids.mapped("body")),
        )
