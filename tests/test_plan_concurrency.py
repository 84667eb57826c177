"""Payments allocated to one payment plan by concurrent transactions.

Unlike the other tests, these work on COMMITTED data with real, independent
database cursors (one per thread), because row locks and serialization
failures only exist between transactions.  Everything they commit belongs to
one synthetic guarantor and is deleted again at the end, whatever happens.

Scenario of both tests: transaction A registers a payment (which allocates it
to the plan's installments under the plan's row lock) and pauses before its
COMMIT, still holding its locks.  Transaction B then starts on the same plan;
the test checks in pg_stat_activity that B is blocked by a lock A holds, then
lets A commit.  Odoo runs transactions in REPEATABLE READ: B, woken up, may
fail with a serialization failure and is then retried from the start, as
Odoo retries a request (at most 3 attempts).  The allocation read back with
a fresh cursor must then count both transactions' payments exactly once.

When B registers a payment too, it is first held up by the balance refresh
(its UPDATE of the patient account row, which A updated too), before it gets
to the plan's lock; so a second test has B allocate without a payment of its
own, as the daily run does, and checks that it waits on the plan's row lock.
"""

import logging
import threading
import time
import uuid
from datetime import timedelta

from psycopg2 import OperationalError, errorcodes

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools import mute_logger

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

_logger = logging.getLogger(__name__)

# the errors Odoo retries a request for (odoo.service.model)
RETRIED_PGCODES = (
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
)
MAX_ATTEMPTS = 3
TIMEOUT = 30  # seconds, for any single wait of the test


class ConcurrentTransaction(threading.Thread):
    """``work(env)`` in a transaction of its own, in a thread of its own,
    committed, and retried from scratch on a concurrency error.

    ``before_commit(transaction)`` runs once everything is written (ORM flushed)
    and before the COMMIT: the locks are still held then.
    """

    def __init__(self, registry, name, work, before_commit=None):
        super().__init__(name=f"plan-concurrency-{name}", daemon=True)
        self.registry = registry
        self.work = work
        self.before_commit = before_commit
        self.pid = None  # PostgreSQL backend of the current attempt
        self.attempts = 0
        self.retried_errors = []
        self.result = None
        self.error = None

    def run(self):
        # like the thread that runs the tests: no e-mail sent for real, no auto-commit
        threading.current_thread().testing = True
        threading.current_thread().dbname = self.registry.db_name
        try:
            while True:
                self.attempts += 1
                try:
                    self.result = self._attempt()
                    return
                except OperationalError as error:
                    if error.pgcode not in RETRIED_PGCODES or self.attempts >= MAX_ATTEMPTS:
                        raise
                    self.retried_errors.append(error.pgcode)
                    _logger.info(
                        "%s: %s, retrying (attempt %s)", self.name, error.pgcode, self.attempts
                    )
        except BaseException as error:
            self.error = error  # raised again by the test, in its own thread

    def _attempt(self):
        cr = self.registry.cursor()
        try:
            self.pid = cr._cnx.get_backend_pid()
            # Given the registry: api.Environment would look it up with Registry(dbname),
            # whose class lock the server's main thread holds while it runs the tests.
            cr.transaction = api.Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = self.work(env)
            cr.flush()
            if self.before_commit:
                self.before_commit(self)
            # committing is the point: the locks and conflicts are between transactions
            cr.commit()  # pylint: disable=invalid-commit
            return result
        finally:
            cr.close()  # rolls back what was not committed


