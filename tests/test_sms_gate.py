"""Texts to a guarantor, however they are made (the SMS composer's numbers mode,
sms.sms from code), pass the outbound contact gate as texts."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

# 15:00 UTC is 11:00 in New York (EDT); 03:00 UTC is 23:00 the evening before
NOW = datetime(2026, 6, 1, 15, 0)
NIGHT = datetime(2026, 6, 2, 3, 0)
NUMBER = "+12025550143"


@tagged("post_install", "-at_install")
class TestSmsGate(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "pc_sms_specialist", "patient_collections.group_collections_specialist"
        )
        cls.accountant = cls.company_user(
            "pc_sms_accountant", "patient_collections.group_collections_accountant"
        )
        cls.guarantor.write({"tz": "America/New_York", "phone": NUMBER})
        with freeze_time(NOW):
            invoice = cls.make_invoice(cls.child, 120.0, NOW.date() - timedelta(days=20))
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def texts(self):
        return self.env["sms.sms"].sudo().search([("number", "=", NUMBER)])

    def send_by_number(self, user):
        composer = (
            self.env["sms.composer"]
            .with_user(user)
            .create({"composition_mode": "numbers", "numbers": NUMBER, "body": "Hello"})
        )
        composer.action_send_sms()

    def logged(self):
        return self.account.interaction_ids.filtered(lambda i: i.channel == "sms")

    def consent(self):
        self.account.write({"sms_consent_method": "written"})
        with freeze_time(NOW):
            self.account.with_user(self.specialist).action_record_sms_consent()

    @freeze_time(NOW)
    def test_no_consent_no_text(self):
        with self.assertRaisesRegex(UserError, "consent"):
            self.send_by_number(self.specialist)
        self.assertFalse(self.texts())
        self.assertFalse(self.logged())

    @freeze_time(NOW)
    def test_accountant_sends_no_text_to_a_guarantor(self):
        self.consent()
        with self.assertRaises(AccessError):
            self.env["sms.sms"].with_user(self.accountant).sudo().create(
                {"number": NUMBER, "body": "Pay now"}
            )
        self.assertFalse(self.logged())

    @freeze_time(NOW)
    def test_an_archived_account_keeps_its_rules(self):
        """Archiving the account does not open the guarantor to texts: no consent,
        no text; an accountant's is refused on the role."""
        self.account.action_archive()
        with self.assertRaisesRegex(UserError, "consent"):
            self.send_by_number(self.specialist)
        with self.assertRaises(AccessError):
            self.env["sms.sms"].with_user(self.accountant).sudo().create(
                {"number": NUMBER, "body": "Pay now"}
            )
        self.assertFalse(self.texts())

    def test_texts_only_in_the_day(self):
        self.consent()
        with freeze_time(NIGHT), self.assertRaisesRegex(UserError, "08:00-21:00"):
            self.send_by_number(self.specialist)
        self.assertFalse(self.texts())
        with freeze_time(NOW):
            self.send_by_number(self.specialist)
        self.assertEqual(len(self.texts()), 1)
        self.assertEqual(len(self.logged()), 1)
        self.assertEqual(self.logged().user_id, self.specialist)

    @freeze_time(NOW)
    def test_forged_flag_is_no_bypass_the_module_path_is(self):
        self.consent()
        self.account.cease_communication = True
        with self.assertRaises(UserError):
            self.env["sms.sms"].with_user(self.specialist).with_context(
                patient_interaction_logged=True
            ).sudo().create({"number": NUMBER, "body": "Hello"})
        trusted(self.env["sms.sms"].sudo(), patient_interaction_logged=True).create(
            {"number": NUMBER, "body": "Statement ready"}
        )
        self.assertEqual(len(self.texts()), 1)
