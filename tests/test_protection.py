"""One protection for every model: what a client sends (values, ``default_*`` and
flag context keys, the superuser's own routes) can never set a protected field,
skip a rule or hide a change; the module's own code paths still can."""

import json
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.patient_collections.models.patient_protected import (
    is_trusted,
    trusted,
    trusted_flag,
)

from .common import PatientCollectionsCommon

# 2026-06-01 15:00 UTC is 11:00 in New York (EDT): inside call hours
NOW = datetime(2026, 6, 1, 15, 0)
TODAY = date(2026, 6, 1)


class ProtectionCommon(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "pc_prot_specialist", "patient_collections.group_collections_specialist"
        )
        cls.specialist_2 = cls.company_user(
            "pc_prot_specialist_2", "patient_collections.group_collections_specialist"
        )
        cls.manager = cls.company_user(
            "pc_prot_manager", "patient_collections.group_collections_manager"
        )
        cls.guarantor.tz = "America/New_York"
        cls.other_guarantor.tz = "America/New_York"
        with freeze_time(NOW):
            cls.invoice = cls.make_invoice(
                cls.child, 300.0, TODAY - timedelta(days=40), due_date=TODAY - timedelta(days=40)
            )
            cls.other_invoice = cls.make_invoice(
                cls.other_guarantor, 80.0, TODAY - timedelta(days=10)
            )
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist
        cls.other_account = cls.other_invoice.patient_account_id
        cls.other_account.user_id = cls.specialist_2
        cls.Interaction = cls.env["patient.interaction"]

    def as_dialog(self, user, account, **context):
        """patient.interaction as the Log Interaction dialog creates it: the account
        (read-only in the dialog) comes from the action's context only."""
        action = account.with_user(user).action_log_interaction()
        return self.Interaction.with_user(user).with_context(**action["context"], **context)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestProtection(ProtectionCommon):
    # ----------------------------------------------------------- the marker

    def test_marker_cannot_come_from_a_client_context(self):
        forged = self.env["patient.account"].with_context(
            patient_collections_trusted=True, collections_run=True
        )
        self.assertFalse(is_trusted(forged.env))
        self.assertFalse(trusted_flag(forged.env, "collections_run"))
        real = trusted(self.env["patient.account"], collections_run=True)
        self.assertTrue(is_trusted(real.env))
        self.assertTrue(trusted_flag(real.env, "collections_run"))
        # a flag the module did not set with the marker counts for nothing
        self.assertFalse(
            trusted_flag(
                real.with_context(patient_statement_logging=True).env, "patient_statement_logging"
            )
        )
        # and a JSON round trip (what a client can send back) loses it
        self.assertRaises(TypeError, json.dumps, dict(real.env.context))

    # ----------------------------------------------------------- family 0: the dialog

    def test_log_interaction_dialog_for_every_outcome(self):
        extra = {
            "promise_to_pay": {"promise_amount": 50.0, "promise_date": TODAY + timedelta(days=7)},
            "callback_requested": {"callback_at": NOW + timedelta(days=1)},
        }
        outcomes = [key for key, _label in self.Interaction._fields["outcome"].selection]
        for outcome in outcomes:
            with self.subTest(outcome=outcome):
                interaction = self.as_dialog(self.specialist, self.account).create(
                    {"channel": "phone_in", "outcome": outcome, **extra.get(outcome, {})}
                )
                self.assertRecordValues(
                    interaction,
                    [
                        {
                            "account_id": self.account.id,
                            "partner_id": self.guarantor.id,
                            "user_id": self.specialist.id,
                            "state": "logged",
                            "outcome": outcome,
                        }
                    ],
                )
                if outcome == "promise_to_pay":
                    self.assertEqual(interaction.promise_state, "pending")

    def test_dialog_on_another_specialists_account(self):
        interaction = self.as_dialog(self.specialist, self.other_account).create(
            {"channel": "phone_in", "outcome": "dispute"}
        )
        self.assertEqual(interaction.account_id, self.other_account)
        # the outcome's hold is the module's effect, not the specialist's write
        self.assertEqual(self.other_account.hold_reason, "dispute")

    # ----------------------------------------------------------- family 4: forged defaults

    def test_default_keys_never_fill_protected_fields(self):
        interaction = self.as_dialog(
            self.specialist,
            self.account,
            default_state="voided",
            default_void_reason="forged",
            default_voided_by_id=self.manager.id,
            default_user_id=self.specialist_2.id,
            default_overridden_rules="Call hours",
            default_promise_state="kept",
        ).create(
            {
                "channel": "phone_out",
                "outcome": "promise_to_pay",
                "promise_amount": 20.0,
                "promise_date": TODAY + timedelta(days=3),
            }
        )
        self.assertRecordValues(
            interaction,
            [
                {
                    "state": "logged",
                    "void_reason": False,
                    "voided_by_id": False,
                    "user_id": self.specialist.id,
                    "overridden_rules": False,
                    "promise_state": "pending",
                }
            ],
        )

    def test_defaults_are_judged_like_values(self):
        cases = {
            "future date": ({"default_date": NOW + timedelta(days=3)}, {}),
            "promise without amount": ({"default_outcome": "promise_to_pay"}, {}),
            "channel that the rules refuse": (
                {"default_channel": "phone_out"},
                {"outcome": "reached"},
            ),
        }
        trusted(self.account)._set_hold("other")
        self.account.cease_communication = True
        for name, (context, vals) in cases.items():
            with self.subTest(case=name), self.assertRaises(UserError):
                values = {"channel": "phone_in", "outcome": "reached", **vals}
                for key in context:
                    values.pop(key.removeprefix("default_"), None)
                self.as_dialog(self.specialist, self.account, **context).create(values)
        self.assertFalse(self.account.interaction_ids)

    def test_protected_values_are_refused(self):
        for vals in (
            {"user_id": self.specialist_2.id},
            {"state": "voided"},
            {"promise_state": "kept"},
            {"overridden_rules": "Call hours"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.as_dialog(self.specialist, self.account).create(
                    {"channel": "phone_in", "outcome": "reached", **vals}
                )
        # the value a form sends by default is no forgery
        logged = self.as_dialog(self.specialist, self.account).create(
            {"channel": "phone_in", "outcome": "reached", "state": "logged"}
        )
        self.assertEqual(logged.state, "logged")

    def test_interactions_are_immutable_even_for_the_superuser(self):
        interaction = self.as_dialog(self.specialist, self.account).create(
            {"channel": "phone_in", "outcome": "reached"}
        )
        for vals in ({"outcome": "dispute"}, {"state": "voided"}, {"note": "rewritten"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                interaction.sudo().with_context(interaction_voiding=True).write(vals)
        interaction.with_user(self.manager).action_void("Logged on the wrong account")
        self.assertRecordValues(interaction, [{"state": "voided", "voided_by_id": self.manager.id}])

    def test_client_flags_do_not_hide_tracking(self):
        account = self.account.with_user(self.specialist).with_context(
            tracking_disable=True, mail_notrack=True
        )
        stage = self.env.ref("patient_collections.stage_first_statement")
        self.env.flush_all()
        self.env.cr.precommit.clear()
        account.write({"stage_id": stage.id})
        account.write({"user_id": False})
        self.env.cr.precommit.run()
        self.account.invalidate_recordset(["message_ids"])
        tracked = self.account.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("stage_id", tracked)
        self.assertIn("user_id", tracked)

    def test_client_flag_does_not_open_the_501r_gate(self):
        agency = self.env["patient.account.stage"].search(
            [("is_extraordinary_action", "=", True)], limit=1
        )
        self.assertTrue(agency)
        with self.assertRaisesRegex(UserError, "extraordinary"):
            self.account.with_user(self.manager).with_context(collections_run=True).write(
                {"stage_id": agency.id}
            )
        self.assertNotEqual(self.account.stage_id, agency)

    def test_text_consent_on_any_account_is_tracked_and_dated_now(self):
        account = self.other_account.with_user(self.specialist).with_context(
            tracking_disable=True, default_sms_consent_date="2020-01-01 00:00:00"
        )
        account.write({"sms_consent_method": "verbal"})
        self.env.flush_all()
        self.env.cr.precommit.clear()
        account.action_record_sms_consent()
        self.env.cr.precommit.run()
        self.assertRecordValues(
            self.other_account, [{"sms_consent": True, "sms_consent_date": NOW}]
        )
        self.other_account.invalidate_recordset(["message_ids"])
        tracked = self.other_account.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("sms_consent", tracked)
        for vals in ({"sms_consent_date": "2020-01-01 00:00:00"}, {"sms_consent": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                account.write(vals)

    def test_protected_account_fields(self):
        for vals in (
            {"first_statement_date": "2020-01-01"},
            {"final_notice_date": "2020-01-01"},
            {"hold_reason": "promise_to_pay", "hold_until": "9999-12-31"},
            {"balance_due": 0.0},
            {"name": "PA-FORGED"},
            # the company's currency: the portal would ask for payment in another one
            {"currency_id": self.env.ref("base.EUR").id},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                self.account.with_user(self.manager).write(vals)
            with self.subTest(vals=vals, who="superuser"), self.assertRaises(UserError):
                self.account.sudo().write(vals)
        self.assertFalse(self.account.first_statement_date)
        self.assertEqual(self.account.currency_id, self.account.company_id.currency_id)
        with self.assertRaises(AccessError):
            self.env["patient.account"].with_user(self.manager).create(
                {"partner_id": self.child_2.id, "name": "PA-FORGED"}
            )

    # ----------------------------------------------------------- bounds

    def test_promise_horizon(self):
        horizon = self.env.company.collections_promise_horizon_days
        dialog = self.as_dialog(self.specialist, self.account)
        for promise_date in (
            TODAY + timedelta(days=horizon + 1),
            TODAY - timedelta(days=1),
            date(9999, 12, 31),
        ):
            with self.subTest(promise_date=promise_date), self.assertRaises(ValidationError):
                dialog.create(
                    {
                        "channel": "phone_in",
                        "outcome": "promise_to_pay",
                        "promise_amount": 40.0,
                        "promise_date": promise_date,
                    }
                )
        self.assertFalse(self.account.hold_reason)
        dialog.create(
            {
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_amount": 40.0,
                "promise_date": TODAY + timedelta(days=horizon),
            }
        )
        self.assertRecordValues(
            self.account,
            [{"hold_reason": "promise_to_pay", "hold_until": TODAY + timedelta(days=horizon)}],
        )

    def test_wrong_types_and_absurd_values_get_clear_errors(self):
        dialog = self.as_dialog(self.specialist, self.account)
        for vals in (
            {"duration_minutes": "ten"},
            {"duration_minutes": 10**12},
            {"duration_minutes": 100000},
            {"duration_minutes": -5},
            {"date": "not a date"},
            {"date": "0001-01-01 00:00:00"},
            {"channel": "carrier pigeon"},
            {"outcome": "promise_to_pay", "promise_amount": 1e300, "promise_date": TODAY},
            {"outcome": "promise_to_pay", "promise_amount": float("nan"), "promise_date": TODAY},
            {"outcome": "callback_requested", "callback_at": NOW + timedelta(days=4000)},
            {"account_id": "one"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                dialog.create({"channel": "phone_in", "outcome": "reached", **vals})
        self.assertFalse(self.account.interaction_ids)

    def test_specialists_backdate_a_month_at_most(self):
        old = NOW - timedelta(days=45)
        with self.assertRaises(ValidationError):
            self.as_dialog(self.specialist, self.account).create(
                {"channel": "phone_in", "outcome": "reached", "date": old}
            )
        logged = self.as_dialog(self.manager, self.account).create(
            {"channel": "phone_in", "outcome": "reached", "date": old}
        )
        self.assertEqual(logged.date, old)

    def test_person_contacted_belongs_to_the_account(self):
        with self.assertRaises(ValidationError):
            self.as_dialog(self.specialist, self.account).create(
                {"channel": "phone_in", "outcome": "reached", "partner_id": self.other_guarantor.id}
            )
        logged = self.as_dialog(self.specialist, self.account).create(
            {"channel": "phone_in", "outcome": "reached", "partner_id": self.child.id}
        )
        self.assertEqual(logged.partner_id, self.child)

    def test_hold_lasts_ten_years_at_most(self):
        with self.assertRaises(UserError):
            self.account.with_user(self.specialist)._set_hold(
                "other", until=TODAY + timedelta(days=3700)
            )
        self.assertFalse(self.account.hold_reason)

    # ----------------------------------------------------------- assignment

    def test_assignment_only_to_collections_users_of_the_company(self):
        other_company = self.setup_other_company(name="Other Clinic Protect")["company"]
        outsider = self.company_user(
            "pc_prot_outsider", "patient_collections.group_collections_specialist", other_company
        )
        plain = self.company_user("pc_prot_plain", "base.group_user")
        for user in (outsider, plain):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                self.account.with_user(self.manager).write({"user_id": user.id})
        self.assertEqual(self.account.user_id, self.specialist)

    # ----------------------------------------------------------- public methods

    def test_public_methods_refuse_unreadable_records(self):
        other_company = self.setup_other_company(name="Other Clinic Methods")["company"]
        outsider = self.company_user(
            "pc_prot_outsider_m", "patient_collections.group_collections_manager", other_company
        )
        interaction = self.as_dialog(self.specialist, self.account).create(
            {"channel": "phone_in", "outcome": "reached"}
        )
        account = self.account.with_user(outsider)
        calls = {
            "log": account.action_log_interaction,
            "consent": account.action_record_sms_consent,
            "revoke": account.action_revoke_sms_consent,
            "hold": account.action_open_hold,
            "plan": account.action_create_plan,
            "refresh": account.action_refresh_balances,
            "access log": account.action_view_access_log,
            "invoices": account.action_view_invoices,
            "void": lambda: interaction.with_user(outsider).action_void("forged"),
        }
        for name, call in calls.items():
            with self.subTest(call=name), self.assertRaises(AccessError):
                call()
        self.assertEqual(interaction.state, "logged")


@tagged("post_install", "-at_install")
class TestProtectionHttp(ProtectionCommon, HttpCase):
    """The web client's own route: the dialog's save sends no account (read-only)."""

    def test_dialog_save_over_http(self):
        self.authenticate("pc_prot_specialist", "pc_prot_specialist")
        action = self.account.with_user(self.specialist).action_log_interaction()
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "patient.interaction",
                "method": "web_save",
                "args": [[], {"channel": "phone_in", "outcome": "reached"}],
                "kwargs": {
                    "specification": {"account_id": {}, "user_id": {}, "state": {}},
                    "context": {
                        **action["context"],
                        "default_state": "voided",
                        "default_user_id": self.specialist_2.id,
                        "tracking_disable": True,
                    },
                },
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw/patient.interaction/web_save",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        result = response.json()
        self.assertNotIn("error", result, result.get("error"))
        [saved] = result["result"]
        interaction = self.Interaction.browse(saved["id"])
        self.assertRecordValues(
            interaction,
            [{"account_id": self.account.id, "user_id": self.specialist.id, "state": "logged"}],
        )
