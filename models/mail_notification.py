from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

from .mail_followers import readable_threads


class MailNotification(models.Model):
    """Who was sent which message about patient data (the guarantor emailed
    about account PA00012, a bounce and its reason) is patient data too: Odoo
    lets every internal and portal user read every notification (its record
    rule restricts writes only), the message's record name and the recipient's
    name with it.  A notification of a message of a patient record is read only
    by its recipient and by users who may read that record, in their
    companies."""

    _inherit = "mail.notification"

    @api.model
    def _patient_readable_domain(self):
        """Notifications of other messages, the user's own, or those of messages
        of patient records the user may read (the record rules of the user's
        companies)."""
        thread_models = self.env["mail.followers"]._patient_thread_models()
        Message = self.env["mail.message"].sudo()
        domains = [
            [("mail_message_id", "not in", Message._search([("model", "in", thread_models)]))],
            [("res_partner_id", "=", self.env.user.partner_id.id)],
        ]
        for name, readable in readable_threads(self.env, thread_models):
            messages = Message._search([("model", "=", name), ("res_id", "in", readable)])
            domains.append([("mail_message_id", "in", messages)])
        return expression.OR(domains)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain or [], self._patient_readable_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    def _check_access(self, operation):
        """Read or written by id: the same rule, judged only for the notifications
        of messages of patient records addressed to someone else (one query)."""
        result = super()._check_access(operation)
        ids = [id_ for id_ in self._ids if id_]
        if result is not None or self.env.su or not ids:
            return result
        self.flush_model(["mail_message_id", "res_partner_id"])
        self.env["mail.message"].flush_model(["model"])
        rows = self.env.execute_query(
            SQL(
                """SELECT notification.id
                     FROM mail_notification notification
                     JOIN mail_message message ON message.id = notification.mail_message_id
                    WHERE notification.id = ANY(%s)
                      AND message.model = ANY(%s)
                      AND notification.res_partner_id IS DISTINCT FROM %s""",
                ids,
                list(self.env["mail.followers"]._patient_thread_models()),
                self.env.user.partner_id.id,
            )
        )
        judged = self.browse(id_ for (id_,) in rows)
        if not judged:
            return None
        forbidden = judged - self.browse(self._search([("id", "in", judged.ids)]))
        if not forbidden:
            return None
        # an error naming no record nor recipient
        return forbidden, lambda: AccessError(
            self.env._(
                "You cannot see who was sent the messages of patient records you have no "
                "access to. Ask a collections manager for the collections role of their company."
            )
        )
