"""Holds (desk13): a stronger hold is never replaced by a weaker one, a promise
still pending holds the account again when the hold that replaced it is
released, only a manager releases a bankruptcy or deceased hold, a promise hold
has an end date; Send Statements never sends to bankruptcy or deceased holds."""

from datetime import timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_desk import DeskCommon


class HoldsCommon(DeskCommon):
    def log(self, account, outcome, **vals):
        return (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .create({"account_id": account.id, "channel": "phone_in", "outcome": outcome, **vals})
        )

    def hold_wizard(self, accounts, user, **vals):
        return (
            self.env["patient.account.hold"]
            .with_user(user)
            .with_context(active_model="patient.account", active_ids=accounts.ids)
            .create(vals)
        )

    def chatter(self, account):
        return " ".join(account.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestHolds13Strength(HoldsCommon):
    def test_outcomes_keep_a_bankruptcy_hold(self):
        account, _invoice = self.owing_account("Holdperson Alpha")
        self.hold_wizard(
            account, self.specialist, action="set", hold_reason="bankruptcy"
        ).action_apply()
        self.log(account, "dispute")
        self.assertEqual(account.hold_reason, "bankruptcy")
        self.log(account, "hardship")
        self.assertEqual(account.hold_reason, "bankruptcy")
        self.assertIn(
            "Still on hold: Bankruptcy, a stronger hold than Dispute", self.chatter(account)
        )
        # a specialist cannot release it; a manager can
        with self.assertRaises(UserError) as caught:
            self.hold_wizard(account, self.specialist, action="release").action_apply()
        self.assertIn("Only a collections manager", str(caught.exception))
        self.assertEqual(account.hold_reason, "bankruptcy")
        self.hold_wizard(account, self.manager, action="release").action_apply()
        self.assertFalse(account.hold_reason)

    def test_a_deceased_hold_is_not_replaced_by_hand(self):
        account, _invoice = self.owing_account("Holdperson Beta")
        self.log(account, "deceased_reported")
        self.assertEqual(account.hold_reason, "deceased")
        with self.assertRaises(UserError) as caught:
            self.hold_wizard(
                account, self.manager, action="set", hold_reason="dispute"
            ).action_apply()
        self.assertIn("stronger", str(caught.exception))
        self.assertNotIn("Holdperson", str(caught.exception), "no name")
        self.assertEqual(account.hold_reason, "deceased")

    def test_a_stronger_hold_replaces_a_weaker_one(self):
        account, _invoice = self.owing_account("Holdperson Gamma")
        self.log(account, "hardship")
        self.assertEqual(account.hold_reason, "financial_assistance")
        self.log(account, "dispute")
        self.assertEqual(account.hold_reason, "dispute")
        self.log(account, "hardship")
        self.assertEqual(account.hold_reason, "dispute")

    def test_released_dispute_gives_the_promise_its_hold_back(self):
        account, _invoice = self.owing_account("Holdperson Delta", 200.0)
        until = self.env.company._patient_today() + timedelta(days=7)
        self.log(account, "promise_to_pay", promise_amount=100.0, promise_date=until)
        self.assertRecordValues(account, [{"hold_reason": "promise_to_pay", "hold_until": until}])
        self.log(account, "dispute")
        self.assertRecordValues(account, [{"hold_reason": "dispute", "hold_until": False}])
        self.hold_wizard(account, self.specialist, action="release").action_apply()
        self.assertRecordValues(account, [{"hold_reason": "promise_to_pay", "hold_until": until}])


@tagged("post_install", "-at_install")
class TestHolds13PromiseEndDate(HoldsCommon):
    def test_a_promise_hold_needs_its_date(self):
        account, _invoice = self.owing_account("Holdperson Epsilon")
        wizard = self.hold_wizard(
            account, self.specialist, action="set", hold_reason="promise_to_pay"
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_apply()
        self.assertIn("choose the date", str(caught.exception))
        self.assertFalse(account.hold_reason)
        wizard.hold_until = self.env.company._patient_today() + timedelta(days=3)
        wizard.action_apply()
        self.assertEqual(account.hold_reason, "promise_to_pay")


@tagged("post_install", "-at_install")
class TestStatement13NoDemandHolds(HoldsCommon):
    def test_never_sent_to_bankruptcy_or_deceased(self):
        bankrupt, _invoice = self.owing_account("Holdperson Zeta")
        deceased, _invoice = self.owing_account("Holdperson Eta")
        disputed, _invoice = self.owing_account("Holdperson Theta")
        bankrupt._set_hold("bankruptcy")
        deceased._set_hold("deceased")
        disputed._set_hold("dispute")
        Send = self.env["patient.statement.send"].with_user(self.specialist)
        wizard = Send.with_context(
            active_model="patient.account", active_ids=(bankrupt | deceased).ids
        ).create({"exclude_holds": False, "email": True})
        self.assertEqual(wizard.qualifying_count, 0)
        with self.assertRaises(UserError) as caught:
            wizard.action_send()
        message = str(caught.exception)
        self.assertIn("Accounts asked for on a bankruptcy or deceased hold: 2.", message)
        self.assertNotIn("untick", message)
        self.assertFalse(bankrupt.last_statement_date or deceased.last_statement_date)
        wizard = Send.with_context(
            active_model="patient.account", active_ids=(bankrupt | disputed).ids
        ).create({"exclude_holds": False})
        self.assertEqual(wizard.qualifying_count, 1, "the dispute's statement, unticked")
