from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL

from ..logic import plan_status
from .patient_protected import trusted


class PatientPaymentPlan(models.Model):
    """Payments to installments: the allocation, the states it gives the
    installments, and the plans it completes or defaults."""

    _inherit = "patient.payment.plan"

    payments_key = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of the payments allocated last time: the plan is allocated "
        "again only when its payments change.",
    )

    # ------------------------------------------------------------------ allocation

    def _allocate_payments(self, today=None, changed=None):
        """Bring the plans' installments up to date with the payments and ``today``,
        incrementally: the plans whose payments changed since their last allocation
        (new, reversed or changed; ``payments_key``) are allocated again from scratch;
        for the others only the installments that fell past their grace days become
        missed (one UPDATE).  Then the plans whose installments changed are completed
        or defaulted, in batches.  The result is that of a full reallocation.
        Follows the accounting whoever posted the payment: runs as superuser.
        ``changed``: the ids of the plans whose payments may have changed (the
        sweep's; the others' payments are not read), None: any of them."""
        plans = trusted(self.sudo()).filtered(lambda plan: plan.state == "active")
        if not plans:
            return
        today = today or plans[:1]._company_today()
        plans._lock_for_allocation()
        # the sweep knows which plans' payments changed (see _sweep_candidates)
        looked = plans if changed is None else plans.filtered(lambda plan: plan.id in changed)
        payments = looked._payments_since_activation()
        moved = looked._with_new_payments(payments)
        changes, payment_links = moved._allocation_changes(today)
        self.env["patient.payment.plan.installment"]._write_allocation(changes, payment_links)
        moved._store_payments_keys(payments)
        lapsed = (plans - moved)._mark_missed(today)
        (moved | lapsed)._close_if_done(today, payments)

    def _payments_since_activation(self):
        """{plan id: [(date, amount, payment id)]}: the guarantor's payments reconciled
        with the account's invoices since the plan started, in company currency."""
        if not self:
            return {}
        self._flush_for_payments()
        self.env.cr.execute(
            SQL(
                "WITH plan AS (SELECT id, account_id, activation_date, create_date"
                " FROM patient_payment_plan WHERE id = ANY(%s)) %s",
                self.ids,
                self._payments_sql(),
            )
        )
        payments = defaultdict(list)
        for plan_id, date, amount, payment_id, partial_id in self.env.cr.fetchall():
            payments[plan_id].append((date, amount, payment_id or f"partial-{partial_id}"))
        return payments

    def _lock_for_allocation(self):
        """Serialize allocations of the same plans across transactions."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM patient_payment_plan WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    self.ids,
                )
            )

    def _payments_keys(self, payments):
        return {
            plan.id: plan_status.payments_key(
                payments.get(plan.id, []), plan.currency_id.decimal_places
            )
            for plan in self
        }

    def _with_new_payments(self, payments):
        """The plans whose payments are not those of their last allocation."""
        keys = self._payments_keys(payments)
        return self.filtered(lambda plan: plan.payments_key != keys[plan.id])

    def _store_payments_keys(self, payments):
        """Remember what was allocated (one UPDATE)."""
        if not self:
            return
        keys = self._payments_keys(payments)
        self.flush_model(["payments_key"])
        self.env.cr.execute(
            SQL(
                "UPDATE patient_payment_plan plan SET payments_key = new.key"
                " FROM (VALUES %s) AS new (id, key) WHERE plan.id = new.id",
                SQL(", ").join(
                    SQL("(%s, %s)", plan_id, key or None) for plan_id, key in keys.items()
                ),
            )
        )
        self.invalidate_recordset(["payments_key"])

    def _mark_missed(self, today):
        """Installments of these plans, open or partly paid, whose grace days ended
        by ``today`` become missed (one UPDATE, the cut-off date per company from
        plan_status); returns the plans that got one."""
        if not self:
            return self
        cutoffs = {
            company.id: plan_status.missed_cutoff(today, company.collections_plan_grace_days)
            for company in self.company_id
        }
        Installment = self.env["patient.payment.plan.installment"]
        Installment.flush_model(["state", "due_date", "plan_id", "company_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE patient_payment_plan_installment installment
                   SET state = 'missed'
                  FROM (VALUES %s) AS cutoff (company_id, due_date)
                 WHERE installment.plan_id = ANY(%s)
                   AND installment.company_id = cutoff.company_id
                   AND installment.due_date <= cutoff.due_date
                   AND installment.state IN ('open', 'partial')
             RETURNING installment.id, installment.plan_id
                """,
                SQL(", ").join(SQL("(%s, %s::date)", *item) for item in cutoffs.items()),
                self.ids,
            )
        )
        rows = self.env.cr.fetchall()
        plans = self.browse({row[1] for row in rows})
        Installment.browse([row[0] for row in rows])._refresh_progress(plans.ids)
        return plans

    # ------------------------------------------------------------------ outcomes

    def _close_if_done(self, today, payments=None):
        """Complete fully paid plans; default plans with too many missed installments.
        ``payments`` ({plan id: [(date, amount, ref)]}): what was allocated, to tell
        the accountant what a completed plan could not take."""
        if not self:
            return
        Installment = self.env["patient.payment.plan.installment"]
        Installment.flush_model(["plan_id", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT plan_id, array_agg(state) FROM patient_payment_plan_installment"
                " WHERE plan_id = ANY(%s) GROUP BY plan_id",
                self.ids,
            )
        )
        states = dict(self.env.cr.fetchall())
        outcomes = {
            plan.id: plan_status.plan_outcome(
                states.get(plan.id, []), plan.company_id.collections_plan_misses_default
            )
            for plan in self
        }
        completed = self.filtered(lambda plan: outcomes[plan.id] == plan_status.COMPLETED)
        defaulted = self.filtered(lambda plan: outcomes[plan.id] == plan_status.DEFAULTED)
        completed._complete(today)
        completed._report_unapplied(payments or {})
        defaulted._default(today)

    def _complete(self, today):
        """End paid plans: state, chatter of the plan and the account (in batches),
        and the accounts go on with collections by the run's rules."""
        if not self:
            return
        self._end_plans("completed", today)
        self._log_ending(
            dict.fromkeys(self.ids, self.env._("All installments are paid: the plan is complete.")),
            lambda plan: self.env._("Payment plan %(plan)s completed.", plan=plan.name),
        )
        self.account_id._return_to_escalation()

    def _end_plans(self, state, today):
        """The plans' state and end date in one UPDATE (the chatter lines of the
        callers say it: no tracking); what depends on the state (the accounts'
        active plan, defaults, priority) is recomputed by the ORM as after a write."""
        self.flush_recordset(["state", "end_date"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE patient_payment_plan
                   SET state = %(state)s, end_date = %(today)s,
                       write_uid = %(uid)s, write_date = %(now)s
                 WHERE id = ANY(%(ids)s)
                """,
                state=state,
                today=today,
                uid=self.env.uid,
                now=self.env.cr.now(),
                ids=self.ids,
            )
        )
        self.invalidate_recordset(["state", "end_date", "write_uid", "write_date"])
        self.modified(["state", "end_date"])

    def _report_unapplied(self, payments):
        """Tell the accountant, on each payment and on the plan, what of it the plan
        did not take (its installments were all paid): it is not lost, it stays on
        the account's invoices."""
        notes, plan_notes = {}, {}
        for plan in self:
            installments = [(i.id, i.due_date, i.amount) for i in plan.installment_ids]
            digits = plan.currency_id.decimal_places
            for ref, amount in plan_status.unapplied(
                installments, payments.get(plan.id, []), digits
            ):
                text = self.env._(
                    "%(amount)s of this payment was not applied to payment plan %(plan)s: "
                    "all its installments were paid. It stays on the account's invoices.",
                    amount=plan.currency_id.format(float(amount)),
                    plan=plan.name,
                )
                plan_notes.setdefault(plan.id, []).append(text)
                if isinstance(ref, int):
                    notes[ref] = text
        if notes:
            self.env["account.payment"].browse(list(notes))._message_log_batch(bodies=notes)
        if plan_notes:
            self._message_log_batch(
                bodies={plan_id: " ".join(texts) for plan_id, texts in plan_notes.items()}
            )

    def _default(self, today):
        """End plans in default: state, chatter (in batches), a call activity for
        the account's specialist, and the accounts go on with collections."""
        if not self:
            return
        self._end_plans("defaulted", today)
        self._log_ending(
            {
                plan.id: self.env._(
                    "%(count)s installments missed: the plan is in default.",
                    count=plan.missed_count,
                )
                for plan in self
            },
            lambda plan: self.env._("Payment plan %(plan)s defaulted.", plan=plan.name),
        )
        self.env["mail.activity"].sudo()._patient_create_batch(self._default_activity_vals(today))
        self.account_id._return_to_escalation()

    def _log_ending(self, bodies, account_text):
        """The plans' notes (``bodies``: {plan id: text}) and a line in each plan's
        account chatter (``account_text(plan)``), all in one INSERT (one plan:
        through Odoo, as ``_message_log_batch`` does)."""
        accounts = self.account_id
        account_bodies = {
            plan.account_id.id: Markup("<p>%s</p>") % account_text(plan) for plan in self
        }
        if len(self) < 2:
            self._message_log_batch(bodies=bodies)
            accounts._message_log_batch(bodies=account_bodies)
            return
        common = self._log_row_common(False, None, None, "notification")
        self._insert_log_rows(
            self._log_rows(bodies, common) + accounts._log_rows(account_bodies, common)
        )
        accounts.invalidate_recordset(
            ["message_ids", "message_needaction", "message_needaction_counter"]
        )

    def _default_activity_vals(self, today):
        """A call activity per defaulted plan, for its account's specialist (else
        the user, when an internal one runs it, else a collections manager of the
        company: looked up once per company, as the activity check would)."""
        model_id = self.env["ir.model"]._get_id("patient.account")
        call = self.env.ref("mail.mail_activity_data_call").id
        user = self.env.user
        fallback = {}
        if not user.active or user.share:
            for plan in self.filtered(lambda plan: not plan.account_id.user_id):
                if plan.company_id not in fallback:
                    fallback[plan.company_id] = plan.account_id._collections_manager()
        return [
            {
                "res_model_id": model_id,
                "res_id": plan.account_id.id,
                "activity_type_id": call,
                "summary": self.env._("Payment plan defaulted: call the guarantor"),
                "user_id": (plan.account_id.user_id or fallback.get(plan.company_id, user)).id,
                "date_deadline": today,
            }
            for plan in self
        ]
