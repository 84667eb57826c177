from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"


@tagged("post_install", "-at_install")
class TestObsoleteActivities(PatientCollectionsCommon):
    """A hold, a payment plan or a paid balance closes the to-dos they make
    pointless, with a note; other to-dos stay."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user("pc_act_specialist", SPECIALIST)
        cls.today = fields.Date.context_today(cls.env.user)
        cls.invoice = cls.make_invoice(cls.child, 200.0, cls.today - timedelta(days=45))
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist
        cls.second = cls.env.ref("patient_collections.stage_second_statement")

    def setUp(self):
        super().setUp()
        self.account.stage_id = self.second  # its courtesy call for the specialist
        self.stage_call = self.account.activity_ids
        self.assertEqual(self.stage_call.summary, self.second.activity_summary)
        self.own_todo = self.account.activity_schedule(
            "mail.mail_activity_data_todo",
            summary="Synthetic own to-do",
            user_id=self.specialist.id,
        )

    def feedback_lines(self):
        return " ".join(self.account.message_ids.mapped(lambda message: message.body or ""))

    def test_hold_closes_the_stage_calls(self):
        self.account._set_hold("dispute")
        self.assertFalse(self.stage_call.exists())
        self.assertTrue(self.own_todo.exists(), "a to-do of the user's own stays")
        self.assertIn("Closed: the account is on hold", self.feedback_lines())

    def test_paid_balance_closes_collection_todos(self):
        callback = self.account.activity_schedule(
            "mail.mail_activity_data_call", summary="Call back at 10:00", user_id=self.specialist.id
        )
        self.pay(self.invoice, 200.0, self.today)
        self.assertFalse((self.stage_call | callback).exists())
        self.assertTrue(self.own_todo.exists())
        self.assertIn("Closed: the balance is paid", self.feedback_lines())

    def test_partial_payment_keeps_them(self):
        self.pay(self.invoice, 50.0, self.today)
        self.assertTrue(self.stage_call.exists())

    def test_payment_plan_closes_stage_calls_and_promise_checks(self):
        check = self.account.activity_schedule(
            "patient_collections.mail_activity_type_promise_check",
            summary="Check the promised payment",
            user_id=self.specialist.id,
        )
        self.account._create_payment_plan({"installment_count": 4, "first_due_date": self.today})
        self.assertEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )
        self.assertFalse((self.stage_call | check).exists())
        self.assertTrue(self.own_todo.exists())
        self.assertIn("Closed: a payment plan was agreed", self.feedback_lines())
