"""What a void undoes (a promise, a call back), what a manager may override (a call
or a letter, never a message nor a call after a request to cease), override
reasons kept only with an override, and the person contacted checked before
anything of theirs is read."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_interactions import NOW, TODAY, InteractionCase

LATE = datetime(2026, 6, 1, 2, 30)  # 22:30 in New York: outside the contact hours


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestInteractionVoidOverride(InteractionCase):
    login = "pc_ivo"

    def cease(self):
        self.log(channel="phone_in", outcome="cease_request")
        self.assertTrue(self.account.cease_communication)

    # ------------------------------------------------------------------ void

    def test_voided_promise_is_neither_pending_nor_due(self):
        promise = self.log(
            outcome="promise_to_pay",
            promise_amount=10.0,
            promise_date=TODAY,
        )
        Interaction = self.env["patient.interaction"].with_user(self.specialist)
        self.assertIn(promise, Interaction.search([("promise_due", "=", True)]))
        promise.with_user(self.manager).action_void("Logged on the wrong account.")
        promise.invalidate_recordset()
        self.assertEqual(promise.state, "voided")
        self.assertFalse(promise.promise_state)
        self.assertFalse(promise.promise_due)
        self.assertNotIn(promise, Interaction.search([("promise_due", "=", True)]))
        self.assertNotIn(promise, Interaction.search([("promise_state", "=", "pending")]))

    def test_voided_callback_closes_its_call(self):
        call_type = self.env.ref("mail.mail_activity_data_call")
        callback = self.log(
            channel="phone_in",
            outcome="callback_requested",
            callback_at=datetime(2026, 6, 2, 15, 0),
        )
        # the specialist's own call to make, unrelated
        self.account.with_user(self.specialist).activity_schedule(
            "mail.mail_activity_data_call",
            date_deadline=date(2026, 6, 3),
            summary="Call about the new statement",
        )
        calls = self.account.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        self.assertEqual(len(calls), 2)
        callback.with_user(self.manager).action_void("The guarantor never asked.")
        self.account.invalidate_recordset(["activity_ids"])
        left = self.account.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        self.assertEqual(left.summary, "Call about the new statement", "only the voided one")

    def test_no_call_back_planned_after_a_request_to_cease(self):
        self.cease()
        with self.assertRaisesRegex(ValidationError, "cease communication"):
            self.log(
                channel="phone_in",
                outcome="callback_requested",
                callback_at=datetime(2026, 6, 2, 15, 0),
            )

    # -------------------------------------------------------------- override

    def test_manager_overrides_a_late_call_or_letter(self):
        call = self.log(self.manager, date=LATE, override_reason="Guarantor asked for it.")
        self.assertEqual(call.overridden_rules, "Contact hours (08:00-21:00 local time)")
        self.assertEqual(call.override_reason, "Guarantor asked for it.")

    def test_no_override_of_a_message(self):
        for channel in ("sms", "email"):
            with self.subTest(channel=channel), self.assertRaisesRegex(UserError, "No override"):
                self.log(
                    self.manager,
                    channel=channel,
                    outcome="other",
                    date=LATE,
                    override_reason="Sent anyway.",
                )

    def test_after_a_request_to_cease_a_letter_only(self):
        self.cease()
        for channel in ("phone_out", "sms", "email"):
            with self.subTest(channel=channel), self.assertRaisesRegex(UserError, "No override"):
                self.log(
                    self.manager,
                    channel=channel,
                    outcome="other",
                    override_reason="Needed to tell them.",
                )
        letter = self.log(
            self.manager,
            channel="letter",
            outcome="other",
            override_reason="Notice of the practice's remedies.",
        )
        self.assertEqual(letter.overridden_rules, "Cease-communication request")

    def test_override_reason_without_override_is_not_kept(self):
        for user in (self.specialist, self.manager):
            interaction = self.log(
                user,
                channel="phone_in",
                outcome="reached",
                override_reason="Approved by the manager.",
            )
            self.assertFalse(interaction.override_reason)
            self.assertFalse(interaction.overridden_rules)

    # --------------------------------------------------------------- contact

    def test_stranger_refused_before_their_time_zone_is_read(self):
        other_company = self.env["res.company"].create({"name": "Testivo Other Practice"})
        stranger = self.env["res.partner"].create(
            {"name": "Testivo Stranger", "tz": "Asia/Tokyo", "company_id": other_company.id}
        )
        for vals in (
            {"channel": "phone_out", "date": LATE},
            {
                "channel": "phone_in",
                "outcome": "callback_requested",
                "callback_at": datetime(2026, 6, 2, 20, 0),
            },
        ):
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError) as caught:
                    self.log(partner_id=stranger.id, **vals)
                self.assertIn("The person contacted", str(caught.exception))
                self.assertNotIn("Tokyo", str(caught.exception))

    def test_role_refusal_names_no_account_the_user_may_not_read(self):
        other_company = self.env["res.company"].create({"name": "Testivo Second Practice"})
        outsider = new_test_user(
            self.env,
            login="pc_ivo_outsider",
            groups="patient_collections.group_collections_specialist",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        with self.assertRaises(AccessError) as caught:
            self.account.with_user(outsider)._check_contact_role()
        self.assertIn("a patient account", str(caught.exception))
        self.assertNotIn(self.account.name, str(caught.exception))
