"""What a logged interaction does, whatever created it: a line in the account's
chatter, the open activity it answers marked done, holds and contact flags the
outcome calls for (a promise, a dispute, a cease request...), and the follow-up
activities (check the promise, call back, a manager's review)."""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import contact_rules, holds
from .patient_protected import trusted, trusted_flag

# The activity types an interaction on a channel completes.
CHANNEL_ACTIVITY_TYPES = {
    "phone_out": ("mail.mail_activity_data_call",),
    "phone_in": ("mail.mail_activity_data_call",),
    "email": ("mail.mail_activity_data_email",),
    "letter": ("mail.mail_activity_data_todo",),
    "sms": ("mail.mail_activity_data_todo",),
    "portal": ("mail.mail_activity_data_todo",),
    "in_person": ("mail.mail_activity_data_meeting", "mail.mail_activity_data_todo"),
}
# Outcomes that put the account on hold, with the hold's reason.
OUTCOME_HOLDS = {
    "dispute": "dispute",
    "hardship": "financial_assistance",
    "deceased_reported": "deceased",
    "bankruptcy_reported": "bankruptcy",
}
MANAGER_OUTCOMES = {"dispute", "deceased_reported", "bankruptcy_reported"}


class PatientInteraction(models.Model):
    _inherit = "patient.interaction"

    callback_due = fields.Boolean(
        compute="_compute_callback_due",
        search="_search_callback_due",
        help="A callback asked for today or before, not made yet (no call logged on the "
        "account since it was asked for).",
    )

    def _compute_callback_due(self):
        due = set(self._callback_due_ids(self.ids))
        for interaction in self:
            interaction.callback_due = interaction.id in due

    def _search_callback_due(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search callbacks due with = or != True or False."))
        return [("id", "in" if (operator == "=") == value else "not in", self._callback_due_ids())]

    def _callback_due_ids(self, ids=None):
        """The logged callback requests due before tomorrow on the user's calendar
        (overdue ones too) with no call logged on their account since.  One query."""
        tomorrow = fields.Date.context_today(self) + timedelta(days=1)
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        end = tz.localize(datetime.combine(tomorrow, time())).astimezone(pytz.utc)
        self.flush_model(["outcome", "state", "callback_at", "account_id", "channel", "date"])
        only = SQL("AND pi.id = ANY(%s)", list(ids)) if ids is not None else SQL()
        self.env.cr.execute(
            SQL(
                """
                SELECT pi.id FROM patient_interaction pi
                 WHERE pi.outcome = 'callback_requested' AND pi.state = 'logged'
                   AND pi.callback_at < %s %s
                   AND NOT EXISTS (
                        SELECT 1 FROM patient_interaction made
                         WHERE made.account_id = pi.account_id AND made.state = 'logged'
                           AND made.channel IN ('phone_out', 'phone_in')
                           AND made.date > pi.date)
                """,
                end.replace(tzinfo=None),
                only,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _apply_outcomes(self):
        """What each logged interaction calls for, done once, whatever created it:
        the chatter lines and the answered activities, each in one batch; then
        interaction by interaction the account's holds and flags; then the
        follow-up activities, created at once."""
        model_id = self.env["ir.model"]._get_id("patient.account")
        activities = []
        # the effects are the module's own: holds and contact flags on any account
        interactions = trusted(self.sudo())
        interactions._log_summaries()
        # promises and follow-ups are dated on the account's practice's calendar
        todays = interactions.account_id.company_id._patient_todays()
        if not (
            trusted_flag(self.env, "patient_statement_logging")
            or trusted_flag(self.env, "patient_portal_contact")
        ):
            # a statement, or what the guarantor does on the portal, is no answer to
            # the staff's open to-dos
            interactions._complete_matching_activities()
        for interaction in interactions:
            today = todays[interaction.account_id.company_id.id]
            interaction._update_account_for_outcome(today)
            activities += interaction._outcome_activity_vals(model_id, today)
        if activities:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activities
            )

    def _log_summaries(self):
        """A line per interaction in its account's chatter, in batches (one per
        rank of an account's interactions: a batch logs one line per account)."""
        rounds = []
        for interaction in self:
            account_id = interaction.account_id.id
            bodies = next((bodies for bodies in rounds if account_id not in bodies), None)
            if bodies is None:
                bodies = {}
                rounds.append(bodies)
            bodies[account_id] = Markup("<p>%s</p>") % interaction._summary()
        for bodies in rounds:
            self.account_id.browse(list(bodies))._message_log_batch(bodies=bodies)

    def _update_account_for_outcome(self, today):
        """The holds and contact flags the outcome puts on the account: a promise
        holds it until its date, a cease request or a wrong number is recorded, a
        dispute, hardship, death or bankruptcy holds it for that reason."""
        self.ensure_one()
        account = self.account_id
        outcome = self.outcome
        if outcome == "promise_to_pay":
            if self.promise_date >= today and (
                not account.hold_reason or holds.keeps_hold(account.hold_reason, "promise_to_pay")
            ):
                # on a stronger hold, kept (said in the chatter): the promise holds
                # the account when that hold is released
                account._set_hold("promise_to_pay", until=self.promise_date)
            elif (
                account.hold_reason == "promise_to_pay"
                and account.hold_until
                and self.promise_date > account.hold_until
            ):
                # held until the last pending promise
                account._set_hold("promise_to_pay", until=self.promise_date)
        elif outcome == "cease_request":
            account.write({"cease_communication": True, "cease_date": today})
        elif outcome == "wrong_number":
            account.write({"phone_invalid": True})
        if outcome in OUTCOME_HOLDS and account.hold_reason != OUTCOME_HOLDS[outcome]:
            account._set_hold(OUTCOME_HOLDS[outcome])

    def _outcome_activity_vals(self, model_id, today):
        """The activities the outcome calls for, as values to create: check a
        promise on its date, call back when asked, a manager's review of a
        dispute, death or bankruptcy."""
        self.ensure_one()
        account = self.account_id
        owner = account.user_id or self.user_id
        outcome = self.outcome
        activities = []
        if outcome == "promise_to_pay":
            activities.append(
                self._activity_vals(
                    model_id,
                    "patient_collections.mail_activity_type_promise_check",
                    self.env._("Check the promised payment"),
                    owner,
                    self.promise_date,
                )
            )
        elif outcome == "callback_requested":
            summary, day = self._callback_summary()
            activities.append(
                self._activity_vals(model_id, "mail.mail_activity_data_call", summary, owner, day)
            )
        if outcome in MANAGER_OUTCOMES:
            manager = account._collections_manager()
            if manager:
                outcomes = dict(self._fields["outcome"]._description_selection(self.env))
                activities.append(
                    self._activity_vals(
                        model_id,
                        "mail.mail_activity_data_todo",
                        self.env._("Review: %(outcome)s", outcome=outcomes[outcome]),
                        manager,
                        today,
                    )
                )
        return activities

    def _callback_summary(self):
        """(summary, day) of the call-back activity of this callback request: the
        time on the calendar of the person to call."""
        self.ensure_one()
        tz = self.account_id._contact_tz(self.partner_id)
        local = contact_rules.local_time(self.callback_at, tz)
        summary = self.env._("Call back at %(time)s (%(tz)s)", time=local.strftime("%H:%M"), tz=tz)
        return summary, local.date()

    def _undo_voided_callbacks(self):
        """The call-back activities of voided callback requests close: nobody asked."""
        callbacks = self.sudo().filtered(
            lambda i: i.outcome == "callback_requested" and i.callback_at
        )
        if not callbacks:
            return
        wanted = set()
        for callback in callbacks:
            summary, day = callback._callback_summary()
            wanted.add((callback.account_id.id, summary, day))
        calls = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "in", callbacks.account_id.ids),
                    ("activity_type_id", "=", self.env.ref("mail.mail_activity_data_call").id),
                ]
            )
        )
        callbacks.account_id._close_activities(
            calls.filtered(lambda a: (a.res_id, a.summary, a.date_deadline) in wanted),
            self.env._("Closed: the callback request was voided."),
        )

    def _activity_vals(self, model_id, type_xmlid, summary, user, deadline):
        return {
            "res_model_id": model_id,
            "res_id": self.account_id.id,
            "activity_type_id": self.env.ref(type_xmlid).id,
            "summary": summary,
            "user_id": user.id,
            "date_deadline": deadline,
        }

    def _complete_matching_activities(self):
        """Mark done the open activity each contact answers: the earliest due one of
        the channel's activity types on the account, assigned to whoever logs the
        contact or to the account's specialist (a manager's review stays open).
        One search for all the interactions, one feedback per summary."""
        type_ids = self._channel_activity_type_ids()
        answering = self.filtered(lambda interaction: type_ids.get(interaction.channel))
        if not answering:
            return
        candidates = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "in", answering.account_id.ids),
                    ("activity_type_id", "in", sorted(set().union(*type_ids.values()))),
                    ("user_id", "in", (answering.user_id | answering.account_id.user_id).ids),
                ],
                order="date_deadline, id",
            )
        )
        by_account = defaultdict(list)
        for activity in candidates:
            by_account[activity.res_id].append(activity)
        answered = defaultdict(lambda: self.env["mail.activity"].sudo())
        for interaction in answering:
            users = {interaction.user_id.id, interaction.account_id.user_id.id} - {False}
            open_activities = by_account[interaction.account_id.id]
            activity = next(
                (
                    activity
                    for activity in open_activities
                    if activity.activity_type_id.id in type_ids[interaction.channel]
                    and activity.user_id.id in users
                ),
                None,
            )
            if activity:
                open_activities.remove(activity)
                answered[interaction._summary()] |= activity
        for summary, activities in answered.items():
            activities.action_feedback(feedback=summary)

    def _channel_activity_type_ids(self):
        """{channel: set of the ids of the activity types an interaction on it completes}."""
        result = {}
        for channel, xmlids in CHANNEL_ACTIVITY_TYPES.items():
            types = [self.env.ref(xmlid, raise_if_not_found=False) for xmlid in xmlids]
            result[channel] = {activity_type.id for activity_type in types if activity_type}
        return result
