"""The access log, and what reaches people about accounts: activities, followers,
notifications and emails."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PatientCollectionsCommon

PHI_TEXTS = ("Testparent", "Testchild", "Alpha", "MRN-T-", "2015-06-01")


@tagged("post_install", "-at_install")
# within the contact hours (08:00-21:00 in the company's time zone): its calls and
# emailed statements are contacts the rules refuse in the evening
@freeze_time("2026-05-04 15:00:00")
class TestAccessLog(PatientCollectionsCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "log_specialist",
            "patient_collections.group_collections_specialist,base.group_allow_export",
        )
        cls.manager = cls.company_user(
            "log_manager", "patient_collections.group_collections_manager"
        )
        cls.accountant = cls.company_user(
            "log_accountant", "patient_collections.group_collections_accountant"
        )
        cls.invoice = cls.make_invoice(cls.child, 250.0, "2026-01-05")
        cls.account = cls.invoice.patient_account_id
        cls.Log = cls.env["patient.access.log"].sudo()

    def entries(self, event, user, **domain):
        return self.Log.search(
            [("event", "=", event), ("user_id", "=", user.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def assert_no_phi(self, texts):
        for text in texts:
            for phi in PHI_TEXTS:
                self.assertNotIn(phi, text or "")

    # ------------------------------------------------------------------ what is logged

    def test_form_open_is_logged_with_identifiers_only(self):
        self.env["patient.interaction"].create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "reached"}
        )
        self.account.with_user(self.specialist).web_read(
            {
                "name": {},
                "balance_due": {},
                "interaction_ids": {"fields": {"channel": {}, "note": {}}},
            }
        )
        # the interactions listed in the form are not opened, the account is
        self.assertEqual(len(self.entries("open", self.specialist)), 1)
        entry = self.entries("open", self.specialist, res_model="patient.account")
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.res_id, self.account.id)
        self.assertEqual(entry.record_ref, self.account.name)
        self.assertEqual(entry.company_id, self.account.company_id)
        self.assertTrue(entry.date)
        values = entry.read()[0]
        self.assert_no_phi([str(value) for value in values.values()])
        self.assertNotIn("250.00", str(values))
        # the account's "Access Log" button shows it to managers
        action = self.account.with_user(self.manager).action_view_access_log()
        shown = self.env["patient.access.log"].with_user(self.manager).search(action["domain"])
        self.assertIn(entry.id, shown.ids)
        # an invoice's form shows its patient account (its number): not an open
        billing = self.company_user(
            "log_billing",
            "account.group_account_invoice,patient_collections.group_collections_accountant",
        )
        read = self.invoice.with_user(billing).web_read(
            {"name": {}, "patient_account_id": {"fields": {"display_name": {}}}}
        )
        self.assertEqual(read[0]["patient_account_id"]["display_name"], self.account.display_name)
        self.assertFalse(self.entries("open", billing))
        # lists and boards are not form opens
        self.env["patient.account"].with_user(self.specialist).web_search_read([], {"name": {}})
        self.assertEqual(len(self.entries("open", self.specialist)), 1)

    def test_invoice_opened_with_patient_fields_is_logged(self):
        user = self.env.user
        self.assertFalse(self.env.su)
        self.invoice.web_read({"patient_id": {}, "service_date": {}, "amount_total": {}})
        line = self.entries("open", user, res_model="account.move", res_id=self.invoice.id)
        self.assertEqual(len(line), 1)
        self.assertEqual(line.field_names, "patient_id, service_date")
        self.assertEqual(line.company_id, self.invoice.company_id)
        self.invoice.read(["insurance_claim_ref"])
        read = self.entries("open", user, res_model="account.move", detail="read")
        self.assertEqual(read.field_names, "insurance_claim_ref")
        # no patient field read (its account's number is no patient data), or an
        # invoice with no patient: not logged
        self.invoice.web_read({"amount_total": {}, "patient_account_id": {}})
        plain = self.init_invoice("out_invoice", amounts=[10.0], post=True)
        plain.web_read({"patient_id": {}, "amount_total": {}})
        self.assertEqual(len(self.entries("open", user, res_model="account.move")), 2)
        # a list: one list line, not an open per invoice
        self.env["account.move"].web_search_read([("id", "=", self.invoice.id)], {"patient_id": {}})
        self.assertEqual(len(self.entries("open", user, res_model="account.move")), 2)

    def test_prints_are_logged(self):
        Report = self.env["ir.actions.report"].with_user(self.accountant)
        Report._render_qweb_pdf("patient_collections.report_patient_statement", self.account.ids)
        entry = self.entries("print", self.accountant, res_id=self.account.id)
        self.assertEqual(entry.detail, "patient_collections.report_patient_statement")
        self.assertEqual(entry.record_ref, self.account.name)

    def test_statements_printed_and_emailed_are_logged(self):
        other = self.make_invoice(self.other_guarantor, 80.0, "2026-01-06").patient_account_id
        self.guarantor.email = "testparent.alpha@example.com"
        self.account.statement_delivery = "email"
        (self.account | other).with_user(self.specialist)._send_statements(email=True)
        emailed = self.entries("email", self.specialist)
        printed = self.entries("print", self.specialist)
        self.assertEqual(emailed.mapped("res_id"), self.account.ids)
        self.assertEqual(printed.mapped("res_id"), other.ids)

    def test_exports_are_logged_with_model_count_and_fields(self):
        other = self.make_invoice(self.other_guarantor, 80.0, "2026-01-06").patient_account_id
        accounts = (self.account | other).with_user(self.specialist)
        accounts.export_data(["name", "balance_due", "stage_id/name"])
        entry = self.entries("export", self.specialist)
        self.assertEqual(entry.res_model, "patient.account")
        self.assertEqual(entry.record_count, 2)
        self.assertEqual(entry.record_ref, ", ".join(accounts.mapped("name")))
        self.assertEqual(entry.field_names, "balance_due, name, stage_id/name")
        self.assertEqual(sorted(map(int, entry.res_ids.split(","))), sorted(accounts.ids))
        # patient fields exported from contacts are logged too; plain contact exports are not
        Partner = self.env["res.partner"].with_user(self.specialist)
        Partner.browse(self.child.id).export_data(["name", "patient_mrn"])
        self.assertEqual(
            self.entries("export", self.specialist, res_model="res.partner").field_names,
            "name, patient_mrn",
        )
        Partner.browse(self.child.id).export_data(["name"])
        self.assertEqual(len(self.entries("export", self.specialist, res_model="res.partner")), 1)

    def test_refused_accesses_are_logged(self):
        plain = new_test_user(self.env, login="log_plain", groups="base.group_user")
        for attempt in (
            lambda: self.account.with_user(plain).web_read({"name": {}}),
            lambda: (
                self.env["ir.actions.report"]
                .with_user(plain)
                ._render_qweb_pdf("patient_collections.report_patient_statement", self.account.ids)
            ),
            lambda: self.account.with_user(self.accountant).export_data(["name"]),
        ):
            self.assert_refused_and_kept(attempt)
        self.assertEqual(len(self.entries("denied", plain)), 2)
        self.assertEqual(self.entries("denied", self.accountant).detail, "export")

    # ------------------------------------------------------------------ append-only

    def test_nobody_edits_or_deletes_the_log(self):
        self.account.with_user(self.specialist).web_read({"name": {}})
        entry = self.entries("open", self.specialist)
        mine = entry.with_user(self.manager)
        self.assertEqual(mine.read(["record_ref"])[0]["record_ref"], self.account.name)
        with self.assertRaises(UserError):
            mine.write({"record_ref": "PA-forged"})
        with self.assertRaises(UserError):
            mine.unlink()
        with self.assertRaises(UserError):
            entry.sudo().write({"user_id": self.manager.id})
        with self.assertRaises(UserError):
            entry.sudo().unlink()
        with self.assertRaises(UserError):
            self.env["patient.access.log"].with_user(self.manager).create(
                {"date": fields.Datetime.now(), "event": "open"}
            )
        for user in (self.specialist, self.accountant):
            with self.assertRaises(AccessError):
                entry.with_user(user).read(["record_ref"])
        self.assertEqual(entry.record_ref, self.account.name)

    def test_retention_purge(self):
        company = self.env.company
        with self.assertRaises(ValidationError):
            company.collections_access_log_years = 5
        company.collections_access_log_years = 7
        now = datetime.now()
        old, recent = self.Log.create(
            [
                {
                    "date": now - timedelta(days=365 * 7 + 10),
                    "event": "open",
                    "company_id": company.id,
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                },
                {
                    "date": now - timedelta(days=365 * 6 + 10),
                    "event": "open",
                    "company_id": company.id,
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                },
            ]
        )
        cron = self.env.ref("patient_collections.ir_cron_access_log_purge")
        cron.sudo().method_direct_trigger()
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        purge = self.Log.search([("event", "=", "purge"), ("company_id", "=", company.id)])
        self.assertEqual(purge.record_count, 1)
        self.assertIn("7", purge.detail)

    # ------------------------------------------------------------------ activities

    def test_activities_only_for_users_who_may_read_the_account(self):
        plain = new_test_user(self.env, login="log_plain_2", groups="base.group_user")
        other_company = self.setup_other_company(name="Other Clinic Log")["company"]
        outsider = self.company_user(
            "log_outsider", "patient_collections.group_collections_specialist", other_company
        )
        for user in (plain, outsider):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.account.with_user(self.manager).activity_schedule(
                    "mail.mail_activity_data_call", user_id=user.id, summary="Call back"
                )
        activity = self.account.with_user(self.manager).activity_schedule(
            "mail.mail_activity_data_call", user_id=self.specialist.id
        )
        with self.assertRaises(UserError):
            activity.with_user(self.manager).write({"user_id": plain.id})
        # the module's own activities go to a manager instead of a user who lost access
        self.account.user_id = self.specialist
        self.specialist.groups_id -= self.env.ref(
            "patient_collections.group_collections_specialist"
        )
        stage = self.env.ref("patient_collections.stage_final_notice")
        created = self.account._schedule_stage_activities(stage)
        self.assertNotEqual(created.user_id, self.specialist)

    def test_removed_user_stops_hearing_about_accounts(self):
        account = self.account
        account.message_subscribe(partner_ids=self.specialist.partner_id.ids)
        activity = account.with_user(self.manager).activity_schedule(
            "mail.mail_activity_data_call", user_id=self.specialist.id
        )
        self.specialist.write(
            {
                "groups_id": [
                    Command.unlink(
                        self.env.ref("patient_collections.group_collections_specialist").id
                    )
                ]
            }
        )
        self.assertNotIn(self.specialist.partner_id, account.message_partner_ids)
        self.assertNotEqual(activity.user_id, self.specialist)
        # and a follower added behind the module's back gets no notification
        self.env["mail.followers"].sudo().create(
            {
                "res_model": account._name,
                "res_id": account.id,
                "partner_id": self.specialist.partner_id.id,
            }
        )
        message = account.with_user(self.manager).message_post(
            body="Synthetic update", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertNotIn(self.specialist.partner_id, message.notification_ids.res_partner_id)
        with self.assertRaises(AccessError):
            account.with_user(self.manager).message_subscribe(
                partner_ids=self.specialist.partner_id.ids
            )

    def test_no_phi_in_emails_and_notifications(self):
        """Assignment, activity and statement emails name the account number only."""
        self.child.patient_birthdate = "2015-06-01"
        self.guarantor.email = "testparent.alpha@example.com"
        self.specialist.notification_type = "email"
        with self.mock_mail_gateway():
            self.account.with_user(self.manager).write({"user_id": self.specialist.id})
            self.account.with_user(self.manager).activity_schedule(
                "mail.mail_activity_data_call",
                user_id=self.specialist.id,
                summary="Call the guarantor",
            )
            self.account.statement_delivery = "email"
            self.account._send_statements(email=True)
            self.env["patient.collection.run"].run()
            self.env.flush_all()
        messages = (
            self.env["mail.message"]
            .sudo()
            .search([("model", "=", "patient.account"), ("res_id", "=", self.account.id)])
        )
        subjects = [mail["subject"] for mail in self._mails]
        self.assertEqual(len(self._mails), 3, subjects)  # assignment, activity, statement
        self.assertTrue(all(self.account.name in subject for subject in subjects), subjects)
        balance = self.account.currency_id.format(self.account.balance_due)
        for mail in self._mails:
            texts = [mail["subject"], mail["body"], mail.get("body_alternative")]
            self.assert_no_phi(texts)
            for text in texts:
                self.assertNotIn(balance, text or "")
        notified = messages.filtered(lambda m: m.notification_ids)
        self.assertTrue(notified)
        for message in notified:
            self.assert_no_phi([message.subject, message.body, message.record_name])
