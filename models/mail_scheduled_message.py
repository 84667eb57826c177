import logging

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)


class MailScheduledMessage(models.Model):
    """Messages scheduled from the composer (Send Later) on patient records: the
    role rule is judged when scheduling, and the whole gate (role, contact rules
    at the moment of sending, the interaction) when the message goes out, as its
    author.  A message the gate refuses then is not sent: the account's chatter
    says why, and the other scheduled messages still go out."""

    _inherit = "mail.scheduled.message"

    @api.model_create_multi
    def create(self, vals_list):
        scheduled = super().create(vals_list)
        for message in scheduled:
            account, contacted = message._patient_contacted()
            if contacted:
                account.with_env(self.env)._check_contact_role()
        return scheduled

    def _patient_record(self):
        self.ensure_one()
        model = self.model
        if model in self.env and issubclass(self.pool[model], self.pool["patient.phi.mixin"]):
            return self.env[model].sudo().browse(self.res_id).exists()
        return None

    def _patient_contacted(self):
        """(account, guarantor or patients it will reach), as superuser."""
        record = self._patient_record()
        if not record:
            return None, None
        account = record._patient_account()
        if not account:
            return None, None
        partners = self.sudo().partner_ids
        if not self.is_note:
            partners |= record.message_partner_ids
        return account, account._patient_recipients(partners)

    def _post_message(self, raise_exception=True):  # pylint: disable=missing-return
        patient = self.filtered(lambda message: message._patient_record() is not None)
        if patient:
            for message in patient:
                author = message.create_uid
                try:
                    with self.env.cr.savepoint():
                        super(MailScheduledMessage, message)._post_message(
                            raise_exception=raise_exception
                        )
                except (UserError, AccessError) as error:
                    # the author pressing "Send now" hears the reason
                    if self.env.uid == author.id:
                        raise
                    self.env.invalidate_all()
                    message._patient_not_sent(error)
        others = self - patient
        if others:
            super(MailScheduledMessage, others)._post_message(raise_exception=raise_exception)

    def _patient_not_sent(self, error):
        """The gate refused this scheduled message when it was due: drop it and say
        why in the chatter (the reason names the account and the rule, no PHI)."""
        self.ensure_one()
        record = self._patient_record()
        _logger.info("Scheduled message %s refused by the contact gate", self.id)
        if record:
            body = Markup("<p>%s</p><p>%s</p>") % (
                self.env._("A scheduled message was not sent."),
                str(error.args[0] if error.args else error),
            )
            record._message_log(body=body)
        self.sudo().unlink()
