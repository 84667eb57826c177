"""The accounts behind a line of a collections run (issue 14): a manager clicks a
count of the run ("Not moved: on hold", "Waiting for 501(r)", "Moved to
Second statement", "Statements not sent: no mailing address") and gets the list of those accounts.

The run keeps counts, not account lists; the accounts behind a reason are the
ones the run's own rules (``logic.escalation.decide_escalation``, through the
run's escalation reader) give that reason on the run's date, from the accounts
as they are now: for today's run, exactly the run's; for an older run, the
accounts in that situation today.  Moved accounts are the ones the run moved
(kept on the line: a second run of the day, or a move by hand, is not this
run's); an account the run could not process is the line's own."""

from odoo import Command, api, models

from .patient_protected import trusted


class PatientCollectionRunLine(models.Model):
    _inherit = "patient.collection.run.line"

    def action_open_accounts(self):
        """The accounts behind this line, as a list (the user's access rules apply)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": "patient.account",
            "domain": [("id", "in", self._accounts_behind())],
            "views": [(False, "list"), (False, "form")],
            "view_mode": "list,form",
            "context": {"create": False},
            "target": "current",
        }

    def _accounts_behind(self):
        """Ids of the accounts this line counts (see the module's docstring)."""
        self.ensure_one()
        run = self.run_id
        if self.account_id:
            return self.account_id.ids
        if self.kind == "moved" and self.sudo().moved_account_ids:
            return self.sudo().moved_account_ids.ids
        if self.kind == "moved" and self.stage_id:
            # a run recorded before the moved accounts were kept: in the stage since its date
            return (
                self.env["patient.account"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", run.company_id.id),
                        ("stage_id", "=", self.stage_id.id),
                        ("stage_date", ">=", run.date),
                    ]
                )
                .ids
            )
        if self.kind == "statement_no_address":
            return self._accounts_unmailed()
        if self.reason:
            return self._accounts_judged(lambda decision: self._counts_decision(decision))
        return []

    @api.model
    def _link_moved(self, run, moved):
        """Keep on ``run``'s "Moved to stage" lines which accounts it moved
        (``moved``: {stage id: accounts}); a line not written yet is opened with
        no count (the run's ``_record`` adds the count to it)."""
        lines = {line.stage_id.id: line for line in run.line_ids if line.kind == "moved"}
        new_lines = []
        for stage_id, accounts in moved.items():
            if not accounts:
                continue
            links = [Command.link(account_id) for account_id in accounts.ids]
            if stage_id in lines:
                trusted(lines[stage_id]).write({"moved_account_ids": links})
            else:
                new_lines.append(
                    Command.create(
                        {"kind": "moved", "stage_id": stage_id, "moved_account_ids": links}
                    )
                )
        if new_lines:
            trusted(run).write({"line_ids": new_lines})

    def _accounts_unmailed(self):
        """Ids of the run company's accounts due a statement on the run's date that
        no statement can reach (the run's own rule, on the accounts as they are
        now: one entered since is not listed any more)."""
        run = self.run_id
        Run = self.env["patient.collection.run"].sudo()
        Account = self.env["patient.account"].sudo()
        return Account.search(
            [
                *Run._statement_due_domain(run.company_id, run.date),
                *Account._statement_unreachable_domain(email=True),
            ]
        ).ids

    def _counts_decision(self, decision):
        """Whether this line counts an account the rules decided ``decision`` for."""
        if self.kind == "skipped":
            return decision.target is None and decision.reason == self.reason
        return (
            bool(decision.wait)
            and decision.wait == self.reason
            and decision.wait_stage.id == self.stage_id.id
        )

    def _accounts_judged(self, counted):
        """Ids of the run company's accounts whose escalation decision on the run's
        date ``counted`` accepts: read in the run's batches, one query each."""
        run = self.run_id
        Run = self.env["patient.collection.run"].sudo()
        company = run.company_id
        context = Run._escalation_context(company)
        Run._flush_for_escalation()
        found, last_id = [], 0
        zones = Run._company_tz_values(company)
        while rows := Run._escalation_rows(company, last_id, zones=zones):
            last_id = rows[-1][0]
            found += [
                account_id
                for account_id, decision in Run._decide_rows(rows, context, run.date)
                if counted(decision)
            ]
        return found
