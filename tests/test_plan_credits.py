"""A partial write-off or an approved financial-assistance discount on an account
with an active payment plan lowers the plan: its last unpaid installments by what
was taken off the balance (one lowered to nothing is removed), so they never add
up to more than the guarantor owes.  Before, the guarantor paid the balance off
while the plan still had installments due, which the nightly sweep then counted
missed and defaulted the plan."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .test_writeoffs import DAY, WriteoffCommon

# HHS 2026, 48 contiguous states (data/patient_poverty_guideline_data.xml)
BASE = 15960


class PlanLedgerCommon(WriteoffCommon):
    """Plans of small installments, missed after 5 days, defaulted at the first miss."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {
                "collections_plan_min_installment": 10.0,
                "collections_plan_grace_days": 5,
                "collections_plan_misses_default": 1,
            }
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestPlanCredits(PlanLedgerCommon):
    def planned(self, amount=300.0, count=3):
        account, invoice = self.account_owing(amount, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10), installment_count=count)
        self.assertEqual(plan.installment_ids.mapped("amount"), [amount / count] * count)
        return account, invoice, plan

    def unpaid(self, plan):
        return sum(plan.installment_ids.filtered(lambda i: i.state != "paid").mapped("amount_due"))

    def plan_notes(self, plan):
        text = " ".join(html2plaintext(body) for body in plan.message_ids.mapped("body"))
        return text.replace("\xa0", " ")

    def assert_consistent(self, plan):
        """The stored progress and the sweep's bookkeeping are what the installments
        say (_compute_progress's rules), and nothing is left for today's sweep."""
        plan.invalidate_recordset()
        installments = plan.installment_ids
        unpaid = installments.filtered(lambda i: i.state != "paid")
        open_ones = installments.filtered(lambda i: i.state in ("open", "partial"))
        paid = sum(installments.mapped("amount_paid"))
        self.assertRecordValues(
            plan,
            [
                {
                    "amount_paid": paid,
                    "amount_remaining": plan.total_amount - paid,
                    "next_due_date": min(unpaid.mapped("due_date"), default=False),
                    "missed_count": len(installments.filtered(lambda i: i.state == "missed")),
                    "open_due_date": min(open_ones.mapped("due_date"), default=False),
                }
            ],
        )
        self.assertEqual(plan.amount_remaining, self.unpaid(plan))
        self.assertNotEqual(plan.payments_key, "stale")
        self.assertFalse(plan._plans_to_sweep(DAY), "nothing for today's sweep to redo")

    def test_an_account_on_an_active_plan_is_not_archived(self):
        """Archived with its plan active, the account left the board and the portal
        while the sweep went on missing and defaulting its installments."""
        account, _invoice, plan = self.planned()
        with self.assertRaisesRegex(UserError, "Cancel the plan first"):
            account.with_user(self.manager).action_archive()
        self.assertTrue(account.active)
        plan.with_user(self.manager).action_cancel()
        account.with_user(self.manager).action_archive()
        self.assertFalse(account.active)

    def test_partial_writeoff_lowers_the_last_installments(self):
        account, invoice, plan = self.planned()
        self.writeoff(account, self.manager, amount=150.0, reason="administrative")
        self.assertEqual(account.balance_due, 150.0)
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.total_amount, 150.0)
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 50.0])
        self.assertEqual(self.unpaid(plan), account.balance_due)
        self.assertIn("took $ 150.00 off the account's balance", self.plan_notes(plan))
        self.assertIn("Left to pay on the plan: $ 150.00", self.plan_notes(plan))
        self.assert_consistent(plan)
        # the guarantor pays what is owed: the plan completes, nothing is ever missed
        with freeze_time("2026-04-09 12:00:00"):
            self.pay(invoice, 150.0, DAY + timedelta(days=9))
            self.env["patient.collection.run"].run()
        self.assertEqual(account.balance_due, 0.0)
        self.assertEqual(plan.state, "completed")
        with freeze_time("2026-07-31 12:00:00"):
            self.env["patient.collection.run"].run()
        self.assertEqual(plan.state, "completed")
        self.assertFalse(plan.installment_ids.filtered(lambda i: i.state == "missed"))

    def assert_installments(self, plan, rows):
        """``rows``: (amount, amount paid, state) of the plan's installments, in order."""
        self.assertEqual([(i.amount, i.amount_paid, i.state) for i in plan.installment_ids], rows)

    def test_what_was_paid_stays_the_rest_is_lowered(self):
        account, invoice, plan = self.planned()
        self.pay(invoice, 130.0, DAY)
        self.assertEqual(plan.installment_ids.mapped("state"), ["paid", "partial", "open"])
        self.writeoff(account, self.manager, amount=70.0, reason="bad_debt")
        self.assertEqual(account.balance_due, 100.0)
        self.assert_installments(
            plan, [(100.0, 100.0, "paid"), (100.0, 30.0, "partial"), (30.0, 0.0, "open")]
        )
        self.assertRecordValues(plan, [{"total_amount": 230.0, "amount_paid": 130.0}])
        self.assert_consistent(plan)
        # the last installment lowered to nothing is removed, then the partly paid
        # one is lowered (never below what was paid on it)
        for amount, balance, rows in (
            (30.0, 70.0, [(100.0, 100.0, "paid"), (100.0, 30.0, "partial")]),
            (40.0, 30.0, [(100.0, 100.0, "paid"), (60.0, 30.0, "partial")]),
        ):
            self.writeoff(account, self.manager, amount=amount, reason="bad_debt")
            self.assertEqual(account.balance_due, balance)
            self.assert_installments(plan, rows)
            self.assert_consistent(plan)

    def test_plan_written_off_whole_while_other_charges_remain_completes(self):
        account, _invoice, plan = self.planned()
        self.make_invoice(account.partner_id, 50.0, DAY, due_date=DAY + timedelta(days=30))
        self.assertEqual(account.balance_due, 350.0)
        self.writeoff(account, self.manager, amount=300.0, reason="administrative")
        self.assertEqual(account.balance_due, 50.0)
        self.assertFalse(plan.installment_ids)
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.end_date, DAY)
        self.assertIn(
            f"Payment plan {plan.name} completed.", " ".join(account.message_ids.mapped("body"))
        )
        self.assertNotEqual(
            account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )

    def test_writeoff_waiting_for_approval_lowers_on_approval(self):
        account, _invoice, plan = self.planned()
        self.env.company.collections_writeoff_limit = 10.0
        writeoff = self.writeoff(account, self.specialist, amount=120.0, reason="bad_debt")
        self.assertEqual(writeoff.state, "to_approve")
        self.assertEqual(plan.total_amount, 300.0)
        writeoff.with_user(self.manager).action_approve()
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 80.0])
        self.assertEqual(self.unpaid(plan), account.balance_due)

    def test_assistance_lowering_the_balance_lowers_the_plan(self):
        account, _invoice, plan = self.planned()
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        self.assertEqual(application.discount_percent, 50.0)
        application.with_user(self.manager).action_approve()
        self.assertEqual(account.balance_due, 150.0)
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 50.0])
        self.assertEqual(self.unpaid(plan), account.balance_due)
        self.assertIn(f"Financial assistance {application.name} took", self.plan_notes(plan))
        self.assert_consistent(plan)

    def test_assistance_refund_due_is_not_taken_off_twice(self):
        """Paid 200 of 300, then a 50% discount: 150 was owed and 200 paid, 50 is
        to refund; the account owes nothing and its plan is cancelled."""
        account, invoice, plan = self.planned()
        self.pay(invoice, 200.0, DAY)
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.refund_due, 50.0)
        self.assertLessEqual(account.balance_due, 0.0)
        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0] * 3, "left as agreed")
