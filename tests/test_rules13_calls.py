"""Desk 13, contact rules on calls: 7 in 7 counts every window containing a
call dated back, a contact person's own time zone, callbacks inside the contact
hours, one cease acknowledgement letter, and cease or wrong number lifted by a
manager only."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PatientCollectionsCommon

# 2026-06-01 15:00 UTC: 11:00 in New York (EDT), 00:00 in Tokyo
NOW = datetime(2026, 6, 1, 15, 0)
TODAY = date(2026, 6, 1)


class Rules13Common(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.specialist = new_test_user(
            cls.env,
            login="pc_r13c_specialist",
            groups="patient_collections.group_collections_specialist",
            **common,
        )
        cls.manager = new_test_user(
            cls.env,
            login="pc_r13c_manager",
            groups="patient_collections.group_collections_manager",
            **common,
        )
        cls.guarantor.tz = "America/New_York"
        cls.contact = cls.env["res.partner"].create(
            {"name": "Testcontact Alpha", "parent_id": cls.guarantor.id, "tz": "Asia/Tokyo"}
        )
        day = TODAY - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 300.0, day, due_date=day).patient_account_id
        cls.account.user_id = cls.specialist

    def log(self, user=None, **vals):
        values = {"account_id": self.account.id, "channel": "phone_out", "outcome": "reached"}
        values.update(vals)
        return self.env["patient.interaction"].with_user(user or self.specialist).create(values)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestRules13CallRules(Rules13Common):
    def test_backdated_eighth_call_is_refused(self):
        for i in range(7):
            self.log(outcome="no_answer", date=NOW - timedelta(minutes=10 * (7 - i)))
        with self.assertRaisesRegex(UserError, "Call frequency limit"):
            self.log(outcome="no_answer")
        with self.assertRaisesRegex(UserError, "Call frequency limit"):
            self.log(outcome="no_answer", date=NOW - timedelta(hours=2))
        with self.assertRaisesRegex(UserError, "Call frequency limit"):
            self.log(outcome="no_answer", date=NOW - timedelta(days=3))
        # a call more than a week before the seven is outside all their windows
        self.log(outcome="no_answer", date=NOW - timedelta(days=7, hours=2))

    def test_a_contact_person_is_called_in_their_own_hours(self):
        # 00:00 in Tokyo: the contact may not be called, the guarantor may
        with self.assertRaisesRegex(UserError, "Asia/Tokyo"):
            self.log(partner_id=self.contact.id)
        self.log(partner_id=self.guarantor.id)
        # 02:00 UTC: 22:00 in New York, 11:00 in Tokyo
        with freeze_time(datetime(2026, 6, 2, 2, 0)):
            self.log(partner_id=self.contact.id)
            with self.assertRaisesRegex(UserError, "America/New_York"):
                self.log(partner_id=self.guarantor.id)

    def test_callback_inside_the_contact_hours(self):
        # 23:30 in New York
        with self.assertRaisesRegex(ValidationError, "contact hours"):
            self.log(outcome="callback_requested", callback_at=datetime(2026, 6, 3, 3, 30))
        # 14:00 in New York is 03:00 in Tokyo: not for the Tokyo contact
        with self.assertRaisesRegex(ValidationError, "Asia/Tokyo"):
            self.log(
                outcome="callback_requested",
                callback_at=datetime(2026, 6, 2, 18, 0),
                partner_id=self.contact.id,
                channel="phone_in",
            )
        self.log(outcome="callback_requested", callback_at=datetime(2026, 6, 2, 18, 0))
        activity = self.account.activity_ids.filtered(lambda a: "Call back" in a.summary)
        self.assertIn("14:00 (America/New_York)", activity.summary)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestRules13Cease(Rules13Common):
    def cease(self):
        self.log(channel="phone_in", outcome="cease_request")

    def acknowledge(self, **vals):
        return self.log(channel="letter", outcome="other", is_cease_acknowledgement=True, **vals)

    def test_one_acknowledgement_letter(self):
        with self.assertRaisesRegex(ValidationError, "no request to cease"):
            self.acknowledge()
        self.cease()
        with self.assertRaisesRegex(ValidationError, "Letter and outcome Other"):
            self.log(channel="letter", outcome="promise_to_pay", is_cease_acknowledgement=True)
        with self.assertRaisesRegex(ValidationError, "Letter and outcome Other"):
            self.log(channel="phone_out", outcome="other", is_cease_acknowledgement=True)
        first = self.acknowledge()
        with self.assertRaisesRegex(ValidationError, "acknowledged already"):
            self.acknowledge()
        with self.assertRaisesRegex(ValidationError, "acknowledged already"):
            self.env["patient.interaction"].with_user(self.manager).create(
                [
                    {
                        "account_id": self.account.id,
                        "channel": "letter",
                        "outcome": "other",
                        "is_cease_acknowledgement": True,
                    }
                ]
                * 2
            )
        # logged by mistake and voided: the letter can be logged again
        first.with_user(self.manager).action_void("Logged twice by mistake")
        self.acknowledge()

    def test_acknowledged_since_the_practice_day_of_the_request(self):
        """The request voided, the acknowledgements count from the start of the day
        the account ceased on the practice's calendar: 06-02 in Tokyo from 15:00 on
        06-01 in UTC, so the letter of that moment acknowledges it already."""
        self.env.company.collections_tz = "Asia/Tokyo"
        request = self.log(channel="phone_in", outcome="cease_request")
        self.assertEqual(self.account.cease_date, date(2026, 6, 2))
        self.acknowledge()
        request.with_user(self.manager).action_void("Logged on the wrong account")
        self.assertTrue(self.account.cease_communication)
        with self.assertRaisesRegex(ValidationError, "acknowledged already"):
            self.acknowledge()

    def test_a_specialist_cannot_lift_cease_or_wrong_number(self):
        self.cease()
        self.log(channel="phone_in", outcome="wrong_number")
        account = self.account.with_user(self.specialist)
        for field in ("cease_communication", "phone_invalid"):
            with self.subTest(field=field):
                with self.assertRaisesRegex(AccessError, "collections manager"):
                    account.write({field: False})
                with self.assertRaisesRegex(AccessError, "collections manager"):
                    account.web_save({field: False}, {})
        self.assertRecordValues(
            self.account,
            [{"cease_communication": True, "phone_invalid": True, "cease_date": TODAY}],
        )
        with self.assertRaisesRegex(UserError, "Cease"):
            self.log()
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if committed: the lifting is tracked
        # a manager lifts them; the chatter keeps the trace, and the request's date
        self.account.with_user(self.manager).write(
            {"cease_communication": False, "phone_invalid": False}
        )
        self.assertEqual(self.account.cease_date, TODAY)
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking is written on commit
        tracked = self.account.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("cease_communication", tracked)
        self.assertIn("phone_invalid", tracked)
        self.log()

    def test_a_new_number_clears_wrong_number(self):
        self.log(channel="phone_in", outcome="wrong_number")
        self.assertTrue(self.account.phone_invalid)
        self.account.partner_id.write({"phone": "+1 555 0100 222"})
        self.assertFalse(self.account.phone_invalid)
        self.assertIn("Wrong Number is cleared", " ".join(self.account.message_ids.mapped("body")))

    def test_the_same_number_saved_again_keeps_wrong_number(self):
        """Saving the contact with its number as it was (or written another way) is
        no new number: the flag is a manager's to lift."""
        partner = self.account.partner_id
        partner.write({"phone": "+1 555 0100 333"})
        self.log(channel="phone_in", outcome="wrong_number")
        for same in ("+1 555 0100 333", "+15550100333"):
            with self.subTest(same=same):
                partner.write({"phone": same})
                self.assertTrue(self.account.phone_invalid)


@tagged("post_install", "-at_install")
class TestRules13PatientTimeZone(PatientCollectionsCommon):
    def test_a_new_patient_does_not_take_the_staff_time_zone(self):
        Partner = self.env["res.partner"].with_context(tz="Asia/Tokyo")
        patient = Partner.create({"name": "Testperson Zone", "is_patient": True})
        self.assertFalse(patient.tz)
        quick = Partner.with_context(default_is_patient=True).create({"name": "Testperson Quick"})
        self.assertFalse(quick.tz)
        chosen = Partner.create(
            {"name": "Testperson Chosen", "is_patient": True, "tz": "America/Chicago"}
        )
        self.assertEqual(chosen.tz, "America/Chicago")
        # any other contact keeps Odoo's default
        self.assertEqual(Partner.create({"name": "Testvendor Zone"}).tz, "Asia/Tokyo")
        account = self.make_invoice(patient, 50.0, date.today()).patient_account_id
        self.assertEqual(account._contact_tz(), self.env.company._patient_tz())
