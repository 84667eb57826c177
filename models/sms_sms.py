from odoo import api, models

from .patient_contact_gate import gated_messages
from .patient_protected import trusted_flag


class SmsSms(models.Model):
    """The last door of every text: one to the guarantor or a patient of an
    account (by contact, or by a number one of them holds), from the SMS
    composer in any mode or from code, passes the outbound contact gate as a
    text (consent, wrong number, 08:00-21:00 local time, the role) before it is
    queued, unless the message it carries was judged already when its
    notification was sent."""

    _inherit = "sms.sms"

    @api.model_create_multi
    def create(self, vals_list):
        self._gate_patient_texts(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if {"number", "partner_id"} & set(vals):
            # re-addressed: a new contact, judged like a new text
            self._gate_patient_texts(
                [
                    {
                        "number": vals.get("number", text.number),
                        "partner_id": vals.get("partner_id", text.partner_id.id),
                    }
                    for text in self.sudo()
                ]
            )
        return super().write(vals)

    @api.model
    def _gate_patient_texts(self, vals_list):
        if trusted_flag(self.env, "patient_interaction_logged"):
            return
        gated = gated_messages(self.env)
        Account = self.env["patient.account"].sudo()
        Partner = self.env["res.partner"].sudo()
        for vals in vals_list:
            message_id = vals.get("mail_message_id")
            if message_id and message_id in gated:
                continue
            people = Partner.browse(vals.get("partner_id") or [])
            number = vals.get("number")
            if number:
                people |= Partner.search(
                    [
                        "|",
                        "|",
                        ("phone_sanitized", "=", number),
                        ("phone", "=", number),
                        ("mobile", "=", number),
                    ]
                )
            if not people:
                continue
            for account in Account._accounts_of_contacts(people):
                contacted = account._patient_recipients(people)
                if contacted:
                    account.with_env(self.env)._gate_outbound_contact(contacted, "sms")
            if message_id:
                gated.add(message_id)
