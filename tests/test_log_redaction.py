"""A refusal raised to staff over RPC names the account and the amounts to the
user, and Odoo logs it as a WARNING of ``odoo.http``: the log line says which
exception the module raised where, never the account number or an amount."""

from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common_desk import DeskCommon
from .common_http import call_kw


@tagged("post_install", "-at_install")
class TestLogRedaction(DeskCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account, cls.invoice = cls.owing_account("Logperson Alpha", 400.0, days=30)
        cls.env["patient.interaction"].with_user(cls.specialist).create(cls.promise_vals(100.0))

    @classmethod
    def promise_vals(cls, amount, days=5):
        return {
            "account_id": cls.account.id,
            "channel": "phone_in",
            "outcome": "promise_to_pay",
            "promise_amount": amount,
            "promise_date": (date.today() + timedelta(days=days)).isoformat(),
        }

    def refused_and_logged(self, model, method, args, kwargs=None):
        """The message the user reads and the ``odoo.http`` log of the call."""
        self.authenticate("pc_desk_specialist", "pc_desk_specialist")
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = call_kw(self, model, method, args, kwargs)
        return response.json()["error"]["data"]["message"], "\n".join(logs.output)

    def assert_withheld(self, message, log, *amounts):
        currency = self.account.currency_id
        for text in (self.account.name, *(currency.format(amount) for amount in amounts)):
            self.assertIn(text, message, "the user reads the whole refusal")
        self.assertIn("withheld", log)
        self.assertNotIn(self.account.name, log)
        for amount in amounts:
            self.assertNotIn(f"{amount:.2f}", log)

    def test_second_promise_above_the_balance(self):
        message, log = self.refused_and_logged(
            "patient.interaction", "create", [[self.promise_vals(350.0, days=10)]]
        )
        self.assertIn("ValidationError raised in models.", log)
        self.assert_withheld(message, log, 100.0, 400.0)

    def test_resolved_while_owed(self):
        message, log = self.refused_and_logged(
            "patient.account",
            "web_save",
            [[self.account.id], {"stage_id": self.resolved.id}],
            {"specification": {}},
        )
        self.assertIn("UserError raised in models.", log)
        self.assert_withheld(message, log, 400.0)
        self.assertNotEqual(self.account.stage_id, self.resolved)
