from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
ACCOUNTANT = "base.group_user,patient_collections.group_collections_accountant"


@tagged("post_install", "-at_install")
class TestAccountFinding(PatientCollectionsCommon):
    """Finding an account by what a caller says, and reaching its guarantor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guarantor.write({"phone": "+1 (312) 555-0100", "email": "alpha@example.com"})
        cls.child.phone = "312.010.4477"
        cls.invoice = cls.make_invoice(cls.child, 120.0, "2026-01-05")
        cls.account = cls.invoice.patient_account_id
        cls.other_account = cls.make_invoice(
            cls.other_guarantor, 60.0, "2026-01-05"
        ).patient_account_id
        cls.specialist = cls.company_user("pc_find_specialist", SPECIALIST)
        cls.accountant = cls.company_user("pc_find_accountant", ACCOUNTANT)
        (cls.account | cls.other_account).user_id = cls.specialist

    def found(self, field, value, user=None):
        Account = self.Account.with_user(user or self.specialist)
        return Account.search([(field, "ilike" if field != "birthdate_search" else "=", value)])

    def test_search_by_patient_name(self):
        self.assertEqual(self.found("patient_search", "Testchild Alpha"), self.account)
        self.assertEqual(self.found("patient_search", "Testparent"), self.account)
        self.assertEqual(self.found("patient_search", "Testperson Gamma"), self.other_account)

    def test_search_by_phone_as_typed(self):
        self.assertEqual(self.found("phone_search", "(312) 010-4477"), self.account)
        self.assertEqual(self.found("phone_search", "0104477"), self.account)
        self.assertEqual(self.found("phone_search", "555 0100"), self.account)
        self.assertFalse(self.found("phone_search", "999-0000"))
        with self.assertRaisesRegex(UserError, "at least 4 digits"):
            self.found("phone_search", "31")

    def test_search_by_mrn_and_birth_date(self):
        self.assertEqual(self.found("mrn_search", "MRN-T-002"), self.account)
        self.assertEqual(self.found("birthdate_search", "2015-06-01"), self.account)
        with self.assertRaises(AccessError):
            self.found("mrn_search", "MRN-T-002", user=self.accountant)
        with self.assertRaises(AccessError):
            self.found("birthdate_search", "2015-06-01", user=self.accountant)

    def test_search_by_invoice_number(self):
        self.assertEqual(self.found("invoice_search", self.invoice.name), self.account)
        self.assertEqual(
            self.found("invoice_search", self.invoice.name, user=self.accountant), self.account
        )

    def test_contact_time_zone_is_the_guarantors_else_the_practices(self):
        self.env.company.partner_id.tz = "America/Chicago"
        self.assertEqual(self.account._contact_tz(), "America/Chicago")
        self.assertIn("America/Chicago", self.account.with_user(self.specialist).contact_tz)
        # the caller's own zone never counts
        self.specialist.tz = "Asia/Tokyo"
        self.assertEqual(self.account.with_user(self.specialist)._contact_tz(), "America/Chicago")
        self.guarantor.tz = "America/Denver"
        self.assertEqual(self.account._contact_tz(), "America/Denver")

    def test_company_without_time_zone_uses_its_staffs(self):
        company = self.env["res.company"].create({"name": "Synthetic Clinic Tz"})
        self.assertFalse(company.partner_id.tz)
        for index, tz in enumerate(("America/Phoenix", "America/Phoenix", "Europe/Paris")):
            self.company_user(f"pc_tz_staff_{index}", SPECIALIST, company=company, tz=tz)
        account = self.Account.sudo().create(
            {"partner_id": self.guarantor.id, "company_id": company.id}
        )
        self.assertEqual(account._contact_tz(), "America/Phoenix")

    def test_staffs_time_zone_searched_once_per_company(self):
        company = self.env["res.company"].create({"name": "Synthetic Clinic Tz Batch"})
        self.company_user("pc_tz_batch_staff", SPECIALIST, company=company, tz="America/Phoenix")
        partners = self.env["res.partner"].create(
            [{"name": f"Testtz Guarantor {index}"} for index in range(4)]
        )
        accounts = self.Account.sudo().create(
            [{"partner_id": partner.id, "company_id": company.id} for partner in partners]
        )

        def compute(records):
            records.invalidate_recordset(["contact_tz"])
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            records.mapped("contact_tz")
            return self.cr.sql_log_count - start

        one, four = compute(accounts[:1]), compute(accounts)
        self.assertEqual(one, four, "the staff's time zone is searched once per company")
        self.assertTrue(all("America/Phoenix" in tz for tz in accounts.mapped("contact_tz")))

    def test_call_hours_quoted_in_the_practices_time_zone(self):
        self.env.company.partner_id.tz = "America/Los_Angeles"
        self.specialist.tz = "Europe/Paris"
        Account = self.account.with_user(self.specialist)
        # 06:00 in Los Angeles (PDT): too early; allowed from 08:00 there
        with (
            freeze_time(datetime(2026, 6, 2, 13, 0)),
            self.assertRaisesRegex(UserError, r"06/02/2026 08:00 \(America/Los_Angeles\)"),
        ):
            Account.action_call_guarantor()
        with freeze_time(datetime(2026, 6, 2, 18, 0)):  # 11:00 PDT
            action = Account.action_call_guarantor()
        self.assertEqual(action["tag"], "patient_collections.dial")
        self.assertEqual(action["params"]["url"], "tel:+13125550100")
        self.assertFalse(self.account.interaction_ids, "dialing logs nothing by itself")

    def test_email_checks_the_contact_rules(self):
        self.env.company.partner_id.tz = "America/Los_Angeles"
        trusted(self.account).write({"cease_communication": True})
        with freeze_time(datetime(2026, 6, 2, 18, 0)), self.assertRaises(UserError):
            self.account.with_user(self.specialist).action_email_guarantor()
        trusted(self.account).write({"cease_communication": False})
        with freeze_time(datetime(2026, 6, 2, 18, 0)):
            action = self.account.with_user(self.specialist).action_email_guarantor()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["context"]["default_partner_ids"], self.guarantor.ids)

    def test_any_specialist_records_contact_preferences(self):
        self.account.user_id = self.company_user("pc_find_owner", SPECIALIST)
        self.account.with_user(self.specialist).write(
            {"preferred_channel": "email", "best_time": "morning"}
        )
        self.assertRecordValues(
            self.account, [{"preferred_channel": "email", "best_time": "morning"}]
        )

    def test_only_managers_archive(self):
        with self.assertRaisesRegex(AccessError, "archive"):
            self.account.with_user(self.specialist).action_archive()
        self.account.action_archive()  # the test user is a collections manager
        self.assertFalse(self.account.active)


@tagged("post_install", "-at_install")
class TestBoardStates(PatientCollectionsCommon):
    def test_aging_band_follows_the_oldest_amount_due(self):
        account = self.make_invoice(
            self.child, 50.0, "2026-01-05", due_date="2026-01-05"
        ).patient_account_id
        for today, band in (
            ("2026-01-05", "current"),
            ("2026-01-20", "1_30"),
            ("2026-03-01", "31_60"),
            ("2026-05-20", "over_120"),
        ):
            account._refresh_balances(today=today)
            self.assertEqual(account.aging_band, band, today)
        self.pay(account.move_ids, 50.0, "2026-05-20")
        self.assertFalse(account.aging_band, "nothing due: no band")

    def test_promise_due_today(self):
        account = self.make_invoice(self.child, 50.0, "2026-01-05").patient_account_id
        with freeze_time("2026-06-02 12:00:00"):
            trusted(account)._set_hold("promise_to_pay", until=date(2026, 6, 2))
            account.invalidate_recordset(["promise_due_today"])
            self.assertTrue(account.promise_due_today)
            self.assertEqual(self.Account.search([("promise_due_today", "=", True)]), account)
        with freeze_time("2026-06-03 12:00:00"):
            account.invalidate_recordset(["promise_due_today"])
            self.assertFalse(account.promise_due_today)
            self.assertNotIn(account, self.Account.search([("promise_due_today", "=", True)]))
