"""One write-off reversed on its own: the run posts up to ENTRY_SIZE write-offs in
one journal entry, and Odoo's Reverse Entry undoes all of them.  The Reverse
button of a write-off (a collections manager's) posts one entry reversing only
its lines: its invoices are owed again, the other write-offs of the entry stay
posted, a plan it lowered is raised back."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import html2plaintext

from .common_http import call_kw
from .test_plan_credits import PlanLedgerCommon
from .test_writeoffs import DAY, WriteoffCommon


def chatter(record):
    text = " ".join(html2plaintext(body) for body in record.message_ids.mapped("body"))
    return text.replace("\xa0", " ")


class ReversalCommon(WriteoffCommon):
    def run_small_balances(self, *amounts):
        """Accounts owing ``amounts`` written off by the run, in one journal entry."""
        self.env.company.write(
            {
                "collections_small_balance_writeoff": True,
                "collections_small_balance_threshold": 10.0,
                "collections_small_balance_min_days": 90,
            }
        )
        owing = [self.account_owing(amount, days=120) for amount in amounts]
        self.env["patient.collection.run"].run(companies=self.env.company)
        writeoffs = self.env["patient.writeoff"].browse(
            [account.writeoff_ids.id for account, _i in owing]
        )
        self.assertEqual(writeoffs.mapped("state"), ["posted"] * len(amounts))
        self.assertEqual(len(writeoffs.move_id), 1, "the run shares one entry")
        return owing, writeoffs

    def reverse(self, writeoff, user, reason="Disputed by the guarantor"):
        action = writeoff.with_user(user).action_open_reverse()
        wizard = (
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
            .create({"reason": reason})
        )
        wizard.action_reverse()
        return writeoff.reversal_move_id

    def assert_ledger_matches(self, account):
        """The ledger's receivable of the guarantor equals the account's balance."""
        self.env.flush_all()
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", account.partner_id.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertAlmostEqual(sum(lines.mapped("balance")), account.balance_due)
        self.assertAlmostEqual(sum(lines.mapped("amount_residual")), account.balance_due)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffReversal(ReversalCommon):
    def test_reverse_one_of_a_shared_entry(self):
        ((first, first_invoice), (second, second_invoice)), writeoffs = self.run_small_balances(
            7.5, 5.0
        )
        mine, other = writeoffs
        shared = mine.move_id
        reversal = self.reverse(mine, self.manager)
        self.assertRecordValues(
            mine,
            [
                {
                    "state": "reversed",
                    "reversal_reason": "Disputed by the guarantor",
                    "reversed_by_id": self.manager.id,
                }
            ],
        )
        self.assertEqual(other.state, "posted")
        self.assertEqual(shared.state, "posted")
        self.assertFalse(shared.reversal_move_ids, "the shared entry is not reversed")
        self.assertRecordValues(
            reversal,
            [{"state": "posted", "date": DAY, "journal_id": shared.journal_id.id}],
        )
        # the reversal is only that write-off's lines, balanced
        self.assertEqual(sum(reversal.line_ids.mapped("debit")), 7.5)
        self.assertEqual(sum(reversal.line_ids.mapped("credit")), 7.5)
        self.assertEqual(reversal.line_ids.partner_id, first.partner_id)
        self.assertEqual(
            sum(shared.line_ids.mapped("debit")), sum(shared.line_ids.mapped("credit"))
        )
        # its invoice is owed again for what was written off; the other stays paid
        self.assertEqual(first_invoice.payment_state, "not_paid")
        self.assertEqual(first_invoice.amount_residual, 7.5)
        self.assertEqual(second_invoice.payment_state, "paid")
        self.assertEqual(first.balance_due, 7.5)
        self.assertEqual(second.balance_due, 0.0)
        # the write-off's receivable line is matched with its reversal, nothing left open
        own = shared.line_ids.filtered(
            lambda line: (
                line.patient_writeoff_id == mine and line.account_type == "asset_receivable"
            )
        )
        self.assertTrue(own.reconciled)
        self.assertEqual(own.matched_debit_ids.debit_move_id.move_id, reversal)
        self.assert_ledger_matches(first)
        self.assert_ledger_matches(second)
        self.assertIn("Reversed on its own by", chatter(mine))
        self.assertIn(f"Write-off {mine.name} reversed.", chatter(first))
        self.assertNotEqual(first.stage_id, self.env.ref("patient_collections.stage_resolved"))
        self.assertEqual(second.stage_id, self.env.ref("patient_collections.stage_resolved"))

    def test_reversing_twice_is_refused(self):
        _owing, writeoffs = self.run_small_balances(7.5, 5.0)
        mine = writeoffs[0]
        self.reverse(mine, self.manager)
        with self.assertRaisesRegex(UserError, "Only a posted write-off can be reversed"):
            mine.with_user(self.manager).action_reverse("Again")
        self.assertEqual(len(self.env["account.move"].search([("ref", "like", mine.name)])), 1)

    def test_whole_entry_reverse_refused_after_one_reversed(self):
        _owing, writeoffs = self.run_small_balances(7.5, 5.0)
        self.reverse(writeoffs[0], self.manager)
        with self.assertRaisesRegex(UserError, "reversed on its own"):
            self.reverse_entry(writeoffs[1])
        self.assertEqual(writeoffs[1].state, "posted")

    def test_only_a_manager_reverses(self):
        account, invoice = self.account_owing(30.0, days=100)
        writeoff = self.writeoff(account, self.specialist, reason="bad_debt")
        self.assertEqual(writeoff.state, "posted")
        for user in (self.specialist, self.accountant):
            with self.assertRaises(AccessError):
                writeoff.with_user(user).action_reverse("Disputed")
            with self.assertRaises(AccessError):
                writeoff.with_user(user).action_open_reverse()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(invoice.payment_state, "paid")

    def test_reason_required(self):
        account, _invoice = self.account_owing(30.0, days=100)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        with self.assertRaisesRegex(UserError, "Say why"):
            writeoff.with_user(self.manager).action_reverse("  ")
        self.assertEqual(writeoff.state, "posted")

    def test_reversal_dated_past_a_lock_date(self):
        account, invoice = self.account_owing(30.0, days=100)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.env.company.fiscalyear_lock_date = DAY
        reversal = self.reverse(writeoff, self.manager)
        self.assertEqual(reversal.state, "posted")
        self.assertGreater(reversal.date, DAY)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(account.balance_due, 30.0)

    def test_reversal_reset_to_draft_puts_the_writeoff_back(self):
        ((account, _invoice),), writeoffs = self.run_small_balances(7.5)
        reversal = self.reverse(writeoffs, self.manager)
        self.assertEqual(account.balance_due, 7.5)
        reversal.with_user(self.accountant).button_draft()
        self.assertEqual(writeoffs.state, "posted")
        self.assertIn("the write-off stands", chatter(writeoffs))
        self.assertIn(f"Write-off {writeoffs.name} stands again.", chatter(account))
        self.assertEqual(account.balance_due, 0.0)
        self.assert_ledger_matches(account)
        # posted again: reversed again
        reversal.with_user(self.accountant).action_post()
        self.assertEqual(writeoffs.state, "reversed")
        self.assertEqual(account.balance_due, 7.5)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffReversedOnce(ReversalCommon):
    """A tester reversed one write-off twice in the ledger (the guarantor asked for
    more than billed) by resetting, reversing and posting entries again."""

    def test_old_reversal_reset_then_reverse_again(self):
        ((account, _invoice),), writeoffs = self.run_small_balances(7.5)
        first = self.reverse(writeoffs, self.manager)
        first.with_user(self.accountant).button_draft()
        self.assertEqual(writeoffs.state, "posted")
        second = self.reverse(writeoffs, self.manager, reason="Disputed again")
        self.assertNotEqual(first, second)
        self.assertEqual(first.state, "cancel", "the draft it replaces is cancelled")
        first.with_user(self.accountant).button_draft()
        with self.assertRaisesRegex(UserError, "would reverse it twice"):
            first.with_user(self.accountant).action_post()
        self.assertEqual(first.state, "draft")
        self.assertEqual(writeoffs.state, "reversed")
        self.assertEqual(account.balance_due, 7.5)
        self.assert_ledger_matches(account)

    def test_whole_entry_reversed_while_one_reversal_is_in_draft(self):
        owing, writeoffs = self.run_small_balances(7.5, 5.0)
        alone = self.reverse(writeoffs[0], self.manager)
        alone.with_user(self.accountant).button_draft()
        self.reverse_entry(writeoffs[1])
        self.assertEqual(writeoffs.mapped("state"), ["reversed", "reversed"])
        with self.assertRaisesRegex(UserError, "would reverse it twice"):
            alone.with_user(self.accountant).action_post()
        for account, _invoice in owing:
            self.assert_ledger_matches(account)
        self.assertEqual(owing[0][0].balance_due, 7.5)

    def test_whole_entry_reversal_posted_again_after_one_alone(self):
        owing, writeoffs = self.run_small_balances(7.5, 5.0)
        [whole] = self.reverse_entry(writeoffs[0])
        whole.with_user(self.accountant).button_draft()
        self.assertEqual(writeoffs.mapped("state"), ["posted", "posted"])
        self.reverse(writeoffs[0], self.manager)
        with self.assertRaisesRegex(UserError, "would reverse it twice"):
            whole.with_user(self.accountant).action_post()
        self.assertEqual(writeoffs.mapped("state"), ["reversed", "posted"])
        for account, _invoice in owing:
            self.assert_ledger_matches(account)

    def test_reversal_of_a_reversal_refused(self):
        ((account, _invoice),), writeoffs = self.run_small_balances(7.5)
        reversal = self.reverse(writeoffs, self.manager)
        with self.assertRaisesRegex(UserError, "cannot be reversed in turn"):
            self.env["account.move.reversal"].with_user(self.accountant).with_context(
                active_model="account.move", active_ids=reversal.ids
            ).create({"journal_id": reversal.journal_id.id, "date": DAY}).reverse_moves()
        self.assertFalse(reversal.reversal_move_ids)
        self.assertEqual(writeoffs.state, "reversed")
        self.assertEqual(account.balance_due, 7.5)

    def test_one_write_off_at_a_time(self):
        _owing, writeoffs = self.run_small_balances(7.5, 5.0)
        with self.assertRaisesRegex(UserError, "one write-off at a time"):
            writeoffs.with_user(self.manager).action_reverse("Disputed")
        with self.assertRaisesRegex(UserError, "one write-off at a time"):
            writeoffs.with_user(self.manager).action_open_reverse()
        self.assertEqual(writeoffs.mapped("state"), ["posted", "posted"])

    def test_dialog_shows_no_write_off_of_another_company(self):
        account, _invoice = self.account_owing(30.0, days=100)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        other = self.env["res.company"].create({"name": "Reversal Second Practice"})
        stranger = self.company_user(
            "pc_rev_other_manager", "patient_collections.group_collections_manager", other
        )
        Dialog = self.env["patient.writeoff.reverse"].with_user(stranger)
        with self.assertRaises(AccessError):
            Dialog.create({"writeoff_id": writeoff.id, "reason": "Disputed"})
        with self.assertRaises(AccessError):
            Dialog.onchange(
                {"writeoff_id": writeoff.id, "reason": "x"},
                ["writeoff_id"],
                {"writeoff_id": {"fields": {"display_name": {}}}, "amount": {}},
            )
        self.assertEqual(writeoff.state, "posted")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestWriteoffReversalPlan(PlanLedgerCommon, ReversalCommon):
    def test_reversal_raises_the_plan_back(self):
        account, _invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10), installment_count=3)
        schedule = [(i.due_date, i.amount) for i in plan.installment_ids.sorted("due_date")]
        writeoff = self.writeoff(account, self.manager, amount=150.0, reason="administrative")
        self.assertEqual(plan.total_amount, 150.0)
        self.assertEqual(len(plan.installment_ids), 2, "the last one was lowered to nothing")
        self.assertRecordValues(writeoff, [{"plan_id": plan.id, "plan_lowered": 150.0}])
        self.reverse(writeoff, self.manager)
        # the schedule agreed with the guarantor comes back: not 200 due at once
        self.assertEqual(
            [(i.due_date, i.amount) for i in plan.installment_ids.sorted("due_date")], schedule
        )
        self.assertEqual(account.balance_due, 300.0)
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.total_amount, 300.0)
        self.assertEqual(plan.amount_remaining, 300.0)
        unpaid = plan.installment_ids.filtered(lambda i: i.state != "paid")
        self.assertEqual(sum(unpaid.mapped("amount_due")), account.balance_due)
        self.assertIn(f"Reversal of write-off {writeoff.name}", chatter(plan))
        self.assertIn("Left to pay on the plan: $ 300.00", chatter(plan))
        self.assert_ledger_matches(account)

    def test_reversal_gives_back_the_down_payment_and_the_dates(self):
        """A write-off that took the installments and half the down payment: its
        reversal puts the down payment back as it was and the installments on the
        plan's own dates (none skipped, none in the past)."""
        account, _invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=5), 2, down_payment=100.0)
        schedule = [(i.due_date, i.amount) for i in plan.installment_ids.sorted("due_date")]
        self.assertEqual(len(schedule), 3)
        writeoff = self.writeoff(account, self.manager, amount=250.0, reason="administrative")
        self.assertEqual(plan.installment_ids.mapped("amount"), [50.0])
        self.reverse(writeoff, self.manager)
        self.assertEqual(
            [(i.due_date, i.amount) for i in plan.installment_ids.sorted("due_date")], schedule
        )

    def test_reversal_reset_lowers_the_plan_again(self):
        account, _invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10), installment_count=3)
        writeoff = self.writeoff(account, self.manager, amount=150.0, reason="administrative")
        reversal = self.reverse(writeoff, self.manager)
        self.assertEqual(plan.total_amount, 300.0)
        reversal.with_user(self.accountant).button_draft()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(account.balance_due, 150.0)
        self.assertEqual(plan.total_amount, 150.0, "the plan asks only what is owed")
        self.assertIn(f"Write-off {writeoff.name}, standing again,", chatter(plan))
        self.assertRecordValues(writeoff, [{"plan_id": plan.id, "plan_lowered": 150.0}])
        # and reversed again: raised again
        reversal.with_user(self.accountant).action_post()
        self.assertEqual(plan.total_amount, 300.0)

    def test_completed_plan_left_alone(self):
        account, invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10), installment_count=3)
        writeoff = self.writeoff(account, self.manager, amount=150.0, reason="administrative")
        self.pay(invoice, 150.0, DAY)
        self.assertEqual(plan.state, "completed")
        self.reverse(writeoff, self.manager)
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.total_amount, 150.0)
        self.assertEqual(account.balance_due, 150.0)
        self.assertIn("is not active: it is left as it is", chatter(account))


