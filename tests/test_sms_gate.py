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
    def test_an_archived_account_keeps_its_cease_request_only(self):
        """A guarantor whose account is archived (out of collections) is texted as
        anyone else (no collections consent asked, nothing logged on the account),
        but never after a cease request."""
        self.account.action_archive()
        self.send_by_number(self.specialist)
        self.assertEqual(len(self.texts()), 1)
        self.assertFalse(self.logged())
        self.account.sudo().cease_communication = True
        with self.assertRaisesRegex(UserError, "Cease-communication request"):
            self.send_by_number(self.specialist)
        self.assertEqual(len(self.texts()), 1)

    @freeze_time(NOW)
    def test_another_practice_s_account_does_not_judge_this_one_s_text(self):
        """The guarantor also owes another practice, whose account this specialist
        may not read: the text is judged by this practice's account alone (no
        refusal naming the other account), the other's cease request excepted."""
        self.consent()
        other = self.setup_other_company(name="Synthetic Other Clinic Sms")["company"]
        theirs = (
            self.env["patient.account"]
            .sudo()
            .create({"partner_id": self.guarantor.id, "company_id": other.id})
        )
        self.send_by_number(self.specialist)
        self.assertEqual(len(self.texts()), 1)
        self.assertEqual(len(self.logged()), 1)
        self.assertFalse(theirs.interaction_ids)
        theirs.cease_communication = True
        with self.assertRaises(UserError) as caught:
            self.send_by_number(self.specialist)
        self.assertIn("this person asked to cease communication", str(caught.exception))
        self.assertNotIn(theirs.name, str(caught.exception))
        self.assertEqual(len(self.texts()), 1)

    @freeze_time(NOW)
    def test_a_text_to_someone_else_first_is_no_pass(self):
        """One message texted to a stranger and to the guarantor (Odoo queues a
        text per recipient): the guarantor's text is judged although the
        stranger's, judged first, reached no account; and logged once."""
        self.consent()
        stranger = self.env["res.partner"].create(
            {"name": "Synthetic Stranger", "phone": "+12025550199"}
        )
        message = (
            self.env["mail.message"]
            .sudo()
            .create(
                {
                    "model": "res.partner",
                    "res_id": stranger.id,
                    "body": "Hello",
                    "message_type": "sms",
                }
            )
        )
        values = [
            {"number": number, "partner_id": partner.id, "body": "Hello"}
            | {"mail_message_id": message.id}
            for number, partner in (("+12025550199", stranger), (NUMBER, self.guarantor))
        ]
        with self.assertRaises(AccessError):
            self.env["sms.sms"].with_user(self.accountant).sudo().create(values)
        self.assertFalse(self.texts() or self.logged())
        self.env["sms.sms"].with_user(self.specialist).sudo().create(values)
        self.assertEqual(len(self.texts()), 1)
        self.assertEqual(len(self.logged()), 1)
        # the same message texted to the guarantor again is still one contact
        self.env["sms.sms"].with_user(self.specialist).sudo().create(values[1:])
        self.assertEqual(len(self.logged()), 1)

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

    def queued_text(self):
        """A text queued by the specialist at NOW (Odoo's queue sends it later)."""
        with freeze_time(NOW):
            text = (
                self.env["sms.sms"]
                .with_user(self.specialist)
                .sudo()
                .create({"number": NUMBER, "body": "Reminder", "partner_id": self.guarantor.id})
            )
        self.assertEqual(text.state, "outgoing")
        return text

    def test_a_queued_text_is_judged_again_as_it_leaves_the_queue(self):
        """Consent revoked or a cease request while a text waits in the queue: it
        is cancelled, the chatter says why; at night it waits for the morning."""
        self.consent()
        revoked = self.queued_text()
        with freeze_time(NOW):
            self.account.with_user(self.specialist).action_revoke_sms_consent()
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(revoked.state, "canceled")
        self.assertIn(
            "A text message waiting in the queue was not sent: Text message consent",
            " ".join(self.account.message_ids.mapped("body")),
        )
        self.consent()
        ceased = self.queued_text()
        self.account.sudo().cease_communication = True
        with freeze_time(NOW):
            ceased.send()
        self.assertEqual(ceased.state, "canceled")

    def test_a_queued_text_waits_for_the_contact_hours(self):
        self.consent()
        text = self.queued_text()
        with freeze_time(NIGHT):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertEqual(text.state, "outgoing", "23:00 in New York: it waits")
        with freeze_time(NIGHT + timedelta(hours=12)):
            self.env["sms.sms"].sudo()._process_queue()
        self.assertNotEqual(text.state, "outgoing", "the morning's pass sends it")

    def test_a_new_number_needs_consent_again(self):
        """Consent is for the number the guarantor had: written again in another
        format it stands, changed it is withdrawn (a new number may be someone
        else's), the chatter says so."""
        self.consent()
        self.guarantor.write({"phone": "+1 202-555-0143"})
        self.assertTrue(self.account.sms_consent, "the same number")
        self.guarantor.write({"phone": "+12025550199"})
        self.assertFalse(self.account.sms_consent)
        self.assertIn(
            "consent to text messages was for the former number",
            " ".join(self.account.message_ids.mapped("body")),
        )
        with freeze_time(NOW), self.assertRaisesRegex(UserError, "consent"):
            self.env["sms.sms"].with_user(self.specialist).sudo().create(
                {"number": "+12025550199", "body": "Hello"}
            )
