from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..logic import holds, plan_status
from .patient_payment_plan import PROGRESS_FIELDS
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

    resume_date = fields.Date(
        string="Resumed On",
        readonly=True,
        copy=False,
        help="The day the account's dispute, bankruptcy or deceased hold, which paused "
        "the plan, was lifted: an installment that fell due before it is missed only when "
        "still unpaid past the grace days counted from that day.",
    )

    # ------------------------------------------------------------------ allocation

    def _allocate_payments(self, today=None, changed=None):
        """Bring the plans' installments up to date with the payments and ``today``,
        incrementally: the plans whose payments changed since their last allocation
        (new, reversed or changed; ``payments_key``) are allocated again from scratch;
        for the others only the installments that fell past their grace days become
        missed (one UPDATE).  Then the plans whose installments changed get their
        progress, and those fully paid or with too many misses their end, in one
        UPDATE.  The result is that of a full reallocation.
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
        rows = looked._payment_rows()
        payments = self._payments_by_plan(rows)
        keys = looked._payments_keys(payments)
        moved = looked._with_new_payments(payments, keys)
        moved_ids = set(moved.ids)
        changes, payment_links = moved._allocation_changes(
            today, [row for row in rows if row[0] in moved_ids]
        )
        self.env["patient.payment.plan.installment"]._write_allocation(changes, payment_links)
        lapsed = (plans - moved)._mark_missed(today)
        work = moved | lapsed
        ends = work._outcomes()
        work._write_progress(today, {plan_id: keys[plan_id] for plan_id in moved_ids}, ends)
        work._close(today, ends, payments)

    def _payment_rows(self):
        """The guarantor's payments reconciled with the account's invoices since
        each plan started, in company currency: [(plan id, date, amount, payment
        id, partial id)] (``_payments_sql``)."""
        if not self:
            return []
        self._flush_for_payments()
        # eight tables joined from the plans to their payments, in the one order
        # that suits (few plans, indexed links): the planner is told to keep it,
        # which spares it a search that took longer than the query (set for this
        # statement only, then back to the default)
        self.env.cr.execute(
            SQL(
                "SET LOCAL join_collapse_limit = 1;"
                " WITH plan AS (SELECT id, account_id, activation_date, create_date"
                " FROM patient_payment_plan WHERE id = ANY(%s)) %s",
                self.ids,
                self._payments_sql(),
            )
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute(SQL("SET LOCAL join_collapse_limit TO DEFAULT"))
        return rows

    @api.model
    def _payments_by_plan(self, rows):
        """{plan id: [(date, amount, payment id)]} of ``_payment_rows``' rows (a
        payment of a bank statement line: ``partial-<id>``)."""
        payments = defaultdict(list)
        for plan_id, date, amount, payment_id, partial_id in rows:
            payments[plan_id].append((date, amount, payment_id or f"partial-{partial_id}"))
        return payments

    def _payments_since_activation(self):
        """{plan id: [(date, amount, payment id)]}: the guarantor's payments reconciled
        with the account's invoices since the plan started, in company currency."""
        return self._payments_by_plan(self._payment_rows())

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

    def _with_new_payments(self, payments, keys=None):
        """The plans whose payments are not those of their last allocation
        (``keys``: their fingerprints, when the caller has them)."""
        keys = keys or self._payments_keys(payments)
        return self.filtered(lambda plan: plan.payments_key != keys[plan.id])

    @api.model
    def _missed_cutoffs(self, companies, today):
        """``VALUES`` rows (company id, due date): for each of ``companies``, the
        latest due date an unpaid installment is missed by on ``today`` (its
        grace days, plan_status.missed_cutoff)."""
        return SQL(", ").join(
            SQL(
                "(%s, %s::date)",
                company.id,
                plan_status.missed_cutoff(today, company.collections_plan_grace_days),
            )
            for company in companies
        )

    def _mark_missed(self, today):
        """Installments of these plans, open or partly paid, whose grace days ended
        by ``today`` become missed (one UPDATE, the cut-off date per company from
        plan_status); returns the plans that got one (their progress is the
        caller's: ``_write_progress``).  Not while the account is on a dispute,
        bankruptcy or deceased hold (``holds.PLAN_PAUSING_HOLDS``): the plan is
        paused, no default chases what is not asked for; once lifted, what fell due
        meanwhile has the grace days again from the day it was (``resume_date``)."""
        if not self:
            return self
        Installment = self.env["patient.payment.plan.installment"]
        Installment.flush_model(["state", "due_date", "plan_id", "company_id"])
        self.flush_recordset(["account_id", "resume_date"])
        self.env["patient.account"].flush_model(["hold_reason"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE patient_payment_plan_installment installment
                   SET state = 'missed'
                  FROM (VALUES %s) AS cutoff (company_id, due_date),
                       patient_payment_plan plan
                  JOIN patient_account account ON account.id = plan.account_id
                 WHERE installment.plan_id = ANY(%s)
                   AND plan.id = installment.plan_id
                   -- the plans by their key too: else every plan is read for the join
                   AND plan.id = ANY(%s)
                   AND NOT COALESCE(account.hold_reason = ANY(%s), FALSE)
                   AND installment.company_id = cutoff.company_id
                   AND installment.due_date <= cutoff.due_date
                   AND (plan.resume_date IS NULL OR plan.resume_date <= cutoff.due_date)
                   AND installment.state IN ('open', 'partial')
             RETURNING installment.id, installment.plan_id
                """,
                self._missed_cutoffs(self.company_id, today),
                self.ids,
                self.ids,
                list(holds.PLAN_PAUSING_HOLDS),
            )
        )
        rows = self.env.cr.fetchall()
        Installment.browse([row[0] for row in rows]).invalidate_recordset(["state"])
        return self.browse({row[1] for row in rows})

    def _resume(self):
        """These active plans, paused by their account's hold just lifted, resume
        today (each practice's calendar): what fell due during the pause gets the
        grace days again from today, so the lifting of a hold does not default a
        plan at once.  A note on each plan says so (one batch)."""
        plans = trusted(self.sudo()).filtered(lambda plan: plan.state == "active")
        if not plans:
            return
        todays = plans.company_id._patient_todays()
        notes = {}
        for company in plans.company_id:
            group = plans.filtered(lambda plan, company=company: plan.company_id == company)
            group.write({"resume_date": todays[company.id]})
            note = self.env._(
                "The account's hold is lifted: the plan resumes. An installment that fell due "
                "while it was paused is missed only if still unpaid %(days)s days from today.",
                days=company.collections_plan_grace_days,
            )
            notes.update(dict.fromkeys(group.ids, note))
        plans._message_log_batch(bodies=notes)

    # ------------------------------------------------------------------ outcomes

    def _outcomes(self):
        """{plan id: plan_status.COMPLETED or DEFAULTED} of these plans that end with
        their installments as stored: all paid, or too many missed (one query)."""
        if not self:
            return {}
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
        return {plan_id: outcome for plan_id, outcome in outcomes.items() if outcome}

    def _write_progress(self, today, keys=None, ends=None):
        """The plans' progress from their installments (``_compute_progress``'s
        rules), the fingerprint of what was allocated (``keys``: {plan id: key})
        and the end of those that end (``ends``: {plan id: state}, dated ``today``;
        the chatter lines say it: no tracking), all in one UPDATE.  What depends
        on the state (the accounts' active plan, defaults, priority) is recomputed
        by the ORM as after a write."""
        if not self:
            return
        keys, ends = keys or {}, ends or {}
        self.flush_recordset(["total_amount", "payments_key", "state", "end_date"])
        self.env["patient.payment.plan.installment"].flush_model()
        news = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::varchar)",
                plan_id,
                plan_id in keys,
                keys.get(plan_id) or None,
                ends.get(plan_id),
            )
            for plan_id in self.ids
        )
        self.env.cr.execute(
            SQL(
                """
                WITH progress AS MATERIALIZED (
                    SELECT plan_id, SUM(COALESCE(amount_paid, 0)) AS paid,
                           COUNT(*) FILTER (WHERE state = 'missed') AS missed,
                           MIN(due_date) FILTER (WHERE state IN ('open', 'partial'))
                               AS open_due,
                           array_agg(due_date ORDER BY due_date, sequence, amount_due)
                               FILTER (WHERE state <> 'paid') AS due,
                           array_agg(amount_due ORDER BY due_date, sequence, amount_due)
                               FILTER (WHERE state <> 'paid') AS amount
                      FROM patient_payment_plan_installment
                     WHERE plan_id = ANY(%(ids)s)
                  GROUP BY plan_id
                )
                UPDATE patient_payment_plan plan
                   SET amount_paid = COALESCE(progress.paid, 0),
                       amount_remaining = plan.total_amount - COALESCE(progress.paid, 0),
                       next_due_date = progress.due[1],
                       next_due_amount = COALESCE(progress.amount[1], 0),
                       missed_count = COALESCE(progress.missed, 0),
                       open_due_date = progress.open_due,
                       payments_key = CASE WHEN new.allocated THEN new.key
                                           ELSE plan.payments_key END,
                       state = COALESCE(new.state, plan.state),
                       end_date = CASE WHEN new.state IS NULL THEN plan.end_date
                                       ELSE %(today)s END,
                       write_uid = CASE WHEN new.state IS NULL THEN plan.write_uid
                                        ELSE %(uid)s END,
                       write_date = CASE WHEN new.state IS NULL THEN plan.write_date
                                         ELSE %(now)s END
                  FROM (VALUES %(news)s) AS new (id, allocated, key, state)
                  LEFT JOIN progress ON progress.plan_id = new.id
                 WHERE plan.id = new.id AND plan.id = ANY(%(ids)s)
                """,
                news=news,
                ids=self.ids,
                today=today,
                uid=self.env.uid,
                now=self.env.cr.now(),
            )
        )
        self.invalidate_recordset(["payments_key", *PROGRESS_FIELDS])
        ended = self.browse(list(ends))
        ended.invalidate_recordset(["state", "end_date", "write_uid", "write_date"])
        ended.modified(["state", "end_date"])

    def _close(self, today, ends, payments):
        """What follows the end of the plans ``ends`` ({plan id: state}) has: a note
        on each plan (in one batch), what a completed plan could not take
        (``payments``: what was allocated) told to the accountant, a call activity
        for a default, and the accounts go on with collections, a line in each
        one's chatter saying why."""
        if not ends:
            return
        ended = self.browse(list(ends))
        completed = ended.filtered(lambda plan: ends[plan.id] == plan_status.COMPLETED)
        defaulted = ended - completed
        notes, lines = {}, {}
        for plan in completed:
            notes[plan.id] = self.env._("All installments are paid: the plan is complete.")
            lines[plan.account_id.id] = self.env._(
                "Payment plan %(plan)s completed.", plan=plan.name
            )
        for plan in defaulted:
            notes[plan.id] = self.env._(
                "%(count)s installments missed: the plan is in default.",
                count=plan.missed_count,
            )
            lines[plan.account_id.id] = self.env._(
                "Payment plan %(plan)s defaulted.", plan=plan.name
            )
        if defaulted:
            self.env["mail.activity"].sudo()._patient_create_batch(
                defaulted._default_activity_vals(today)
            )
        accounts = ended.account_id
        returned = accounts._escalation_return(lines, today)
        # the plans' notes and their accounts' lines: one INSERT
        self._message_log_batches([(ended, notes), (accounts.browse(list(returned)), returned)])
        completed._report_unapplied(payments)

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

    def _default_activity_vals(self, today):
        """A call activity per defaulted plan, for its account's specialist (else
        the user, when an internal one runs it, else a collections manager of the
        company: looked up once per company, as the activity check would)."""
        model_id = self.env["ir.model"]._get_id("patient.account")
        call = self.env["ir.model.data"]._xmlid_to_res_id("mail.mail_activity_data_call")
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