class CommittedPlanCase(TransactionCase):
    """Tests on COMMITTED data, with cursors of their own (not the test's
    transaction): a committed plan (``_commit_plan``), deleted after the test."""

    def setUp(self):
        super().setUp()
        self.assertIsNone(
            self.registry.test_cr,
            "the registry is in test mode: its cursors would share the test transaction",
        )
        self.committed = {"partner_ids": []}
        # registered first, so it runs even when the set-up fails half-way
        self.addCleanup(self._delete_committed_data)

    # ------------------------------------------------------------------ committed data

    def _new_env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _commit_plan(self, total=300.0, count=3):
        """A guarantor with two posted invoices of 200.00 and an active plan of
        ``count`` monthly installments, committed."""
        with self.registry.cursor() as cr:  # commits on leaving
            env = self._new_env(cr)
            company = env.user.company_id
            if not company.chart_template:
                self.skipTest(f"{company.name} has no chart of accounts")
            journals = env["account.journal"].search(
                [("company_id", "=", company.id), ("type", "in", ("bank", "cash"))],
                order="type, id",
                limit=2,
            )
            if len(journals) < 2:
                self.skipTest(f"{company.name} has fewer than two bank and cash journals")
            today = fields.Date.context_today(env.user)
            guarantor = env["res.partner"].create(
                {
                    "name": "Testguarantor Concurrency",
                    "is_patient": True,
                    "patient_mrn": f"MRN-CONC-{uuid.uuid4().hex[:10]}",
                }
            )
            # committed as soon as the cursor commits: known to the clean-up from now on
            self.committed["partner_ids"].append(guarantor.id)
            invoices = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "company_id": company.id,
                        "patient_id": guarantor.id,
                        "invoice_date": today - timedelta(days=5),
                        "date": today - timedelta(days=5),
                        "invoice_date_due": today - timedelta(days=5),
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Office visit",
                                    "quantity": 1,
                                    "price_unit": 200.0,
                                    "tax_ids": [],
                                }
                            )
                        ],
                    }
                    for _index in range(2)
                ]
            )
            invoices.action_post()
            account = invoices.patient_account_id
            self.assertEqual(len(account), 1)
            self.assertEqual(account.balance_due, 400.0)
            plan = env["patient.payment.plan"]._create_plans(
                [
                    (
                        account,
                        {
                            "total_amount": total,
                            "installment_count": count,
                            "frequency": "monthly",
                            "first_due_date": today,
                        },
                    )
                ]
            )
            self.assertEqual(plan.state, "active")
            return {
                "today": today,
                "journal_ids": journals.ids,
                "invoice_ids": invoices.ids,
                "account_id": account.id,
                "plan_id": plan.id,
            }

    def _delete_committed_data(self):
        """Delete what the test committed: payments, invoices, plans, interactions,
        the patient account and the guarantor, checking nothing is left."""
        partner_ids = self.committed["partner_ids"]
        if not partner_ids:
            return
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            partners = env["res.partner"].browse(partner_ids).exists()
            accounts = env["patient.account"].search([("partner_id", "in", partners.ids)])
            # the plans first, so that unposting does not allocate again
            env["patient.payment.plan"].search([("account_id", "in", accounts.ids)]).unlink()
            # payments: unreconciled and back to draft, their entries deleted with them
            payments = env["account.payment"].search([("partner_id", "in", partners.ids)])
            payments.action_draft()
            payments.with_context(force_delete=True).unlink()
            moves = env["account.move"].search([("partner_id", "in", partners.ids)])
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            # interactions are a permanent record: only an uninstall deletes them
            env["patient.interaction"].search([("account_id", "in", accounts.ids)]).with_context(
                **{MODULE_UNINSTALL_FLAG: True}
            ).unlink()
            accounts.unlink()
            partners.unlink()
            env.flush_all()
            cr.execute(
                """
                SELECT (SELECT count(*) FROM res_partner WHERE id = ANY(%(p)s))
                     + (SELECT count(*) FROM account_move_line WHERE partner_id = ANY(%(p)s))
                     + (SELECT count(*) FROM account_payment WHERE partner_id = ANY(%(p)s))
                     + (SELECT count(*) FROM patient_account WHERE partner_id = ANY(%(p)s))
                     + (SELECT count(*) FROM patient_payment_plan WHERE partner_id = ANY(%(p)s))
                """,
                {"p": partner_ids},
            )
            self.assertEqual(cr.fetchone()[0], 0, "the committed test data is not all deleted")


