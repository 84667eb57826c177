"""A payment plan follows the ledger, not only the guarantor's payments: what the
insurer pays is not the guarantor's installment; a credit note or a hand-made
adjustment that takes the invoices below what is left on the plan lowers the plan
(or cancels it when nothing is owed), so its installments are never missed and
the plan defaulted over money nobody owes."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .test_plan_credits import PlanLedgerCommon
from .test_writeoffs import DAY


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestPlanLedger(PlanLedgerCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.insurer = cls.env["res.partner"].create(
            {"name": "Testinsurer Health Plan", "is_company": True}
        )

    def planned(self, amount=300.0):
        account, invoice = self.account_owing(amount, days=20)
        plan = self.confirm_plan(account, DAY + timedelta(days=10))
        self.agreed_an_hour_earlier(plan)
        return account, invoice, plan

    def receivable(self, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )

    def insurer_pays(self, invoice, amount):
        payment = self.received(self.insurer, amount)
        (self.receivable(payment.move_id) | self.receivable(invoice)).reconcile()
        return payment

    def credit(self, invoice, amount, move_type="out_refund"):
        """A credit note of ``amount`` on ``invoice``, reconciled with it."""
        refund = self.make_invoice(invoice.patient_id, amount, DAY, move_type=move_type)
        (self.receivable(refund) | self.receivable(invoice)).reconcile()
        return refund

    def note_text(self, plan):
        return " ".join(html2plaintext(body) for body in plan.message_ids.mapped("body"))

    def test_insurer_payment_on_a_claim_is_not_an_installment(self):
        account, _invoice, plan = self.planned()
        claim = self.make_invoice(
            account.partner_id,
            500.0,
            DAY - timedelta(days=5),
            insurance_status="pending",
            insurance_claim_ref="CLM-T-1",
        )
        self.insurer_pays(claim, 400.0)
        self.assertEqual(account.balance_due, 300.0)
        self.assertRecordValues(plan, [{"state": "active", "amount_paid": 0.0}])
        self.assertEqual(set(plan.installment_ids.mapped("state")), {"open"})
        # and the sweep of the day after the last due date defaults it, as it should
        self.assertEqual(plan.amount_remaining, 300.0)

    def test_register_payment_leaves_out_claims_the_insurer_has(self):
        account, invoice, plan = self.planned()
        self.make_invoice(
            account.partner_id,
            500.0,
            DAY - timedelta(days=40),
            insurance_status="pending",
            insurance_claim_ref="CLM-T-2",
        )
        action = plan.action_register_payment()
        self.assertEqual(action["context"]["active_ids"], invoice.ids)

    def test_register_payment_in_the_plans_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        partner = self.env["res.partner"].create(
            {"name": "Testplan Euro Person", "is_patient": True}
        )
        invoice = self.make_invoice(partner, 600.0, DAY - timedelta(days=20), currency=eur)
        account = invoice.patient_account_id
        self.assertEqual(account.balance_due, 300.0)
        plan = self.confirm_plan(account, DAY + timedelta(days=10))
        action = plan.action_register_payment()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.currency_id, self.env.company.currency_id)
        self.assertEqual(wizard.amount, 100.0)

    def test_insurer_payment_on_the_planned_invoice_lowers_the_plan(self):
        account, invoice, plan = self.planned()
        self.insurer_pays(invoice, 120.0)
        self.assertEqual(account.balance_due, 180.0)
        self.assertRecordValues(
            plan, [{"state": "active", "amount_paid": 0.0, "total_amount": 180.0}]
        )
        self.assertEqual(plan.amount_remaining, account.balance_due)
        self.assertIn("Credits on the account's invoices", self.note_text(plan))

    def test_credit_note_lowers_the_plan(self):
        account, invoice, plan = self.planned()
        self.pay(invoice, 100.0, DAY)
        self.assertEqual(plan.amount_paid, 100.0)
        self.credit(invoice, 50.0)
        self.assertEqual(account.balance_due, 150.0)
        self.assertRecordValues(
            plan, [{"state": "active", "amount_paid": 100.0, "total_amount": 250.0}]
        )
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 100.0, 50.0])
        self.assertEqual(plan.amount_remaining, 150.0)

    def test_guarantor_payments_do_not_lower_the_plan(self):
        account, invoice, plan = self.planned()
        self.pay(invoice, 100.0, DAY)
        self.assertRecordValues(plan, [{"total_amount": 300.0, "amount_paid": 100.0}])
        # a payment left unapplied is not taken off the plan either: once applied,
        # the plan counts it as the guarantor's
        payment = self.received(account.partner_id, 40.0)
        self.assertEqual(account.balance_due, 160.0)
        self.assertRecordValues(plan, [{"total_amount": 300.0, "amount_paid": 100.0}])
        (self.receivable(payment.move_id) | self.receivable(invoice)).reconcile()
        self.assertRecordValues(plan, [{"total_amount": 300.0, "amount_paid": 140.0}])

    def entry(self, account, invoice, amount):
        """A hand-made entry on the guarantor's receivable: ``amount`` > 0 a charge
        (a fee), < 0 a credit (an adjustment)."""
        receivable = self.receivable(invoice).account_id
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": DAY,
                "line_ids": [
                    Command.create(
                        {"account_id": self.bad_debt.id, "balance": -amount, "name": "Adj"}
                    ),
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": account.partner_id.id,
                            "balance": amount,
                            "name": "Adj",
                        }
                    ),
                ],
            }
        )
        move.action_post()
        return move

    def test_a_fee_on_the_plan_is_still_owed(self):
        account, invoice = self.account_owing(300.0, days=20)
        self.entry(account, invoice, 30.0)
        self.assertEqual(account.balance_due, 330.0)
        plan = self.confirm_plan(account, DAY + timedelta(days=10))
        self.agreed_an_hour_earlier(plan)
        self.assertEqual(plan.total_amount, 330.0)
        self.pay(invoice, 110.0, DAY)
        self.assertRecordValues(plan, [{"total_amount": 330.0, "amount_paid": 110.0}])

    def test_adjustment_to_nothing_cancels_the_plan(self):
        account, invoice, plan = self.planned()
        adjustment = self.entry(account, invoice, -300.0)
        (self.receivable(adjustment) | self.receivable(invoice)).reconcile()
        self.assertEqual(account.balance_due, 0.0)
        self.assertEqual(plan.state, "cancelled")
        self.assertIn(plan.name, " ".join(account.message_ids.mapped("body")))
        # nothing for the sweep long after the due dates to miss or default
        self.assertFalse(plan._plans_to_sweep(DAY + timedelta(days=120)))

    def test_writeoff_lowers_the_plan_once(self):
        account, _invoice, plan = self.planned()
        self.writeoff(account, self.manager, amount=100.0, reason="administrative")
        self.assertRecordValues(plan, [{"state": "active", "total_amount": 200.0}])
        self.assertEqual(plan.amount_remaining, account.balance_due)
        # the write-off names itself; no second, generic lowering
        self.assertNotIn("Credits on the account's invoices", self.note_text(plan))
