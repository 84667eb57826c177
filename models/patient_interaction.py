from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..logic import contact_rules
from .patient_protected import is_trusted, trusted, trusted_flag

CHANNELS = [
    ("phone_out", "Outbound call"),
    ("phone_in", "Inbound call"),
    ("letter", "Letter"),
    ("email", "Email"),
    ("sms", "Text message"),
    ("portal", "Portal"),
    ("in_person", "In person"),
]
OUTCOMES = [
    ("reached", "Reached"),
    ("promise_to_pay", "Promise to pay"),
    ("payment_made", "Payment made"),
    ("dispute", "Dispute"),
    ("hardship", "Financial hardship"),
    ("callback_requested", "Callback requested"),
    ("left_voicemail", "Left voicemail"),
    ("no_answer", "No answer"),
    ("wrong_number", "Wrong number"),
    ("refused", "Refused to pay"),
    ("cease_request", "Cease communication request"),
    ("deceased_reported", "Deceased reported"),
    ("bankruptcy_reported", "Bankruptcy reported"),
    ("other", "Other"),
]
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
# Fields that may change after an interaction is logged, and by whom.
VOID_FIELDS = {"state", "void_reason", "voided_by_id", "voided_at"}
PROMISE_FIELDS = {"promise_state", "promise_checked_on", "promise_paid_amount"}
MAX_DURATION_MINUTES = 24 * 60
MAX_CALLBACK_DAYS = 365
# How far back a specialist may date a contact (managers: any past date).
MAX_BACKDATE_DAYS = 30


