from odoo import api, models

from .patient_contact_gate import gated_messages
from .patient_protected import trusted_flag


class SmsSms(models.Model):
    """The last door of every text: one to the guarantor or a patient of an
    account (by contact, or by a number one of them holds), from the SMS
    composer in any mode or from code, passes the outbound contact gate as a
    text (consent, wrong number, 08:00-21:00 local time, the role), unless the
    message it carries was judged already when its notification was sent."""

    _inherit = "sms.sms"

    @api.model_create_multi
    def create(self, vals_list):
        texts = super().create(vals_list)
        texts._gate_patient_contacts()
        return texts

    def write(self, vals):
        result = super().write(vals)
        if {"number", "partner_id"} & set(vals):
            self._gate_patient_contacts(rejudge=True)
        return result

    def _gate_patient_contacts(self, rejudge=False):
        if trusted_flag(self.env, "patient_interaction_logged"):
            return
        gated = gated_messages(self.env)
        Account = self.env["patient.account"].sudo()
        Partner = self.env["res.partner"].sudo()
        for text in self.sudo():
            message_id = text.mail_message_id.id
            if message_id and message_id in gated and not rejudge:
                continue
            people = text.partner_id
            if text.number:
                people |= Partner.search(
                    [
                        "|",
                        "|",
                        ("phone_sanitized", "=", text.number),
                        ("phone", "=", text.number),
                        ("mobile", "=", text.number),
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
