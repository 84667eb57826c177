"""The guarantor's side in headless Chromium (static/tests/tours/
patient_collections_portal_tour.js), paying with Odoo's Demo payment provider in
test mode.  ``payment_demo`` is not a dependency of the module: `make test`
installs it with the module (scripts/test.sh); without it these tests are skipped
with the reason."""

from odoo.tests import tagged

from .test_portal import PortalCase

NO_DEMO_PROVIDER = (
    "the module payment_demo (Odoo's Demo payment provider) is not installed in this "
    "database: install it with patient_collections (-i patient_collections,payment_demo, "
    "as scripts/test.sh does) to run the portal tours"
)


class DemoProviderCase(PortalCase):
    """Portal tests paying with the Demo provider of the test company, the only one
    offered; skipped with the reason when payment_demo is not installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        module = cls.env["ir.module.module"]._get("payment_demo")
        cls.demo_installed = module.state == "installed"
        if cls.demo_installed:
            # the Demo provider of the test company, the only one offered
            cls.dummy_provider.state = "disabled"
            cls.demo_provider = cls._prepare_provider("demo")
            cls.demo_provider.is_published = True

    def setUp(self):
        if not self.demo_installed:
            self.skipTest(NO_DEMO_PROVIDER)
        super().setUp()


@tagged("post_install", "-at_install")
class TestPortalTours(DemoProviderCase):
    """A portal guarantor and a token-link visitor pay part of the balance; a
    guarantor pays the little left, below the minimum; a guarantor sets up a plan
    within policy."""

    def assert_paid_online(self, amount, partner):
        """One confirmed Demo transaction of ``amount`` for the account, posted as
        an Odoo payment, reconciled oldest first; the interaction and the receipt."""
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        self.assertEqual(len(tx), 1)
        self.assertRecordValues(
            tx,
            [
                {
                    "provider_id": self.demo_provider.id,
                    "state": "done",
                    "amount": amount,
                    "partner_id": partner.id,
                    "is_post_processed": True,
                }
            ],
        )
        self.assertEqual(tx.payment_id.amount, amount)
        # oldest first: all of it on the oldest invoice
        self.assertEqual(self.old_invoice.amount_residual, 100.0 - amount)
        self.assertEqual(self.new_invoice.amount_residual, 200.0)
        self.assertEqual(self.account.balance_due, 300.0 - amount)
        self.assert_payment_interaction_and_receipt()

    def test_tour_guarantor_pays_part_of_the_balance(self):
        self.start_tour("/my/patient-accounts", "pc_portal_guarantor_pay", login="pc_portal_alpha")
        self.assert_paid_online(60.0, self.guarantor)
        opened = self.log_lines(self.account, "open")
        self.assertEqual(set(opened.mapped("detail")), {"portal"})
        self.assertEqual(opened.mapped("user_id"), self.guarantor_user)

    def test_tour_token_visitor_pays_part_of_the_balance(self):
        self.start_tour(self.account.get_portal_url(), "pc_portal_token_pay")
        self.assert_paid_online(60.0, self.guarantor)
        opened = self.log_lines(self.account, "open")
        self.assertEqual(set(opened.mapped("detail")), {"portal: token link"})
        self.assertEqual(opened.mapped("user_id"), self.env.ref("base.public_user"))

    def test_tour_guarantor_pays_the_little_left(self):
        """3.00 left after a payment booked, the company's minimum 10.00: paid as
        "another amount" of 3.00, nothing left."""
        booked = self.patient_tx(297.0, suffix="booked")
        booked._set_done()
        booked._post_process()
        self.assertEqual(self.account.balance_due, 3.0)
        self.start_tour(
            "/my/patient-accounts", "pc_portal_guarantor_pay_little_left", login="pc_portal_alpha"
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id), ("id", "!=", booked.id)])
        )
        self.assertRecordValues(
            tx,
            [
                {
                    "provider_id": self.demo_provider.id,
                    "state": "done",
                    "amount": 3.0,
                    "is_post_processed": True,
                }
            ],
        )
        self.assertEqual(self.new_invoice.amount_residual, 0.0)
        self.assertEqual(self.account.balance_due, 0.0)

    def test_tour_guarantor_sets_up_a_plan(self):
        self.start_tour("/my/patient-accounts", "pc_portal_guarantor_plan", login="pc_portal_alpha")
        plan = self.account.active_plan_id
        agreed = (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("outcome", "=", "reached")])
        )
        self.assertEqual(agreed.channel, "portal")
        self.assertEqual(len(plan.installment_ids), 3)
        self.assertEqual(plan.total_amount, 300.0)
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 100.0, 100.0])
