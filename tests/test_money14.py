"""What a tester found in the money the practice gives up (session 14): the
sliding scale forged by a specialist, the ledger's decisions reset behind the
module's back, the write-off limit split in parts, an administrative write-off
taken for charity, and invoices closed without money counted as paid."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_financial_assistance import BASE
from .test_writeoffs import DAY, WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney14(WriteoffCommon):
    def test_the_scale_is_the_module_s_not_the_client_s(self):
        """A specialist set 100 % on a household far above the scale; the
        manager's approval posted it."""
        account, _invoice = self.account_owing(255.8, days=60)
        application = self.apply(
            account, user=self.specialist, household_size=1, annual_income=BASE * 9
        )
        self.assertEqual(application.discount_percent, 0.0)
        for forged in ({"fpl_percent": 5.0}, {"discount_percent": 100.0}, {"year": 2020}):
            with self.subTest(forged=forged), self.assertRaises(AccessError):
                application.with_user(self.specialist).write(forged)
        with self.assertRaises(AccessError):
            self.apply(account, user=self.specialist, household_size=1, discount_percent=100.0)
        # stored figures out of date (written as the module, bypassing the check):
        # the approval judges on the scale computed afresh
        self.env.cr.execute(
            "UPDATE patient_financial_assistance SET fpl_percent = 5, discount_percent = 100"
            " WHERE id = %s",
            [application.id],
        )
        application.invalidate_recordset()
        with self.assertRaisesRegex(UserError, "above the sliding scale"):
            application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "draft")
        self.assertEqual(account.balance_due, 255.8)

    def test_decided_entries_are_not_reset_behind_the_module(self):
        account, _invoice = self.account_owing(100.0)
        writeoff = self.writeoff(account, self.manager, amount=40.0)
        entry = writeoff.move_id
        for action in ("button_draft", "button_cancel"):
            with self.subTest(action=action), self.assertRaisesRegex(UserError, "Reverse Entry"):
                getattr(entry.with_user(self.accountant), action)()
        self.assertEqual(
            (entry.state, writeoff.state, account.balance_due), ("posted", "posted", 60.0)
        )
        # the way to undo it: a reversal, which the write-off follows; the
        # reversal itself may go back to draft
        reversal = self.reverse_entry(writeoff)
        self.assertEqual(writeoff.state, "reversed")
        reversal.with_user(self.accountant).button_draft()
        self.assertEqual(writeoff.state, "posted")
        # an approved assistance discount's credit note
        helped, _invoice = self.account_owing(100.0, days=60)
        application = self.apply(helped, household_size=1, annual_income=0)
        application.with_user(self.manager).action_approve()
        credit_note = application.credit_note_ids
        for action in ("button_draft", "button_cancel"):
            with self.subTest(action=action), self.assertRaisesRegex(UserError, "forgiven"):
                getattr(credit_note.with_user(self.accountant), action)()
        self.assertEqual((credit_note.state, helped.balance_due), ("posted", 0.0))

    def test_the_write_off_limit_counts_the_parts(self):
        account, _invoice = self.account_owing(300.0)
        first = self.writeoff(account, self.specialist, amount=30.0)
        self.assertEqual(first.state, "posted")
        wizard = (
            self.env["patient.account.writeoff"]
            .with_user(self.specialist)
            .with_context(active_model="patient.account", active_id=account.id)
            .new({"reason": "bad_debt", "amount": 30.0})
        )
        self.assertTrue(wizard.needs_approval, "the dialog says it goes to a manager")
        second = self.writeoff(account, self.specialist, amount=30.0)
        self.assertEqual(second.state, "to_approve", "30 + 30 is above the limit of 50")
        self.assertEqual(account.balance_due, 270.0)
        # the manager approves it (the manager's decision, not in the specialist's
        # limit); the specialist's own parts: 30 + 10, then 30 + 10 + 15 is above
        second.with_user(self.manager).action_approve()
        self.assertEqual((second.state, account.balance_due), ("posted", 240.0))
        self.assertEqual(self.writeoff(account, self.specialist, amount=10.0).state, "posted")
        self.assertEqual(self.writeoff(account, self.specialist, amount=15.0).state, "to_approve")

    def test_an_administrative_write_off_corrects_the_charge(self):
        """The practice's error lowers what the discount is on, like a credit
        note: 50 % of 470, not 50 % of 600 less the 130 taken for charity."""
        account, _invoice = self.account_owing(600.0, days=60)
        self.writeoff(account, self.manager, amount=130.0, reason="administrative")
        application = self.apply(account, household_size=1, annual_income=BASE * 2.5)
        self.assertEqual(application.discount_percent, 50.0)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.discount_amount, 235.0)
        self.assertEqual(account.balance_due, 235.0)

    def test_the_denial_reason_ends_its_sentence(self):
        account, _invoice = self.account_owing(100.0, days=60)
        application = self.apply(account, household_size=1, annual_income=BASE * 9)
        application.with_user(self.manager).action_deny("Income above the policy")
        self.assertIn(
            "Reason: Income above the policy. You may apply again", application._decision_text()
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestDaysToPay14(WriteoffCommon):
    def test_invoices_closed_without_money_are_not_paid(self):
        Run, Snapshot = self.env["patient.collection.run"], self.env["patient.collection.snapshot"]
        _paid_account, paid = self.account_owing(80.0, days=20)
        self.pay(paid, 80.0, DAY)
        written_off, _invoice = self.account_owing(30.0, days=300)
        self.writeoff(written_off, self.manager, reason="bad_debt")
        helped, _invoice = self.account_owing(60.0, days=250)
        self.apply(helped, household_size=1, annual_income=0).with_user(
            self.manager
        ).action_approve()
        self.assertEqual((written_off | helped).mapped("balance_due"), [0.0, 0.0])
        Run.run()
        rows = Snapshot.sudo().search([("date", "=", DAY)])
        self.assertEqual(sum(rows.mapped("paid_invoice_count")), 1)
        self.assertEqual(sum(rows.mapped("paid_invoice_days")), 20, "the paid one's 20 days")
