"""A hand move to the resolved stage while the guarantor still owes is refused
(the next run would reopen the account); the run's own moves still close paid
accounts, and an amount waiting only for insurance is not owed by the patient."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestResolvedMove(DeskCommon):
    def test_hand_move_refused_while_owed(self):
        account, _invoice = self.owing_account("Resolvedperson Alpha")
        stage = account.stage_id
        for user in (self.specialist, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                account.with_user(user).write({"stage_id": self.resolved.id})
            message = str(caught.exception)
            self.assertIn(account.currency_id.format(150.0), message)
            self.assertIn(account.name, message)
            self.assertIn("Record the payment", message)
            self.assertNotIn("Resolvedperson", message, "no patient name")
        self.assertEqual(account.stage_id, stage)

    def test_judged_on_the_refreshed_balance(self):
        """A stale stored balance of zero does not let an owing account through."""
        account, _invoice = self.owing_account("Resolvedperson Beta")
        trusted(account).write({"balance_due": 0.0})
        with self.assertRaises(UserError):
            account.with_user(self.specialist).write({"stage_id": self.resolved.id})

    def test_only_the_owing_accounts_are_named(self):
        owing, _invoice = self.owing_account("Resolvedperson Gamma", 80.0)
        paid, invoice = self.owing_account("Resolvedperson Delta", 60.0)
        self.pay(invoice, 60.0, date.today())
        with self.assertRaises(UserError) as caught:
            (owing | paid).with_user(self.manager).write({"stage_id": self.resolved.id})
        self.assertIn(owing.name, str(caught.exception))
        self.assertNotIn(paid.name, str(caught.exception))

    def test_paid_account_may_be_resolved_by_hand(self):
        account, invoice = self.owing_account("Resolvedperson Epsilon")
        self.pay(invoice, 150.0, date.today())
        account.with_user(self.specialist).write({"stage_id": self.resolved.id})
        self.assertEqual(account.stage_id, self.resolved)

    def test_insurance_pending_only_may_be_resolved(self):
        """Nothing owed by the patient yet: the move is the practice's choice."""
        account, _invoice = self.owing_account(
            "Resolvedperson Zeta", 200.0, insurance_status="pending"
        )
        self.assertEqual(account.balance_due, 0.0)
        self.assertEqual(account.balance_insurance_pending, 200.0)
        account.with_user(self.specialist).write({"stage_id": self.resolved.id})
        self.assertEqual(account.stage_id, self.resolved)

    def test_run_moves_still_work(self):
        """The run's own stage write is trusted; a settled account returns to resolved."""
        account, invoice = self.owing_account("Resolvedperson Eta")
        account._write_stage(self.resolved)
        self.assertEqual(account.stage_id, self.resolved)
        account._write_stage(self.new)
        self.pay(invoice, 150.0, date.today())
        account._return_to_escalation()
        self.assertEqual(account.stage_id, self.resolved)


@tagged("post_install", "-at_install")
class TestResolvedMoveTour(DeskCommon, HttpCase):
    def test_board_drag_and_stage_bar(self):
        """A specialist drags an owing account to Resolved on the board, then clicks
        Resolved in the form's stage bar: both refused with the amount, nothing moved."""
        account, _invoice = self.owing_account("Resolvedperson Tour")
        self.assertEqual(account.stage_id, self.new)
        self.env.flush_all()
        self.env.cr.precommit.run()
        with mute_logger("odoo.http"):  # the two refusals the tour expects
            self.start_tour(
                "/odoo/action-patient_collections.patient_account_board_action",
                "patient_collections_resolved_move_tour",
                login=self.specialist.login,
            )
        account.invalidate_recordset()
        self.assertEqual(account.stage_id, self.new)
