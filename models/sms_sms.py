import re

from odoo import api, models
from odoo.tools import SQL

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
        holders = self._holders_of_numbers(
            {vals["number"] for vals in vals_list if vals.get("number")}
        )
        for vals in vals_list:
            message_id = vals.get("mail_message_id")
            if message_id and message_id in gated:
                continue
            people = Partner.browse(vals.get("partner_id") or [])
            number = vals.get("number")
            if number:
                people |= holders.get(number, Partner)
            if not people:
                continue
            for account in Account._accounts_of_contacts(people):
                contacted = account._patient_recipients(people)
                if not contacted:
                    continue
                account.with_env(self.env)._gate_reached_contact(contacted, "sms")
            if message_id:
                gated.add(message_id)

    @api.model
    def _holders_of_numbers(self, numbers):
        """{number: the contacts holding it}: saved as sent, or a phone or mobile
        saved in any format ("(202) 555-0143") that is the same number in the
        contact's country (the composer sends the international form).  Two
        queries for all the numbers."""
        Partner = self.env["res.partner"].sudo()
        if not numbers:
            return {}
        numbers = sorted(numbers)
        exact = Partner.search(
            [
                "|",
                "|",
                ("phone_sanitized", "in", numbers),
                ("phone", "in", numbers),
                ("mobile", "in", numbers),
            ]
        )
        # the same last seven digits first, then the same number once formatted
        tails = {number: re.sub(r"\D", "", number)[-7:] for number in numbers}
        Partner.flush_model(["phone", "mobile"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM res_partner
                 WHERE right(regexp_replace(COALESCE(phone, ''), '\\D', '', 'g'), 7) = ANY(%s)
                    OR right(regexp_replace(COALESCE(mobile, ''), '\\D', '', 'g'), 7) = ANY(%s)
                """,
                sorted(set(tails.values())),
                sorted(set(tails.values())),
            )
        )
        candidates = Partner.browse([row[0] for row in self.env.cr.fetchall()])
        # each contact's numbers in international form, in the contact's country
        saved = {
            partner: {
                partner._phone_format(number=value, force_format="E164")
                for value in (partner.phone, partner.mobile)
                if value
            }
            - {False}
            for partner in candidates
        }
        holders = {}
        for number in numbers:
            people = exact.filtered(lambda p, n=number: n in (p.phone_sanitized, p.phone, p.mobile))
            if len(tails[number]) == 7:
                for partner, forms in saved.items():
                    if partner._phone_format(number=number, force_format="E164") in forms:
                        people |= partner
            holders[number] = people
        return holders
