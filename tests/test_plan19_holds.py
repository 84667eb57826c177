"""No payment plan is set up on an account on a dispute, bankruptcy or deceased
hold, and an active one is paused: the staff wizard says to release the hold
first, and the guarantor's request from the portal goes to the specialist instead
of making a plan that the daily run would then default.  An assistance
application still takes a plan."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

TODAY = date(2026, 5, 4)


class PlanHoldCase(PatientCollectionsCommon):
    """An account owing 600.00 for its child's invoice, 40 days old on TODAY."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls.make_invoice(cls.child, 600.0, TODAY - timedelta(days=40))
        cls.account = cls.invoice.patient_account_id
        cls.account._refresh_balances()


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestPlan19Holds(PlanHoldCase):
    def test_the_wizard_refuses_a_plan_on_a_disputed_account(self):
        trusted(self.account)._set_hold("dispute")
        with self.assertRaisesRegex(UserError, r"on hold \(Dispute\).*Release the hold first"):
            self.confirm_plan(self.account, TODAY + timedelta(days=30))
        self.assertFalse(self.account.plan_ids)
        self.assertEqual(self.account.hold_reason, "dispute")

    def test_a_portal_request_on_a_bankruptcy_goes_to_the_specialist(self):
        trusted(self.account)._set_hold("bankruptcy")
        plan, problems = self.account._portal_plan_request(3)
        self.assertFalse(plan)
        self.assertFalse(self.account.plan_ids)
        self.assertTrue(any("on hold (Bankruptcy)" in problem for problem in problems))
        self.assertIn(
            "Payment plan requested on the portal", self.account.activity_ids.mapped("summary")
        )

    def test_an_assistance_application_still_takes_a_plan(self):
        """A patient in hardship (an assistance application) often asks for a plan."""
        trusted(self.account)._set_hold("financial_assistance")
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=30))
        self.assertEqual(plan.state, "active")
        plan.sudo()._allocate_payments(TODAY + timedelta(days=200))
        self.assertIn("missed", plan.installment_ids.mapped("state"))  # not paused

    def test_a_promise_hold_still_takes_a_plan(self):
        trusted(self.account)._set_hold("promise_to_pay", until=TODAY + timedelta(days=5))
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=30))
        self.assertEqual(plan.state, "active")

    def test_an_active_plan_is_paused_while_the_account_is_disputed(self):
        """A dispute set on an account with an active plan: its installments fell
        past their grace days, were marked missed and the plan defaulted, chasing
        disputed money (tester t19b)."""
        plan = self.confirm_plan(self.account, TODAY + timedelta(days=1))
        trusted(self.account)._set_hold("dispute")
        later = TODAY + timedelta(days=200)  # every installment long past its grace days
        for _sweep in range(2):  # the reallocation and the daily marking alike
            plan.sudo()._allocate_payments(later)
            plan.invalidate_recordset()
            self.assertEqual(plan.state, "active")
            self.assertNotIn("missed", plan.installment_ids.mapped("state"))
        plan.sudo()._mark_stale()  # its payments read again: still paused
        plan.sudo()._allocate_payments(later)
        self.assertNotIn("missed", plan.installment_ids.mapped("state"))
        # released: the installments are judged on their dates again
        self.account.sudo()._release_hold()
        plan.sudo()._allocate_payments(later)
        self.assertIn("missed", plan.installment_ids.mapped("state"))
