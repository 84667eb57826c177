import logging

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .ir_binary import FILE_FIELDS
from .patient_access_log import is_patient_file_model as is_logged_file_model
from .patient_phi_mixin import EXPORT_GROUP

_logger = logging.getLogger(__name__)

# what would let someone without a login, or without rights on the record, open a file
SHARING_FIELDS = ("public", "access_token")
# files of the module's reports kept on a report rather than on patient data (the
# aged balances workbook, on its author's report): balances of the practice's
# patients all the same, so never public nor shared by a link either
REPORT_FILE_MODELS = ("patient.aging.report",)


def is_patient_file_model(env, res_model):
    """Whether the files attached to ``res_model`` are patient data that no flag
    or link opens: those of patient data (their reads logged) and of the
    module's reports."""
    return is_logged_file_model(env, res_model) or (
        res_model in REPORT_FILE_MODELS and res_model in env.registry
    )


class IrAttachment(models.Model):
    """The files of patient data (a statement, a plan agreement, a run's merged
    statements, an assistance application's proof of income, the chatter's files):

    - read over RPC (``read``, ``search_read``, ``web_read`` of ``datas`` or
      ``raw``) is a download: it writes a 'download' line like the file routes
      do, a refused read a 'denied' line;
    - exported (``export_data``, the list's Export): needs Odoo's export right,
      and writes an 'export' line naming the records the files belong to;
    - never public, never shared by a link's token: nobody may set ``public`` or
      ``access_token`` on them, and the file routes ignore both for them (only
      the user's own rights on the record open the file)."""

    _inherit = "ir.attachment"

    def init(self):
        """On install and every upgrade: patient files made public or given a
        token before these rules (an earlier version, another module's code)
        lose both, so no old link or flag still opens them over RPC or a route."""
        res = super().init()
        patient_models = [
            name for name in self.env.registry if is_patient_file_model(self.env, name)
        ]
        self.env.cr.execute(
            SQL(
                "UPDATE ir_attachment SET public = FALSE, access_token = NULL"
                " WHERE res_model = ANY(%s) AND (public OR access_token IS NOT NULL)",
                patient_models,
            )
        )
        if self.env.cr.rowcount:
            # a count only: which files and whose stay out of the log
            _logger.info(
                "%s patient files were public or shared by a link: now private",
                self.env.cr.rowcount,
            )
        return res

    def _is_patient_file(self):
        self.ensure_one()
        # one field read as superuser, not the record's others (prefetched, they
        # would be served to the user from the cache, their read rights unchecked)
        return is_patient_file_model(
            self.env, self.sudo().with_context(prefetch_fields=False).res_model
        )

    def _refuse_patient_sharing(self):
        """Refused for a user, whoever they are; for Odoo's own code run as
        superuser (the mail gateway's inline images, the chatter's message
        formatting) the flag and token are dropped instead."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Patient files cannot be made public or shared by a link. Leave the "
                    "file private: the guarantor gets their statement from their portal "
                    "account page or by email from the account."
                )
            )
        return {"public": False, "access_token": False}

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            {**vals, **self._refuse_patient_sharing()}
            if any(vals.get(name) for name in SHARING_FIELDS)
            and is_patient_file_model(self.env, vals.get("res_model"))
            else vals
            for vals in vals_list
        ]
        return super().create(vals_list)

    def write(self, vals):
        sharing = any(vals.get(name) for name in SHARING_FIELDS)
        current = self.browse()
        if sharing or "res_model" in vals or "res_id" in vals:
            current = self._check_patient_files_stay(vals)
        if sharing:
            if current or is_patient_file_model(self.env, vals.get("res_model")):
                vals = {**vals, **self._refuse_patient_sharing()}
        elif is_patient_file_model(self.env, vals.get("res_model")):
            # a file attached to patient data loses the link it may have had
            vals = {**vals, "public": False, "access_token": False}
        return super().write(vals)

    def copy(self, default=None):
        if default and ("res_model" in default or "res_id" in default):
            self._check_patient_files_stay(default)
        return super().copy(default)

    def _check_patient_files_stay(self, vals):
        """Refuse a user taking patient files off their record (or onto another
        patient's), moved or copied: a statement would be shared, read and kept
        outside the rights and the log of its account.  Returns the patient files
        among these (as superuser)."""
        current = self.sudo().filtered(
            lambda attachment: is_patient_file_model(self.env, attachment.res_model)
        )
        moved = current.filtered(
            lambda attachment: (
                attachment.res_model != vals.get("res_model", attachment.res_model)
                or attachment.res_id != vals.get("res_id", attachment.res_id)
            )
        )
        if moved and not self.env.su:
            raise AccessError(
                self.env._(
                    "A patient file stays attached to the record it belongs to: attach a "
                    "new file where it is needed instead."
                )
            )
        return current

    def generate_access_token(self):
        """A patient file gets no link: Odoo's own code asking for one (an image
        pasted in a message, a mail's large attachments) gets a token that is
        stored nowhere and opens nothing; the file opens by the reader's rights."""
        patient_files = self.filtered(lambda attachment: attachment._is_patient_file())
        tokens = dict(
            zip(
                (self - patient_files).ids,
                super(IrAttachment, self - patient_files).generate_access_token(),
                strict=True,
            )
        )
        return [tokens.get(attachment.id) or self._generate_access_token() for attachment in self]

    def validate_access(self, access_token):
        """The file routes (``/web/content``, ``/web/image``): a file of patient
        data opens by the user's own rights on its record only, never by its
        public flag or a token."""
        self.ensure_one()
        if self.env.su or not self._is_patient_file():
            return super().validate_access(access_token)
        self.check("read")  # internal users only; unattached: the uploader only
        attachment = self.sudo().with_context(prefetch_fields=False)
        if attachment.res_id:
            self.env[attachment.res_model].browse(attachment.res_id).check_access("read")
        return self

    def read(self, fields=None, load="_classic_read"):
        try:
            return super().read(fields=fields, load=load)
        except AccessError:
            read = [name for name in FILE_FIELDS if name in (fields or ())]
            if read and not self.env.su:
                self.env["patient.access.log"]._log_download_denied(self, ", ".join(read))
            raise

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        read = [name for name in FILE_FIELDS if name in (fnames or ())]
        if read and self and not self.env.su and not self.env.context.get("bin_size"):
            self.env["patient.access.log"]._log_download(self, ", ".join(read))
        return result

    def export_data(self, fields_to_export):
        Log = self.env["patient.access.log"]
        exported = ", ".join(sorted(set(fields_to_export)))
        patient_files = [] if self.env.su else list(Log._patient_files(self).values())
        refused = patient_files and not self.env.user.has_group(EXPORT_GROUP)
        for files, owners in patient_files:
            detail = ", ".join(f"ir.attachment,{file_id}" for file_id in files.ids[:20])
            owners = owners.browse(list(dict.fromkeys(owners.ids)))
            if refused:
                Log._log_denied(owners, detail=detail, field_names=exported)
            else:
                Log._log("export", owners, batch=True, field_names=exported, detail=detail)
        if refused:
            raise AccessError(
                self.env._(
                    "You are not allowed to export patient files: ask an administrator for "
                    "the export right."
                )
            )
        return super().export_data(fields_to_export)
