from odoo import api, models
from odoo.tools import SQL

from .patient_collection_snapshot import BUCKET_FIELDS, KPI_FIELDS, RIGHT_PARTY_OUTCOMES


class PatientCollectionSnapshotTake(models.Model):
    """Writing the day: one DELETE and one INSERT ... SELECT per run."""

    _inherit = "patient.collection.snapshot"

    @api.model
    def _flush_sources(self):
        self.env["patient.account"].flush_model(
            [
                "company_id",
                "currency_id",
                "active",
                "stage_id",
                "stage_date",
                "user_id",
                "balance_due",
                "balance_insurance_pending",
                "last_payment_date",
                "last_payment_amount",
                *BUCKET_FIELDS,
            ]
        )
        self.env["patient.interaction"].flush_model(
            ["account_id", "date", "outcome", "state", "promise_state", "promise_checked_on"]
        )
        self.env["patient.payment.plan"].flush_model(["account_id", "state", "activation_date"])
        self.env["account.move"].flush_model(
            ["move_type", "invoice_date", "payment_state", "patient_account_id"]
        )
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])

    @api.model
    def _take(self, companies, day):
        """Store ``day``'s rows of ``companies`` (replacing the day's earlier rows):
        one DELETE and one INSERT ... SELECT over the active accounts.  Returns the
        number of rows written."""
        self._flush_sources()
        self.flush_model()
        company_ids = list(companies.ids)
        cr = self.env.cr
        cr.execute(
            SQL(
                "DELETE FROM patient_collection_snapshot WHERE date = %s AND company_id = ANY(%s)",
                day,
                company_ids,
            )
        )
        cr.execute(self._insert_query(company_ids, day))
        count = cr.rowcount
        self.invalidate_model()
        return count

    @api.model
    def _insert_query(self, company_ids, day):
        """The INSERT ... SELECT of the day: the accounts' balances and buckets, and
        the day's KPI inputs joined per account from interactions, plans and the
        invoices fully paid that day."""
        return SQL(
            """
            WITH accounts AS (
                SELECT pa.*
                  FROM patient_account pa
                 WHERE pa.company_id = ANY(%(companies)s) AND pa.active
            ), contacts AS (%(contacts)s), plans AS (%(plans)s), paid AS (%(paid)s)
            INSERT INTO patient_collection_snapshot (
                date, company_id, currency_id, stage_id, user_id, insurance_status,
                account_count, balance_due, balance_insurance_pending, %(bucket_columns)s,
                %(kpi_columns)s, create_uid, create_date, write_uid, write_date)
            SELECT %(day)s, pa.company_id, MIN(pa.currency_id), pa.stage_id, pa.user_id,
                   CASE WHEN pa.balance_insurance_pending > 0 THEN 'pending' ELSE 'none' END,
                   COUNT(*), SUM(pa.balance_due), SUM(pa.balance_insurance_pending), %(buckets)s,
                   COALESCE(SUM(pa.last_payment_amount)
                            FILTER (WHERE pa.last_payment_date = %(day)s), 0),
                   COUNT(*) FILTER (WHERE pa.stage_date = %(day)s),
                   COUNT(*) FILTER (WHERE COALESCE(c.contacts, 0) > 0),
                   COALESCE(SUM(c.contacts), 0), COALESCE(SUM(c.right_party), 0),
                   COALESCE(SUM(c.promises), 0), COALESCE(SUM(c.kept), 0),
                   COALESCE(SUM(c.broken), 0), COALESCE(SUM(p.active), 0),
                   COALESCE(SUM(p.started), 0), COALESCE(SUM(p.defaulted), 0),
                   COALESCE(SUM(d.invoices), 0), COALESCE(SUM(d.days), 0),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM accounts pa
         LEFT JOIN contacts c ON c.account_id = pa.id
         LEFT JOIN plans p ON p.account_id = pa.id
         LEFT JOIN paid d ON d.account_id = pa.id
          GROUP BY pa.company_id, pa.stage_id, pa.user_id,
                   CASE WHEN pa.balance_insurance_pending > 0 THEN 'pending' ELSE 'none' END
            """,
            companies=company_ids,
            day=day,
            contacts=self._contacts_query(day),
            plans=self._plans_query(day),
            paid=self._paid_invoices_query(day),
            buckets=SQL(", ").join(SQL("SUM(pa.%s)", SQL.identifier(n)) for n in BUCKET_FIELDS),
            bucket_columns=SQL(", ").join(SQL.identifier(name) for name in BUCKET_FIELDS),
            kpi_columns=SQL(", ").join(SQL.identifier(name) for name in KPI_FIELDS),
            uid=self.env.uid,
        )

    @api.model
    def _contacts_query(self, day):
        """Per account: the day's contacts, right-party contacts and promises made,
        and the promises judged kept or broken that day (CTE ``accounts`` in scope)."""
        return SQL(
            """
                SELECT i.account_id,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1) AS contacts,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1
                                          AND i.outcome = ANY(%(right_party)s)) AS right_party,
                       COUNT(*) FILTER (WHERE i.date >= %(day)s::date
                                          AND i.date < %(day)s::date + 1
                                          AND i.outcome = 'promise_to_pay') AS promises,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'kept') AS kept,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'broken') AS broken
                  FROM patient_interaction i
                  JOIN accounts a ON a.id = i.account_id
                 WHERE i.state = 'logged'
                   AND ((i.date >= %(day)s::date AND i.date < %(day)s::date + 1)
                        OR i.promise_checked_on = %(day)s)
              GROUP BY i.account_id
            """,
            day=day,
            right_party=list(RIGHT_PARTY_OUTCOMES),
        )

    @api.model
    def _plans_query(self, day):
        """Per account: active and defaulted plans, plans activated that day."""
        return SQL(
            """
                SELECT p.account_id,
                       COUNT(*) FILTER (WHERE p.state = 'active') AS active,
                       COUNT(*) FILTER (WHERE p.activation_date = %(day)s) AS started,
                       COUNT(*) FILTER (WHERE p.state = 'defaulted') AS defaulted
                  FROM patient_payment_plan p
                  JOIN accounts a ON a.id = p.account_id
                 WHERE p.state IN ('active', 'defaulted') OR p.activation_date = %(day)s
              GROUP BY p.account_id
            """,
            day=day,
        )

    @api.model
    def _paid_invoices_query(self, day):
        """Per account: the patient invoices fully paid on ``day`` and the sum of
        their days to pay.  An invoice is fully paid on the day of its last
        reconciliation (the latest ``max_date`` of the partials on its receivable
        lines) once Odoo marks it paid or in payment; its days to pay run from the
        invoice date to that day.  Only the accounts that received a payment that
        day are looked at (``last_payment_date``), through indexes: the cost follows
        the day's payments, not the size of the ledger."""
        return SQL(
            """
                SELECT m.patient_account_id AS account_id, COUNT(*) AS invoices,
                       SUM(GREATEST(r.paid_on - m.invoice_date, 0)) AS days
                  FROM accounts a
                  JOIN account_move m ON m.patient_account_id = a.id
                  CROSS JOIN LATERAL (
                        SELECT MAX(p.max_date) AS paid_on
                          FROM account_move_line l
                          JOIN account_partial_reconcile p ON p.debit_move_id = l.id
                         WHERE l.move_id = m.id) r
                 WHERE a.last_payment_date = %(day)s
                   AND m.move_type = 'out_invoice'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND r.paid_on = %(day)s
              GROUP BY m.patient_account_id
            """,
            day=day,
        )
