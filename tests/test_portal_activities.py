"""What the guarantor does on the portal (a question, an online payment, a plan)
is no answer to the staff's open to-dos: it leaves them open, each question gets
its own to-do.  A contact the specialist logs still completes the one it answers."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase
from .test_tours_roles import SPECIALIST, daytime_tz


@tagged("post_install", "-at_install")
class TestPortalLeavesStaffTodos(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.desk = cls.company_user(
            "pc_portal_desk", SPECIALIST, email="pc.portal.desk@example.com"
        )
        # within the contact hours wherever the tests run (the payment's receipt)
        cls.guarantor.tz = daytime_tz()
        cls.account.user_id = cls.desk

    def todo(self, summary):
        return self.account.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=summary,
            user_id=self.desk.id,
            date_deadline=fields.Date.today() - timedelta(days=1),
        )

    def open_todos(self):
        return (
            self.env["mail.activity"]
            .sudo()
            .search([("res_model", "=", "patient.account"), ("res_id", "=", self.account.id)])
            .mapped("summary")
        )

    def as_portal(self):
        # as the controllers call them: the guarantor checked, the account as superuser
        return self.account.with_user(self.guarantor_user).sudo()

    def test_questions_payments_and_plans_leave_todos_open(self):
        self.todo("Call about the EOB")
        self.as_portal()._portal_question("other", "Why two invoices?")
        self.as_portal()._portal_question("insurance", "My insurer is new")
        tx = self.patient_tx(50.0)
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        plan, _problems = self.as_portal()._portal_plan_request(3)
        self.assertTrue(plan)
        todos = self.open_todos()
        self.assertIn("Call about the EOB", todos)
        self.assertEqual(
            len([summary for summary in todos if summary.startswith("Question from the portal")]),
            2,
            "each question keeps its own to-do",
        )

    def test_the_specialists_contact_still_completes_its_todo(self):
        self.todo("Answer on the portal")
        self.env["patient.interaction"].with_user(self.desk).create(
            {"account_id": self.account.id, "channel": "portal", "outcome": "reached"}
        )
        self.assertNotIn("Answer on the portal", self.open_todos())
