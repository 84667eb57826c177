from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic.run_counts import CountKey
from .patient_collection_run import BATCH_SIZE
from .patient_collection_run_batches import StepBatch
from .patient_collection_run_isolation import SettingsError
from .patient_protected import trusted


class PatientCollectionRun(models.Model):
    """The run's optional small-balance step (off by default, per company)."""

    _inherit = "patient.collection.run"

    writeoff_count = fields.Integer(
        string="Small Balances Written Off", readonly=True, help="Accounts written off by the run."
    )
    writeoff_total = fields.Float(string="Small Balances Total", readonly=True, digits="Account")

    def _collection_steps(self):
        steps = super()._collection_steps()
        # after the aging (fresh balances), before escalation and statements
        position = steps.index("_step_escalate") if "_step_escalate" in steps else len(steps)
        return [*steps[:position], "_step_small_balance_writeoffs", *steps[position:]]

    def _small_balance_account_ids(self, company, today, after_id=0, limit=None):
        """Accounts of ``company`` whose whole balance due is under the threshold and
        past due long enough, nothing waiting for insurance, not on hold, no
        write-off waiting for approval, and no small-balance write-off the
        accountant reversed (the practice chose to collect it: left to the staff)
        (after ``after_id``, ``limit`` at most): one query."""
        self.env["patient.account"].flush_model(
            [
                "company_id",
                "active",
                "balance_due",
                "balance_insurance_pending",
                "days_past_due",
                "hold_reason",
            ]
        )
        self.env["patient.writeoff"].flush_model(["account_id", "state"])
        self.env.cr.execute(
            SQL(
                """
                SELECT pa.id
                  FROM patient_account pa
                 WHERE pa.company_id = %(company)s
                   AND pa.id > %(after)s
                   AND pa.active
                   AND pa.balance_due > 0
                   AND pa.balance_due < %(threshold)s
                   AND pa.balance_insurance_pending = 0
                   AND pa.days_past_due >= %(days)s
                   AND pa.hold_reason IS NULL
                   AND NOT EXISTS (
                       SELECT 1 FROM patient_writeoff w
                        WHERE w.account_id = pa.id
                          AND (w.state = 'to_approve'
                               OR (w.state = 'reversed' AND w.reason = 'small_balance')))
              ORDER BY pa.id
                 LIMIT %(limit)s
                """,
                company=company.id,
                after=after_id,
                limit=limit,
                threshold=company.collections_small_balance_threshold,
                days=company.collections_small_balance_min_days,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _step_small_balance_writeoffs(self, companies, today, counts):
        """Write off small balances, set-based: one entry and one reconciliation per
        batch of accounts.  Accounts left with nothing are not selected again, so a
        second run the same day writes nothing off."""
        count = 0
        total = 0.0
        Account = self.env["patient.account"].sudo()
        limit = self._batch_limit("_step_small_balance_writeoffs")
        more = None
        for company in companies.filtered("collections_small_balance_writeoff"):
            self._check_small_balance_settings(company)
            # one more than a batch: whether another batch follows
            ids = self._small_balance_account_ids(
                company, today, self.step_cursor, limit + 1 if limit else None
            )
            if limit and len(ids) > limit:
                ids = ids[:limit]
                more = StepBatch(ids[-1], 1)
            for start in range(0, len(ids), BATCH_SIZE):
                batch = Account.browse(ids[start : start + BATCH_SIZE])
                for writeoffs in self._write_off_batch(batch, today, counts):
                    count += len(writeoffs)
                    total += sum(writeoffs.mapped("amount"))
        counts[CountKey("written_off")] += count
        if count:
            trusted(self).write(
                {
                    "writeoff_count": self.writeoff_count + count,
                    "writeoff_total": self.writeoff_total + total,
                }
            )
        return more

    def _check_small_balance_settings(self, company):
        """The company's write-off account and journal can take the step's
        postings, else the step stops before any account: one failure of the step
        on the run ("a collections setting must be corrected"), not one per
        account; a write-off posted by hand says which setting."""
        try:
            self.env["patient.writeoff"].sudo()._postable_accounts(company, ["small_balance"])
        except UserError as error:
            raise SettingsError(error.args[0]) from error

    def _write_off_batch(self, accounts, today, counts):
        """Write off the balances of ``accounts`` (each account that fails is left
        out); returns the posted write-offs, a recordset per part that went through."""
        Writeoff = trusted(
            self.env["patient.writeoff"].sudo(), mail_create_nolog=True, tracking_disable=True
        )
        user = self.env.user
        done = []

        def write_off(records):
            writeoffs = Writeoff.create(
                [self._prepare_small_balance_writeoff_vals(account, user) for account in records]
            )
            writeoffs._post_batch(approved_by=user, date=today)
            done.append(writeoffs)

        self._isolated("_step_small_balance_writeoffs", accounts, write_off, counts)
        return done

    def _prepare_small_balance_writeoff_vals(self, account, user):
        return {
            "account_id": account.id,
            "amount": account.balance_due,
            "reason": "small_balance",
            "state": "to_approve",
            "origin": "run",
            "requested_by_id": user.id,
        }


class PatientCollectionRunLine(models.Model):
    _inherit = "patient.collection.run.line"

    kind = fields.Selection(
        selection_add=[("written_off", "Small balance written off")],
        ondelete={"written_off": "cascade"},
    )
    step = fields.Selection(
        selection_add=[("_step_small_balance_writeoffs", "Small balance write-offs")],
        ondelete={"_step_small_balance_writeoffs": "set null"},
    )
