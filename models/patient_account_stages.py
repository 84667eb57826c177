"""Stages of a patient account: entering one, the 501(r) and dispute gates of
extraordinary actions, the stage's activities, holds, and the way back into
the notice sequence after a plan."""

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_date

from ..logic import escalation, holds
from .patient_account import MANAGER_GROUP
from .patient_account_stage import START_STAGE_DOMAIN
from .patient_protected import check_value_types, trusted

# The longest a hold may last, from today (ten years).
MAX_HOLD_DAYS = 3653
PROMISE_HOLD = "promise_to_pay"


class PatientAccount(models.Model):
    _inherit = "patient.account"

    promise_due_today = fields.Boolean(
        compute="_compute_promise_due_today",
        search="_search_promise_due_today",
        help="On a promise-to-pay hold whose promised date is today.",
    )
    promise_due = fields.Boolean(
        compute="_compute_promise_due_today",
        search="_search_promise_due",
        help="On a promise-to-pay hold whose promised date is today or before (not judged yet).",
    )

    @api.depends("hold_reason", "hold_until")
    def _compute_promise_due_today(self):
        # the promise is dated on the practice's calendar, whoever looks
        todays = self.company_id._patient_todays()
        for account in self:
            today = todays.get(account.company_id.id)
            promised = account.hold_reason == PROMISE_HOLD and account.hold_until
            account.promise_due_today = bool(promised and account.hold_until == today)
            account.promise_due = bool(promised and account.hold_until <= today)

    def _search_promise_due_today(self, operator, value):
        return self._search_promise_by_practice_day(operator, value, "=")

    def _search_promise_due(self, operator, value):
        return self._search_promise_by_practice_day(operator, value, "<=")

    def _search_promise_by_practice_day(self, operator, value, compare):
        """Accounts on a promise-to-pay hold whose promised date ``compare`` today,
        each on its practice's calendar (whoever searches, wherever they are)."""
        return self.env["res.company"]._patient_day_search(
            [("hold_reason", "=", PROMISE_HOLD)], "hold_until", compare, operator, value
        )

    def _write_stage(self, stage, today=None):
        """The run's stage change: one write, gates already checked by the run,
        tracking replaced by the run's own batched chatter lines.  ``today``: the
        day the accounts enter the stage (the run's), else today on each
        practice's calendar."""
        day = {"collections_stage_day": today} if today else {}
        return trusted(self.sudo(), collections_run=True, tracking_disable=True, **day).write(
            {"stage_id": stage.id}
        )

    # ------------------------------------------------------------------ stages

    def _practice_days(self):
        """``{date: accounts}``: these accounts by today on their company's calendar."""
        todays = self.company_id._patient_todays()
        return self.grouped(lambda account: todays[account.company_id.id])

    def _prepare_stage_entry_vals(self, stage, today=None):
        """The entry dates of ``stage``: ``today``, else today on the calendar of
        the accounts' company (the caller groups accounts by it)."""
        today = today or (
            self.company_id[:1]._patient_today() if self else self.env.company._patient_today()
        )
        vals = {"stage_date": today}
        if stage.is_final_notice:
            vals["final_notice_date"] = today
        return vals

    def _final_notice_unsent(self):
        """These accounts that a final notice does not reach now: on a hold during
        which statements are for information only (a dispute, an application,
        bankruptcy, death), or whose guarantor asked to cease communication.  The
        501(r) gate counts from a notice sent, never from a notice withheld."""
        return (
            self.sudo()
            .filtered(
                lambda account: (
                    account.cease_communication or not holds.demands_payment(account.hold_reason)
                )
            )
            .with_env(self.env)
        )

    def _extraordinary_blocks(self, today=None):
        """Gate reasons that keep this account out of extraordinary actions."""
        self.ensure_one()
        company = self.company_id
        return escalation.extraordinary_action_blocks(
            today or company._patient_today(),
            self.first_statement_date or self.first_open_date,
            self.final_notice_date,
            self.hold_reason,
            notification_days=company.collections_notification_days,
            final_notice_days=company.collections_final_notice_days,
            check_501r=company.collections_501r_gating,
            check_disputes=company.collections_dispute_gating,
        )

    @api.model
    def _gate_messages(self):
        return {
            escalation.GATE_NOTIFICATION_PERIOD: self.env._(
                "the financial-assistance notification period since the first statement has "
                "not passed yet"
            ),
            escalation.GATE_FINAL_NOTICE: self.env._(
                "no final notice was sent early enough before it"
            ),
            escalation.GATE_DISPUTE: self.env._("a billing dispute is open"),
            escalation.GATE_FINANCIAL_ASSISTANCE: self.env._(
                "a financial-assistance application is open"
            ),
            escalation.GATE_ON_HOLD: self.env._("it is on hold: release the hold first"),
        }

    def _check_stage_allowed(self, stage):
        """Refuse a hand move into an archived stage (off the board and the run's
        rules), or into an extraordinary-action stage the account may not enter."""
        if self and not stage.sudo().active:
            raise UserError(self._archived_stage_message(stage))
        self._check_plan_stage_entry(stage)
        if not stage.is_extraordinary_action:
            return
        messages = self._gate_messages()
        problems = []
        todays = self.company_id._patient_todays()
        for account in self.sudo():
            blocks = account._extraordinary_blocks(todays[account.company_id.id])
            if blocks:
                problems.append(
                    self.env._(
                        "%(account)s: %(reasons)s",
                        account=account.name,
                        reasons="; ".join(messages[block] for block in blocks),
                    )
                )
        if problems:
            raise UserError(
                self.env._(
                    "%(stage)s is an extraordinary collection action and is not allowed yet:\n"
                    "%(problems)s",
                    stage=stage.name,
                    problems="\n".join(problems),
                )
            )

    def _check_plan_stage_entry(self, stage):
        """The payment plan stage is the plans': an account enters it when its plan
        is agreed.  Moved there by hand without one, it would wait outside the run
        (a manual stage) with no hold nor end, its statements thanking the guarantor
        for a plan that does not exist."""
        if stage != self.env.ref("patient_collections.stage_payment_plan", False):
            return
        without = self.sudo().filtered(lambda account: not account.active_plan_id)
        if without:
            raise UserError(
                self.env._(
                    "%(accounts)s: no active payment plan. An account enters %(stage)s when "
                    "its plan is agreed: create the plan from the account (Payment Plan).",
                    accounts=", ".join(without.mapped("name")),
                    stage=stage.sudo().name,
                )
            )

    def _archived_stage_message(self, stage):
        return self.env._(
            "Stage %(stage)s is archived: choose an active stage (a collections manager "
            "restores it in Collections > Configuration > Stages).",
            stage=stage.sudo().name,
        )

    def _check_resolved_allowed(self, stage):
        """Refuse a hand move into the resolved stage of an account whose guarantor
        still owes (its balances refreshed first): the next run would reopen it.
        An amount waiting only for insurance is not owed by the patient yet: such
        an account may be resolved (the run then holds it for insurance)."""
        if not stage.is_closed or not self:
            return
        accounts = self.sudo()
        accounts._refresh_balances()
        owing = accounts.filtered(
            lambda account: account.currency_id.compare_amounts(account.balance_due, 0) > 0
        )
        if not owing:
            return
        # each line translated on its own, before the message (a _() inside another's
        # arguments is not extracted for translation)
        lines = [
            self.env._(
                "%(account)s: %(amount)s still owed",
                account=account.name,
                amount=account.currency_id.format(account.balance_due),
            )
            for account in owing
        ]
        raise UserError(
            self.env._(
                "%(stage)s is for accounts with nothing left to pay, and these still owe:\n"
                "%(accounts)s\n"
                "Record the payment, write the balance off or approve financial assistance "
                "instead: the daily run then moves the account to %(stage)s itself.",
                stage=stage.sudo().name,
                accounts="\n".join(lines),
            )
        )

    def _schedule_stage_activities(self, stage):
        """The stage's activity for each account's specialist, created in one batch."""
        if not stage.activity_type_id or not self:
            return self.env["mail.activity"]
        activity_type = stage.activity_type_id
        # counted from today on the practice's calendar, per company
        deadlines = {
            company_id: (
                activity_type.with_context(tz=tz)._get_date_deadline()
                if activity_type.delay_count
                else fields.Date.context_today(self.with_context(tz=tz))
            )
            for company_id, tz in self.company_id._patient_tzs().items()
        }
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": account.id,
                "activity_type_id": activity_type.id,
                "summary": stage.activity_summary or stage.name,
                "user_id": account.user_id.id,
                "date_deadline": deadlines[account.company_id.id],
            }
            for account in self
            if account.user_id
        ]
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )

    # ------------------------------------------------------------------ holds

    def _set_hold(self, reason, until=False, note=False, auto=False):
        """Put these accounts on hold, with one chatter line each."""
        if not self:
            return
        if not reason:
            raise UserError(self.env._("Choose why the account is put on hold."))
        # each practice's calendar, not the user's: past for none, ten years for all
        todays = self.company_id._patient_todays().values()
        if until and until < max(todays):
            raise UserError(
                self.env._("A hold cannot end in the past: choose today or a later date.")
            )
        if until and until > min(todays) + timedelta(days=MAX_HOLD_DAYS):
            raise UserError(
                self.env._("A hold lasts at most ten years: choose an earlier end date, or none.")
            )
        self._check_owner()
        # the chatter line below says it all: no tracking lines besides
        trusted(self, tracking_disable=True).write(
            {"hold_reason": reason, "hold_until": until, "hold_note": note, "hold_auto": auto}
        )
        label = dict(self._fields["hold_reason"]._description_selection(self.env))[reason]
        if until:
            body = self.env._(
                "On hold: %(reason)s, until %(date)s.",
                reason=label,
                date=format_date(self.env, until),
            )
        else:
            body = self.env._("On hold: %(reason)s.", reason=label)
        self._message_log_batch(bodies=dict.fromkeys(self.ids, Markup("<p>%s</p>") % body))

    def _filter_waiting_for_insurance(self):
        """The accounts whose whole open balance waits for insurance (the insurance hold)."""
        return self.filtered(
            lambda account: holds.waits_for_insurance(
                account.balance_due, account.balance_insurance_pending
            )
        )

    def _default_stage_id(self):
        """The first stage of the notice sequence: never a final notice or an
        extraordinary action, however the stages are ordered (501(r) gates)."""
        return self.env["patient.account.stage"].search(START_STAGE_DOMAIN, limit=1)

    def _filter_settled(self):
        """The accounts with nothing left to pay, now or after insurance."""
        return self.filtered(
            lambda account: holds.is_settled(account.balance_due, account.balance_insurance_pending)
        )

    def _release_hold(self, why=None):
        """Lift the hold of these accounts, with one chatter line each."""
        held = self.filtered("hold_reason")
        if not held:
            return
        bodies = {}
        labels = dict(self._fields["hold_reason"]._description_selection(self.env))
        for account in held:
            text = self.env._("Hold lifted (%(reason)s).", reason=labels[account.hold_reason])
            if why:
                text = f"{text} {why}"
            bodies[account.id] = Markup("<p>%s</p>") % text
        held._check_owner()
        trusted(held, tracking_disable=True).write(
            {"hold_reason": False, "hold_until": False, "hold_note": False, "hold_auto": False}
        )
        held._message_log_batch(bodies=bodies)

    # ------------------------------------------------------------------ history

    def _import_history(self, stage=False, first_statement_date=False, final_notice_date=False):
        """History from before the module (a data import, the demo): the stage the
        account is in and the letters already sent, honoured by the run as if the
        module had sent them.  For collections managers and the system only."""
        user = self.env.user
        if not (user._is_superuser() or user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only collections managers import the collections history.")
            )
        self.check_access("write")
        check_value_types(
            self,
            [
                {
                    "first_statement_date": first_statement_date,
                    "final_notice_date": final_notice_date,
                }
            ],
        )
        vals = {}
        if first_statement_date:
            vals["first_statement_date"] = first_statement_date
        if final_notice_date:
            vals["final_notice_date"] = final_notice_date
        if stage:
            vals["stage_id"] = stage
        # written as the module would: an import is no hand move through the gates
        trusted(self, collections_run=True).write(vals)
        if final_notice_date:
            # entering a final-notice stage dates the notice today: the import's date wins
            trusted(self).write({"final_notice_date": final_notice_date})
        return True

    def _return_to_escalation(self, notes=None, today=None):
        """``_escalation_return`` with its chatter lines logged."""
        bodies = self._escalation_return(notes, today)
        if bodies:
            self.sudo().browse(list(bodies))._message_log_batch(bodies=bodies)

    def _escalation_return(self, notes=None, today=None):
        """Back to the stage the account deserves (after a payment plan ends): the
        resolved stage when nothing is owed, else where the notice sequence goes
        on from the letters it received (the run's own rules: no letter skipped,
        no gate passed); the first stage when it may enter none yet, so the run
        takes it on.  One stage write per target stage.  Returns the chatter
        lines, not logged ({account id: body}): each moved account's, after its
        text in ``notes`` ({account id: text}: why it returns, logged on it even
        if it stays).
        ``today``: the day of record (the run's), else today on each practice's
        calendar."""
        accounts = self.sudo()
        stages = self.env["patient.account.stage"].sudo().search([])  # pylint: disable=no-search-all
        closed = escalation.closed_stage([stage._as_rule() for stage in stages])
        paid = accounts._filter_settled()
        targets = {account.id: closed.id if closed else None for account in paid}
        # the notice sequence goes on from today on each practice's calendar
        going_on = accounts - paid
        days = {today: going_on} if today and going_on else going_on._practice_days()
        for day, group in days.items():
            targets.update(self.env["patient.collection.run"]._resume_targets(group, day))
        first = self._default_stage_id()
        paid_ids = set(paid.ids)
        moves = defaultdict(list)
        for account in accounts:
            target = targets.get(account.id) or (first.id if account.id not in paid_ids else None)
            if target and target != account.stage_id.id:
                moves[target].append(account.id)
        # one write per target stage, its lines in the chatter in one batch
        lines = dict(notes or {})
        for target, account_ids in moves.items():
            stage = stages.browse(target)
            moving = accounts.browse(account_ids)
            for account in moving:
                line = self.env._(
                    "Stage: %(old)s → %(new)s.",
                    old=account.stage_id.display_name or self.env._("none"),
                    new=stage.display_name,
                )
                lines[account.id] = f"{lines[account.id]} {line}" if account.id in lines else line
            moving._write_stage(stage, today)
        return {account_id: Markup("<p>%s</p>") % line for account_id, line in lines.items()}
