"""Interactions: the permanent record of every contact with a guarantor (calls,
letters, messages, visits) and its outcome.  Their concerns live beside this
file: the contact rules that judge an outbound contact before it is logged
(``patient_interaction_contact_rules.py``), what a logged outcome does
(``patient_interaction_outcomes.py``) and the settlement of promises to pay
(``patient_interaction_promise.py``)."""

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import contact_rules
from .date_texts import format_moment
from .patient_protected import trusted

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
# Fields that may change after an interaction is logged, and by whom: voiding
# (a manager) and the settlement of a promise (the nightly run).
VOID_FIELDS = {"state", "void_reason", "voided_by_id", "voided_at"}
PROMISE_SETTLEMENT_FIELDS = {"promise_state", "promise_checked_on", "promise_paid_amount"}
MAX_DURATION_MINUTES = 24 * 60
MAX_CALLBACK_DAYS = 365


class PatientInteraction(models.Model):
    _name = "patient.interaction"
    _description = "Patient Account Interaction"
    _order = "date desc, id desc"
    _inherit = ["patient.phi.mixin"]
    _rec_name = "account_id"
    _check_company_auto = True
    # a permanent record: only voiding and the promise settlement change it, through
    # the module's own code; who logged it is always the current user (or the run)
    _protected_immutable = True
    _protected_fields = frozenset(
        VOID_FIELDS | PROMISE_SETTLEMENT_FIELDS | {"overridden_rules", "user_id", "is_statement"}
    )

    account_id = fields.Many2one(
        "patient.account", required=True, index=True, ondelete="restrict", check_company=True
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="account_id.currency_id", compute_sudo=False)
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
        zones = self.account_id.sudo().company_id._patient_tzs()
        promised = self._other_pending_promised()
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
                interaction._check_promise_within_balance(promised.get(interaction.id, 0.0))
            elif interaction.promise_amount or interaction.promise_date:
                raise ValidationError(
                    self.env._("A promised amount or date only goes with a promise to pay.")
                )
            if interaction.outcome == "callback_requested" and not interaction.callback_at:
                raise ValidationError(
                    self.env._("A callback request needs the date and time to call back.")
                )
            if (
                interaction.outcome == "callback_requested"
                and interaction.account_id.sudo().cease_communication
            ):
                # a call the contact rules would refuse when it is due
                raise ValidationError(
                    self.env._(
                        "The guarantor asked to cease communication: no call back can be "
                        "planned. If they now ask to be called, a collections manager "
                        "withdraws the request to cease first."
                    )
                )
            interaction.account_id._check_contact_person(interaction.partner_id)
            interaction._check_bounds(zones.get(interaction.account_id.sudo().company_id.id))

    def _other_pending_promised(self):
        """{interaction id: what the guarantor still has to pay of the account's
        other pending promises} for the promises among these interactions: each
        promised amount less what was paid since it was made.  Two queries."""
        promises = self.filtered(lambda interaction: interaction.outcome == "promise_to_pay")
        if not promises:
            return {}
        pending = self._pending_promises(promises.account_id)
        paid = pending._paid_since_promised()
        left = {p.id: max(p.promise_amount - paid.get(p.id, 0.0), 0.0) for p in pending}
        by_account = defaultdict(float)
        for promise in pending:
            by_account[promise.account_id.id] += left[promise.id]
        return {
            promise.id: by_account[promise.account_id.id] - left.get(promise.id, 0.0)
            for promise in promises
        }

    def _check_promise_within_balance(self, other_pending=0.0):
        """A promise is for what the guarantor owes: with what is still to pay of
        the account's ``other_pending`` promises, at most the balance due."""
        self.ensure_one()
        account = self.account_id.sudo()
        currency = account.currency_id
        if currency.compare_amounts(self.promise_amount, account.balance_due) <= 0:
            if currency.compare_amounts(other_pending, 0) <= 0 or (
                currency.compare_amounts(self.promise_amount + other_pending, account.balance_due)
                <= 0
            ):
                return
            raise ValidationError(
                self.env._(
                    "Promises to pay %(pending)s are still pending on %(account)s, whose "
                    "balance due is %(balance)s: a new promise is at most %(maximum)s. Enter "
                    "that amount or less; if the guarantor changed a promise, a manager voids "
                    "the old one first.",
                    pending=currency.format(other_pending),
                    account=account.name,
                    balance=currency.format(account.balance_due),
                    maximum=currency.format(max(account.balance_due - other_pending, 0.0)),
                )
            )
        if currency.compare_amounts(account.balance_due, 0) <= 0:
            raise ValidationError(
                self.env._(
                    "Nothing is owed on %(account)s: there is no payment to promise. Log the "
                    "contact with another outcome.",
                    account=account.name,
                )
            )
        raise ValidationError(
            self.env._(
                "A promise to pay is at most the balance due: %(maximum)s on %(account)s. "
                "Enter that amount or less.",
                maximum=currency.format(account.balance_due),
                account=account.name,
            )
        )

    def _check_bounds(self, tz=None):
        """Durations, promise and callback dates a practice could mean; a promise
        from the day it is made on the practice's calendar (time zone ``tz``)."""
        self.ensure_one()
        if self.duration_minutes > MAX_DURATION_MINUTES:
            raise ValidationError(
                self.env._(
                    "A contact lasts at most %(minutes)s minutes: check the duration.",
                    minutes=MAX_DURATION_MINUTES,
                )
            )
        tz = tz or self.account_id.sudo().company_id._patient_tz()
        logged_on = fields.Datetime.context_timestamp(
            self.with_context(tz=tz), fields.Datetime.to_datetime(self.date)
        ).date()
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
            person_tz = self.account_id.sudo()._contact_tz(self.partner_id)
            if not contact_rules.within_call_hours(callback, person_tz):
                # a call the contact rules would refuse when it is due
                raise ValidationError(
                    self.env._(
                        "A callback is planned within the contact hours, 08:00 to 21:00 for "
                        "the person to call: %(time)s is outside them (%(tz)s). Pick a time "
                        "in those hours.",
                        time=format_moment(self.env, callback, person_tz),
                        tz=person_tz,
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
        is tracked from the start, and the contact rules and bounds judge them.
        First the accounts named must be readable by the writer: the rules and
        constraints read them as superuser, and their refusals (a balance, a cease
        request) must not tell anything of an account of another practice."""
        account_ids = {
            vals["account_id"] for vals in vals_list if isinstance(vals.get("account_id"), int)
        }
        accounts = self.env["patient.account"].browse(account_ids)
        accounts.check_access("read")
        # the person contacted before any rule reads their time zone
        for vals in vals_list:
            contact = vals.get("partner_id")
            if isinstance(contact, int) and isinstance(vals.get("account_id"), int):
                accounts.browse(vals["account_id"])._check_contact_person(
                    self.env["res.partner"].browse(contact)
                )
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

    def copy(self, default=None):  # pylint: disable=method-required-super
        # a copy would claim a contact that never happened (and its logger, date and
        # outcome are the module's own): the form's Duplicate says what to do instead
        raise UserError(
            self.env._(
                "An interaction records one contact: it cannot be duplicated. Log a new "
                "interaction for the new contact."
            )
        )

    # ------------------------------------------------------------------ void

    def action_void(self, reason=None):
        """Void interactions logged by mistake: they stay visible, marked void.
        ``reason`` is optional in the signature only: a button call
        (``/web/dataset/call_button``) passes none, and is refused like any
        other call without a reason (the Void dialog passes one)."""
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
        logged._undo_voided_promises()
        logged._undo_voided_callbacks()
        # a voided promise is no promise: neither pending nor due
        trusted(logged.sudo().filtered(lambda i: i.promise_state == "pending")).write(
            {"promise_state": False}
        )
        return True
