"""The chatter line of an interaction, a sentence a colleague reads at a glance:
"Statement mailed", "Call: left voicemail", "Incoming call: promise to pay
$50.00 on 12/05/2026".  Never the note, nor any name: only the channel, the
outcome and a promise's amount and date."""

from odoo import fields, models
from odoo.tools.misc import format_date

from .patient_protected import trusted_flag


class PatientInteraction(models.Model):
    _inherit = "patient.interaction"

    is_statement = fields.Boolean(
        string="Statement",
        readonly=True,
        help="A statement sent by the module (by mail or email).",
    )

    def _prepare_create_vals(self, vals_list):
        vals_list = super()._prepare_create_vals(vals_list)
        # the statement sending's own flag (patient_account_statement_send.py)
        if trusted_flag(self.env, "patient_statement_logging"):
            for vals in vals_list:
                vals["is_statement"] = True
        return vals_list

    def _summary_channels(self):
        """What the line calls each channel, as the subject of a sentence."""
        return {
            "phone_out": self.env._("Call"),
            "phone_in": self.env._("Incoming call"),
            "letter": self.env._("Letter"),
            "email": self.env._("Email"),
            "sms": self.env._("Text message"),
            "portal": self.env._("Portal"),
            "in_person": self.env._("Visit"),
        }

    def _summary_outcomes(self):
        """What happened, as the end of the sentence (a promise is worded apart)."""
        return {
            "reached": self.env._("reached"),
            "payment_made": self.env._("payment made"),
            "dispute": self.env._("balance disputed"),
            "hardship": self.env._("financial hardship"),
            "callback_requested": self.env._("callback requested"),
            "left_voicemail": self.env._("left voicemail"),
            "no_answer": self.env._("no answer"),
            "wrong_number": self.env._("wrong number"),
            "refused": self.env._("refused to pay"),
            "cease_request": self.env._("asked us to stop contacting them"),
            "deceased_reported": self.env._("death reported"),
            "bankruptcy_reported": self.env._("bankruptcy reported"),
        }

    def _summary_contact_sentence(self):
        """A contact without a particular outcome ("other"): what was done."""
        if self.is_statement and self.channel == "letter":
            return self.env._("Statement mailed")
        if self.is_statement and self.channel == "email":
            return self.env._("Statement emailed")
        if self.is_cease_acknowledgement:
            return self.env._("Letter sent acknowledging the request to stop contact")
        return {
            "phone_out": self.env._("Call made"),
            "phone_in": self.env._("Call received"),
            "letter": self.env._("Letter sent"),
            "email": self.env._("Email sent"),
            "sms": self.env._("Text message sent"),
            "portal": self.env._("Portal message"),
            "in_person": self.env._("Visit in person"),
        }[self.channel]

    def _summary(self):
        """One line for the chatter: channel, outcome, promise; never the note."""
        self.ensure_one()
        if self.outcome == "other":
            text = self._summary_contact_sentence()
        elif self.outcome == "promise_to_pay":
            text = self.env._(
                "%(channel)s: promise to pay %(amount)s on %(date)s",
                channel=self._summary_channels()[self.channel],
                amount=self.currency_id.format(self.promise_amount),
                date=format_date(self.env, self.promise_date),
            )
        else:
            text = self.env._(
                "%(channel)s: %(outcome)s",
                channel=self._summary_channels()[self.channel],
                outcome=self._summary_outcomes()[self.outcome],
            )
        if self.overridden_rules:
            text += " — " + self.env._(
                "contact rule overridden: %(rules)s", rules=self.overridden_rules
            )
        return text
