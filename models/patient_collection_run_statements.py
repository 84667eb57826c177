"""The run's statement cycle: the accounts due a statement get one, mailed or
emailed through ``patient.account._send_statements``; the merged PDF of the
printed ones is attached to the company's run."""

from datetime import timedelta

from odoo import models
from odoo.osv.expression import OR
from odoo.tools.pdf import merge_pdf

from ..logic.run_counts import CountKey


class PatientCollectionRun(models.Model):
    _inherit = "patient.collection.run"

    def _statement_due_domain(self, companies, today):
        """Accounts in statement stages whose last statement is a cycle old (or who
        never had one), not on hold, not asking to cease."""
        Account = self.env["patient.account"]
        return OR(
            [
                [
                    ("company_id", "=", company.id),
                    ("stage_id.send_statement", "=", True),
                    ("hold_reason", "=", False),
                    *Account._statement_eligible_domain(today),
                    "|",
                    ("last_statement_date", "=", False),
                    (
                        "last_statement_date",
                        "<=",
                        today - timedelta(days=max(company.collections_statement_cycle_days, 1)),
                    ),
                ]
                for company in companies
            ]
        )

    def _step_statements(self, companies, today, counts):
        """The statement cycle, batch after batch.  The run's merged PDF is the
        company's: attached to its run."""
        accounts, more = self._step_window(
            self.env["patient.account"].sudo(),
            self._statement_due_domain(companies, today),
            "_step_statements",
        )
        for batch in self._batches(accounts):
            counts[CountKey("statement_sent")] += len(
                self._send_statement_batch(batch, today, counts)
            )
        return more

    def _send_statement_batch(self, accounts, today, counts):
        """Statements to ``accounts`` (each account that fails is left out), their
        merged PDF attached to the run; returns the accounts sent one."""
        merged = []

        def send(records):
            merged.append(records._send_statements(email=True))

        processed = self._isolated("_step_statements", accounts, send, counts)
        self._attach_merged(merged, len(processed), today)
        return processed

    def _attach_merged(self, attachments, count, today):
        """The merged statements of a batch: one file attached to the run (merged
        here when some accounts had to be sent apart), the run's company's, so that
        only those who read the run (its company's managers) read it."""
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.union(*attachments)
        if not attachments:
            return
        if len(attachments) > 1:
            parts = attachments
            attachments = Attachment.create(
                {
                    "name": self.env._(
                        "Statements %(date)s (%(count)s).pdf", date=today, count=count
                    ),
                    "raw": merge_pdf(parts.mapped("raw")),
                    "mimetype": "application/pdf",
                }
            )
            parts.unlink()
        attachments.write(
            {"res_model": self._name, "res_id": self.id, "company_id": self.company_id.id}
        )
