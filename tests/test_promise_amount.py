"""A promise to pay is for an amount the guarantor owes: more than zero and at
most the account's balance due, however it is logged (the Log Interaction
dialog, an RPC create); a logged promise cannot be edited afterwards."""

from datetime import date, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestPromiseAmount(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account, cls.invoice = cls.owing_account("Promiseperson Alpha", 250.0, days=30)

    def dialog(self):
        """The Log Interaction dialog's model, with the button's defaults."""
        action = self.account.with_user(self.specialist).action_log_interaction()
        return (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .with_context(**action["context"])
        )

    def promise(self, amount, model=None):
        return (model or self.dialog()).create(
            {
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_amount": amount,
                "promise_date": date.today() + timedelta(days=5),
            }
        )

    def test_amount_must_be_positive(self):
        for amount in (0.0, -40.0, -0.001):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self.promise(amount)
        self.assertFalse(self.account.interaction_ids)

    def test_amount_at_most_the_balance_due(self):
        for amount in (250.01, 1000.0, 99999.0):
            with self.subTest(amount=amount), self.assertRaises(ValidationError) as caught:
                self.promise(amount)
            self.assertIn(self.account.currency_id.format(250.0), str(caught.exception))
            self.assertNotIn("Promiseperson", str(caught.exception), "no patient name")
        # over RPC, without the dialog's defaults
        Interaction = self.env["patient.interaction"].with_user(self.specialist)
        with self.assertRaises(ValidationError):
            Interaction.create(
                {
                    "account_id": self.account.id,
                    "channel": "phone_in",
                    "outcome": "promise_to_pay",
                    "promise_amount": 5000.0,
                    "promise_date": date.today() + timedelta(days=5),
                }
            )
        self.assertFalse(self.account.interaction_ids)
        promise = self.promise(250.0)
        self.assertRecordValues(promise, [{"promise_amount": 250.0, "promise_state": "pending"}])

    def test_nothing_owed_nothing_to_promise(self):
        self.pay(self.invoice, 250.0, date.today())
        self.assertEqual(self.account.balance_due, 0.0)
        with self.assertRaises(ValidationError) as caught:
            self.promise(10.0)
        self.assertIn("Nothing is owed", str(caught.exception))

    def test_logged_promise_cannot_be_raised(self):
        promise = self.promise(100.0)
        with self.assertRaises(UserError):
            promise.with_user(self.specialist).write({"promise_amount": 100000.0})
        self.assertEqual(promise.promise_amount, 100.0)
