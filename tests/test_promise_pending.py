"""Several promises to pay on one account: what the guarantor still has to pay
of the pending ones (promised less paid since) and a new promise add up to at
most the balance due.  A guarantor who changes a promise has it voided by a
manager, then the new one logged."""

from datetime import date, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestPromisePending(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account, cls.invoice = cls.owing_account("Pendingperson Alpha", 250.0, days=30)

    def promise(self, amount, days=5, account=None):
        return (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .create(self.promise_vals(amount, days, account))
        )

    def promise_vals(self, amount, days=5, account=None):
        return {
            "account_id": (account or self.account).id,
            "channel": "phone_in",
            "outcome": "promise_to_pay",
            "promise_amount": amount,
            "promise_date": date.today() + timedelta(days=days),
        }

    def test_pending_promises_add_up_to_the_balance_at_most(self):
        first = self.promise(150.0)
        with self.assertRaises(ValidationError) as caught:
            self.promise(150.0, days=10)
        message = str(caught.exception)
        currency = self.account.currency_id
        self.assertIn(currency.format(150.0), message, "what is pending")
        self.assertIn(currency.format(100.0), message, "the most a new promise may be")
        self.assertNotIn("Pendingperson", message, "no patient name")
        self.assertEqual(self.account.interaction_ids, first)
        second = self.promise(100.0, days=10)
        self.assertEqual(second.promise_state, "pending")
        with self.assertRaises(ValidationError):
            self.promise(0.01, days=12)

    def test_one_create_of_two_promises_above_the_balance(self):
        Interaction = self.env["patient.interaction"].with_user(self.specialist)
        with self.assertRaises(ValidationError):
            Interaction.create([self.promise_vals(150.0), self.promise_vals(150.0, days=7)])
        self.assertFalse(self.account.interaction_ids)
        both = Interaction.create([self.promise_vals(125.0), self.promise_vals(125.0, days=7)])
        self.assertEqual(len(both), 2)

    def test_paid_since_the_promise_is_no_longer_pending(self):
        self.promise(150.0)
        self.pay(self.invoice, 100.0, date.today())
        self.assertEqual(self.account.balance_due, 150.0)
        # 50.0 of the first promise is still to pay: 100.0 more may be promised
        with self.assertRaises(ValidationError):
            self.promise(100.01, days=10)
        self.promise(100.0, days=10)

    def test_voided_or_settled_promises_do_not_count(self):
        first = self.promise(250.0)
        with self.assertRaises(ValidationError):
            self.promise(50.0, days=10)
        first.with_user(self.manager).action_void("The guarantor changed the promise")
        replaced = self.promise(200.0, days=10)
        self.assertEqual(replaced.promise_state, "pending")

    def test_other_accounts_promises_do_not_count(self):
        other, _invoice = self.owing_account("Pendingperson Beta", 80.0, days=30)
        self.promise(80.0, account=other)
        self.promise(250.0)

    def test_the_hold_lasts_until_the_last_pending_promise(self):
        today = date.today()
        self.promise(100.0, days=2)
        self.assertRecordValues(
            self.account,
            [{"hold_reason": "promise_to_pay", "hold_until": today + timedelta(days=2)}],
        )
        self.promise(100.0, days=6)
        self.assertEqual(self.account.hold_until, today + timedelta(days=6))
        self.promise(50.0, days=4)  # an earlier date does not shorten it
        self.assertEqual(self.account.hold_until, today + timedelta(days=6))
        Interaction = self.env["patient.interaction"]
        # the first promises fall due: the last one still holds the account
        self.assertEqual(
            Interaction._settle_due_promises(self.env.company, today + timedelta(days=5)),
            {"kept": 0, "broken": 2},
        )
        self.assertEqual(self.account.hold_reason, "promise_to_pay")
        Interaction._settle_due_promises(self.env.company, today + timedelta(days=7))
        self.assertFalse(self.account.hold_reason)

    def promise_checks(self):
        return (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "=", self.account.id),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref("patient_collections.mail_activity_type_promise_check").id,
                    ),
                ]
            )
        )

    def test_a_voided_promise_holds_nothing(self):
        today = date.today()
        mistaken = self.promise(100.0, days=5)
        self.assertEqual(self.account.hold_reason, "promise_to_pay")
        self.assertEqual(len(self.promise_checks()), 1)
        mistaken.with_user(self.manager).action_void("Logged on the wrong account")
        self.assertFalse(self.account.hold_reason)
        self.assertFalse(self.promise_checks())
        # the guarantor's promises left hold the account until the latest one
        self.promise(100.0, days=2)
        later = self.promise(100.0, days=6)
        later.with_user(self.manager).action_void("The guarantor changed the promise")
        self.assertRecordValues(
            self.account,
            [{"hold_reason": "promise_to_pay", "hold_until": today + timedelta(days=2)}],
        )
        self.assertEqual(self.promise_checks().date_deadline, today + timedelta(days=2))
