"""The chatter of patient data: no portal link, token or signed hash opens it;
notifications and followers only reach users who may read the record; every
notification that reaches the guarantor or patients of the account passes the
outbound contact gate."""

from odoo import api, models
from odoo.exceptions import AccessError

from .patient_contact_gate import gated_messages
from .patient_protected import trusted_flag


class PatientPhiThreadMixin(models.AbstractModel):
    """The chatter side of :class:`PatientPhiMixin`, for models with mail.thread."""

    _name = "patient.phi.thread.mixin"
    _inherit = ["patient.phi.mixin", "mail.thread"]
    _description = "Patient Data with Chatter"

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        # no portal link, token or signed hash opens patient data
        if self.env.user._is_public() or self.env.user.share:
            return self.browse()
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    def _allowed_partner_ids(self, partners):
        """Of these partners, the ones that may hear about these records: users who
        can read them all, and contacts without a login who are the guarantor or
        patients of the account of every record (reached through the contact gate)."""
        partners = partners.sudo().with_context(active_test=False)
        users = partners.user_ids
        allowed = set(partners.ids)
        for user in users:
            if user._is_superuser():
                continue
            if user.share or not self._readable_by(user):
                allowed.discard(user.partner_id.id)
        contacts = partners.filtered(lambda partner: not partner.user_ids)
        if contacts:
            reached = None
            for account in self._patient_account():
                reached = account._patient_contacts() & (contacts if reached is None else reached)
            allowed -= set((contacts - (reached or contacts.browse())).ids)
        return allowed

    def _readable_by(self, user):
        return bool(user.active) and len(self._filtered_access_for(user)) == len(self)

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if not recipients or not self:
            return recipients
        partners = self.env["res.partner"].browse([r["id"] for r in recipients if r.get("uid")])
        allowed = self._allowed_partner_ids(partners) if partners else set()
        recipients = [r for r in recipients if not r.get("uid") or r["id"] in allowed]
        if trusted_flag(self.env, "patient_addressees_only"):
            # a letter to the guarantor (a statement): no copy to the followers
            addressed = set((msg_vals or {}).get("partner_ids") or message.sudo().partner_ids.ids)
            recipients = [r for r in recipients if r["id"] in addressed]
        self._gate_notified_contacts(message, msg_vals, recipients, kwargs)
        return recipients

    def _gate_notified_contacts(self, message, msg_vals, recipients, notify_kwargs):
        """Every notification of these records (any message type or subtype, notes
        naming partners, the composer, templates, scheduled posts) that reaches
        the guarantor or patients of the account passes the outbound contact gate
        (see ``patient_account_messaging.py``), once per message."""
        if len(self) != 1 or not recipients:
            return
        account = self._patient_account()
        if not account:
            return
        gated = gated_messages(self.env)
        if (message.id, account.id) in gated:
            return
        partners = self.env["res.partner"].browse([r["id"] for r in recipients])
        contacted = account._patient_recipients(partners)
        if (
            contacted
            and not trusted_flag(self.env, "patient_interaction_logged")
            and not self._is_received_email(message, msg_vals)
        ):
            account = account.with_env(self.env)
            if self._is_notification_scheduled(notify_kwargs.get("scheduled_date")):
                account._refuse_scheduled_contact()
            message_type = (msg_vals or {}).get("message_type") or message.sudo().message_type
            notified_by_sms = any(r.get("notif") == "sms" for r in recipients)
            channel = "sms" if message_type == "sms" or notified_by_sms else "email"
            account._gate_outbound_contact(contacted, channel)
        gated.add((message.id, account.id))

    def _is_received_email(self, message, msg_vals):
        """An email the mail gateway received (the guarantor writing in, say): no
        collector sends it, so its notifications to followers are no contact.  Only
        the gateway runs as the system user; a user's request never does."""
        values = msg_vals or {}
        message = message.sudo()
        if (values.get("message_type") or message.message_type) != "email":
            return False
        if not self.env.user._is_superuser():
            return False
        author = self.env["res.partner"].sudo().browse(values.get("author_id")) or message.author_id
        return not any(not user.share for user in author.with_context(active_test=False).user_ids)

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        if partner_ids and self:
            partners = self.env["res.partner"].browse(partner_ids)
            allowed = self._allowed_partner_ids(partners)
            refused = partners.filtered(lambda partner: partner.id not in allowed)
            with_login = refused.sudo().with_context(active_test=False).filtered("user_ids")
            if refused and not self.env.su and not with_login:
                # contacts without a login: no name of theirs nor of the record's patient
                raise AccessError(
                    self.env._(
                        "Only the guarantor and the patients of the account may follow it "
                        "among contacts without a login: remove the other contacts, or give "
                        "them a user with the collections role of its company."
                    )
                )
            if refused and not self.env.su:
                refused = with_login.with_env(self.env)
                raise AccessError(
                    self.env._(
                        "%(people)s cannot follow %(records)s: they have no access to it. "
                        "Add them to the collections roles of its company first.",
                        people=", ".join(refused.mapped("name")),
                        records=", ".join(self.mapped("display_name")),
                    )
                )
            partner_ids = [pid for pid in partner_ids if pid in allowed]
            if not self.env.su and self.has_access("read"):
                # whoever may read the record may add followers who may read it too
                # (Odoo asks for the right to edit it, which accountants lack)
                return super(PatientPhiThreadMixin, self.sudo()).message_subscribe(
                    partner_ids=partner_ids, subtype_ids=subtype_ids
                )
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
