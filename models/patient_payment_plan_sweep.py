"""Which plans the daily sweep works on, in one query, without reading every
active plan: those with an open or partly paid installment past its grace days
(``open_due_date``, kept by the allocation), and those whose payments are not
those of their last allocation (``payments_key``), looked at only when a
reconciliation of their account's invoices is newer than what the previous
day's sweep saw, or when they were marked stale."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .patient_protected import is_trusted

SWEEP_MARK = ("patient_plan_sweep_date", "patient_plan_sweep_floor", "patient_plan_sweep_seen")


class ResCompany(models.Model):
    _inherit = "res.company"

    # the sweep's mark, written in SQL by the sweep itself (never a setting)
    patient_plan_sweep_date = fields.Date(
        string="Last Payment Plan Sweep", readonly=True, copy=False
    )
    patient_plan_sweep_floor = fields.Integer(
        string="Reconciliations Seen Before the Sweep", readonly=True, copy=False
    )
    patient_plan_sweep_seen = fields.Integer(
        string="Reconciliations Seen by the Sweep", readonly=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_sweep_mark_untouched(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_sweep_mark_untouched([vals])
        return super().write(vals)

    @api.model
    def _check_sweep_mark_untouched(self, vals_list):
        """Only the sweep keeps its mark (in SQL): a client, administrators
        included, may not set it."""
        if not is_trusted(self.env) and any(
            name in vals for vals in vals_list for name in SWEEP_MARK
        ):
            raise AccessError(
                self.env._(
                    "The payment plan sweep's mark is kept by the nightly run: it cannot be edited."
                )
            )


class PatientPaymentPlan(models.Model):
    _inherit = "patient.payment.plan"

    def init(self):
        res = super().init()
        # the sweep's two questions, answered from small partial indexes
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS patient_payment_plan_lapse_idx"
                " ON patient_payment_plan (open_due_date) WHERE state = 'active';"
                " CREATE INDEX IF NOT EXISTS patient_payment_plan_stale_idx"
                " ON patient_payment_plan (id) WHERE payments_key = 'stale';"
                # where earlier versions kept the mark: settings
                " DELETE FROM ir_config_parameter"
                " WHERE key LIKE 'patient_collections.plan_sweep_partials.%%'"
            )
        )
        self._mark_finished_schedules_stale()
        return res

    @api.model
    def _mark_finished_schedules_stale(self):
        """Active plans whose schedule is over with an installment missed (none open
        or partly paid is left) end as defaulted (``plan_status.plan_outcome``);
        before that rule they stayed active for ever, and the sweep never looks at
        them again by itself: marked stale, the next sweep ends them."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE patient_payment_plan plan SET payments_key = 'stale'
                 WHERE plan.state = 'active'
                   AND plan.payments_key IS DISTINCT FROM 'stale'
                   AND EXISTS (SELECT 1 FROM patient_payment_plan_installment i
                                WHERE i.plan_id = plan.id AND i.state = 'missed')
                   AND NOT EXISTS (SELECT 1 FROM patient_payment_plan_installment i
                                    WHERE i.plan_id = plan.id
                                      AND i.state NOT IN ('paid', 'missed'))
                """
            )
        )
        self.invalidate_model(["payments_key"])

    def _plans_to_sweep(self, today):
        """Those of these active plans the daily sweep has work on, in order of id."""
        if not self:
            return self
        return self.browse(self._sweep_candidates(self.sudo().company_id, today, ids=self.ids)[0])

    @api.model
    def _sweep_candidates(self, companies, today, after=0, ids=None, exact=True):
        """(ids, changed): the ids, in order, of the active plans of ``companies``
        after id ``after`` (with ``ids``: of those) that the sweep of ``today`` changes:
        an open or partly paid installment past its grace days, or payments that
        are not those of the last allocation.  The first sweep of a company looks
        at every plan's payments; later ones only at the plans with a newer
        reconciliation (or marked stale).  ``changed``: the ids of those whose
        payments may have changed (the others only have installments to miss).
        ``exact=False`` (the sweep's step, whose allocation reads them anyway): the
        payments are not read here, every plan with a newer reconciliation is in."""
        if not companies:
            return [], set()
        floor = self._sweep_partial_floor(companies, today)
        self._flush_for_payments()
        self.flush_model(["state", "company_id", "open_due_date", "payments_key", "resume_date"])
        if ids is None:
            scope = SQL("plan.id > %s", after or 0)
        else:
            scope = SQL("plan.id = ANY(%s)", list(ids))
        scope = SQL(
            "%s AND plan.state = 'active' AND plan.company_id = ANY(%s)", scope, companies.ids
        )
        cutoffs = self._missed_cutoffs(companies, today)
        if floor is None:
            paid = SQL("SELECT plan.id FROM patient_payment_plan plan WHERE %s", scope)
        else:
            paid = SQL(
                """
                SELECT plan.id FROM patient_payment_plan plan
                 WHERE plan.payments_key = 'stale' AND %(scope)s
                 UNION
                SELECT plan.id
                  FROM account_partial_reconcile partial
                  JOIN account_move_line debit_line ON debit_line.id = partial.debit_move_id
                  JOIN account_move invoice ON invoice.id = debit_line.move_id
                  JOIN patient_payment_plan plan ON plan.account_id = invoice.patient_account_id
                 WHERE partial.id > %(floor)s AND %(scope)s
                """,
                scope=scope,
                floor=floor,
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT plan.id, TRUE FROM patient_payment_plan plan
                  JOIN (VALUES %(cutoffs)s) AS cutoff (company_id, due_date)
                    ON cutoff.company_id = plan.company_id
                 WHERE plan.open_due_date <= cutoff.due_date
                   AND (plan.resume_date IS NULL OR plan.resume_date <= cutoff.due_date)
                   AND %(scope)s
                 UNION ALL
                SELECT paid.id, FALSE FROM (%(paid)s) AS paid
                """,
                cutoffs=cutoffs,
                scope=scope,
                paid=paid,
            )
        )
        lapsed, looked = set(), set()
        for plan_id, is_lapsed in self.env.cr.fetchall():
            (lapsed if is_lapsed else looked).add(plan_id)
        if exact:
            changed = (looked & lapsed) | self.browse(looked - lapsed)._with_changed_payments()
        else:
            changed = looked
        return sorted(lapsed | changed), changed

    def _with_changed_payments(self):
        """Ids of these plans whose payments are not those of their last allocation."""
        if not self:
            return set()
        return set(self._with_new_payments(self._payments_since_activation()).ids)

    @api.model
    def _sweep_partial_floor(self, companies, today):
        """The newest reconciliation id the companies' sweep of a previous day saw
        (the lowest of them; None when one has not swept yet).  A company's first
        sweep of ``today`` records the newest id now, for the next day (in SQL: a
        mark of the sweep, not a setting whose write would reset Odoo's caches)."""
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_company
                   SET patient_plan_sweep_date = %(today)s,
                       patient_plan_sweep_floor = patient_plan_sweep_seen,
                       patient_plan_sweep_seen = (
                           SELECT COALESCE(MAX(id), 0) FROM account_partial_reconcile
                       )
                 WHERE id = ANY(%(ids)s)
                   AND patient_plan_sweep_date IS DISTINCT FROM %(today)s;
                SELECT CASE WHEN bool_and(patient_plan_sweep_floor IS NOT NULL)
                            THEN MIN(patient_plan_sweep_floor) END
                  FROM res_company WHERE id = ANY(%(ids)s)
                """,
                today=today,
                ids=companies.ids,
            )
        )
        floor = self.env.cr.fetchone()[0]
        companies.invalidate_recordset(list(SWEEP_MARK))
        return floor
