"""The balance engine: balances and aging of patient accounts, set-based.

One aggregate UPDATE per batch of accounts over Odoo's own receivable lines
(``open_items_from``), the daily cron, the refresh after accounting changes,
and the accounts found or created for posted invoices.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..logic import aging
from .patient_account import BALANCE_FIELDS


def money_in_sql(move):
    """SQL: the journal entry ``move`` (an alias) brings money in: a payment (Odoo's,
    or a bank statement line's) that no posted entry reverses (a payment reversed,
    as a bounced check is, is no money in)."""
    return SQL(
        """(%(move)s.origin_payment_id IS NOT NULL OR %(move)s.statement_line_id IS NOT NULL)
           AND NOT EXISTS (
               SELECT 1 FROM account_move reversal
                WHERE reversal.reversed_entry_id = %(move)s.id AND reversal.state = 'posted')""",
        move=SQL.identifier(move),
    )


# up to this many accounts, a refresh reads their lines by index (nested loops)
FEW_ACCOUNTS = 200


def open_items_from(accounts):
    """FROM and WHERE of the open receivable lines of patient accounts.

    ``accounts`` is an SQL table expression with ``id``, ``partner_id`` and
    ``company_id``, aliased ``pa``.  A line counts when it is posted, still
    open, is the guarantor's or a contact's of theirs (its partner's commercial
    entity is the guarantor, as Odoo books invoices: a payment registered for
    an invoice address is theirs; alias ``party``), and belongs either to the
    account's invoices and credit notes or to the guarantor's other credits: an
    entry without an invoice (a payment or bank receipt not yet matched), a
    credit note about no patient (one posted before the module).
    """
    # the accounts' contacts first (the small side), then their lines by the
    # index on account_move_line.partner_id
    return SQL(
        """
          FROM %s pa
          JOIN res_partner party ON party.commercial_partner_id = pa.partner_id
          JOIN account_move_line aml
            ON aml.partner_id = party.id
           AND aml.company_id = pa.company_id
          JOIN account_move move ON move.id = aml.move_id
          JOIN account_account account ON account.id = aml.account_id
         WHERE aml.parent_state = 'posted'
           AND account.account_type = 'asset_receivable'
           AND aml.amount_residual != 0
           AND (move.patient_account_id = pa.id OR move.move_type = 'entry'
                OR (move.move_type = 'out_refund' AND move.patient_account_id IS NULL))
        """,
        accounts,
    )


class PatientAccount(models.Model):
    _inherit = "patient.account"

    aging_band = fields.Selection(
        [
            ("current", "Not yet due"),
            ("1_30", "1-30 days"),
            ("31_60", "31-60 days"),
            ("61_90", "61-90 days"),
            ("91_120", "91-120 days"),
            ("over_120", "Over 120 days"),
        ],
        string="Aging",
        readonly=True,
        index=True,
        help="How late the oldest amount due is (empty when nothing is due): the board's "
        "column bars count accounts by it.",
    )

    @api.model
    def _refresh_balances_sql(self, account_ids, today, zones=None):
        """One statement that recomputes balances and aging for ``account_ids``
        (``zones``: ``res.company._patient_tz_rows`` of their companies, else read
        here).

        Open receivable lines count when they belong to the account's invoices
        or credit notes, or to entries without an invoice (payments and bank
        receipts not yet matched), so an unapplied payment lowers what is owed.
        Amounts are Odoo's own residuals in company currency.
        """
        days = SQL("GREATEST(%s::date - COALESCE(aml.date_maturity, aml.date), 0)", today)
        bucket_sums = []
        for key, first, last in aging.bucket_bounds():
            conditions = [SQL("NOT items.pending")]
            if first is not None:
                conditions.append(SQL("items.days >= %s", first))
            if last is not None:
                conditions.append(SQL("items.days <= %s", last))
            bucket_sums.append(
                SQL(
                    "COALESCE(SUM(items.amount) FILTER (WHERE %s), 0) AS %s",
                    SQL(" AND ").join(conditions),
                    SQL.identifier("aging_" + key),
                )
            )
        bucket_sets = SQL(", ").join(
            SQL("%s = agg.%s", SQL.identifier(f), SQL.identifier(f))
            for f in ("aging_" + key for key in aging.BUCKET_KEYS)
        )
        # the zone by a scalar subquery, not a join: one company's row folds into a constant,
        # leaving a nested loop (disabled by _refresh_balances: costed 1e10, seconds of JIT)
        return SQL(
            """
            WITH acc AS (
                SELECT account.id, account.partner_id, account.company_id,
                       COALESCE((SELECT tz.name FROM (%(zones)s) AS tz(company_id, name)
                                  WHERE tz.company_id = account.company_id), 'UTC') AS tz
                  FROM patient_account account
                 WHERE account.id = ANY(%(ids)s)
            ), items AS (
                SELECT pa.id AS account_id,
                       aml.amount_residual AS amount,
                       %(days)s AS days,
                       aml.date,
                       COALESCE(move.insurance_status = 'pending', FALSE) AS pending
                %(open_items)s
            ), payments AS (
                -- the last payment (by date, then entry): its amount, not its day's
                SELECT DISTINCT ON (acc.id)
                       acc.id AS account_id, aml.date, -SUM(aml.balance) AS amount
                  FROM acc
                  JOIN res_partner party ON party.commercial_partner_id = acc.partner_id
                  JOIN account_move_line aml
                    ON aml.partner_id = party.id
                   AND aml.company_id = acc.company_id
                  JOIN account_move move ON move.id = aml.move_id
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND aml.balance < 0
                   AND %(money_in)s
              GROUP BY acc.id, aml.date, aml.move_id
              ORDER BY acc.id, aml.date DESC, aml.move_id DESC
            ), agg AS (
                SELECT acc.id, acc.tz,
                       COALESCE(SUM(items.amount) FILTER (WHERE NOT items.pending), 0)
                           AS balance_due,
                       COALESCE(SUM(items.amount) FILTER (WHERE items.pending), 0)
                           AS balance_insurance_pending,
                       %(bucket_sums)s,
                       COALESCE(MAX(items.days) FILTER (
                           WHERE NOT items.pending AND items.amount > 0), 0) AS days_past_due,
                       MIN(items.date) FILTER (WHERE items.amount > 0) AS first_open_date
                  FROM acc
             LEFT JOIN items ON items.account_id = acc.id
              GROUP BY acc.id, acc.tz
            )
            UPDATE patient_account pa
               SET balance_due = agg.balance_due,
                   balance_insurance_pending = agg.balance_insurance_pending,
                   %(bucket_sets)s,
                   days_past_due = agg.days_past_due,
                   last_payment_date = payments.date,
                   last_payment_amount = COALESCE(payments.amount, 0),
                   first_open_date = agg.first_open_date,
                   aging_date = %(today)s,
                   aging_band = %(band)s,
                   priority_score = %(priority)s
              FROM agg
         LEFT JOIN payments ON payments.account_id = agg.id,
                   res_company company
             WHERE pa.id = agg.id
               AND company.id = pa.company_id
            """,
            zones=zones or self.browse(account_ids).company_id._patient_tz_rows(),
            priority=self._priority_score_sql(today),
            band=self._aging_band_sql(),
            ids=list(account_ids),
            days=days,
            open_items=open_items_from(SQL.identifier("acc")),
            bucket_sums=SQL(", ").join(bucket_sums),
            money_in=money_in_sql("move"),
            bucket_sets=bucket_sets,
            today=today,
        )

    @api.model
    def _aging_band_sql(self):
        """The aging band of ``logic/aging.py``'s buckets as SQL, for the refresh's
        UPDATE (alias ``agg``): the oldest amount due, nothing when nothing is due."""
        whens = [
            SQL("WHEN agg.days_past_due <= %s THEN %s", last, key)
            for key, _first, last in aging.bucket_bounds()
            if last is not None
        ]
        last_key = aging.BUCKET_KEYS[-1]
        return SQL(
            "CASE WHEN agg.balance_due <= 0 THEN NULL %s ELSE %s END",
            SQL(" ").join(whens),
            last_key,
        )

    def _refresh_balances(self, today=None, batch_size=50000):
        """Recompute balances and aging of these accounts, set-based.

        One aggregate UPDATE per batch of accounts; the ORM cache is then
        invalidated and dependent stored fields are marked for recomputation.
        """
        if not self:
            return
        # aged as of ``today`` (the run's), else today on each practice's calendar;
        # the practices' zones read once, for that and for the SQL's calendar days
        companies = self.company_id
        tzs = companies._patient_tzs()
        if today:
            days = {today: self}
        else:
            todays = {
                company_id: fields.Date.context_today(self.with_context(tz=tz))
                for company_id, tz in tzs.items()
            }
            days = self.grouped(lambda account: todays[account.company_id.id])
        self.env["account.move.line"].flush_model(
            [
                "amount_residual",
                "balance",
                "date",
                "date_maturity",
                "parent_state",
                "account_id",
                "partner_id",
                "company_id",
                "move_id",
            ]
        )
        self.env["account.move"].flush_model(
            [
                "move_type",
                "patient_account_id",
                "insurance_status",
                "origin_payment_id",
                "statement_line_id",
                "reversed_entry_id",
                "state",
            ]
        )
        self.flush_model(["partner_id", "company_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        # Many accounts: the aggregate reads many lines, hash joins.  Statistics
        # taken while a big import is still uncommitted can make the planner pick
        # nested loops over the receivable lines, minutes instead of a second; not
        # for this one statement (SET LOCAL is put back right after it; an error
        # rolls it back with the statement).  A few accounts (a payment, an invoice
        # posted): their lines by index, nested loops, milliseconds instead of the
        # hash joins' full scans (0.3 s at 10,000 accounts, more as the books grow).
        zones = companies._patient_tz_rows(tzs)
        hash_joins = len(self) > FEW_ACCOUNTS
        if hash_joins:
            self.env.cr.execute("SET LOCAL enable_nestloop = off")
        for day, accounts in days.items():
            ids = accounts.ids
            for start in range(0, len(ids), batch_size):
                self.env.cr.execute(
                    self._refresh_balances_sql(ids[start : start + batch_size], day, zones)
                )
        if hash_joins:
            self.env.cr.execute("SET LOCAL enable_nestloop = on")
        self.invalidate_recordset(
            [*BALANCE_FIELDS, "priority_score", "open_item_ids", "open_item_count"]
        )
        self.modified(list(BALANCE_FIELDS))
        # the UPDATE computed the priority score too: nothing left to recompute
        self.env.remove_to_compute(self._fields["priority_score"], self)

    @api.model
    def _cron_refresh_balances(self, batch_size=50000, extra_domain=()):
        """Age every account for today, batch after batch, reporting progress.

        Accounts already aged today are skipped, so running twice changes
        nothing the second time.  Returns how many accounts were aged.
        """
        # not aged yet today on its practice's calendar (one leaf per distinct date)
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        stale = defaultdict(list)
        for company_id, today in companies._patient_todays().items():
            stale[today].append(company_id)
        domain = [
            "|",
            ("aging_date", "=", False),
            *expression.OR(
                [("company_id", "in", ids), ("aging_date", "<", day)] for day, ids in stale.items()
            ),
            *extra_domain,
        ]
        Account = self.with_context(active_test=False).sudo()
        remaining = Account.search_count(domain)
        done = 0
        while remaining:
            accounts = Account.search(domain, limit=batch_size, order="id")
            if not accounts:
                break
            accounts._refresh_balances(batch_size=batch_size)
            done += len(accounts)
            remaining = max(remaining - len(accounts), 0)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _refresh_for_partners(self, partners, companies):
        """Refresh the accounts of these guarantors in these companies."""
        commercial = partners.commercial_partner_id
        if not commercial or not companies:
            return self.browse()
        accounts = (
            self.sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", commercial.ids), ("company_id", "in", companies.ids)])
        )
        accounts._on_accounting_change()
        return accounts

    @api.model
    def _get_or_create_for(self, keys):
        """The accounts for (guarantor, company) pairs, created when missing.

        ``keys`` is an iterable of (partner record, company record); returns a
        dict from (partner id, company id) to the account, with one search and
        at most one batched create.
        """
        keys = {(partner.id, company.id) for partner, company in keys}
        if not keys:
            return {}
        Account = self.sudo().with_context(active_test=False)
        existing = Account.search(
            [
                ("partner_id", "in", list({p for p, _c in keys})),
                ("company_id", "in", list({c for _p, c in keys})),
            ]
        )
        found = {(a.partner_id.id, a.company_id.id): a for a in existing}
        missing = sorted(keys - set(found))
        if missing:
            created = Account.create([{"partner_id": p, "company_id": c} for p, c in missing])
            found.update({(a.partner_id.id, a.company_id.id): a for a in created})
        return {key: found[key] for key in keys}

    def _on_accounting_change(self):
        """Balances, then the allocation of payments to active plans, and the plans
        lowered to what the invoices still owe (``_lower_to_owed``)."""
        self._refresh_balances()
        plans = self.sudo().plan_ids.filtered(lambda plan: plan.state == "active")
        plans._allocate_payments()
        plans._lower_to_owed()
