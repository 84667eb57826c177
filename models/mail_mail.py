from odoo import api, fields, models

from .patient_contact_gate import emails_of, gated_messages
from .patient_protected import trusted_flag

# What decides where a mail goes and what it is about.
ADDRESS_FIELDS = frozenset({"recipient_ids", "email_to", "email_cc", "model", "res_id"})
# Mails about a login (the invitation to the portal, a password reset the
# guarantor asked for) are the person's access to their own account, no
# collections contact.  Every other mail (about nothing, a contact, an invoice or
# any other document) is judged by its recipients.
# the in-process mark of a mail about a person's own login (res_users.py)
LOGIN_MAIL = "patient_login_mail"
# Mails about nothing or a contact are collections contact (the whole gate); a
# mail about another business document (the invoice the billing office emails)
# is the practice's billing, judged by a cease request alone.
# (a mail about a user or a portal invitation is about the person too)
CONTACT_MODELS = (False, "res.partner", "res.users", "portal.wizard.user")


class MailMail(models.Model):
    """The last door of every email: a mail about a patient account (or about
    one of its plans), or a bare mail to its guarantor or patients, passes the
    outbound contact gate unless the message it carries was judged already; a
    mail about another document (an invoice) reaching them stops at a cease
    request."""

    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        mails = super().create(vals_list)
        mails._gate_patient_contacts()
        return mails

    def write(self, vals):
        result = super().write(vals)
        if ADDRESS_FIELDS & set(vals):
            # re-addressed: a new contact, judged like a new mail
            self._gate_patient_contacts(rejudge=True)
        return result

    def _patient_accounts_addressed(self):
        """The accounts this mail (as superuser) is about or reaches."""
        self.ensure_one()
        Account = self.env["patient.account"].sudo()
        if self._is_account_mail():
            return self.env[self.model].sudo().browse(self.res_id).exists()._patient_account()
        if self._is_login_mail():
            return Account
        # whatever document it is about (an invoice's chatter reaches its customer):
        # a mail reaching the guarantor or a patient of an account is contact
        return Account._accounts_of_contacts(self.recipient_ids, self._patient_emails())

    def _is_account_mail(self):
        """About a patient account or one of its records (the account's own chatter)."""
        model = self.model
        return bool(
            model
            and self.res_id
            and model in self.env
            and issubclass(self.pool[model], self.pool["patient.phi.mixin"])
        )

    def _is_login_mail(self):
        """About the person's login: Odoo's portal invitation, password reset,
        security notices or new-device alert, created by the methods that send
        them (res_users.py marks them in-process: what a client sends, a
        ``message_notify`` about no document or about a user included, is not
        one)."""
        return trusted_flag(self.env, LOGIN_MAIL)

    def _is_document_mail(self):
        """About a business document other than the module's (an invoice, an
        order): the practice's billing, not collections contact."""
        model = self.model
        if model in CONTACT_MODELS or self._is_login_mail() or model not in self.env:
            return False
        return not issubclass(self.pool[model], self.pool["patient.phi.mixin"])

    def _patient_emails(self):
        return emails_of(self.email_to, self.email_cc)

    def _gate_patient_contacts(self, rejudge=False):
        if trusted_flag(self.env, "patient_interaction_logged"):
            return
        gated = gated_messages(self.env)
        now = fields.Datetime.now()
        for mail in self.sudo():
            message_id = mail.mail_message_id.id
            billing = mail._is_document_mail()
            about_account = mail._is_account_mail()
            for account in mail._patient_accounts_addressed():
                if (message_id, account.id) in gated and not rejudge:
                    continue
                contacted = account._patient_recipients(mail.recipient_ids, mail._patient_emails())
                if not contacted:
                    continue
                account.with_env(self.env)._gate_reached_contact(
                    contacted,
                    "email",
                    found=not about_account,
                    billing=billing,
                    scheduled=bool(mail.scheduled_date and mail.scheduled_date > now),
                )
                gated.add((message_id, account.id))