@tagged("post_install", "-at_install")
class TestPlanConcurrency(CommittedPlanCase):
    """Two transactions allocating payments to the same plan at once."""

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _pay(invoice_id, amount, journal_id, payment_date):
        """The work of a transaction: a payment registered on an invoice the way an
        accountant does, reconciled with it (and so allocated to the plan)."""

        def work(env):
            wizard = (
                env["account.payment.register"]
                .with_context(active_model="account.move", active_ids=[invoice_id])
                .create({"amount": amount, "journal_id": journal_id, "payment_date": payment_date})
            )
            payment = wizard._create_payments()
            wizard.unlink()  # a transient record: not left behind in the database
            return payment.id

        return work

    def _wait_until_blocked(self, blocked, holder):
        """The pg_stat_activity row of ``blocked``'s backend once it waits for a
        lock that ``holder``'s transaction holds (fails after TIMEOUT seconds)."""
        deadline = time.monotonic() + TIMEOUT
        with self.registry.cursor() as monitor:
            while time.monotonic() < deadline:
                self.assertIsNone(blocked.error, f"{blocked.name} failed: {blocked.error!r}")
                self.assertTrue(
                    blocked.is_alive(),
                    f"{blocked.name} ended while {holder.name} held its locks: "
                    "nothing locked it out",
                )
                if blocked.pid:
                    monitor.execute(
                        """
                        SELECT wait_event_type, wait_event, pg_blocking_pids(pid), query
                          FROM pg_stat_activity
                         WHERE pid = %s
                        """,
                        [blocked.pid],
                    )
                    row = monitor.fetchone()
                    # the statistics are a snapshot per transaction: a new one each time
                    monitor.rollback()
                    if row and row[0] == "Lock" and holder.pid in row[2]:
                        return {"wait_event": row[1], "query": row[3]}
                time.sleep(0.05)
        self.fail(f"{blocked.name} was not blocked by {holder.name} within {TIMEOUT} s")

    def _run_concurrently(self, first_work, second_work):
        """Run ``first_work`` until just before its COMMIT, then ``second_work``
        until it waits for the first's locks, then let the first commit.

        Returns (first, second, what the second waited on)."""
        paused = threading.Event()
        resume = threading.Event()

        def pause(transaction):
            paused.set()
            if not resume.wait(TIMEOUT * 2):
                raise TimeoutError(f"{transaction.name} was never let commit")

        first = ConcurrentTransaction(self.registry, "A", first_work, before_commit=pause)
        second = ConcurrentTransaction(self.registry, "B", second_work)
        waited = None
        # the second transaction's first attempt ends in an expected error
        with mute_logger("odoo.sql_db"):
            try:
                first.start()
                self.assertTrue(paused.wait(TIMEOUT), f"{first.name} never got to its commit")
                self.assertIsNone(first.error)
                second.start()
                waited = self._wait_until_blocked(second, first)
                _logger.info(
                    "%s blocked by %s (%s) on: %s",
                    second.name,
                    first.name,
                    waited["wait_event"],
                    " ".join(waited["query"].split())[:300],
                )
            finally:
                resume.set()
                for transaction in (first, second):
                    if transaction.ident is not None:
                        transaction.join(TIMEOUT)
        for transaction in (first, second):
            self.assertFalse(transaction.is_alive(), f"{transaction.name} did not finish")
            if transaction.error:
                raise transaction.error
        self.assertEqual(first.attempts, 1, "the first transaction had nothing to wait for")
        _logger.info(
            "%s committed after %s attempt(s) (retried on %s)",
            second.name,
            second.attempts,
            second.retried_errors or "nothing",
        )
        return first, second, waited

    def _read_plan(self, plan_id):
        """The plan and its installments as committed, read with a fresh cursor."""
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            plan = env["patient.payment.plan"].browse(plan_id)
            installments = [
                (i.amount, i.amount_paid, i.state) for i in plan.installment_ids.sorted("sequence")
            ]
            return {
                "state": plan.state,
                "total_amount": plan.total_amount,
                "amount_paid": plan.amount_paid,
                "amount_remaining": plan.amount_remaining,
                "installments": installments,
            }

    def _assert_allocation(self, plan, paid_in):
        """What is allocated is what was paid, capped at the plan's total."""
        expected = min(paid_in, plan["total_amount"])
        allocated = sum(paid for _amount, paid, _state in plan["installments"])
        self.assertAlmostEqual(allocated, expected, places=2, msg=plan)
        self.assertAlmostEqual(plan["amount_paid"], expected, places=2, msg=plan)
        self.assertAlmostEqual(
            plan["amount_remaining"], plan["total_amount"] - expected, places=2, msg=plan
        )
        for amount, paid, _state in plan["installments"]:
            self.assertLessEqual(paid, amount, f"an installment is paid more than due: {plan}")

    # ------------------------------------------------------------------ tests

    def test_two_payments_at_once_never_allocate_more_than_due(self):
        """Two payments reconciled at once on two invoices of one plan's account:
        the second waits for the first and both are allocated, within the total."""
        data = self._commit_plan(total=300.0, count=3)
        bank, cash = data["journal_ids"]  # two journals: no contention on entry numbers
        invoice_1, invoice_2 = data["invoice_ids"]
        first, second, _waited = self._run_concurrently(
            self._pay(invoice_1, 180.0, bank, data["today"]),
            self._pay(invoice_2, 170.0, cash, data["today"]),
        )
        self.assertTrue(first.result and second.result)

        plan = self._read_plan(data["plan_id"])
        # 350.00 paid for a plan of 300.00: all of it allocated, no more
        self._assert_allocation(plan, 350.0)
        self.assertEqual(
            plan["installments"],
            [(100.0, 100.0, "paid"), (100.0, 100.0, "paid"), (100.0, 100.0, "paid")],
        )
        self.assertEqual(plan["state"], "completed")
        with self.registry.cursor() as cr:
            env = self._new_env(cr)
            for payment_id, invoice_id, amount in (
                (first.result, invoice_1, 180.0),
                (second.result, invoice_2, 170.0),
            ):
                payment = env["account.payment"].browse(payment_id)
                self.assertEqual(payment.amount, amount)
                self.assertEqual(payment.reconciled_invoice_ids.ids, [invoice_id])

    def test_allocation_waits_for_the_plan_lock(self):
        """An allocation without a payment of its own (the daily run's) waits on the
        plan's row lock for a payment being allocated, then counts it."""
        data = self._commit_plan(total=300.0, count=3)
        plan_id = data["plan_id"]

        def allocate(env):
            env["patient.payment.plan"].browse(plan_id)._allocate_payments()

        _first, _second, waited = self._run_concurrently(
            self._pay(data["invoice_ids"][0], 120.0, data["journal_ids"][0], data["today"]),
            allocate,
        )
        query = " ".join(waited["query"].split())
        self.assertIn("FROM patient_payment_plan", query)
        self.assertIn("FOR UPDATE", query, "the allocation waited on the plan's row lock")

        plan = self._read_plan(plan_id)
        self._assert_allocation(plan, 120.0)
        self.assertEqual(
            plan["installments"],
            [(100.0, 100.0, "paid"), (100.0, 20.0, "partial"), (100.0, 0.0, "open")],
        )
        self.assertEqual(plan["state"], "active")
