from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..logic import holds
from ..models.patient_account import HOLD_REASONS
from .common import active_records_default, latest_date


class PatientAccountHold(models.TransientModel):
    _name = "patient.account.hold"
    _inherit = ["patient.wizard.mixin"]
    _description = "Put Patient Accounts on Hold or Release Them"
    _text_limits = {"hold_note": 2000}

    account_ids = fields.Many2many(
        "patient.account",
        string="Accounts",
        required=True,
        default=active_records_default("patient.account"),
    )
    action = fields.Selection(
        [("set", "Put on hold"), ("release", "Release the hold")], required=True, default="set"
    )
    hold_reason = fields.Selection(HOLD_REASONS, string="Reason")
    hold_until = fields.Date(string="Until", help="Left empty, the hold stays until released.")
    hold_note = fields.Text(string="Note")

    def action_apply(self):
        self.ensure_one()
        accounts = self.account_ids
        archived = self.with_context(active_test=False).account_ids - accounts
        if archived:
            raise UserError(
                self.env._(
                    "%(accounts)s: archived, so out of collections. A collections manager "
                    "restores an account (Unarchive) before it is put on hold or released.",
                    accounts=", ".join(archived.sudo().mapped("name")),
                )
            )
        if not accounts:
            raise UserError(self.env._("Select at least one patient account."))
        accounts.check_access("write")
        if self.action == "set":
            self._check_hold()
            self._check_not_weaker()
            accounts._set_hold(self.hold_reason, self.hold_until, self.hold_note)
        else:
            if not accounts.filtered("hold_reason"):
                # the dialog closed as if released, and nothing had changed
                raise UserError(
                    self.env._(
                        "None of the selected accounts is on hold: there is nothing to release."
                    )
                )
            accounts._release_hold(why=self.env._("Released by hand."))
        return {"type": "ir.actions.act_window_close"}

    def _check_not_weaker(self):
        """A hold never replaces a stronger one: refused before anything changes."""
        stronger = self.account_ids.filtered(
            lambda account: holds.keeps_hold(account.hold_reason, self.hold_reason)
        )
        if stronger:
            labels = dict(self._fields["hold_reason"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(count)s of the selected accounts are on a hold stronger than "
                    "%(reason)s (%(holds)s), which it does not replace: leave them out, or "
                    "release their hold first (a bankruptcy or deceased hold: a collections "
                    "manager).",
                    count=len(stronger),
                    reason=labels[self.hold_reason],
                    holds=", ".join(sorted({labels[r] for r in stronger.mapped("hold_reason")})),
                )
            )

    def _check_hold(self):
        """A reason, and an end date between today on the practice's calendar and
        ten years ahead (the promise horizon of the accounts' companies for a
        promise to pay)."""
        if not self.hold_reason:
            raise UserError(self.env._("Choose why the account is put on hold."))
        until = self.hold_until
        if not until:
            if self.hold_reason == "promise_to_pay":
                raise UserError(
                    self.env._(
                        "A promise to pay holds an account until the promised date: choose "
                        "the date in Until."
                    )
                )
            return
        # the practices' calendar, not the user's (the latest when their dates differ)
        today = max(self.account_ids.company_id._patient_todays().values())
        if until < today:
            raise UserError(
                self.env._("A hold cannot end in the past: choose today or a later date.")
            )
        if until > latest_date(today):
            raise UserError(
                self.env._(
                    "A hold ends within ten years: choose a date before %(date)s, or leave "
                    "it empty to hold the account until it is released.",
                    date=format_date(self.env, latest_date(today)),
                )
            )
        if self.hold_reason == "promise_to_pay":
            horizon = min(self.account_ids.company_id.mapped("collections_promise_horizon_days"))
            if (until - today).days > horizon:
                raise UserError(
                    self.env._(
                        "A promise to pay holds an account %(days)s days at most (the "
                        "promise horizon in the collections settings): choose an earlier "
                        "date.",
                        days=horizon,
                    )
                )
