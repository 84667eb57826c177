"""Buttons that only API tests pressed, clicked in the browser by their role
(static/tests/tours/patient_collections_tours20.js), then the database state the
clicks must have left: the specialist opens a financial-assistance application
from the account and submits it; the specialist follows the account's Write-offs
button to its write-off; the manager exports the aged balances as a workbook."""

import io
from datetime import date

from openpyxl import load_workbook

from odoo.tests import HttpCase, tagged

from .common_tours import TourMixin
from .test_writeoffs import WriteoffCommon

ACCOUNT_FORM = "/odoo/action-patient_collections.patient_account_action/%s"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
class TestTours20(TourMixin, WriteoffCommon, HttpCase):
    def owing(self, name, amount):
        """The specialist's account of a new guarantor ``name`` owing ``amount``."""
        account, _invoice = self.account_owing(amount, days=100, today=date.today())
        account.partner_id.name = name
        account.user_id = self.specialist
        return account

    def test_specialist_applies_for_assistance_and_submits(self):
        account = self.owing("Tourassist Applicant", 200.0)
        self.assertFalse(account.assistance_ids)
        self.run_tour(ACCOUNT_FORM % account.id, "pc_tours20_assistance_submit", self.specialist)
        application = account.assistance_ids
        self.assertEqual(len(application), 1, "one application, for this account")
        self.assertEqual(application.state, "submitted")
        self.assertEqual((application.household_size, application.annual_income), (3, 20000))
        self.assertEqual(application.create_uid, self.specialist)
        self.assertEqual(application.discount_percent, 100)
        self.assertEqual(account.balance_due, 200.0, "nothing is forgiven before the decision")

    def test_writeoffs_button_lists_the_accounts_writeoffs(self):
        account = self.owing("Tourwriteoff Listed", 4.0)
        self.writeoff(account, self.specialist, reason="small_balance")
        self.assertEqual(account.writeoff_ids.state, "posted")
        other = self.owing("Tourwriteoff Other", 3.0)
        self.writeoff(other, self.specialist, reason="small_balance")
        self.run_tour(ACCOUNT_FORM % account.id, "pc_tours20_writeoffs_button", self.specialist)

    def test_manager_exports_aged_balances(self):
        account = self.owing("Tourxlsx Exported", 150.0)
        self.manager.groups_id += self.env.ref("base.group_allow_export")
        self.run_tour("/odoo", "pc_tours20_aging_xlsx", self.manager)
        # as superuser: the report is a wizard, its files its creator's only
        workbook = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.aging.report"),
                    ("create_uid", "=", self.manager.id),
                    ("mimetype", "=", XLSX),
                ]
            )
        )
        self.assertEqual(len(workbook), 1, "the click made one workbook")
        rows = [
            row
            for sheet in load_workbook(io.BytesIO(workbook.raw), read_only=True).worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
        listed = [row for row in rows if account.name in row]
        self.assertEqual(len(listed), 1, "the Detail sheet lists the account once")
        self.assertIn(150.0, listed[0], "with its balance")
        exported = self.env["patient.access.log"].search(
            [("event", "=", "export"), ("user_id", "=", self.manager.id)]
        )
        self.assertTrue(exported, "the export is in the access log")
