"""Two online payments confirmed at once against one payment plan.

Like tests/test_plan_concurrency.py (whose committed-data machinery this reuses),
on COMMITTED data with independent cursors: the first transaction's payment is
post-processed (Odoo's payment, reconciled with the account's invoices, allocated
to the plan under its row lock) and pauses before its COMMIT; the second, another
portal payment on the same account, must wait for it, then (retried after the
serialization failure, as Odoo retries a request) pay what is left, oldest
first.  Nothing is paid twice, no installment more than due.  Everything
committed is deleted at the end.  Needs a payment provider with a journal in the
main company: Odoo's Demo provider (module payment_demo, installed by `make test`).
"""

import uuid

from odoo import SUPERUSER_ID, api
from odoo.tests import tagged
from odoo.tests.common import TransactionCase

from . import test_plan_concurrency as plan_concurrency
from .test_portal_tours import NO_DEMO_PROVIDER

Borrowed = plan_concurrency.TestPlanConcurrency


@tagged("post_install", "-at_install")
class TestPortalPaymentConcurrency(TransactionCase):
    """Two portal payments at once against one plan: the plan's row lock."""

    # the committed data, the threads and the checks of the plan concurrency tests
    _new_env = Borrowed._new_env
    _commit_plan = Borrowed._commit_plan
    _delete_committed_data = Borrowed._delete_committed_data
    _wait_until_blocked = Borrowed._wait_until_blocked
    _run_concurrently = Borrowed._run_concurrently
    _read_plan = Borrowed._read_plan
    _assert_allocation = Borrowed._assert_allocation

    def setUp(self):
        super().setUp()
        if self.env["ir.module.module"]._get("payment_demo").state != "installed":
            self.skipTest(NO_DEMO_PROVIDER)
        self.assertIsNone(
            self.registry.test_cr,
            "the registry is in test mode: its cursors would share the test transaction",
        )
        self.committed = {"partner_ids": [], "provider_ids": []}
        # cleanups run last first: the transactions, then the payments and accounts,
        # then the provider the payments were made with
        self.addCleanup(self._delete_committed_providers)
        self.addCleanup(self._delete_committed_data)
        self.addCleanup(self._delete_committed_transactions)

    def _delete_committed_transactions(self):
        if not self.committed["partner_ids"]:
            return
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["payment.transaction"].search(
                [("partner_id", "in", self.committed["partner_ids"])]
            ).unlink()

    def _demo_provider_ids(self, journal_ids):
        """The main company's Demo provider on the bank journal, and a committed copy
        of it on the cash journal: two journals, no contention on entry numbers (as
        in the plan concurrency tests), the two payments meet on the account."""
        with self.registry.cursor() as cr:  # commits on leaving
            env = self._new_env(cr)
            provider = env["payment.provider"].search(
                [
                    ("code", "=", "demo"),
                    ("company_id", "=", env.user.company_id.id),
                    ("state", "in", ("test", "enabled")),
                ],
                limit=1,
            )
            cash = env["account.journal"].browse(journal_ids[1])
            if not provider or provider.journal_id.type != "bank":
                self.skipTest("the main company's Demo payment provider has no bank journal")
            # a name of its own: a payment method line's name is unique on a journal
            second = provider.copy({"name": f"Demo on cash (test {uuid.uuid4().hex[:8]})"})
            self.committed["provider_ids"].append(second.id)
            second.write({"state": "test", "journal_id": cash.id})
            self.assertEqual(second.journal_id, cash)
            return provider.id, second.id

    def _delete_committed_providers(self):
        if not self.committed["provider_ids"]:
            return
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            providers = env["payment.provider"].browse(self.committed["provider_ids"]).exists()
            providers.write({"state": "disabled", "is_published": False})
            env["account.payment.method.line"].search(
                [("payment_provider_id", "in", providers.ids)]
            ).unlink()
            providers.unlink()

    @staticmethod
    def _portal_payment(account_id, provider_id, amount):
        """The work of a transaction: a portal payment confirmed by the provider and
        post-processed, as /payment/status/poll does it."""

        def work(env):
            account = env["patient.account"].browse(account_id)
            provider = env["payment.provider"].browse(provider_id)
            tx = env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": provider.payment_method_ids[:1].id,
                    "reference": f"PC-CONC-{uuid.uuid4().hex[:12]}",
                    "amount": amount,
                    "currency_id": account.currency_id.id,
                    "partner_id": account.partner_id.id,
                    "patient_account_id": account.id,
                    "operation": "online_direct",
                }
            )
            tx._set_done()
            tx._post_process()
            return tx.id

        return work

    def test_two_portal_payments_at_once_against_one_plan(self):
        data = self._commit_plan(total=300.0, count=3)
        on_bank, on_cash = self._demo_provider_ids(data["journal_ids"])
        account_id = data["account_id"]
        first, second, _waited = self._run_concurrently(
            self._portal_payment(account_id, on_bank, 100.0),
            self._portal_payment(account_id, on_cash, 150.0),
        )
        plan = self._read_plan(data["plan_id"])
        self._assert_allocation(plan, 250.0)
        self.assertEqual([paid for _a, paid, _s in plan["installments"]], [100.0, 100.0, 50.0])
        self.assertEqual([state for _a, _p, state in plan["installments"][:2]], ["paid", "paid"])
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            transactions = env["payment.transaction"].browse([first.result, second.result])
            self.assertEqual(transactions.mapped("state"), ["done", "done"])
            self.assertEqual(len(transactions.payment_id), 2)
            first_invoice, second_invoice = env["account.move"].browse(data["invoice_ids"])
            # oldest first: the first payment and half of the second on the first invoice
            self.assertEqual(first_invoice.amount_residual, 0.0)
            self.assertEqual(second_invoice.amount_residual, 150.0)
            account = env["patient.account"].browse(account_id)
            self.assertEqual(account.balance_due, 150.0)
            interactions = env["patient.interaction"].search(
                [("account_id", "=", account_id), ("outcome", "=", "payment_made")]
            )
            self.assertEqual(len(interactions), 2)
