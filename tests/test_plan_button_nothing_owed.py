"""The Payment Plan button of an account that owes nothing (the form hides it, but a
form opened before the last payment, or an RPC call, still sends it) is refused with
what is the matter; before, the dialog opened with a total of 0 and its Confirm only
said "Total Amount is required"."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestPlanButtonNothingOwed(DeskCommon):
    def test_an_account_that_owes_nothing_gets_no_plan_dialog(self):
        account, invoice = self.owing_account("Testperson Planless", amount=120.0)
        action = account.with_user(self.specialist).action_create_plan()
        self.assertEqual(action["res_model"], "patient.payment.plan.create")
        self.pay(invoice, 120.0, date.today())
        account.invalidate_recordset()
        self.assertEqual(account.balance_due, 0.0)
        with self.assertRaisesRegex(UserError, f"Nothing is owed on {account.name}"):
            account.with_user(self.specialist).action_create_plan()