@tagged("post_install", "-at_install")
class TestWriteoffReversalTour(ReversalCommon, HttpCase):
    def call_kw(self, model, method, args, kwargs=None):
        return call_kw(self, model, method, args, kwargs).json()

    def test_wrong_role_refused_over_rpc(self):
        account, invoice = self.account_owing(30.0, days=100, today=date.today())
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.env.flush_all()
        for user in (self.specialist, self.accountant):
            self.authenticate(user.login, user.login)
            body = self.call_kw(
                "patient.writeoff", "action_reverse", [writeoff.ids], {"reason": "x"}
            )
            self.assertIn("error", body)
            self.assertIn("Only a collections manager", body["error"]["data"]["message"])
        writeoff.invalidate_recordset()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(invoice.payment_state, "paid")

    def test_manager_reverses_in_the_browser(self):
        account, invoice = self.account_owing(30.0, days=100, today=date.today())
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.env.flush_all()
        self.start_tour(
            f"/odoo/action-patient_collections.patient_writeoff_action/{writeoff.id}",
            "patient_collections_writeoff_reverse_tour",
            login=self.manager.login,
        )
        self.env.invalidate_all()
        self.assertRecordValues(
            writeoff, [{"state": "reversed", "reversal_reason": "Disputed by the guarantor"}]
        )
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(account.balance_due, 30.0)
