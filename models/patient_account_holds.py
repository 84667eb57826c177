"""Which hold an account keeps: one hold at a time, never replaced by a weaker
one (bankruptcy and deceased above dispute, above financial assistance, above
a promise, insurance or other; ``logic.holds``); a promise still pending holds
the account again when the stronger hold that replaced it is released; only a
collections manager releases a bankruptcy or deceased hold."""

from collections import defaultdict

from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError

from ..logic import holds
from .patient_financial_assistance import OPEN_STATES
from .patient_protected import is_trusted, trusted

PROMISE_HOLD = "promise_to_pay"
ASSISTANCE_HOLD = "financial_assistance"


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _set_hold(self, reason, until=False, note=False, auto=False):
        """The accounts on a stronger hold keep it (said in their chatter)."""
        if reason == PROMISE_HOLD and not until:
            raise UserError(
                self.env._(
                    "A promise to pay holds an account until the promised date: choose the date."
                )
            )
        kept = self.filtered(lambda account: holds.keeps_hold(account.hold_reason, reason))
        # replaced by one as strong (say, bankruptcy until today: lifted by the next
        # run), a bankruptcy or deceased hold would end without a manager
        (self - kept)._check_no_demand_hold_release()
        if kept:
            kept._log_stronger_hold_kept(reason)
        return super(PatientAccount, self - kept)._set_hold(
            reason, until=until, note=note, auto=auto
        )

    def _log_stronger_hold_kept(self, reason):
        labels = dict(self._fields["hold_reason"]._description_selection(self.env))
        bodies = {
            account.id: Markup("<p>%s</p>")
            % self.env._(
                "Still on hold: %(kept)s, a stronger hold than %(asked)s, which does not "
                "replace it.",
                kept=labels[account.hold_reason],
                asked=labels[reason],
            )
            for account in self
        }
        self._message_log_batch(bodies=bodies)

    def _release_hold(self, why=None):
        """Lift the holds; a bankruptcy or deceased hold for collections managers
        only; an account with a promise still pending goes back on its hold."""
        self._check_no_demand_hold_release()
        # 501(r): no extraordinary action while an application is open; its hold is
        # lifted by the application's own code (decided, withdrawn) only
        applying = self._with_open_assistance_application()
        own = applying.filtered(lambda account: account.hold_reason == ASSISTANCE_HOLD)
        if is_trusted(self.env):
            applying -= own
        elif own and not self.env.su:
            raise UserError(
                self.env._(
                    "%(accounts)s: an open financial-assistance application holds the account "
                    "until it is decided. Approve or deny the application, or withdraw it, "
                    "instead.",
                    accounts=", ".join(own.mapped("name")),
                )
            )
        replaced = self.filtered(
            lambda account: account.hold_reason and account.hold_reason != PROMISE_HOLD
        )
        paused = self.filtered(lambda account: not holds.takes_plan(account.hold_reason))
        res = super()._release_hold(why=why)
        # a stronger hold (a dispute...) had replaced the application's, or its own
        # hold was given an end date by hand
        back = (replaced & applying).filtered(lambda account: not account.hold_reason)
        if back:
            trusted(back)._set_hold(ASSISTANCE_HOLD)
        replaced._resume_promise_holds()
        paused.sudo().plan_ids._resume()
        return res

    def _check_no_demand_hold_release(self):
        """Only a collections manager ends a bankruptcy or deceased hold."""
        no_demand = self.filtered(lambda account: account.hold_reason in holds.NO_DEMAND_HOLDS)
        if no_demand and not (self.env.su or self._is_collections_manager()):
            raise UserError(
                self.env._(
                    "Only a collections manager releases a bankruptcy or deceased hold: ask a "
                    "manager to review the account."
                )
            )

    def _with_open_assistance_application(self):
        """These accounts with a financial-assistance application still open."""
        if not self:
            return self
        return (
            self.env["patient.financial.assistance"]
            .sudo()
            .search([("account_id", "in", self.ids), ("state", "in", OPEN_STATES)])
            .account_id.with_env(self.env)
            & self
        )

    def _resume_promise_holds(self):
        """These accounts, just released, go back on a promise-to-pay hold until
        their latest promise still pending and not past (what the guarantor was
        promised stays promised).  One search."""
        if not self:
            return
        pending = self.env["patient.interaction"]._pending_promises(self)
        todays = self.company_id._patient_todays()
        latest = {}
        for promise in pending:
            account = promise.account_id
            if promise.promise_date >= todays[account.company_id.id]:
                latest[account.id] = max(
                    latest.get(account.id, promise.promise_date), promise.promise_date
                )
        by_date = defaultdict(lambda: self.browse())
        for account in self:
            if account.id in latest and not account.hold_reason:
                by_date[latest[account.id]] |= account
        for until, accounts in by_date.items():
            accounts._set_hold(PROMISE_HOLD, until=until)