class PatientInteraction(models.Model):
    _name = "patient.interaction"
    _description = "Patient Account Interaction"
    _order = "date desc, id desc"
    _inherit = ["patient.phi.mixin"]
    _rec_name = "account_id"
    _check_company_auto = True
    # a permanent record: only voiding and the promise check change it, through
    # the module's own code; who logged it is always the current user (or the run)
    _protected_immutable = True
    _protected_fields = frozenset(VOID_FIELDS | PROMISE_FIELDS | {"overridden_rules", "user_id"})

    account_id = fields.Many2one(
        "patient.account", required=True, index=True, ondelete="restrict", check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Person Contacted",
        help="Left empty, the account's guarantor.",
    )
    channel = fields.Selection(CHANNELS, required=True, index=True)
    outcome = fields.Selection(OUTCOMES, required=True, index=True)
    direction = fields.Selection(
        [("outbound", "Outbound"), ("inbound", "Inbound")],
        compute="_compute_direction",
        store=True,
    )
    note = fields.Text(help="Never posted in the chatter nor shown to accountants.")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Logged By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    duration_minutes = fields.Integer(string="Duration (minutes)")
    promise_amount = fields.Monetary()
    promise_date = fields.Date(index=True)
    promise_state = fields.Selection(
        [("pending", "Pending"), ("kept", "Kept"), ("broken", "Broken")],
        readonly=True,
        index=True,
        copy=False,
    )
    promise_paid_amount = fields.Monetary(readonly=True, copy=False)
    promise_checked_on = fields.Date(readonly=True, copy=False)
    callback_at = fields.Datetime(string="Call Back At")
    is_cease_acknowledgement = fields.Boolean(
        string="Acknowledges Cease Request",
        help="The written acknowledgement of a request to cease communication: the one "
        "outbound letter still allowed.",
    )
    override_reason = fields.Char(
        help="A manager may log a contact a rule would refuse, saying why.", copy=False
    )
    overridden_rules = fields.Char(readonly=True, copy=False)
    state = fields.Selection(
        [("logged", "Logged"), ("voided", "Voided")], default="logged", required=True, index=True
    )
    void_reason = fields.Char(readonly=True, copy=False)
    voided_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    voided_at = fields.Datetime(readonly=True, copy=False)

    @api.depends("channel")
    def _compute_direction(self):
        for interaction in self:
            interaction.direction = (
                "outbound" if interaction.channel in contact_rules.OUTBOUND_CHANNELS else "inbound"
            )

    @api.depends("account_id", "channel", "outcome", "date")
    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        for interaction in self:
            interaction.display_name = " – ".join(
                filter(
                    None,
                    [
                        interaction.account_id.name,
                        channels.get(interaction.channel),
                        outcomes.get(interaction.outcome),
                    ],
                )
            )

    # ------------------------------------------------------------------ checks

    @api.constrains("duration_minutes", "promise_amount", "outcome", "promise_date", "callback_at")
    def _check_values(self):
        for interaction in self:
            if interaction.duration_minutes < 0:
                raise ValidationError(self.env._("A duration cannot be negative."))
            if interaction.outcome == "promise_to_pay":
                if interaction.promise_amount <= 0 or not interaction.promise_date:
                    raise ValidationError(
                        self.env._(
                            "A promise to pay needs the amount promised (more than zero) and "
                            "the date it will be paid by."
                        )
                    )
            elif interaction.promise_amount or interaction.promise_date:
                raise ValidationError(
                    self.env._("A promised amount or date only goes with a promise to pay.")
                )
            if interaction.outcome == "callback_requested" and not interaction.callback_at:
                raise ValidationError(
                    self.env._("A callback request needs the date and time to call back.")
                )
            interaction._check_bounds()
            account = interaction.account_id.sudo()
            contact = interaction.partner_id
            if (
                contact
                and contact != account.partner_id
                and contact not in (account.patient_ids | account.partner_id.child_ids)
            ):
                raise ValidationError(
                    self.env._(
                        "The person contacted is the account's guarantor, one of its patients "
                        "or one of the guarantor's contacts."
                    )
                )

    def _check_bounds(self):
        """Durations, promise and callback dates a practice could mean."""
        self.ensure_one()
        if self.duration_minutes > MAX_DURATION_MINUTES:
            raise ValidationError(
                self.env._(
                    "A contact lasts at most %(minutes)s minutes: check the duration.",
                    minutes=MAX_DURATION_MINUTES,
                )
            )
        logged_on = fields.Datetime.to_datetime(self.date).date()
        if self.promise_date:
            horizon = self.account_id.sudo().company_id.collections_promise_horizon_days
            if self.promise_date < logged_on:
                raise ValidationError(
                    self.env._("A promise to pay is dated on or after the day it is made.")
                )
            if self.promise_date > logged_on + timedelta(days=horizon):
                raise ValidationError(
                    self.env._(
                        "A promise to pay is kept within %(days)s days (Collections Settings): "
                        "for a longer arrangement, set up a payment plan.",
                        days=horizon,
                    )
                )
        if self.callback_at:
            callback = fields.Datetime.to_datetime(self.callback_at)
            date = fields.Datetime.to_datetime(self.date)
            if callback < date - timedelta(minutes=5) or callback > date + timedelta(
                days=MAX_CALLBACK_DAYS
            ):
                raise ValidationError(
                    self.env._(
                        "A callback is planned after the contact and within %(days)s days.",
                        days=MAX_CALLBACK_DAYS,
                    )
                )

    # ------------------------------------------------------------------ CRUD

    def _protected_immutable_refusal(self):
        return UserError(
            self.env._(
                "Interactions are a permanent record and cannot be edited. Log a new "
                "interaction to correct one; a manager can void one with a reason."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        interactions = super().create(vals_list)
        interactions._apply_outcomes()
        return interactions

    def _prepare_create_vals(self, vals_list):
        """The values that will be stored (the action's defaults applied): a promise
        is tracked from the start, and the contact rules and bounds judge them."""
        for vals in vals_list:
            if vals.get("outcome") == "promise_to_pay" and not vals.get("promise_state"):
                vals["promise_state"] = "pending"
        self._check_new_contacts(vals_list)
        return super()._prepare_create_vals(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "Interactions are a permanent record and cannot be deleted; a manager can "
                "void one with a reason."
            )
        )

    # ------------------------------------------------------------------ contact rules

    def _check_new_contacts(self, vals_list):
        """Refuse outbound contacts a contact rule forbids (unless a manager overrides),
        before anything is written."""
        Account = self.env["patient.account"]
        is_manager = self.env.user.has_group("patient_collections.group_collections_manager")
        now = fields.Datetime.now()
        outbound = []
        for vals in vals_list:
            if not vals.get("account_id"):
                raise ValidationError(self.env._("An interaction needs its patient account."))
            moment = fields.Datetime.to_datetime(vals.get("date")) or now
            if moment > now + timedelta(minutes=5):
                raise ValidationError(
                    self.env._(
                        "An interaction is logged once it happened: its date cannot be in the "
                        "future."
                    )
                )
            if (
                moment < now - timedelta(days=MAX_BACKDATE_DAYS)
                and not is_manager
                and not is_trusted(self.env)
            ):
                raise ValidationError(
                    self.env._(
                        "A contact is logged within %(days)s days of when it happened; a "
                        "collections manager can log older ones.",
                        days=MAX_BACKDATE_DAYS,
                    )
                )
            if vals.get("channel") in contact_rules.OUTBOUND_CHANNELS:
                outbound.append((moment, vals))
        if not outbound:
            return
        accounts = Account.browse({vals["account_id"] for _moment, vals in outbound}).sudo()
        earliest = min(moment for moment, _vals in outbound)
        calls = defaultdict(list)
        for account, dates in self.sudo()._read_group(
            [
                ("account_id", "in", accounts.ids),
                ("channel", "=", "phone_out"),
                ("state", "=", "logged"),
                ("date", ">", earliest - timedelta(days=31)),
            ],
            ["account_id"],
            ["date:array_agg"],
        ):
            calls[account.id].extend(dates)
        labels = self._rule_labels()
        for moment, vals in sorted(outbound, key=lambda item: item[0]):
            account = accounts.browse(vals["account_id"])
            company = account.company_id
            violations = contact_rules.check(
                vals["channel"],
                moment,
                account._contact_tz(),
                previous_calls_utc=calls[account.id],
                cease_communication=account.cease_communication,
                sms_consent=account.sms_consent,
                phone_invalid=account.phone_invalid,
                is_cease_acknowledgement=vals.get("is_cease_acknowledgement", False),
                max_calls=company.collections_max_calls,
                window_days=company.collections_call_window_days,
            )
            if violations:
                if vals.get("override_reason") and is_manager:
                    vals["overridden_rules"] = ", ".join(labels[v.rule] for v in violations)
                elif vals.get("override_reason"):
                    raise AccessError(
                        self.env._("Only a collections manager can override a contact rule.")
                    )
                else:
                    raise UserError(self._violation_message(account, violations))
            if vals["channel"] == "phone_out":
                calls[account.id].append(moment)

    @api.model
    def _rule_labels(self):
        return {
            contact_rules.RULE_CALL_HOURS: self.env._("Contact hours (08:00-21:00 local time)"),
            contact_rules.RULE_CALL_FREQUENCY: self.env._("Call frequency limit"),
            contact_rules.RULE_CEASE: self.env._("Cease-communication request"),
            contact_rules.RULE_SMS_CONSENT: self.env._("Text message consent"),
            contact_rules.RULE_INVALID_NUMBER: self.env._("Invalid phone number"),
        }

    def _violation_message(self, account, violations):
        labels = self._rule_labels()
        tz = account._contact_tz()
        lines = []
        for violation in violations:
            if violation.allowed_from:
                local = contact_rules.local_time(violation.allowed_from, tz)
                when = self.env._(
                    "allowed from %(when)s (%(tz)s)",
                    when=local.strftime("%Y-%m-%d %H:%M"),
                    tz=tz,
                )
            elif violation.rule == contact_rules.RULE_CEASE:
                when = self.env._(
                    "not allowed until the request is withdrawn (only a letter acknowledging "
                    "it may be sent)"
                )
            elif violation.rule == contact_rules.RULE_SMS_CONSENT:
                when = self.env._("allowed once the guarantor's consent is recorded")
            else:
                when = self.env._("allowed once a valid number is recorded")
            lines.append(f"- {labels[violation.rule]}: {when}")
        return self.env._(
            "This contact on %(account)s is not allowed by the contact rules:\n%(lines)s\n"
            "%(override)s",
            account=account.name,
            lines="\n".join(lines),
            override=self.env._(
                "A manager may log a call or letter anyway by giving an override reason; "
                "messages wait until the rules allow them."
            ),
        )

    # ------------------------------------------------------------------ effects

    def _summary(self):
        """One line for the chatter: channel, outcome, promise; never the note."""
        self.ensure_one()
        channels = dict(self._fields["channel"]._description_selection(self.env))
        outcomes = dict(self._fields["outcome"]._description_selection(self.env))
        text = self.env._(
            "%(channel)s: %(outcome)s",
            channel=channels[self.channel],
            outcome=outcomes[self.outcome],
        )
        if self.outcome == "promise_to_pay":
            text += " – " + self.env._(
                "%(amount)s promised by %(date)s",
                amount=self.currency_id.format(self.promise_amount),
                date=self.promise_date,
            )
        if self.overridden_rules:
            text += " – " + self.env._(
                "contact rule overridden: %(rules)s", rules=self.overridden_rules
            )
        return text

    def _apply_outcomes(self):
        """What each logged interaction calls for, done once, whatever created it."""
        today = fields.Date.context_today(self)
        model_id = self.env["ir.model"]._get_id("patient.account")
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        activities = []
        # the effects are the module's own: holds and contact flags on any account
        for interaction in trusted(self.sudo()):
            account = interaction.account_id
            account._message_log(body=Markup("<p>%s</p>") % interaction._summary())
            if not trusted_flag(self.env, "patient_statement_logging"):
                # a statement is no answer to the specialist's open to-dos
                interaction._complete_matching_activity()
            owner = account.user_id or interaction.user_id
            outcome = interaction.outcome
            if outcome == "promise_to_pay":
                activities.append(
                    interaction._activity_vals(
                        model_id,
                        "patient_collections.mail_activity_type_promise_check",
                        self.env._("Check the promised payment"),
                        owner,
                        interaction.promise_date,
                    )
                )
                if not account.hold_reason and interaction.promise_date >= today:
                    account._set_hold("promise_to_pay", until=interaction.promise_date)
            elif outcome == "callback_requested":
                local = contact_rules.local_time(interaction.callback_at, account._contact_tz())
                activities.append(
                    interaction._activity_vals(
                        model_id,
                        "mail.mail_activity_data_call",
                        self.env._(
                            "Call back at %(time)s (%(tz)s)",
                            time=local.strftime("%H:%M"),
                            tz=account._contact_tz(),
                        ),
                        owner,
                        local.date(),
                    )
                )
            elif outcome == "cease_request":
                account.write({"cease_communication": True, "cease_date": today})
            elif outcome == "wrong_number":
                account.write({"phone_invalid": True})
            if outcome in OUTCOME_HOLDS and account.hold_reason != OUTCOME_HOLDS[outcome]:
                account._set_hold(OUTCOME_HOLDS[outcome])
            if outcome in MANAGER_OUTCOMES:
                manager = account._collections_manager()
                if manager:
                    outcomes = dict(self._fields["outcome"]._description_selection(self.env))
                    activities.append(
                        interaction._activity_vals(
                            model_id,
                            "mail.mail_activity_data_todo",
                            self.env._("Review: %(outcome)s", outcome=outcomes[outcome]),
                            manager,
                            today,
                        )
                    )
        if activities:
            Activity.create(activities)

    def _activity_vals(self, model_id, type_xmlid, summary, user, deadline):
        return {
            "res_model_id": model_id,
            "res_id": self.account_id.id,
            "activity_type_id": self.env.ref(type_xmlid).id,
            "summary": summary,
            "user_id": user.id,
            "date_deadline": deadline,
        }

    def _complete_matching_activity(self):
        """Mark done the open activity this contact answers: the earliest due one of
        the channel's activity types on the account, assigned to whoever logs the
        contact or to the account's specialist (a manager's review stays open)."""
        self.ensure_one()
        types = [
            self.env.ref(xmlid, raise_if_not_found=False)
            for xmlid in CHANNEL_ACTIVITY_TYPES.get(self.channel, ())
        ]
        type_ids = [activity_type.id for activity_type in types if activity_type]
        if not type_ids:
            return
        activity = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "=", self.account_id.id),
                    ("activity_type_id", "in", type_ids),
                    ("user_id", "in", (self.user_id | self.account_id.user_id).ids),
                ],
                order="date_deadline, id",
                limit=1,
            )
        )
        if activity:
            activity.action_feedback(feedback=self._summary())

    # ------------------------------------------------------------------ void

    def action_void(self, reason):
        """Void interactions logged by mistake: they stay visible, marked void."""
        if not self.env.user.has_group("patient_collections.group_collections_manager"):
            raise AccessError(self.env._("Only a collections manager can void an interaction."))
        self.check_access("read")
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(self.env._("Say why the interaction is voided."))
        if len(reason) > 1000:
            raise UserError(self.env._("Keep the reason for voiding under 1,000 characters."))
        logged = self.filtered(lambda interaction: interaction.state == "logged")
        trusted(logged.sudo()).write(
            {
                "state": "voided",
                "void_reason": reason.strip(),
                "voided_by_id": self.env.user.id,
                "voided_at": fields.Datetime.now(),
            }
        )
        for interaction in logged.sudo():
            interaction.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._("Voided: %(summary)s", summary=interaction._summary())
            )
        return True

    # ------------------------------------------------------------------ promises

    @api.model
    def _check_due_promises(self, companies, today):
        """Promises whose date has passed: kept when the guarantor's payments since the
        promise reach the promised amount, broken otherwise.  One query for all."""
        due = self.sudo().search(
            [
                ("promise_state", "=", "pending"),
                ("state", "=", "logged"),
                ("promise_date", "<", today),
                ("company_id", "in", companies.ids),
            ]
        )
        if not due:
            return {"kept": 0, "broken": 0}
        self.env["account.move.line"].flush_model(
            ["balance", "date", "parent_state", "partner_id", "company_id", "account_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT pi.id, COALESCE(SUM(-aml.balance), 0)
                  FROM patient_interaction pi
                  JOIN patient_account pa ON pa.id = pi.account_id
             LEFT JOIN account_move_line aml
                    ON aml.partner_id = pa.partner_id
                   AND aml.company_id = pa.company_id
                   AND aml.parent_state = 'posted'
                   AND aml.balance < 0
                   AND aml.date >= (pi.date AT TIME ZONE 'UTC')::date
                   AND aml.account_id IN (
                        SELECT id FROM account_account WHERE account_type = 'asset_receivable')
                   AND EXISTS (
                        SELECT 1 FROM account_move move
                         WHERE move.id = aml.move_id
                           AND (move.origin_payment_id IS NOT NULL
                                OR move.statement_line_id IS NOT NULL))
                 WHERE pi.id = ANY(%s)
              GROUP BY pi.id
                """,
                due.ids,
            )
        )
        paid = dict(self.env.cr.fetchall())
        kept = due.filtered(
            lambda p: p.currency_id.compare_amounts(paid.get(p.id, 0.0), p.promise_amount) >= 0
        )
        broken = due - kept
        for state, promises in (("kept", kept), ("broken", broken)):
            for promise in promises:
                trusted(promise.sudo()).write(
                    {
                        "promise_state": state,
                        "promise_checked_on": today,
                        "promise_paid_amount": paid.get(promise.id, 0.0),
                    }
                )
        model_id = self.env["ir.model"]._get_id("patient.account")
        activities = []
        for promise in broken:
            account = promise.account_id
            account._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Broken promise: %(amount)s was promised by %(date)s, %(paid)s paid since.",
                    amount=promise.currency_id.format(promise.promise_amount),
                    date=promise.promise_date,
                    paid=promise.currency_id.format(paid.get(promise.id, 0.0)),
                )
            )
            activities.append(
                promise._activity_vals(
                    model_id,
                    "mail.mail_activity_data_call",
                    self.env._("Follow up on the broken promise"),
                    account.user_id or promise.user_id,
                    today,
                )
            )
        for promise in kept:
            promise.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Promise kept: %(amount)s promised by %(date)s.",
                    amount=promise.currency_id.format(promise.promise_amount),
                    date=promise.promise_date,
                )
            )
        if activities:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                activities
            )
        accounts = trusted(due.account_id).filtered(lambda a: a.hold_reason == "promise_to_pay")
        accounts._release_hold(why=self.env._("The promised date has passed."))
        return {"kept": len(kept), "broken": len(broken)}
