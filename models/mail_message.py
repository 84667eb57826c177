from odoo import api, models
from odoo.exceptions import AccessError

from .patient_access_log import is_patient_file_model

PHI_THREAD_MIXIN = "patient.phi.thread.mixin"


def partner_ids_of(value):
    """The partner ids a ``partner_ids`` value of create or write names: plain
    ids, or the link and set commands (``(4, id)``, ``(6, 0, ids)``)."""
    ids = []
    for item in value or ():
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, (list, tuple)) and item:
            if item[0] == 4 and len(item) > 1 and isinstance(item[1], int):
                ids.append(item[1])
            elif item[0] == 6 and len(item) > 2:
                ids.extend(i for i in item[2] or () if isinstance(i, int))
    return ids


class MailMessage(models.Model):
    """The chatter of patient data read is a look at it: the thread's messages
    (``/mail/thread/messages``, the inbox), ``mail.message`` read or searched
    over RPC write one 'chatter' line per call and model, naming the records
    whose messages were read (the call in the detail), never what they say."""

    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_ids"):
                self._check_patient_named_partners(
                    vals.get("model"), vals.get("res_id"), partner_ids_of(vals["partner_ids"])
                )
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("partner_ids"):
            named = partner_ids_of(vals["partner_ids"])
            for message in self.sudo():
                added = set(named) - set(message.partner_ids.ids)
                self._check_patient_named_partners(message.model, message.res_id, list(added))
        return super().write(vals)

    @api.model
    def _check_patient_named_partners(self, model, res_id, partner_ids):
        """A message of patient data names (``partner_ids``: a mention, a
        recipient, a message edited to add one) only people who may read it:
        Odoo lets whoever a message names read and edit it over RPC, although
        the notification to them is dropped.  Internal users must be able to read the
        record; portal users must be its guarantor or patients.  Judged on the
        real user (Odoo's chatter routes post as superuser); the system's own
        mail (the gateway, scheduled actions) is not judged."""
        if (
            not partner_ids
            or not res_id
            or not isinstance(model, str)
            or model not in self.env.registry
            or self.env.user._is_superuser()
            or not isinstance(self.env[model], self.env.registry[PHI_THREAD_MIXIN])
        ):
            return
        record = self.env[model].sudo().browse(res_id).exists()
        if not record:
            return
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .browse(list(dict.fromkeys(partner_ids)))
        )
        contacts = (
            record._patient_account()._patient_contacts()
            if record._patient_account()
            else partners.browse()
        )
        refused = self.env["res.users"]
        strangers = False
        for partner in partners.exists():
            users = partner.user_ids
            if not users or any(user._is_superuser() for user in users):
                continue
            internal = users.filtered(lambda user: not user.share)
            if internal:
                if not any(record._readable_by(user) for user in internal):
                    refused |= internal[:1]
            elif partner not in contacts:
                strangers = True
        if refused:
            readable = record._readable_by(self.env.user)
            raise AccessError(
                self.env._(
                    "%(people)s cannot be named on a message of %(record)s: they have no "
                    "access to it. Remove them, or add them to the collections roles of its "
                    "company first.",
                    people=", ".join(refused.mapped("name")),
                    record=record.display_name if readable else self.env._("a patient record"),
                )
            )
        if strangers:
            # a portal login of someone else: no name of theirs nor of the record's patient
            raise AccessError(
                self.env._(
                    "Only the guarantor and the patients of the account may be named on its "
                    "messages among portal users: remove the others."
                )
            )

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
