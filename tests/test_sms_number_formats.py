"""A text to a guarantor's number is judged whatever the format the number was
saved in (as the staff type it: "(202) 555-0143", "202.555.0143") and whether it
is their phone or their mobile: the composer sends the number's international
form, which the guarantor's saved number need not be."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

# 15:00 UTC is 11:00 in New York (EDT)
NOW = datetime(2026, 6, 1, 15, 0)


@tagged("post_install", "-at_install")
class TestSmsNumberFormats(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "pc_smsfmt_specialist", "patient_collections.group_collections_specialist"
        )
        cls.guarantor.write(
            {
                "tz": "America/New_York",
                "country_id": cls.env.ref("base.us").id,
                "phone": "(202) 555-0143",
                "mobile": "202.555.0178",
            }
        )
        with freeze_time(NOW):
            invoice = cls.make_invoice(cls.child, 120.0, NOW.date() - timedelta(days=20))
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def send(self, numbers):
        composer = (
            self.env["sms.composer"]
            .with_user(self.specialist)
            .create({"composition_mode": "numbers", "numbers": numbers, "body": "Hello"})
        )
        composer.action_send_sms()

    def texts(self):
        return self.env["sms.sms"].sudo().search([("body", "=", "Hello")])

    @freeze_time(NOW)
    def test_phone_and_mobile_in_any_format_are_gated(self):
        self.assertFalse(self.account.sms_consent)
        for numbers in ("(202) 555-0143", "+1 202-555-0143", "202 555 0178", "+12025550178"):
            with self.subTest(numbers=numbers), self.assertRaisesRegex(UserError, "consent"):
                self.send(numbers)
        self.assertFalse(self.texts())

    @freeze_time(NOW)
    def test_consented_text_to_the_phone_is_logged(self):
        self.account.write({"sms_consent_method": "written"})
        self.account.with_user(self.specialist).action_record_sms_consent()
        self.send("(202) 555-0143")
        self.assertEqual(len(self.texts()), 1)
        self.assertEqual(
            len(self.account.interaction_ids.filtered(lambda i: i.channel == "sms")), 1
        )

    @freeze_time(NOW)
    def test_another_number_is_no_contact_of_the_account(self):
        self.send("+1 202-555-0199")
        self.assertEqual(len(self.texts()), 1)
        self.assertFalse(self.account.interaction_ids.filtered(lambda i: i.channel == "sms"))
