from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .patient_collection_snapshot import AMOUNT_FIELDS


class PatientCollectionSnapshotDemo(models.Model):
    """Demo data only: weeks of invented history behind today's snapshot."""

    _inherit = "patient.collection.snapshot"

    @api.model
    def _demo_history(self, weeks=16, days=0):
        """Demo data only: today's snapshot of every company with accounts, and
        ``weeks`` weekly snapshots before it made from today's rows (older weeks
        owe a little more, collected a little less, paid invoices in 24 to 36 days),
        and daily ones for the ``days`` days before today between them (the month's
        collection rate and the 30-day tiles read every day): a dashboard with history.
        Those past rows are invented, not what the accounts were."""
        if not self.env.su:
            raise AccessError(self.env._("Demo history is loaded with the demo data only."))
        Account = self.env["patient.account"].with_context(active_test=False)
        companies = self.env["res.company"].browse(
            [company.id for [company] in Account._read_group([], ["company_id"])]
        )
        for company in companies:
            # today on the company's calendar, as its runs date their snapshots
            self._demo_weeks(company, company._patient_today(), weeks, days)
        return weeks if companies else 0

    def _demo_weeks(self, company, today, weeks, days=0):
        """Demo data only: ``company``'s snapshot of ``today``, ``weeks`` weekly
        snapshots invented from it and daily ones for the ``days`` days before it
        that are no week's."""
        self._take(company, today)
        scaled = SQL(", ").join(
            SQL("ROUND((s.%s * (1 + 0.03 * w))::numeric, 2)", SQL.identifier(name))
            for name in AMOUNT_FIELDS
        )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM patient_collection_snapshot
                 WHERE company_id = ANY(%(companies)s) AND date < %(today)s;
                INSERT INTO patient_collection_snapshot (
                    date, company_id, currency_id, stage_id, user_id, insurance_status,
                    account_count, %(amount_columns)s, collected_amount, accounts_moved,
                    accounts_worked, contact_count, right_party_count, promise_made_count,
                    promise_kept_count, promise_broken_count, plan_active_count,
                    plan_started_count, plan_defaulted_count, paid_invoice_count,
                    paid_invoice_days, create_uid, create_date, write_uid, write_date)
                SELECT s.date - 7 * w, s.company_id, s.currency_id, s.stage_id, s.user_id,
                       s.insurance_status, s.account_count, %(scaled)s,
                       ROUND((s.balance_due * (0.015 + 0.002 * MOD(w, 4)))::numeric, 2),
                       s.accounts_moved, s.accounts_worked + MOD(w, 3),
                       s.contact_count + MOD(w, 4), s.right_party_count + MOD(w, 2),
                       s.promise_made_count, s.promise_kept_count + MOD(w, 2),
                       s.promise_broken_count + (MOD(w, 3) = 0)::int, s.plan_active_count,
                       s.plan_started_count, s.plan_defaulted_count,
                       (MOD(w + s.account_count, 4) = 0)::int,
                       (MOD(w + s.account_count, 4) = 0)::int * (24 + 3 * MOD(w, 5)),
                       s.create_uid, s.create_date, s.write_uid, s.write_date
                  FROM patient_collection_snapshot s, generate_series(1, %(weeks)s) w
                 WHERE s.company_id = ANY(%(companies)s) AND s.date = %(today)s
                """,
                companies=company.ids,
                today=today,
                weeks=weeks,
                amount_columns=SQL(", ").join(SQL.identifier(name) for name in AMOUNT_FIELDS),
                scaled=scaled,
            )
        )
        if days > 0:
            self._demo_days(company, today, days)
        self.invalidate_model()

    def _demo_days(self, company, today, days):
        """Demo data only: daily snapshots of ``company`` for the ``days`` days before
        ``today`` that no weekly one has, invented from today's rows (a day's share
        of a week's collections and contacts, balances between the weeks')."""
        scaled = SQL(", ").join(
            SQL("ROUND((s.%s * (1 + 0.03 * d / 7.0))::numeric, 2)", SQL.identifier(name))
            for name in AMOUNT_FIELDS
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO patient_collection_snapshot (
                    date, company_id, currency_id, stage_id, user_id, insurance_status,
                    account_count, %(amount_columns)s, collected_amount, accounts_moved,
                    accounts_worked, contact_count, right_party_count, promise_made_count,
                    promise_kept_count, promise_broken_count, plan_active_count,
                    plan_started_count, plan_defaulted_count, paid_invoice_count,
                    paid_invoice_days, create_uid, create_date, write_uid, write_date)
                SELECT s.date - d, s.company_id, s.currency_id, s.stage_id, s.user_id,
                       s.insurance_status, s.account_count, %(scaled)s,
                       ROUND((s.balance_due * (0.002 + 0.001 * MOD(d, 3)))::numeric, 2),
                       (MOD(d + s.account_count, 5) = 0)::int,
                       (s.user_id IS NOT NULL AND MOD(d + s.account_count, 3) = 0)::int,
                       (MOD(d + s.account_count, 2) = 0)::int,
                       (MOD(d + s.account_count, 4) = 0)::int,
                       (MOD(d + s.account_count, 6) = 0)::int,
                       (MOD(d + s.account_count, 8) = 0)::int,
                       (MOD(d + s.account_count, 13) = 0)::int,
                       s.plan_active_count, 0, 0,
                       (MOD(d + s.account_count, 9) = 0)::int,
                       (MOD(d + s.account_count, 9) = 0)::int * (24 + 3 * MOD(d, 5)),
                       s.create_uid, s.create_date, s.write_uid, s.write_date
                  FROM patient_collection_snapshot s, generate_series(1, %(days)s) d
                 WHERE s.company_id = ANY(%(companies)s) AND s.date = %(today)s
                   AND MOD(d, 7) <> 0
                """,
                companies=company.ids,
                today=today,
                days=days,
                amount_columns=SQL(", ").join(SQL.identifier(name) for name in AMOUNT_FIELDS),
                scaled=scaled,
            )
        )
