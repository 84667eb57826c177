from odoo import api, models

from .patient_access_log import is_patient_file_model


class MailMessage(models.Model):
    """The chatter of patient data read is a look at it: the thread's messages
    (``/mail/thread/messages``, the inbox), ``mail.message`` read or searched
    over RPC write one 'chatter' line per call and model, naming the records
    whose messages were read (the call in the detail), never what they say."""

    _inherit = "mail.message"

    def _log_patient_chatter(self, how):
        """One line per model of patient data among these messages' records."""
        if self.env.su or not self:
            return
        by_model = {}
        for message in self.sudo():
            if message.res_id and is_patient_file_model(self.env, message.model):
                by_model.setdefault(message.model, []).append(message.res_id)
        Log = self.env["patient.access.log"]
        for res_model, res_ids in by_model.items():
            records = self.env[res_model].sudo().browse(list(dict.fromkeys(res_ids)))
            Log._insert_now(Log._entry_vals("chatter", records, batch=True, detail=how))

    @api.model
    def _message_fetch(
        self, domain, search_term=None, before=None, after=None, around=None, limit=30
    ):
        res = super()._message_fetch(
            domain, search_term=search_term, before=before, after=after, around=around, limit=limit
        )
        res["messages"]._log_patient_chatter("fetch")
        return res

    def read(self, fields=None, load="_classic_read"):
        result = super().read(fields=fields, load=load)
        self._log_patient_chatter("read")
        return result

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        result = super().search_read(
            domain=domain, fields=fields, offset=offset, limit=limit, order=order, **read_kwargs
        )
        self.browse([values["id"] for values in result])._log_patient_chatter("search_read")
        return result
