from odoo import models
from odoo.tools import SQL

from ..logic import holds

# payments_key of a plan whose payments changed without a new reconciliation
STALE = "stale"


class PatientPaymentPlan(models.Model):
    """The allocation of payments to installments for many plans in one query:
    ``logic.plan_schedule.allocate`` (the reference, tests compare both) as
    running totals.  Per plan, the payments in allocate's order (date, then the
    reference as text) and the installments in its order (due date, then id) are
    laid end to end; an installment gets the overlap of its span with the
    payments' spans, it is paid on the date of the payment that reaches its end,
    and linked to the payments that overlap it."""

    _inherit = "patient.payment.plan"

    def _payments_sql(self):
        """The plans' payments (the ``plan`` relation: id, account_id,
        activation_date, create_date) as (plan id, date, amount, payment id,
        partial id): the guarantor's payments reconciled with the account's
        invoices since the plan was agreed, in company currency.  A payment of
        someone else (the insurer's remittance on a claim) is not the guarantor's:
        only payments of the guarantor (or of a contact of theirs), or of nobody
        named (a bank statement line), count."""
        return SQL(
            """
            SELECT plan.id AS plan_id, credit_line.date, partial.amount,
                   pay_move.origin_payment_id AS payment_id, partial.id AS partial_id
              FROM plan
              JOIN patient_account account ON account.id = plan.account_id
              JOIN account_move invoice ON invoice.patient_account_id = plan.account_id
              JOIN account_move_line debit_line ON debit_line.move_id = invoice.id
              JOIN account_partial_reconcile partial ON partial.debit_move_id = debit_line.id
              JOIN account_move_line credit_line ON credit_line.id = partial.credit_move_id
              JOIN account_move pay_move ON pay_move.id = credit_line.move_id
              LEFT JOIN res_partner payer ON payer.id = credit_line.partner_id
             WHERE invoice.state = 'posted'
               AND (payer.id IS NULL
                    OR COALESCE(payer.commercial_partner_id, payer.id) = account.partner_id)
               AND pay_move.state = 'posted'
               AND (pay_move.origin_payment_id IS NOT NULL
                    OR pay_move.statement_line_id IS NOT NULL)
               -- registered after the plan was agreed (whatever date the
               -- accountant's time zone gave the payment), or with it (one
               -- transaction) and dated from its start; one registered before it,
               -- earlier the same day too, had lowered the balance the plan was
               -- made of
               AND (pay_move.create_date > plan.create_date
                    OR (pay_move.create_date = plan.create_date
                        AND credit_line.date >= plan.activation_date))
            """
        )

    def _flush_for_payments(self):
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "date", "partner_id"])
        self.env["account.move"].flush_model(
            ["state", "patient_account_id", "origin_payment_id", "statement_line_id", "create_date"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["patient.account"].flush_model(["partner_id"])
        self.flush_model(
            ["account_id", "activation_date", "create_date", "currency_id", "resume_date"]
        )

    def _allocation_changes(self, today, rows=None):
        """What allocating the plans' payments changes on their installments, in one
        query: ({(paid, paid date, state): [installment ids]}, {installment id:
        [payment ids]}), only the installments whose values or payments differ from
        what is stored.  The states are plan_status.installment_state's on ``today``.
        ``rows``: the plans' payments as ``_payment_rows`` read them (else read here)."""
        if not self:
            return {}, {}
        self._flush_for_payments()
        if rows is None:
            payments = self._payments_sql()
        elif rows:
            payments = SQL(
                "SELECT * FROM (VALUES %s) AS payment (plan_id, date, amount, payment_id,"
                " partial_id)",
                SQL(", ").join(SQL("(%s, %s::date, %s::numeric, %s::int, %s::int)", *row)
                               for row in rows),
            )  # fmt: skip
        else:
            payments = SQL(
                "SELECT NULL::int AS plan_id, NULL::date AS date, NULL::numeric AS amount,"
                " NULL::int AS payment_id, NULL::int AS partial_id WHERE FALSE"
            )
        Installment = self.env["patient.payment.plan.installment"]
        Installment.flush_model(["plan_id", "due_date", "amount", "amount_paid", "paid_date"])
        Installment.flush_model(["state", "payment_ids"])
        self.env["patient.account"].flush_model(["hold_reason"])
        field = Installment._fields["payment_ids"]
        self.env.cr.execute(
            SQL(
                """
                WITH plan AS (
                    SELECT plan.id, plan.account_id, plan.activation_date, plan.create_date,
                           currency.decimal_places AS digits,
                           %(today)s::date - company.collections_plan_grace_days - 1 AS cutoff,
                           plan.resume_date,
                           -- on a dispute, bankruptcy or deceased hold nothing new
                           -- is missed (holds.PLAN_PAUSING_HOLDS)
                           COALESCE(account.hold_reason = ANY(%(paused)s), FALSE) AS paused
                      FROM patient_payment_plan plan
                      JOIN res_currency currency ON currency.id = plan.currency_id
                      JOIN res_company company ON company.id = plan.company_id
                      JOIN patient_account account ON account.id = plan.account_id
                     WHERE plan.id = ANY(%(ids)s)
                ), payment AS (%(payments)s
                ), money AS (
                    SELECT payment.*, round(payment.amount, plan.digits) AS money
                      FROM payment JOIN plan ON plan.id = payment.plan_id
                ), paying AS (
                    SELECT plan_id, date, payment_id, money,
                           SUM(money) OVER (
                               PARTITION BY plan_id
                               ORDER BY date, COALESCE(payment_id::text, 'partial-' || partial_id)
                                        COLLATE "C", partial_id
                               ROWS UNBOUNDED PRECEDING) AS upto
                      FROM money WHERE money > 0
                ), due AS (
                    SELECT inst.id, inst.plan_id, inst.due_date, plan.cutoff, plan.paused,
                           -- after a pause, the grace days count from its end too
                           -- (what was missed before the pause stays missed)
                           CASE WHEN inst.state = 'missed' THEN inst.due_date
                                ELSE GREATEST(inst.due_date, plan.resume_date)
                           END AS grace_from,
                           round(inst.amount, plan.digits) AS amount,
                           SUM(round(inst.amount, plan.digits)) OVER (
                               PARTITION BY inst.plan_id
                               ORDER BY inst.due_date, inst.id
                               ROWS UNBOUNDED PRECEDING) AS upto,
                           inst.amount_paid AS old_paid, inst.paid_date AS old_date,
                           inst.state AS old_state
                      FROM patient_payment_plan_installment inst
                      JOIN plan ON plan.id = inst.plan_id
                ), allocated AS (
                    SELECT due.id,
                           COALESCE(SUM(LEAST(paying.upto, due.upto)
                                        - GREATEST(paying.upto - paying.money,
                                                   due.upto - due.amount))
                                    FILTER (WHERE paying.plan_id IS NOT NULL), 0) AS paid,
                           (array_agg(paying.date ORDER BY paying.upto)
                               FILTER (WHERE paying.upto >= due.upto))[1] AS done_date,
                           COALESCE(array_agg(DISTINCT paying.payment_id)
                               FILTER (WHERE paying.payment_id IS NOT NULL), '{}') AS payment_ids
                      FROM due
                      LEFT JOIN paying
                        ON paying.plan_id = due.plan_id
                       AND paying.upto - paying.money < due.upto
                       AND paying.upto > due.upto - due.amount
                       AND due.amount > 0
                  GROUP BY due.id
                ), linked AS (
                    SELECT link.%(column1)s AS id,
                           array_agg(link.%(column2)s ORDER BY link.%(column2)s) AS payment_ids
                      FROM %(relation)s link
                     -- through the relation's index, not a scan of every plan's links
                     WHERE link.%(column1)s = ANY(ARRAY(SELECT id FROM due))
                  GROUP BY link.%(column1)s
                ), judged AS (
                    SELECT due.*, allocated.paid, allocated.payment_ids,
                           COALESCE(linked.payment_ids, '{}') AS old_payment_ids,
                           CASE WHEN allocated.paid >= due.amount THEN 'paid'
                                WHEN due.grace_from <= due.cutoff
                                     AND (NOT due.paused OR due.old_state = 'missed')
                                    THEN 'missed'
                                WHEN allocated.paid > 0 THEN 'partial'
                                ELSE 'open' END AS state,
                           allocated.done_date
                      FROM due
                      JOIN allocated ON allocated.id = due.id
                      LEFT JOIN linked ON linked.id = due.id
                )
                SELECT id, paid, CASE WHEN state = 'paid' THEN done_date END, state,
                       payment_ids, payment_ids <> old_payment_ids
                  FROM judged
                 WHERE payment_ids <> old_payment_ids
                    OR (paid, CASE WHEN state = 'paid' THEN done_date END, state)
                       IS DISTINCT FROM (COALESCE(old_paid, 0), old_date, old_state)
                """,
                today=today,
                ids=self.ids,
                paused=list(holds.PLAN_PAUSING_HOLDS),
                payments=payments,
                relation=SQL.identifier(field.relation),
                column1=SQL.identifier(field.column1),
                column2=SQL.identifier(field.column2),
            )
        )
        changes, payment_links = {}, {}
        for installment_id, paid, paid_date, state, payment_ids, relink in self.env.cr.fetchall():
            changes.setdefault((float(paid), paid_date or False, state), []).append(installment_id)
            if relink:
                payment_links[installment_id] = payment_ids
        return changes, payment_links

    def _mark_stale(self):
        """These plans' payments changed in a way their fingerprint cannot see
        cheaply (a reconciliation removed): the next sweep allocates them again."""
        if self:
            self.flush_model(["payments_key"])
            self.env.cr.execute(
                SQL(
                    "UPDATE patient_payment_plan SET payments_key = %s"
                    " WHERE id = ANY(%s) AND state = 'active'",
                    STALE,
                    self.ids,
                )
            )
            self.invalidate_recordset(["payments_key"])
