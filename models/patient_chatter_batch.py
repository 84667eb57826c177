from markupsafe import escape

from odoo import models
from odoo.tools.mail import generate_tracking_message_id

# The columns of a logged note, in the order of the rows _insert_log_rows builds.
MESSAGE_COLUMNS = (
    "model",
    "res_id",
    "body",
    "author_id",
    "email_from",
    "reply_to",
    "message_id",
    "message_type",
    "subtype_id",
    "subject",
    "is_internal",
    "email_add_signature",
)


class PatientPhiThreadMixin(models.AbstractModel):
    """Chatter notes of many records at once (plans created, accounts moved by the
    nightly run): ``_message_log_batch`` writes its mail.message rows with one
    multi-row INSERT instead of Odoo's per-record create, the same rows (the
    body sanitized as the field does it, once per distinct body).  Notes with
    recipients, attachments or tracking values go through Odoo."""

    _inherit = "patient.phi.thread.mixin"

    def _message_log_batch(
        self,
        bodies,
        subject=False,
        author_id=None,
        email_from=None,
        message_type="notification",
        partner_ids=False,
        attachment_ids=False,
        tracking_value_ids=False,
    ):
        if partner_ids or attachment_ids or tracking_value_ids or len(self) < 2:
            return super()._message_log_batch(
                bodies,
                subject=subject,
                author_id=author_id,
                email_from=email_from,
                message_type=message_type,
                partner_ids=partner_ids,
                attachment_ids=attachment_ids,
                tracking_value_ids=tracking_value_ids,
            )
        author_id, email_from = self._message_compute_author(
            author_id, email_from, raise_on_email=False
        )
        Message = self.env["mail.message"].sudo()
        common = (
            author_id,
            email_from,
            self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
            generate_tracking_message_id("message-notify"),
            message_type,
            self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            subject or None,
            True,
            False,
        )
        sanitized = {}
        body_field = Message._fields["body"]
        rows = []
        for record in self:
            body = escape(bodies.get(record.id, ""))
            if body not in sanitized:
                sanitized[body] = body_field.convert_to_column_insert(body, Message)
            rows.append((self._name, record.id, sanitized[body], *common))
        return Message.browse(self._insert_log_rows(rows))

    def _insert_log_rows(self, rows, page=5000):
        """Multi-row INSERTs of mail.message rows (MESSAGE_COLUMNS), dated now;
        the records' chatter caches are invalidated as Odoo's create does."""
        now = self.env.cr.now()
        uid = self.env.uid
        names = ", ".join(
            f'"{name}"'
            for name in (*MESSAGE_COLUMNS, "date", "create_uid", "write_uid", "create_date")
        )
        result = self.env.cr.execute_values(
            f"INSERT INTO mail_message ({names}, write_date) VALUES %s RETURNING id",  # noqa: S608
            [(*row, now, uid, uid, now, now) for row in rows],
            page_size=page,
            fetch=True,
        )
        self.invalidate_recordset(
            ["message_ids", "message_needaction", "message_needaction_counter"]
        )
        return [row[0] for row in result]
