"""The plan form's refusals in headless Chromium
(static/tests/tours/patient_collections_portal_plan_tours.js): the plan asked
for twice (the page opened before it was set up), a monthly amount too small."""

from odoo import fields
from odoo.tests import tagged

from .test_portal import PortalCase
from .test_portal_tours import DemoProviderCase

REQUESTED = "Payment plan requested on the portal"


@tagged("post_install", "-at_install")
class TestPortal12PlanTours(PortalCase):
    def requests_to_the_specialist(self):
        return self.account.activity_ids.filtered(lambda activity: activity.summary == REQUESTED)

    def test_tour_plan_asked_twice(self):
        self.start_tour(
            "/my/patient-accounts", "pc_portal_plan_asked_twice", login="pc_portal_alpha"
        )
        plans = self.account.plan_ids
        self.assertEqual(len(plans), 1, "the second request made nothing")
        self.assertEqual(plans, self.account.active_plan_id)
        self.assertEqual(len(plans.installment_ids), 3, "the first request's plan stands")
        self.assertFalse(self.requests_to_the_specialist())

    def test_tour_plan_amount_too_small(self):
        today = fields.Date.today()
        self.make_invoice(self.child, 1000.0, self.days_ago(today, 10), today)
        self.assertEqual(self.account.balance_due, 1300.0)
        self.start_tour(
            "/my/patient-accounts", "pc_portal_plan_amount_too_small", login="pc_portal_alpha"
        )
        self.assertFalse(self.account.plan_ids)
        self.assertFalse(self.requests_to_the_specialist())


@tagged("post_install", "-at_install")
class TestPortal12PayCancelledTour(DemoProviderCase):
    """A payment cancelled at the Demo provider lands on the account page saying
    nothing was paid (it read "Thank you: your payment is being processed")."""

    def test_tour_cancelled_payment(self):
        self.start_tour(
            "/my/patient-accounts", "pc_portal_guarantor_pay_cancelled", login="pc_portal_alpha"
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        self.assertEqual(tx.state, "cancel")
        self.assertEqual(self.account.balance_due, 300.0)
        self.assertFalse(self.account._portal_payments_in_progress())
