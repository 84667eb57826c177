"""The run's statement cycle: the accounts due a statement get one, mailed or
emailed through ``patient.account._send_statements``; the merged PDF of the
printed ones is attached to the company's run.  Those no statement can reach (no
mailing address, no email: ``patient_account_statement_address``) get none and
are counted ("Statements not sent: no mailing address"): they stay due, and the
next run sends theirs once an address or an email is entered."""

from datetime import timedelta

from odoo import models
from odoo.osv.expression import OR
from odoo.tools.pdf import merge_pdf

from ..logic.run_counts import CountKey
from . import patient_collection_run_budget as run_budget
from .patient_collection_run_batches import StepBatch

# the count of the accounts due a statement that none can reach
NO_ADDRESS = "statement_no_address"

# statements rendered and sent together, between two looks at the batch's
# deadline: at most, and the first chunk of a batch (later ones fit half the time
# left at the pace of the one before)
STATEMENT_CHUNK = 50
FIRST_CHUNK = 10
# the first chunk of a batch whose deadline is (nearly) there: the one batch a
# unit of work runs under limits too tight for a useful one
TIGHT_CHUNK = 2


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
        """The statement cycle, batch after batch, each batch chunk after chunk until
        the batch's deadline; the merged PDF of a batch is the company's: attached
        to its run."""
        # the emails wait in Odoo's mail queue: sent at each batch's commit (Odoo's
        # default for a message to a few people) they took the batch's time past
        # its deadline, and a worker killed there left sent ones to send again
        Account = self.env["patient.account"].sudo().with_context(mail_notify_force_send=False)
        accounts, more = self._step_window(
            Account,
            self._statement_due_domain(companies, today),
            "_step_statements",
        )
        merged = []
        sent = accounts.browse()
        reachable = accounts._statement_reachable_domain(email=True)

        def send(records):
            merged.append(records._send_reachable_statements(email=True))

        start, size = 0, min(STATEMENT_CHUNK, FIRST_CHUNK)
        if self._batch_time_left() < run_budget.BATCH_FLOOR:
            size = min(size, TIGHT_CHUNK)
        while start < len(accounts):
            chunk = accounts[start : start + size]
            started = run_budget.monotonic()
            mailable = chunk.filtered_domain(reachable)
            counts[CountKey(NO_ADDRESS)] += len(chunk) - len(mailable)
            sent |= self._isolated("_step_statements", mailable, send, counts)
            start += len(chunk)
            rest, left = len(accounts) - start, self._batch_time_left()
            if rest and left <= 0:
                more = StepBatch(chunk[-1].id, rest + (more.remaining if more else 0))
                break
            # as many as fit in half the time left at the pace of this chunk (a
            # load twice as heavy still ends the batch in time)
            fit = left / 2 * len(chunk) / max(run_budget.monotonic() - started, 1e-6)
            size = max(1, int(min(STATEMENT_CHUNK, fit)))
        counts[CountKey("statement_sent")] += len(sent)
        # the mail house's file: the statements not emailed
        self._attach_merged(merged, len(sent - sent._statement_email_recipients(True)), today)
        return more

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
