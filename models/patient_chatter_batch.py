from markupsafe import Markup, escape

from odoo import api, models
from odoo.tools.mail import generate_tracking_message_id

from .patient_sql_rows import insert_rows

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
    nightly run, statements printed): ``_message_log_batch`` writes its
    mail.message rows with one multi-row INSERT instead of Odoo's per-record
    create, the same rows (the bodies sanitized as the field does it, those of
    one paragraph all in one pass); ``_message_log_attached`` does the same for
    notes that carry files of their own record, their attachment links in one
    more INSERT.  Notes with recipients or tracking values go through Odoo."""

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
        return self._message_log_batches(
            [(self, bodies)], subject, author_id, email_from, message_type
        )

    @api.model
    def _message_log_batches(
        self, batches, subject=False, author_id=None, email_from=None, message_type="notification"
    ):
        """The notes of ``batches`` ([(records, {record id: body})], records of
        models with this mixin: a plan's and its account's) with one INSERT,
        each row that of ``_message_log_batch`` (no recipients, files or tracking)."""
        common = self._log_row_common(subject, author_id, email_from, message_type)
        rows = [row for records, bodies in batches for row in records._log_rows(bodies, common)]
        message_ids = self._insert_log_rows(rows) if rows else []
        for records, _bodies in batches:
            records.invalidate_recordset(
                ["message_ids", "message_needaction", "message_needaction_counter"]
            )
        return self.env["mail.message"].sudo().browse(message_ids)

    def _message_log_attached(
        self, bodies, attachment_ids, author_id=None, email_from=None, message_type="notification"
    ):
        """A note on each of these records with files of its own (a printed
        statement's PDF): ``bodies`` {record id: body}, ``attachment_ids`` {record
        id: ids of attachments of that record}.  The rows of Odoo's
        ``_message_log(body=..., attachment_ids=...)`` record by record, written
        with one INSERT of the messages and one of their attachment links however
        many records; the attachments stay their records'.  Like Odoo's
        ``_message_log_batch`` it checks no access: the caller has."""
        Message = self.env["mail.message"].sudo()
        if not self:
            return Message
        links = {
            record.id: list(dict.fromkeys(attachment_ids.get(record.id) or ())) for record in self
        }
        self._check_own_attachments(links)
        common = self._log_row_common(False, author_id, email_from, message_type)
        message_ids = self._insert_log_rows(self._log_rows(bodies, common))
        rows = [
            (message_id, attachment_id)
            for record_id, message_id in zip(self.ids, message_ids, strict=True)
            for attachment_id in links[record_id]
        ]
        if rows:
            self.env.cr.execute_values(
                "INSERT INTO message_attachment_rel (message_id, attachment_id) VALUES %s",
                rows,
                page_size=5000,
            )
        return Message.browse(message_ids)

    def _check_own_attachments(self, links):
        """Each note's files are its record's ({record id: attachment ids}): a
        file of another document goes through Odoo's ``_message_log``."""
        files = (
            self.env["ir.attachment"]
            .sudo()
            .browse(
                {attachment_id for record_ids in links.values() for attachment_id in record_ids}
            )
        )
        owners = {file.id: (file.res_model, file.res_id) for file in files}
        if any(
            owners[attachment_id] != (self._name, record_id)
            for record_id, record_ids in links.items()
            for attachment_id in record_ids
        ):
            raise ValueError(f"{self._name}: a note's files must be attached to its record")

    def _log_row_common(self, subject, author_id, email_from, message_type):
        """The values of MESSAGE_COLUMNS from author_id on, shared by the notes of
        one call (as Odoo's ``_message_log_batch`` computes them)."""
        author_id, email_from = self._message_compute_author(
            author_id, email_from, raise_on_email=False
        )
        return (
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

    def _log_rows(self, bodies, common):
        """The MESSAGE_COLUMNS rows of these records' notes, in their order."""
        texts = [escape(bodies.get(record.id, "")) for record in self]
        return [
            (self._name, record.id, body, *common)
            for record, body in zip(self, self._sanitized_bodies(texts), strict=True)
        ]

    @api.model
    def _sanitized_bodies(self, texts):
        """``texts`` (markup) sanitized as the message's body field does it, each
        distinct one once: those of one paragraph (``<p>…</p>``, most notes) in one
        pass over all of them, split back (one by one when they do not split back
        into as many paragraphs)."""
        Message = self.env["mail.message"].sudo()
        body_field = Message._fields["body"]
        distinct = list(dict.fromkeys(texts))
        paragraphs = [
            text
            for text in distinct
            if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1
        ]
        done = {}
        if len(paragraphs) > 1:
            joined = str(body_field.convert_to_column_insert(Markup("").join(paragraphs), Message))
            pieces = joined.removeprefix("<p>").removesuffix("</p>").split("</p><p>")
            if len(pieces) == len(paragraphs) and not any("<p>" in piece for piece in pieces):
                done = {
                    text: Markup(f"<p>{piece}</p>")
                    for text, piece in zip(paragraphs, pieces, strict=True)
                }
        for text in distinct:
            if text not in done:
                done[text] = body_field.convert_to_column_insert(text, Message)
        return [done[text] for text in texts]

    def _insert_log_rows(self, rows):
        """The mail.message rows (MESSAGE_COLUMNS) dated now, written as the
        module writes many rows (``insert_rows``); the records' chatter caches
        are invalidated as Odoo's create does."""
        now = self.env.cr.now()
        message_ids = insert_rows(
            self.env["mail.message"], (*MESSAGE_COLUMNS, "date"), [(*row, now) for row in rows]
        )
        self.invalidate_recordset(
            ["message_ids", "message_needaction", "message_needaction_counter"]
        )
        return message_ids
