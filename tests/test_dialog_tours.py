"""The dialogs of test_dialog_dates.py and test_statement_min_balance.py clicked in
the browser: a specialist whose time zone is a day or more behind the practice's
(UTC-11 and UTC+14: their dates always differ) gets the practice's today as a
plan's first due date, and a manager's minimum balance of zero is refused."""

from datetime import timedelta

from odoo.tests import HttpCase, tagged

from .common import TEST_ADDRESS, PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"


@tagged("post_install", "-at_install")
class TestDialogTours(PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.write(
            {
                "collections_tz": "Pacific/Kiritimati",
                "collections_plan_min_installment": 10.0,
                "collections_plan_max_months": 12,
            }
        )
        cls.specialist = cls.company_user("pc_dt_specialist", SPECIALIST, tz="Pacific/Pago_Pago")
        cls.manager = cls.company_user("pc_dt_manager", MANAGER, tz="Pacific/Pago_Pago")
        guarantor = cls.env["res.partner"].create(
            {"name": "Tourdates Guarantor", "is_patient": True, **TEST_ADDRESS}
        )
        today = company._patient_today()
        invoice = cls.make_invoice(guarantor, 300.0, today - timedelta(days=40), due_date=today)
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def test_plan_dialog_starts_on_the_practice_day(self):
        self.start_tour(
            f"/odoo/action-patient_collections.patient_account_action/{self.account.id}",
            "patient_collections_plan_dialog_practice_day",
            login="pc_dt_specialist",
        )
        plan = self.account.plan_ids
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.first_due_date, self.env.company._patient_today())

    def test_statement_minimum_balance_zero_refused(self):
        self.start_tour(
            "/odoo/action-patient_collections.patient_statement_send_action",
            "patient_collections_statement_min_balance",
            login="pc_dt_manager",
        )
        self.assertFalse(self.account.last_statement_date)
