from datetime import timedelta

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .patient_account_balances import money_in_sql
from .patient_collection_snapshot import (
    BUCKET_FIELDS,
    CALL_CHANNELS,
    KPI_FIELDS,
    RIGHT_PARTY_OUTCOMES,
    STOCK_KPI_FIELDS,
    UNWORKED_CHANNELS,
)
from .res_company_tz import day_start_utc

# How far back a run takes Collected again: a payment entered late but dated on an
# earlier day (yesterday's cheques, a statement imported the next morning) moves
# that day's figure; one dated more than this before the run's day is not seen.
RETAKE_DAYS = 31


class PatientCollectionSnapshotTake(models.Model):
    """Writing the day: one DELETE and one INSERT ... SELECT per run."""

    _inherit = "patient.collection.snapshot"

    def init(self):
        res = super().init()
        # the partials of a day (_paid_invoices_query): Odoo does not index max_date;
        # a name of its own, which Odoo's field index check leaves alone
        create_index(
            self.env.cr,
            "patient_collections_partial_max_date_idx",
            "account_partial_reconcile",
            ["max_date"],
        )
        return res

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
            [
                "account_id",
                "company_id",
                "date",
                "channel",
                "is_statement",
                "outcome",
                "state",
                "promise_state",
                "promise_checked_on",
            ]
        )
        self.env["patient.payment.plan"].flush_model(["account_id", "state", "activation_date"])
        self.env["account.move"].flush_model(
            ["move_type", "invoice_date", "payment_state", "patient_account_id"]
        )
        self.env["account.move.line"].flush_model(
            ["move_id", "date", "partner_id", "company_id", "account_id", "balance", "parent_state"]
        )
        self.env["account.move"].flush_model(["origin_payment_id", "statement_line_id", "state"])
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "max_date"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    @api.model
    def _take(self, companies, day):
        """Store ``day``'s rows of ``companies`` (replacing the day's earlier rows):
        one DELETE and one INSERT ... SELECT over the active accounts, one statement
        that takes the activity figures of the day before again
        (``_retake_flows_query``: the day was still going when it was taken), then
        one statement that takes Collected again on ``day`` and the ``RETAKE_DAYS``
        days before it (``_retake_collected_query``: the payments of accounts
        archived since, of days no run took).  Returns the number of rows written
        for ``day``."""
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
        # the practices' zones, read once for both days' contacts
        zones = companies._patient_tzs()
        cr.execute(self._insert_query(company_ids, day, zones))
        count = cr.rowcount
        cr.execute(self._retake_flows_query(company_ids, day - timedelta(days=1), zones))
        cr.execute(self._retake_collected_query(company_ids, day))
        self.invalidate_model()
        return count

    @api.model
    def _insert_query(self, company_ids, day, zones=None):
        """The INSERT ... SELECT of the day: the accounts' balances and buckets, and
        the day's KPI inputs joined per account from interactions, plans and the
        invoices fully paid that day.  The accounts are read once, by the main
        SELECT (no CTE of them: a CTE read four times is materialized whole),
        grouped by a boolean (the planner then hashes the groups instead of
        sorting every account)."""
        return SQL(
            """
            WITH contacts AS (%(contacts)s), plans AS (%(plans)s), paid AS (%(paid)s),
                 collected AS (%(collected)s)
            INSERT INTO patient_collection_snapshot (
                date, company_id, currency_id, stage_id, user_id, insurance_status,
                account_count, balance_due, balance_insurance_pending, %(bucket_columns)s,
                %(kpi_columns)s, create_uid, create_date, write_uid, write_date)
            SELECT %(day)s, pa.company_id, MIN(pa.currency_id), pa.stage_id, pa.user_id,
                   CASE WHEN COALESCE(pa.balance_insurance_pending, 0) > 0
                        THEN 'pending' ELSE 'none' END,
                   COUNT(*), SUM(pa.balance_due), SUM(pa.balance_insurance_pending), %(buckets)s,
                   COALESCE(SUM(m.amount), 0),
                   COUNT(*) FILTER (WHERE pa.stage_date = %(day)s),
                   COUNT(*) FILTER (WHERE COALESCE(c.worked, 0) > 0),
                   COALESCE(SUM(c.contacts), 0), COALESCE(SUM(c.right_party), 0),
                   COALESCE(SUM(c.promises), 0), COALESCE(SUM(c.kept), 0),
                   COALESCE(SUM(c.broken), 0), COALESCE(SUM(p.active), 0),
                   COALESCE(SUM(p.started), 0), COALESCE(SUM(p.defaulted), 0),
                   COALESCE(SUM(d.invoices), 0), COALESCE(SUM(d.days), 0),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM patient_account pa
         LEFT JOIN contacts c ON c.account_id = pa.id
         LEFT JOIN plans p ON p.account_id = pa.id
         LEFT JOIN paid d ON d.account_id = pa.id
         LEFT JOIN collected m ON m.account_id = pa.id
             WHERE pa.company_id = ANY(%(companies)s) AND pa.active
          GROUP BY pa.company_id, pa.stage_id, pa.user_id,
                   COALESCE(pa.balance_insurance_pending, 0) > 0
            """,
            companies=company_ids,
            day=day,
            contacts=self._contacts_query(company_ids, day, zones),
            plans=self._plans_query(day),
            paid=self._paid_invoices_query(day),
            collected=self._collected_query(company_ids, day, day),
            buckets=SQL(", ").join(SQL("SUM(pa.%s)", SQL.identifier(n)) for n in BUCKET_FIELDS),
            bucket_columns=SQL(", ").join(SQL.identifier(name) for name in BUCKET_FIELDS),
            kpi_columns=SQL(", ").join(SQL.identifier(name) for name in KPI_FIELDS),
            uid=self.env.uid,
        )

    @api.model
    def _collected_query(self, company_ids, first, last):
        """Per account and day from ``first`` to ``last``: what it collected, the
        posted money (Odoo's payments, bank statement lines; not reversed) credited
        to the receivable of its guarantor (or of a contact of theirs) in its
        company and dated that day, matched to invoices or not yet.  A payment
        cancelled or reset to draft is no longer posted: it leaves the day."""
        return SQL(
            """
                SELECT pa.id AS account_id, aml.date, -SUM(aml.balance) AS amount
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move move ON move.id = aml.move_id
                  -- the guarantor's, or a contact's of theirs (an invoice address)
                  JOIN res_partner party ON party.id = aml.partner_id
                  JOIN patient_account pa
                    ON pa.partner_id = party.commercial_partner_id
                   AND pa.company_id = aml.company_id
                 WHERE aml.date >= %(first)s AND aml.date <= %(last)s
                   AND aml.company_id = ANY(%(companies)s)
                   AND aml.parent_state = 'posted'
                   AND aml.balance < 0
                   AND account.account_type = 'asset_receivable'
                   AND %(money_in)s
              GROUP BY pa.id, aml.date
            """,
            first=first,
            last=last,
            companies=company_ids,
            money_in=money_in_sql("move"),
        )

    @api.model
    def _retake_collected_query(self, company_ids, day):
        """One statement: Collected taken again on ``day`` and the days of
        ``companies`` before it (at most ``RETAKE_DAYS`` back, none before a
        company's first snapshot) whose stored total is no longer what the payments
        dated that day add up to: one entered after the day's snapshot, one
        cancelled, reset to draft or reversed since, one of an account archived
        since (or before it paid: the day's rows are the active accounts'), a day
        no run took (a night the run did not finish).  Only those days are written:
        their rows get the day's payments of the accounts of each row's stage,
        specialist and insurance status as the accounts are now; the money of
        accounts whose grouping has no row that day (moved or archived since, a
        day not taken) gets a row of its own with no account and nothing but
        Collected, so that the day's total is always what was received."""
        pending = SQL("COALESCE(pa.balance_insurance_pending, 0) > 0")
        # the payments are read from the companies' first snapshot on (the day of
        # a practice's first run: that day's alone)
        self.env.cr.execute(
            SQL(
                "SELECT MIN(date) FROM patient_collection_snapshot WHERE company_id = ANY(%s)",
                company_ids,
            )
        )
        first_taken = self.env.cr.fetchone()[0] or day
        first = max(day - timedelta(days=RETAKE_DAYS), min(first_taken, day))
        # a row of its own: no account, no balance, nothing but Collected
        nothing = (
            "balance_due",
            "balance_insurance_pending",
            *BUCKET_FIELDS,
            *(name for name in KPI_FIELDS if name != "collected_amount"),
        )
        return SQL(
            """
            WITH stored AS (
                SELECT s.company_id, s.date, COALESCE(SUM(s.collected_amount), 0) AS amount
                  FROM patient_collection_snapshot s
                 WHERE s.company_id = ANY(%(companies)s)
                   AND s.date >= %(first)s AND s.date <= %(day)s
              GROUP BY s.company_id, s.date
            ),
            -- none before a company's first snapshot (the history starts there)
            taken AS (
                SELECT s.company_id, MIN(s.date) AS first
                  FROM patient_collection_snapshot s
                 WHERE s.company_id = ANY(%(companies)s)
              GROUP BY s.company_id
            ),
            collected AS (%(collected)s),
            totals AS (
                SELECT pa.company_id, c.date, pa.stage_id, pa.user_id,
                       CASE WHEN %(pending)s THEN 'pending' ELSE 'none' END AS insurance_status,
                       MIN(pa.currency_id) AS currency_id, SUM(c.amount) AS amount
                  FROM collected c
                  JOIN patient_account pa ON pa.id = c.account_id
                  JOIN taken ON taken.company_id = pa.company_id AND c.date >= taken.first
              GROUP BY pa.company_id, c.date, pa.stage_id, pa.user_id, %(pending)s
            ),
            received AS (
                SELECT company_id, date, SUM(amount) AS amount FROM totals GROUP BY company_id, date
            ),
            days AS (
                SELECT COALESCE(stored.company_id, received.company_id) AS company_id,
                       COALESCE(stored.date, received.date) AS date
                  FROM stored
             FULL JOIN received
                    ON received.company_id = stored.company_id AND received.date = stored.date
                 WHERE COALESCE(stored.amount, 0) <> COALESCE(received.amount, 0)
            ),
            rows AS (
                SELECT s.id, COALESCE(t.amount, 0) AS amount
                  FROM patient_collection_snapshot s
                  JOIN days ON days.company_id = s.company_id AND days.date = s.date
             LEFT JOIN totals t
                    ON t.company_id = s.company_id AND t.date = s.date
                   AND COALESCE(t.stage_id, 0) = COALESCE(s.stage_id, 0)
                   AND COALESCE(t.user_id, 0) = COALESCE(s.user_id, 0)
                   AND t.insurance_status = s.insurance_status
            ),
            updated AS (
                UPDATE patient_collection_snapshot s
                   SET collected_amount = rows.amount,
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM rows
                 WHERE s.id = rows.id AND s.collected_amount IS DISTINCT FROM rows.amount
            )
            INSERT INTO patient_collection_snapshot (
                date, company_id, currency_id, stage_id, user_id, insurance_status,
                account_count, %(nothing)s, collected_amount,
                create_uid, create_date, write_uid, write_date)
            SELECT t.date, t.company_id, t.currency_id, t.stage_id, t.user_id,
                   t.insurance_status, 0, %(zeros)s, t.amount,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM totals t
              JOIN days ON days.company_id = t.company_id AND days.date = t.date
             WHERE NOT EXISTS (
                   SELECT 1 FROM patient_collection_snapshot s
                    WHERE s.company_id = t.company_id AND s.date = t.date
                      AND COALESCE(s.stage_id, 0) = COALESCE(t.stage_id, 0)
                      AND COALESCE(s.user_id, 0) = COALESCE(t.user_id, 0)
                      AND s.insurance_status = t.insurance_status)
            """,
            collected=self._collected_query(company_ids, first, day),
            pending=pending,
            companies=company_ids,
            first=first,
            day=day,
            uid=self.env.uid,
            nothing=SQL(", ").join(SQL.identifier(name) for name in nothing),
            zeros=SQL(", ").join(SQL("0") for _name in nothing),
        )

    @api.model
    def _contacts_query(self, company_ids, day, zones=None):
        """Per account: the day's calls (outbound and inbound phone calls: the
        right-party contact rate's population), those that reached the guarantor
        (a right-party outcome), the contacts that are work (logged by the
        practice's staff, any channel: not the statements the module sends nor the
        guarantor's own portal contacts), the promises made (``day`` on its
        practice's calendar: the UTC times of each company's day, a VALUES list),
        and the promises judged kept or broken that day (the main SELECT keeps the
        accounts of the companies).  The interactions are found through the index
        on ``date`` by the widest of the companies' days (``zones``: the
        companies' ``_patient_tzs`` when read already)."""
        if zones is None:
            bounds = self.env["res.company"].browse(company_ids)._patient_day_bounds(day)
        else:
            stop = day + timedelta(days=1)
            bounds = {
                company_id: (day_start_utc(tz, day), day_start_utc(tz, stop))
                for company_id, tz in zones.items()
            }
        if not bounds:
            return SQL(
                "SELECT NULL::int AS account_id, 0 AS contacts, 0 AS right_party, "
                "0 AS worked, 0 AS promises, 0 AS kept, 0 AS broken WHERE FALSE"
            )
        on_day = SQL("i.date >= w.start AND i.date < w.stop")
        call = SQL("i.channel = ANY(%s)", list(CALL_CHANNELS))
        return SQL(
            """
                SELECT i.account_id,
                       COUNT(*) FILTER (WHERE %(on_day)s AND %(call)s) AS contacts,
                       COUNT(*) FILTER (WHERE %(on_day)s AND %(call)s
                                          AND i.outcome = ANY(%(right_party)s)) AS right_party,
                       COUNT(*) FILTER (WHERE %(on_day)s
                                          AND NOT COALESCE(i.is_statement, FALSE)
                                          AND i.channel <> ALL(%(unworked)s)) AS worked,
                       COUNT(*) FILTER (WHERE %(on_day)s
                                          AND i.outcome = 'promise_to_pay') AS promises,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'kept') AS kept,
                       COUNT(*) FILTER (WHERE i.promise_checked_on = %(day)s
                                          AND i.promise_state = 'broken') AS broken
                  FROM patient_interaction i
                  JOIN (VALUES %(windows)s) AS w(company_id, start, stop)
                       ON w.company_id = i.company_id
                 WHERE i.state = 'logged'
                   AND ((i.date >= %(first)s AND i.date < %(last)s)
                        OR i.promise_checked_on = %(day)s)
              GROUP BY i.account_id
            """,
            on_day=on_day,
            call=call,
            unworked=list(UNWORKED_CHANNELS),
            windows=self.env["res.company"]._patient_values(
                bounds, "(%s, %s::timestamp, %s::timestamp)"
            ),
            first=min(start for start, _stop in bounds.values()),
            last=max(stop for _start, stop in bounds.values()),
            day=day,
            right_party=list(RIGHT_PARTY_OUTCOMES),
        )

    @api.model
    def _retake_flows_query(self, company_ids, day, zones=None):
        """One statement: the activity (flow) figures of ``day`` (the day before the
        run's) taken again, for the companies whose ``day`` a run took.  The nightly
        run takes its day while the practice's day is still going (02:00 UTC is the
        afternoon in America): the calls, promises, plans started, invoices paid
        and moves logged after it would never count.  Balances, buckets and the
        plans active or defaulted (what the accounts were) stay as taken; Collected
        has its own re-take.  As that one, the figures go to the rows of the
        accounts' stage, specialist and insurance status as they are now, and
        those of a grouping with no row that day to a row of its own with no
        account and nothing but the flows.  Accounts moved keep at least what the
        row counted (an account moved again since no longer says it moved that
        day)."""
        pending = SQL("COALESCE(pa.balance_insurance_pending, 0) > 0")
        # accounts moved: at least what the row counted (below)
        flows = tuple(
            name for name in KPI_FIELDS if name not in (*STOCK_KPI_FIELDS, "accounts_moved")
        )
        # the stock figures of a row of its own: nothing
        nothing = ("balance_due", "balance_insurance_pending", *BUCKET_FIELDS, *STOCK_KPI_FIELDS)
        return SQL(
            """
            WITH contacts AS (%(contacts)s), paid AS (%(paid)s),
            started AS (
                SELECT p.account_id, COUNT(*) AS started
                  FROM patient_payment_plan p
                 WHERE p.activation_date = %(day)s
              GROUP BY p.account_id
            ),
            taken AS (
                SELECT DISTINCT s.company_id
                  FROM patient_collection_snapshot s
                 WHERE s.date = %(day)s AND s.company_id = ANY(%(companies)s)
                   AND s.account_count > 0
            ),
            flows AS (
                SELECT pa.company_id, pa.stage_id, pa.user_id,
                       CASE WHEN %(pending)s THEN 'pending' ELSE 'none' END AS insurance_status,
                       MIN(pa.currency_id) AS currency_id,
                       COUNT(*) FILTER (WHERE pa.stage_date = %(day)s) AS accounts_moved,
                       COUNT(*) FILTER (WHERE COALESCE(c.worked, 0) > 0) AS accounts_worked,
                       COALESCE(SUM(c.contacts), 0) AS contact_count,
                       COALESCE(SUM(c.right_party), 0) AS right_party_count,
                       COALESCE(SUM(c.promises), 0) AS promise_made_count,
                       COALESCE(SUM(c.kept), 0) AS promise_kept_count,
                       COALESCE(SUM(c.broken), 0) AS promise_broken_count,
                       COALESCE(SUM(p.started), 0) AS plan_started_count,
                       COALESCE(SUM(d.invoices), 0) AS paid_invoice_count,
                       COALESCE(SUM(d.days), 0) AS paid_invoice_days
                  FROM patient_account pa
                  JOIN taken ON taken.company_id = pa.company_id
             LEFT JOIN contacts c ON c.account_id = pa.id
             LEFT JOIN started p ON p.account_id = pa.id
             LEFT JOIN paid d ON d.account_id = pa.id
                 WHERE pa.stage_date = %(day)s OR c.account_id IS NOT NULL
                       OR p.account_id IS NOT NULL OR d.account_id IS NOT NULL
              GROUP BY pa.company_id, pa.stage_id, pa.user_id, %(pending)s
            ),
            rows AS (
                SELECT s.id, %(flow_values)s, COALESCE(f.accounts_moved, 0) AS accounts_moved
                  FROM patient_collection_snapshot s
                  JOIN taken ON taken.company_id = s.company_id
             LEFT JOIN flows f
                    ON f.company_id = s.company_id
                   AND COALESCE(f.stage_id, 0) = COALESCE(s.stage_id, 0)
                   AND COALESCE(f.user_id, 0) = COALESCE(s.user_id, 0)
                   AND f.insurance_status = s.insurance_status
                 WHERE s.date = %(day)s
            ),
            updated AS (
                UPDATE patient_collection_snapshot s
                   SET %(flow_sets)s,
                       accounts_moved = GREATEST(s.accounts_moved, rows.accounts_moved),
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM rows
                 WHERE s.id = rows.id
                   -- only the rows that changed: a second run writes nothing
                   AND (s.accounts_moved < rows.accounts_moved OR %(flow_changed)s)
            )
            INSERT INTO patient_collection_snapshot (
                date, company_id, currency_id, stage_id, user_id, insurance_status,
                account_count, %(nothing)s, accounts_moved, %(flow_columns)s,
                create_uid, create_date, write_uid, write_date)
            SELECT %(day)s, f.company_id, f.currency_id, f.stage_id, f.user_id,
                   f.insurance_status, 0, %(zeros)s, f.accounts_moved, %(flow_selects)s,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM flows f
             WHERE NOT EXISTS (
                   SELECT 1 FROM patient_collection_snapshot s
                    WHERE s.company_id = f.company_id AND s.date = %(day)s
                      AND COALESCE(s.stage_id, 0) = COALESCE(f.stage_id, 0)
                      AND COALESCE(s.user_id, 0) = COALESCE(f.user_id, 0)
                      AND s.insurance_status = f.insurance_status)
            """,
            contacts=self._contacts_query(company_ids, day, zones),
            paid=self._paid_invoices_query(day),
            pending=pending,
            companies=company_ids,
            day=day,
            uid=self.env.uid,
            flow_values=SQL(", ").join(
                SQL("COALESCE(f.%s, 0) AS %s", SQL.identifier(n), SQL.identifier(n)) for n in flows
            ),
            flow_sets=SQL(", ").join(
                SQL("%s = rows.%s", SQL.identifier(n), SQL.identifier(n)) for n in flows
            ),
            flow_changed=SQL(" OR ").join(
                SQL("s.%s IS DISTINCT FROM rows.%s", SQL.identifier(n), SQL.identifier(n))
                for n in flows
            ),
            flow_columns=SQL(", ").join(SQL.identifier(n) for n in flows),
            flow_selects=SQL(", ").join(SQL("f.%s", SQL.identifier(n)) for n in flows),
            nothing=SQL(", ").join(SQL.identifier(n) for n in nothing),
            zeros=SQL(", ").join(SQL("0") for _n in nothing),
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
        lines) once Odoo marks it paid or in payment, when money (a payment) is
        among what settled it that day: one closed by a write-off or a credit note
        alone was never paid; its days to pay run from the
        invoice date to that day.  Only the partials dated ``day`` (and the rare
        ones dated later, which move the payment day) are looked at, both through
        the index on ``max_date`` (``init``) as hashed sets: the cost follows the
        day's reconciliations, not the size of the ledger."""
        return SQL(
            """
                SELECT m.patient_account_id AS account_id, COUNT(*) AS invoices,
                       SUM(GREATEST(%(day)s::date - m.invoice_date, 0)) AS days
                  FROM account_move m
                 WHERE m.id IN (SELECT l.move_id
                                  FROM account_partial_reconcile r
                                  JOIN account_move_line l ON l.id = r.debit_move_id
                                 WHERE r.max_date = %(day)s)
                   AND m.move_type = 'out_invoice'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.patient_account_id IS NOT NULL
                   AND m.id NOT IN (SELECT l.move_id
                                      FROM account_partial_reconcile r
                                      JOIN account_move_line l ON l.id = r.debit_move_id
                                     WHERE r.max_date > %(day)s)
                   -- paid: money settled it that day, not a write-off or a credit
                   -- note (an assistance discount, a correction) alone
                   AND EXISTS (SELECT 1
                                 FROM account_partial_reconcile r
                                 JOIN account_move_line l ON l.id = r.debit_move_id
                                 JOIN account_move_line cl ON cl.id = r.credit_move_id
                                 JOIN account_move pay ON pay.id = cl.move_id
                                WHERE l.move_id = m.id AND r.max_date = %(day)s
                                  AND %(money_in)s)
              GROUP BY m.patient_account_id
            """,
            day=day,
            money_in=money_in_sql("pay"),
        )
