"""The contact rules judge every outbound contact before it is logged: contact
hours, call frequency, cease-communication requests, text consent and invalid
numbers (pure rules in ``logic/contact_rules.py``).  A collections manager may
log a refused call or letter anyway by giving an override reason."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import contact_rules
from .date_texts import format_moment
from .patient_protected import is_trusted, trusted_flag
from .res_company_tz import day_start_utc

# How far back a specialist may date a contact (managers: any past date).
MAX_BACKDATE_DAYS = 30


class PatientInteraction(models.Model):
    _inherit = "patient.interaction"

    def _check_new_contacts(self, vals_list):
        """Refuse outbound contacts a contact rule forbids (unless a manager overrides),
        before anything is written."""
        is_manager = self.env.user.has_group("patient_collections.group_collections_manager")
        self._check_cease_acknowledgements(vals_list)
        outbound = self._outbound_contact_moments(vals_list, is_manager)
        self._judge_contacts(outbound, is_manager)
        self._drop_idle_override_reasons(vals_list)

    def _judge_contacts(self, outbound, is_manager):
        """Each ``(moment, vals)`` of an outbound contact against the rules, in
        the order they happened (a call counts for the next ones)."""
        if not outbound:
            return
        accounts = (
            self.env["patient.account"]
            .browse({vals["account_id"] for _moment, vals in outbound})
            .sudo()
        )
        earliest = min(moment for moment, _vals in outbound)
        calls = self._previous_calls(accounts, earliest)
        labels = self._rule_labels()
        for moment, vals in sorted(outbound, key=lambda item: item[0]):
            account = accounts.browse(vals["account_id"])
            # the hours of the person called: a contact of the guarantor has their own
            tz = account._contact_tz(self.env["res.partner"].browse(vals.get("partner_id")))
            violations = self._rule_violations(
                account,
                vals["channel"],
                moment,
                tz,
                calls=calls[account.id],
                is_cease_acknowledgement=vals.get("is_cease_acknowledgement", False),
            )
            if violations:
                reason = vals.get("override_reason")
                # a reason of blanks is no reason: the rules stand
                overriding = isinstance(reason, str) and reason.strip()
                if overriding and not is_manager:
                    raise AccessError(
                        self.env._("Only a collections manager can override a contact rule.")
                    )
                if not (overriding and contact_rules.overridable(vals["channel"], violations)):
                    raise UserError(
                        self._violation_message(account, violations, tz, vals["channel"])
                    )
                vals["overridden_rules"] = ", ".join(labels[v.rule] for v in violations)
            if vals["channel"] == "phone_out":
                calls[account.id].append(moment)

    @api.model
    def _drop_idle_override_reasons(self, vals_list):
        """An override reason is kept with the rules it overrode only: given for a
        contact no rule refused, it would read as a manager's approval that never was."""
        for vals in vals_list:
            if not vals.get("overridden_rules"):
                vals.pop("override_reason", None)

    @api.model
    def _rule_violations(
        self, account, channel, moment, tz, calls=(), is_cease_acknowledgement=False
    ):
        """The contact rules a contact of ``account`` (as superuser) on ``channel``
        at ``moment`` (UTC), in time zone ``tz``, would break (``calls``: the
        account's other outbound calls)."""
        company = account.company_id
        return contact_rules.check(
            channel,
            moment,
            tz,
            previous_calls_utc=calls,
            cease_communication=account.cease_communication,
            sms_consent=account.sms_consent,
            phone_invalid=account.phone_invalid,
            is_cease_acknowledgement=is_cease_acknowledgement,
            max_calls=company.collections_max_calls,
            window_days=company.collections_call_window_days,
        )

    def _check_cease_acknowledgements(self, vals_list):
        """The acknowledgement of a request to cease communication is one letter
        (outcome Other) per request, while the request stands."""
        acks = [vals for vals in vals_list if vals.get("is_cease_acknowledgement")]
        if not acks:
            return
        if any(vals.get("channel") != "letter" or vals.get("outcome") != "other" for vals in acks):
            raise ValidationError(
                self.env._(
                    "A cease acknowledgement is the letter acknowledging the guarantor's "
                    "request: log it with channel Letter and outcome Other."
                )
            )
        accounts = (
            self.env["patient.account"]
            .browse({vals["account_id"] for vals in acks if vals.get("account_id")})
            .sudo()
        )
        if not all(accounts.mapped("cease_communication")):
            raise ValidationError(
                self.env._(
                    "There is no request to cease communication to acknowledge on this "
                    "account: log the letter without ticking Acknowledges Cease Request."
                )
            )
        Interaction = self.sudo()
        tzs = accounts.company_id._patient_tzs()
        for account in accounts:
            request = Interaction.search(
                [
                    ("account_id", "=", account.id),
                    ("outcome", "=", "cease_request"),
                    ("state", "=", "logged"),
                ],
                order="date desc",
                limit=1,
            )
            # the request's own moment, else (voided) the start of the day the
            # account ceased on the practice's calendar
            since = request.date
            if not since and account.cease_date:
                since = day_start_utc(tzs[account.company_id.id], account.cease_date)
            sent = Interaction.search_count(
                [
                    ("account_id", "=", account.id),
                    ("is_cease_acknowledgement", "=", True),
                    ("state", "=", "logged"),
                    *([("date", ">=", since)] if since else []),
                ]
            )
            if sent + sum(1 for vals in acks if vals.get("account_id") == account.id) > 1:
                raise ValidationError(
                    self.env._(
                        "The request to cease communication on %(account)s is acknowledged "
                        "already: one letter acknowledges it, no other contact follows. A "
                        "manager can void the first one if it was logged by mistake.",
                        account=account.name,
                    )
                )

    def _outbound_contact_moments(self, vals_list, is_manager):
        """[(moment, vals)] of the outbound contacts among ``vals_list``, after
        refusing any contact without an account, dated in the future, or (for a
        specialist) dated too long ago."""
        now = fields.Datetime.now()
        # the statement step logs an email held for the guarantor's contact hours at
        # the moment it goes out (the next opening of the window, within a day)
        ahead = timedelta(
            days=1 if trusted_flag(self.env, "patient_statement_logging") else 0, minutes=5
        )
        outbound = []
        for vals in vals_list:
            if not vals.get("account_id"):
                raise ValidationError(self.env._("An interaction needs its patient account."))
            moment = fields.Datetime.to_datetime(vals.get("date")) or now
            if moment > now + ahead:
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
        return outbound

    def _previous_calls(self, accounts, earliest):
        """{account id: [call dates]}: the logged outbound calls of ``accounts`` in
        their practices' widest call window before ``earliest`` (a practice may
        count calls over up to a year) and since (one grouped query)."""
        calls = defaultdict(list)
        window = max(accounts.company_id.mapped("collections_call_window_days") or [0])
        for account, dates in self.sudo()._read_group(
            [
                ("account_id", "in", accounts.ids),
                ("channel", "=", "phone_out"),
                ("state", "=", "logged"),
                ("date", ">", earliest - timedelta(days=max(window, 7) + 1)),
            ],
            ["account_id"],
            ["date:array_agg"],
        ):
            calls[account.id].extend(dates)
        return calls

    @api.model
    def _rule_labels(self):
        return {
            contact_rules.RULE_CALL_HOURS: self.env._("Contact hours (08:00-21:00 local time)"),
            contact_rules.RULE_CALL_FREQUENCY: self.env._("Call frequency limit"),
            contact_rules.RULE_CEASE: self.env._("Cease-communication request"),
            contact_rules.RULE_SMS_CONSENT: self.env._("Text message consent"),
            contact_rules.RULE_INVALID_NUMBER: self.env._("Invalid phone number"),
        }

    def _violation_message(self, account, violations, tz=None, channel=None):
        labels = self._rule_labels()
        tz = tz or account._contact_tz()
        lines = []
        for violation in violations:
            if violation.allowed_from:
                when = self.env._(
                    "allowed from %(when)s (%(tz)s)",
                    when=format_moment(self.env, violation.allowed_from, tz),
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
            )
            if channel is None or contact_rules.overridable(channel, violations)
            else self.env._(
                "No override applies: a text message or an email waits until the rules allow "
                "it, and after a request to cease communication only a letter may be sent."
            ),
        )
