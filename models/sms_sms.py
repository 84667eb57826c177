import re
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import contact_rules
from .patient_contact_gate import gated_messages
from .patient_protected import trusted_flag


class SmsSms(models.Model):
    """The last door of every text: one to the guarantor or a patient of an
    account (by contact, or by a number one of them holds), from the SMS
    composer in any mode or from code, passes the outbound contact gate as a
    text (consent, given by the guarantor for their own number only, wrong
    number, 08:00-21:00 local time, the role) before it is
    queued, unless the message it carries was judged already when its
    notification was sent; and again as it leaves the queue (``send``)."""

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

    def send(self, unlink_failed=False, unlink_sent=True, auto_commit=False, raise_exception=False):
        """A queued text waits for Odoo's queue (up to an hour): it is judged again
        as it goes out.  Outside the person's contact hours it stays queued for a
        later pass; after a cease request, with the consent revoked or the number
        marked wrong it is cancelled, the account's chatter says so."""
        held = self._patient_held_at_sending()
        return super(SmsSms, self - held).send(
            unlink_failed=unlink_failed,
            unlink_sent=unlink_sent,
            auto_commit=auto_commit,
            raise_exception=raise_exception,
        )

    def _patient_held_at_sending(self):
        """The texts among these, still to send, that may not go now to the
        guarantor or patients of an account (the contact rules of a text at this
        moment): those only waiting for contact hours stay queued, the others are
        cancelled.  Returns both."""
        texts = self.sudo().filtered(lambda text: text.state == "outgoing" and not text.to_delete)
        if not texts:
            return self.browse()
        Account = self.env["patient.account"].sudo()
        Partner = self.env["res.partner"].sudo()
        Interaction = self.env["patient.interaction"]
        holders = self._holders_of_numbers({text.number for text in texts if text.number})
        now = fields.Datetime.now()
        labels = Interaction._rule_labels()
        held, refused, notes = self.browse(), self.browse(), defaultdict(set)
        people_of = [text.partner_id | holders.get(text.number, Partner) for text in texts]
        for text, people, accounts in zip(
            texts, people_of, Account._accounts_of_each(people_of), strict=True
        ):
            sender = text.create_uid or self.env.user
            held_by = holders.get(text.number, Partner)
            acting = accounts.filtered(
                lambda account, u=sender: account.with_user(u)._acts_for_sender()
            )
            # the consent is the guarantor's, for their number (see _check_consented_number)
            unconsented = bool(text.number) and not (acting.partner_id & held_by)
            for account in accounts:
                contacted = account._patient_recipients(people)
                if not contacted:
                    continue
                if account in acting:
                    tz = account._contact_tz(contacted[:1])
                    violations = Interaction._rule_violations(account, "sms", now, tz)
                    if unconsented and not any(
                        v.rule == contact_rules.RULE_SMS_CONSENT for v in violations
                    ):
                        violations = [
                            *violations,
                            contact_rules.Violation(contact_rules.RULE_SMS_CONSENT, None),
                        ]
                elif account.cease_communication:
                    # as when it was queued: another practice's or an archived
                    # account's cease request only
                    violations = [contact_rules.Violation(contact_rules.RULE_CEASE, None)]
                else:
                    continue
                if not violations:
                    continue
                held |= text
                standing = [v for v in violations if v.rule != contact_rules.RULE_CONTACT_HOURS]
                if standing:
                    refused |= text
                    notes[account.id].update(labels[v.rule] for v in standing)
        if refused:
            refused.action_set_canceled()
            Account.browse(list(notes))._message_log_batch(
                bodies={
                    account_id: Markup("<p>%s</p>")
                    % self.env._(
                        "A text message waiting in the queue was not sent: %(rules)s.",
                        rules=", ".join(sorted(rules)),
                    )
                    for account_id, rules in notes.items()
                }
            )
        return self.browse(held.ids)

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
        people_of = [
            Partner.browse(vals.get("partner_id") or []) | holders.get(vals.get("number"), Partner)
            for vals in vals_list
        ]
        for vals, people, accounts in zip(
            vals_list, people_of, Account._accounts_of_each(people_of), strict=True
        ):
            # a text without a message is judged on its own
            message_id = vals.get("mail_message_id")
            number = vals.get("number")
            held = holders.get(number, Partner)
            # the number's holder's own account here: their consent is for it
            own = bool(number) and any(
                account.partner_id & held and account.with_env(self.env)._acts_for_sender()
                for account in accounts
            )
            for account in accounts:
                contacted = account._patient_recipients(people)
                if not contacted:
                    continue
                # judged whatever judged the message: a notification weighs the
                # account's consent, never the number it is texted to
                if not own:
                    self._check_consented_number(account.with_env(self.env), number, held)
                if message_id and (message_id, account.id) in gated:
                    continue
                account.with_env(self.env)._gate_reached_contact(contacted, "sms")
                if message_id:
                    gated.add((message_id, account.id))

    @api.model
    def _check_consented_number(self, account, number, holders):
        """Refuse a text from this practice's collections to ``number`` (held by
        ``holders``) reaching the people of ``account`` when the number is not one
        of the guarantor's own: the consent recorded on the account is the
        guarantor's, for their number (TCPA: the consent of the person texted), and
        a patient's or another contact's number never gave it.  Who may not text
        the account at all is told so first, as the gate tells them."""
        if not number or not account._acts_for_sender():
            return
        if account.sudo().partner_id & holders:
            return
        account._refuse_if_ceased()
        account._check_contact_role()
        raise UserError(
            self.env._(
                "Text message consent on %(account)s is the guarantor's, for their own phone "
                "numbers: %(number)s is not one of them (a patient's or another contact's "
                "number). Text the guarantor's number, or call or write instead.",
                account=account.sudo().name,
                number=number,
            )
        )

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
