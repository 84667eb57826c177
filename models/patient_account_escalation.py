from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError

from ..logic import escalation
from .patient_protected import check_value_types, trusted_flag


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _letters_logged(self):
        """``{account id: statements mailed to it}`` (voided ones aside), one query.
        Only statements count: a letter logged by hand (a cease acknowledgement, a
        financial-assistance decision, a note to the guarantor) is no notice of the
        sequence; history from before the module is imported (``_import_history``)."""
        self.env["patient.interaction"].flush_model(
            ["account_id", "channel", "state", "is_statement"]
        )
        self.env.cr.execute(
            """
            SELECT account_id, count(*) FROM patient_interaction
             WHERE account_id = ANY(%s) AND channel = 'letter' AND state = 'logged'
               AND is_statement
          GROUP BY account_id
            """,
            [self.ids],
        )
        return dict(self.env.cr.fetchall())

    def _missing_letters(self, stage):
        """``{account: stages}``: the letters of the notice sequence each account
        has not received on its way to ``stage``, in order."""
        Stage = self.env["patient.account.stage"].sudo()
        # the active stages, a handful of configuration records
        rules = [rule._as_rule() for rule in Stage.search([])]  # pylint: disable=no-search-all
        sequence = escalation.notice_sequence(rules)
        target = stage._as_rule()
        logged = self._letters_logged()
        missing = {}
        for account in self.sudo():
            balance = max(account.balance_due, 0)
            letters = [letter for letter in sequence if balance >= letter.balance_min]
            history = escalation.History(
                letters_sent=logged.get(account.id, 0),
                final_notice_date=account.final_notice_date,
            )
            current = account.stage_id._as_rule() if account.stage_id else None
            received = escalation.letters_received(letters, current, history)
            missing[account] = Stage.browse(
                [
                    letter.id
                    for letter in letters[received:]
                    if escalation.stage_order(letter) < escalation.stage_order(target)
                ]
            )
        return missing

    def _check_stage_allowed(self, stage):
        """A hand move keeps its rules (the gates of extraordinary actions); when
        the gates refuse it, the message also names the letters of the notice
        sequence the account has not received yet."""
        try:
            return super()._check_stage_allowed(stage)
        except UserError as error:
            if not stage.is_extraordinary_action:
                raise  # not the gates: an archived stage, the plans' stage
            missing = [
                self.env._(
                    "%(account)s has not received: %(letters)s.",
                    account=account.name,
                    letters=", ".join(letters.mapped("name")),
                )
                for account, letters in self._missing_letters(stage).items()
                if letters
            ]
            if not missing:
                raise
            raise UserError(
                "\n".join(
                    [
                        error.args[0],
                        *missing,
                        self.env._(
                            "Move the account through those letter stages first: the daily "
                            "run does so one letter at a time."
                        ),
                    ]
                )
            ) from error

    def write(self, vals):
        """A hand move past letters of the notice sequence keeps today's rules and
        says, in the chatter, which letters the account has not received."""
        if "stage_id" not in vals or trusted_flag(self.env, "collections_run"):
            return super().write(vals)
        # a stage id, before it is looked up (a text or a number with decimals failed in SQL)
        check_value_types(self, [{"stage_id": vals["stage_id"]}])
        stage = self.env["patient.account.stage"].sudo().browse(vals["stage_id"]).exists()
        skipped = {}
        if stage and not stage.is_closed and not stage.is_manual:
            entering = self.sudo().filtered(lambda account: account.stage_id != stage)
            skipped = {
                account.id: letters
                for account, letters in entering._missing_letters(stage).items()
                if letters
            }
        res = super().write(vals)
        if skipped:
            self.sudo().browse(list(skipped))._message_log_batch(
                bodies={
                    account_id: Markup("<p>%s</p>")
                    % self.env._(
                        "Moved to %(stage)s by hand before these letters were sent: %(letters)s.",
                        stage=stage.name,
                        letters=", ".join(letters.mapped("name")),
                    )
                    for account_id, letters in skipped.items()
                }
            )
        return res
