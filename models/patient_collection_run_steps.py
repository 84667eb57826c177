"""The steps of the collections run, in order, and the smaller ones themselves.

A step is a method ``_step_<name>(companies, today, counts)`` of the run record
(empty when a step is called on its own, as the benches do), listed by
:meth:`_collection_steps`; it counts what it did in ``counts`` (a
``logic.run_counts.RunCounts``, or any ``Counter``) and isolates the accounts it
cannot process with :meth:`_isolated`.  A step that works in batches takes its
records from :meth:`_step_window` and returns what it gives (a ``StepBatch``
while records remain); a step that returns None is over (see
``patient_collection_run_batches.py``).  The larger steps have files of their own:
``_statements``, ``_escalation``, ``_writeoff`` and ``_snapshot``.
"""

from odoo import models

from ..logic.run_counts import CountKey
from .patient_collection_run import BATCH_SIZE
from .patient_collection_run_batches import StepBatch


class PatientCollectionRun(models.Model):
    _inherit = "patient.collection.run"

    def _collection_steps(self):
        """Names of the run's steps, in order; later capabilities add theirs."""
        return [
            "_step_refresh_aging",
            "_step_promises",
            "_step_lift_expired_holds",
            "_step_insurance_holds",
            "_step_payment_plans",
            "_step_escalate",
            "_step_statements",
        ]

    def _accounts(self, companies, domain=()):
        return (
            self.env["patient.account"]
            .sudo()
            .with_context(active_test=True)
            .search([("company_id", "in", companies.ids), *domain], order="id")
        )

    def _batches(self, records):
        for start in range(0, len(records), BATCH_SIZE):
            yield records[start : start + BATCH_SIZE]

    def _step_refresh_aging(self, companies, today, counts):
        """Age the accounts not aged today, set-based, batch after batch."""
        Account = self.env["patient.account"].sudo().with_context(active_test=False)
        accounts, more = self._step_window(
            Account,
            [
                ("company_id", "in", companies.ids),
                "|",
                ("aging_date", "=", False),
                ("aging_date", "<", today),
            ],
            "_step_refresh_aging",
        )
        for batch in self._batches(accounts):
            counts[CountKey("refreshed")] += len(
                self._isolated(
                    "_step_refresh_aging",
                    batch,
                    lambda records: records._refresh_balances(today=today, batch_size=BATCH_SIZE),
                    counts,
                )
            )
        return more

    def _step_promises(self, companies, today, counts):
        """Judge the promises whose date has passed (before their holds expire)."""
        result = self.env["patient.interaction"]._settle_due_promises(companies, today)
        counts[CountKey("promise_kept")] += result["kept"]
        counts[CountKey("promise_broken")] += result["broken"]

    def _step_lift_expired_holds(self, companies, today, counts):
        expired = self._accounts(
            companies,
            [("hold_reason", "!=", False), ("hold_until", "!=", False), ("hold_until", "<", today)],
        )
        why = self.env._("The hold date has passed.")
        self._release_holds("_step_lift_expired_holds", expired, why, "hold_expired", counts)

    def _step_insurance_holds(self, companies, today, counts):
        """Hold accounts whose whole open balance waits for insurance; release them
        when the claims are adjudicated (or part of the balance is due)."""
        self._apply_insurance_holds(companies, counts)
        self._release_insurance_holds(companies, counts)

    def _apply_insurance_holds(self, companies, counts):
        to_hold = self._accounts(
            companies,
            [
                ("hold_reason", "=", False),
                ("balance_due", "<=", 0),
                ("balance_insurance_pending", ">", 0),
            ],
        )
        held = self._isolated(
            "_step_insurance_holds",
            to_hold,
            lambda records: records._set_hold("insurance_pending", auto=True),
            counts,
        )
        counts[CountKey("hold_applied")] += len(held)

    def _release_insurance_holds(self, companies, counts):
        auto_held = self._accounts(
            companies, [("hold_reason", "=", "insurance_pending"), ("hold_auto", "=", True)]
        )
        to_release = auto_held.filtered(
            lambda a: not (a.balance_due <= 0 and a.balance_insurance_pending > 0)
        )
        why = self.env._("The insurance claims were adjudicated.")
        self._release_holds("_step_insurance_holds", to_release, why, "hold_released", counts)

    def _release_holds(self, step, accounts, why, kind, counts):
        """Release the holds of ``accounts`` (``why``: the chatter's reason), each
        account that fails left held; counted under ``kind``."""
        released = self._isolated(
            step, accounts, lambda records: records._release_hold(why=why), counts
        )
        counts[CountKey(kind)] += len(released)

    def _step_payment_plans(self, companies, today, counts):
        """Allocate payments, mark missed installments, complete and default plans:
        only the active plans with work to do (payments changed, an installment
        past its grace days), found in one query, at most a batch limit a call."""
        Plan = self.env["patient.payment.plan"].sudo()
        ids, changed = Plan._sweep_candidates(
            companies, today, after=self.step_cursor if self else 0, exact=False
        )
        limit = self._batch_limit("_step_payment_plans")
        more = None
        if limit and len(ids) > limit:
            more = StepBatch(ids[limit - 1], len(ids) - limit)
            ids = ids[:limit]
        plans = Plan.browse(ids)
        done = plans.browse()
        for batch in self._batches(plans):
            done |= self._isolated(
                "_step_payment_plans",
                batch,
                lambda records: records._allocate_payments(today, changed),
                counts,
                account_of=lambda plan: plan.account_id,
            )
        for plan in done.filtered(lambda plan: plan.state != "active"):
            counts[CountKey("plan_" + plan.state)] += 1
        return more
