from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PatientCollectionsCommon
from .test_contact_payments import contact_of, received

# 2026-06-01 15:00 UTC is 11:00 in New York (EDT)
NOW = datetime(2026, 6, 1, 15, 0)
TODAY = date(2026, 6, 1)


class InteractionCase(PatientCollectionsCommon):
    """A specialist (``<login>_specialist``) and a manager of the company, and an
    account of the specialist's, 300.00 40 days overdue, its guarantor in New York."""

    login = "pc_int"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.specialist = new_test_user(
            cls.env,
            login=f"{cls.login}_specialist",
            groups="patient_collections.group_collections_specialist",
            company_id=company.id,
            company_ids=[company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            login=f"{cls.login}_manager",
            groups="patient_collections.group_collections_manager",
            company_id=company.id,
            company_ids=[company.id],
        )
        cls.guarantor.tz = "America/New_York"
        cls.invoice = cls.make_invoice(
            cls.child, 300.0, TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=40)
        )
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def log(self, user=None, **vals):
        values = {"account_id": self.account.id, "channel": "phone_out", "outcome": "reached"}
        values.update(vals)
        return self.env["patient.interaction"].with_user(user or self.specialist).create(values)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestInteractions(InteractionCase):
    def messages(self, account=None):
        account = account or self.account
        account.invalidate_recordset(["message_ids"])
        return account.message_ids

    # ----------------------------------------------------------- the log

    def test_summary_in_chatter_never_the_note(self):
        self.log(note="Patient mentioned the knee surgery", outcome="reached")
        bodies = " ".join(self.messages().mapped("body"))
        self.assertIn("Call: reached", bodies)
        self.assertNotIn("knee", bodies)

    def test_promise_schedules_a_check_and_holds(self):
        interaction = self.log(
            outcome="promise_to_pay", promise_amount=120.0, promise_date=TODAY + timedelta(days=10)
        )
        self.assertEqual(interaction.promise_state, "pending")
        activity = self.account.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("patient_collections.mail_activity_type_promise_check")
            )
        )
        self.assertEqual(activity.date_deadline, TODAY + timedelta(days=10))
        self.assertEqual(activity.user_id, self.specialist)
        self.assertEqual(self.account.hold_reason, "promise_to_pay")
        body = " ".join(self.messages().mapped("body"))
        self.assertIn("120.00", body)

    def test_promise_needs_amount_and_date(self):
        with self.assertRaises(ValidationError):
            self.log(outcome="promise_to_pay", promise_amount=0.0, promise_date=TODAY)
        with self.assertRaises(ValidationError):
            self.log(outcome="reached", promise_amount=10.0)

    def test_callback_schedules_a_call(self):
        self.log(outcome="callback_requested", callback_at=datetime(2026, 6, 3, 18, 30))
        activity = self.account.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(activity.date_deadline, date(2026, 6, 3))
        self.assertIn("14:30", activity.summary)  # New York time

    def test_dispute_holds_and_alerts_a_manager(self):
        self.log(outcome="dispute")
        self.assertEqual(self.account.hold_reason, "dispute")
        manager_activities = self.account.activity_ids.filtered(
            lambda a: a.user_id.has_group("patient_collections.group_collections_manager")
        )
        self.assertTrue(manager_activities)

    def test_hardship_holds_for_financial_assistance(self):
        self.log(channel="phone_in", outcome="hardship")
        self.assertEqual(self.account.hold_reason, "financial_assistance")

    def test_cease_request_sets_flag(self):
        self.log(channel="phone_in", outcome="cease_request")
        self.assertTrue(self.account.cease_communication)
        self.assertEqual(self.account.cease_date, TODAY)

    def test_wrong_number_flags_number(self):
        self.log(outcome="wrong_number")
        self.assertTrue(self.account.phone_invalid)
        with self.assertRaisesRegex(UserError, "Invalid phone number"):
            self.log()

    def test_deceased_and_bankruptcy(self):
        self.log(channel="phone_in", outcome="deceased_reported")
        self.assertEqual(self.account.hold_reason, "deceased")
        self.log(channel="letter", outcome="bankruptcy_reported")
        self.assertEqual(self.account.hold_reason, "bankruptcy")
        reviews = self.account.activity_ids.filtered(lambda a: a.summary.startswith("Review"))
        self.assertEqual(
            len(reviews), 2, "the specialist's letter does not close a manager's review"
        )

    def test_matching_activity_marked_done(self):
        call = self.account.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.specialist.id
        )
        todo = self.account.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.specialist.id
        )
        self.log(outcome="left_voicemail")
        self.assertFalse(call.exists())
        self.assertTrue(todo.exists())

    def test_interactions_logged_together_answer_each_its_activity(self):
        """Logged in one batch, each interaction gets its line and completes the
        earliest matching activity of its account, once."""
        early = self.account.activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self.specialist.id,
            date_deadline=TODAY - timedelta(days=2),
        )
        late = self.account.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.specialist.id, date_deadline=TODAY
        )
        spare = self.account.activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self.specialist.id,
            date_deadline=TODAY + timedelta(days=5),
        )
        other_user = self.account.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.manager.id
        )
        before = len(self.messages())
        self.env["patient.interaction"].with_user(self.specialist).create(
            [
                {"account_id": self.account.id, "channel": "phone_out", "outcome": "reached"},
                {"account_id": self.account.id, "channel": "phone_in", "outcome": "no_answer"},
                {"account_id": self.account.id, "channel": "in_person", "outcome": "reached"},
            ]
        )
        self.assertFalse(early.exists() or late.exists())
        self.assertTrue(spare.exists() and other_user.exists())
        bodies = " ".join(self.messages().mapped("body"))
        self.assertIn("Call: reached", bodies)
        self.assertIn("Incoming call: no answer", bodies)
        # three summary lines, two activities done
        self.assertEqual(len(self.messages()) - before, 5)

    def test_effects_belong_to_create(self):
        """An import or API call behaves like the form."""
        self.env["patient.interaction"].with_user(self.specialist).create(
            [
                {"account_id": self.account.id, "channel": "phone_in", "outcome": "dispute"},
            ]
        )
        self.assertEqual(self.account.hold_reason, "dispute")

    # ----------------------------------------------------------- append-only

    def test_append_only_for_everyone(self):
        interaction = self.log(note="First note")
        for user in (self.specialist, self.manager):
            with self.assertRaisesRegex(UserError, "permanent record"):
                interaction.with_user(user).write({"note": "Changed"})
        for user in (self.specialist, self.manager):
            with self.assertRaises(AccessError):
                interaction.with_user(user).unlink()
        with self.assertRaises(UserError):
            interaction.sudo().write({"outcome": "refused"})
        with self.assertRaises(UserError):
            interaction.sudo().unlink()
        self.assertEqual(interaction.note, "First note")

    def test_void_with_reason(self):
        interaction = self.log()
        with self.assertRaises(AccessError):
            interaction.with_user(self.specialist).action_void("mistake")
        with self.assertRaisesRegex(UserError, "why"):
            interaction.with_user(self.manager).action_void("  ")
        wizard = (
            self.env["patient.interaction.void"]
            .with_user(self.manager)
            .with_context(active_model="patient.interaction", active_ids=interaction.ids)
            .create({"reason": "Logged on the wrong account"})
        )
        wizard.action_void()
        self.assertRecordValues(
            interaction,
            [
                {
                    "state": "voided",
                    "void_reason": "Logged on the wrong account",
                    "voided_by_id": self.manager.id,
                }
            ],
        )
        self.assertIn(interaction, self.account.interaction_ids)

    def test_voided_calls_do_not_count(self):
        calls = [self.log(date=NOW - timedelta(minutes=10 * (h + 1))) for h in range(7)]
        with self.assertRaises(UserError):
            self.log()
        calls[0].with_user(self.manager).action_void("duplicate entry")
        self.log()

    # ----------------------------------------------------------- contact rules

    def test_call_hours_edges(self):
        # 20:59 and 21:00 in New York (EDT, UTC-4)
        with freeze_time(datetime(2026, 6, 2, 0, 59)):
            self.log()
        with (
            freeze_time(datetime(2026, 6, 2, 1, 0)),
            self.assertRaisesRegex(UserError, r"Contact hours.*06/02/2026 08:00"),
        ):
            self.log()

    def test_call_hours_in_other_time_zones(self):
        self.guarantor.tz = "Asia/Tokyo"  # 21:00 in Tokyo is 12:00 UTC
        with freeze_time(datetime(2026, 6, 1, 11, 59)):
            self.log()
        with freeze_time(datetime(2026, 6, 1, 12, 0)), self.assertRaises(UserError):
            self.log()
        self.guarantor.tz = False
        self.env.company.partner_id.tz = "America/Los_Angeles"  # company's zone
        with freeze_time(datetime(2026, 6, 2, 3, 59)):  # 20:59 PDT
            self.log()
        with freeze_time(datetime(2026, 6, 2, 4, 0)), self.assertRaises(UserError):
            self.log()

    def test_call_hours_on_dst_change_day(self):
        # 2026-03-08 New York springs forward: 08:00 EDT is 12:00 UTC
        with freeze_time(datetime(2026, 3, 8, 11, 59)), self.assertRaises(UserError):
            self.log()
        with freeze_time(datetime(2026, 3, 8, 12, 0)):
            self.log()

    def test_seventh_call_allowed_eighth_refused(self):
        for hours in range(6):
            self.log(date=NOW - timedelta(days=hours, hours=1))
        self.log()  # the 7th in 7 days
        with self.assertRaisesRegex(UserError, "Call frequency limit"):
            self.log()
        self.log(channel="letter", outcome="other")  # other channels still allowed

    def test_call_limit_is_per_company_setting(self):
        self.env.company.collections_max_calls = 2
        self.log(date=NOW - timedelta(hours=2))
        self.log(date=NOW - timedelta(hours=1))
        with self.assertRaises(UserError):
            self.log()

    def test_call_window_over_a_month_counts_its_older_calls(self):
        """A practice counting 3 calls in 60 days: calls of seven weeks ago count."""
        self.env.company.write({"collections_max_calls": 3, "collections_call_window_days": 60})
        for days in (50, 49, 48):  # older than a specialist may log: a manager's
            self.log(user=self.manager, date=NOW - timedelta(days=days))
        with self.assertRaisesRegex(UserError, "Call frequency limit"):
            self.log()

    def test_other_practices_account_tells_nothing(self):
        """A specialist naming another practice's account is refused before any
        rule reads it: no balance, no cease request in the refusal."""
        clinic_b = self.setup_other_company(name="Synthetic Clinic Interactions B")["company"]
        theirs = self.make_invoice(
            self.other_guarantor, 1234.56, TODAY - timedelta(days=40), company=clinic_b
        ).patient_account_id
        attempts = [
            {
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_amount": 1300.0,
                "promise_date": TODAY + timedelta(days=3),
            },
            {"channel": "letter", "outcome": "other", "is_cease_acknowledgement": True},
        ]
        for vals in attempts:
            with self.assertRaises(AccessError) as refused:
                self.log(account_id=theirs.id, **vals)
            self.assertNotIn("1,234.56", str(refused.exception))
            self.assertNotIn(theirs.sudo().name, str(refused.exception))
        self.assertFalse(
            self.env["patient.interaction"].sudo().search_count([("account_id", "=", theirs.id)])
        )

    def test_cease_blocks_outbound_but_acknowledgement(self):
        self.log(channel="phone_in", outcome="cease_request")
        for channel in ("phone_out", "email", "letter"):
            with self.assertRaisesRegex(UserError, "Cease"):
                self.log(channel=channel, outcome="other")
        self.log(channel="letter", outcome="other", is_cease_acknowledgement=True)
        self.log(channel="phone_in", outcome="reached")  # inbound calls are fine

    def test_text_needs_consent_and_revocation_is_logged(self):
        with self.assertRaisesRegex(UserError, "Text message consent"):
            self.log(channel="sms", outcome="other")
        account = self.account.with_user(self.specialist)
        with self.assertRaises(UserError):
            account.action_record_sms_consent()
        account.sms_consent_method = "written"
        account.action_record_sms_consent()
        self.log(channel="sms", outcome="other")
        account.action_revoke_sms_consent()
        self.assertFalse(account.sms_consent)
        self.assertIn("revoked", " ".join(self.messages().mapped("body")))
        with self.assertRaises(UserError):
            self.log(channel="sms", outcome="other")

    def test_manager_override_is_kept_and_logged(self):
        with freeze_time(datetime(2026, 6, 2, 2, 0)):  # 22:00 New York
            with self.assertRaises(AccessError):
                self.log(override_reason="Guarantor asked for a late call")
            interaction = self.log(
                user=self.manager, override_reason="Guarantor asked for a late call"
            )
        self.assertEqual(interaction.override_reason, "Guarantor asked for a late call")
        self.assertIn("Contact hours", interaction.overridden_rules)
        self.assertIn("overridden", " ".join(self.messages().mapped("body")))

    def test_future_interaction_refused(self):
        with self.assertRaisesRegex(ValidationError, "future"):
            self.log(date=NOW + timedelta(days=1))

    # ----------------------------------------------------------- promises

    def promise(self, amount=100.0, days=5):
        return self.log(
            outcome="promise_to_pay",
            promise_amount=amount,
            promise_date=TODAY + timedelta(days=days),
        )

    def test_promise_kept_by_a_payment_of_the_guarantors_contact(self):
        """Paid from the guarantor's invoice address (a contact under them): their
        money, the promise is kept."""
        promise = self.promise(100.0)
        contact = contact_of(self.invoice.partner_id)
        with freeze_time(NOW + timedelta(days=2)):
            payment = received(
                self.env, contact, 100.0, TODAY + timedelta(days=2),
                self.company_data["default_journal_bank"],
            )  # fmt: skip
        self.assertEqual(payment.move_id.line_ids.partner_id, contact)
        with freeze_time(NOW + timedelta(days=6)):
            self.env["patient.collection.run"].run()
        self.assertEqual(promise.promise_state, "kept")
        self.assertEqual(promise.promise_paid_amount, 100.0)

    def test_promise_kept_with_partial_payments(self):
        promise = self.promise(100.0)
        with freeze_time(NOW + timedelta(days=2)):
            self.pay(self.invoice, 60.0, TODAY + timedelta(days=2))
        with freeze_time(NOW + timedelta(days=4)):
            self.pay(self.invoice, 40.0, TODAY + timedelta(days=4))
        with freeze_time(NOW + timedelta(days=6)):
            run = self.env["patient.collection.run"].run()
        self.assertEqual(promise.promise_state, "kept")
        self.assertEqual(promise.promise_paid_amount, 100.0)
        self.assertEqual(self.account.promise_kept_count, 1)
        kept = run.line_ids.filtered(lambda line: line.kind == "promise_kept")
        self.assertEqual(kept.count, 1)
        self.assertNotEqual(self.account.hold_reason, "promise_to_pay")

    def test_promise_broken_when_its_payment_is_reversed(self):
        """A payment reversed (a bounced check) is no money in: not a kept promise,
        not the account's last payment."""
        promise = self.promise(100.0)
        with freeze_time(NOW + timedelta(days=2)):
            payment = self.pay(self.invoice, 100.0, TODAY + timedelta(days=2))
            self.assertEqual(self.account.last_payment_amount, 100.0)
            self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=payment.move_id.ids
            ).create(
                {"journal_id": payment.move_id.journal_id.id, "date": TODAY + timedelta(days=2)}
            ).reverse_moves()
            self.assertTrue(payment.move_id.reversal_move_ids)
        self.account.invalidate_recordset()
        self.assertFalse(self.account.last_payment_amount)
        self.assertFalse(self.account.last_payment_date)
        with freeze_time(NOW + timedelta(days=6)):
            self.env["patient.collection.run"].run()
        self.assertEqual(promise.promise_state, "broken")
        self.assertEqual(promise.promise_paid_amount, 0.0)

    def test_promise_broken_by_partial_payment(self):
        promise = self.promise(100.0)
        with freeze_time(NOW + timedelta(days=3)):
            self.pay(self.invoice, 30.0, TODAY + timedelta(days=3))
        with freeze_time(NOW + timedelta(days=5)):
            self.env["patient.collection.run"].run()
            self.assertEqual(promise.promise_state, "pending", "not judged on its own date")
        with freeze_time(NOW + timedelta(days=6)):
            self.env["patient.collection.run"].run()
        self.assertEqual(promise.promise_state, "broken")
        self.assertEqual(self.account.promise_broken_count, 1)
        self.assertIn("Broken promise", " ".join(self.messages().mapped("body")))
        follow_up = self.account.activity_ids.filtered(
            lambda a: "broken promise" in (a.summary or "")
        )
        self.assertEqual(follow_up.user_id, self.specialist)
        before = self.account.priority_score
        self.account.invalidate_recordset()
        self.assertGreaterEqual(self.account.priority_score, before)

    def test_payments_before_the_promise_do_not_count(self):
        self.pay(self.invoice, 100.0, TODAY - timedelta(days=1))
        promise = self.promise(50.0)
        with freeze_time(NOW + timedelta(days=6)):
            self.env["patient.collection.run"].run()
            self.env["patient.collection.run"].run()
        self.assertEqual(promise.promise_state, "broken")
        self.assertEqual(self.account.promise_broken_count, 1, "judged once")

    def test_broken_promises_raise_priority(self):
        self.assertIn("Broken promises: 0 → +0", self.account.priority_explanation)
        self.promise(100.0)
        with freeze_time(NOW + timedelta(days=6)):
            self.env["patient.collection.run"].run()
        # one broken promise of the three that count fully, at weight 15 of 100
        self.assertIn("Broken promises: 1 → +5", self.account.priority_explanation)

    def test_accountant_cannot_read_interactions(self):
        self.log(note="Private note")
        accountant = new_test_user(
            self.env,
            login="pc_int_accountant",
            groups="patient_collections.group_collections_accountant",
        )
        with self.assertRaises(AccessError):
            self.env["patient.interaction"].with_user(accountant).search([])

    # ----------------------------------------------------------- emails from the chatter

    def test_email_from_chatter_is_a_logged_contact_without_phi_in_subject(self):
        self.guarantor.email = "testparent.alpha@example.com"
        account = self.account.with_user(self.specialist)
        message = account.message_post(
            body="Please call our billing office.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.guarantor.ids,
        )
        logged = account.interaction_ids.filtered(lambda i: i.channel == "email")
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged.partner_id, self.guarantor)
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        subjects = [message.subject or "", message.record_name or "", *mail.mapped("subject")]
        for subject in subjects:
            self.assertNotIn("Alpha", subject)
        self.assertIn(self.account.name, message.record_name)

    def test_email_from_chatter_refused_after_cease_request(self):
        self.log(channel="phone_in", outcome="cease_request")
        with self.assertRaisesRegex(UserError, "Cease"):
            self.account.with_user(self.specialist).message_post(
                body="Reminder",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.guarantor.ids,
            )
        # an internal note is not a contact
        self.account.with_user(self.specialist).message_post(
            body="Internal: waiting for the agency",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
