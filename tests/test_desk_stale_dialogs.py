"""A dialog or form opened on an account, then the account changed before the
user confirms: paid, archived, its plan cancelled.  The user is told what
happened and what to do, and nothing is written."""

from datetime import date, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_desk import DeskCommon

ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)


@tagged("post_install", "-at_install")
class TestDeskStaleDialogs(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = cls.company_user("pc_desk_accountant", ACCOUNTANT)
        expense = cls.env["account.account"].create(
            {"name": "Desk write-offs", "code": "688900", "account_type": "expense"}
        )
        cls.env.company.collections_writeoff_account_administrative_id = expense

    def in_dialog(self, model, account, user):
        return (
            self.env[model]
            .with_user(user)
            .with_context(
                active_model="patient.account", active_id=account.id, active_ids=account.ids
            )
        )

    def test_write_off_of_an_account_paid_meanwhile(self):
        account, invoice = self.owing_account("Desk Stale Paid")
        wizard = self.in_dialog("patient.account.writeoff", account, self.specialist).create(
            {"amount": 20.0, "reason": "small_balance"}
        )
        self.pay(invoice, 150.0, date.today())
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        message = str(caught.exception)
        self.assertIn(account.name, message)
        self.assertIn("nothing to write off", message)
        self.assertFalse(self.env["patient.writeoff"].search([("account_id", "=", account.id)]))
        with self.assertRaises(UserError):
            account.with_user(self.specialist).action_open_writeoff()

    def test_dialog_opened_on_a_deleted_account(self):
        """A list opened before another user deleted one of its accounts: the dialog
        opens on the others (Odoo's 'Model: Unknown' error before)."""
        account, _invoice = self.owing_account("Desk Stale Kept")
        gone = self.Account.create(
            {
                "partner_id": self.env["res.partner"]
                .create({"name": "Desk Stale Gone", "is_patient": True})
                .id
            }
        )
        gone_id = gone.id
        gone.unlink()
        wizard = (
            self.env["patient.account.hold"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=[gone_id, account.id])
            .create({"action": "set", "hold_reason": "dispute"})
        )
        self.assertEqual(wizard.account_ids, account)

    def test_hold_on_an_archived_account(self):
        account, _invoice = self.owing_account("Desk Stale Archived")
        wizard = self.in_dialog("patient.account.hold", account, self.manager).create(
            {"action": "set", "hold_reason": "dispute"}
        )
        account.with_user(self.manager).action_archive()
        with self.assertRaises(UserError) as caught:
            wizard.action_apply()
        message = str(caught.exception)
        self.assertIn(account.name, message)
        self.assertIn("archived", message)
        self.assertFalse(account.hold_reason)

    def test_register_payment_on_a_plan_cancelled_meanwhile(self):
        account, _invoice = self.owing_account("Desk Stale Plan")
        plan = self.confirm_plan(account, date.today() + timedelta(days=5))
        self.assertEqual(plan.state, "active")
        self.assertTrue(plan.with_user(self.accountant).action_register_payment())
        plan.with_user(self.specialist).action_cancel()
        with self.assertRaises(UserError) as caught:
            plan.with_user(self.accountant).action_register_payment()
        self.assertIn(plan.name, str(caught.exception))
        self.assertIn("Cancelled", str(caught.exception))

    def test_write_off_dialog_confirmed_twice(self):
        account, _invoice = self.owing_account("Desk Twice Written Off")
        wizard = self.in_dialog("patient.account.writeoff", account, self.manager).create(
            {"amount": 20.0, "reason": "administrative"}
        )
        wizard.action_confirm()
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        writeoffs = self.env["patient.writeoff"].search([("account_id", "=", account.id)])
        self.assertEqual(len(writeoffs), 1)
        self.assertIn(writeoffs.name, str(caught.exception))
        self.assertEqual(account.balance_due, 130.0)
