from odoo import models

from .ir_binary import FILE_FIELDS


class IrAttachment(models.Model):
    """A statement, a plan agreement or a run's merged statements read over RPC
    (``read``, ``search_read``, ``web_read`` of ``datas`` or ``raw``) is a
    download: it writes a 'download' line like the file routes do."""

    _inherit = "ir.attachment"

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        read = [name for name in FILE_FIELDS if name in (fnames or ())]
        if read and self and not self.env.su and not self.env.context.get("bin_size"):
            self.env["patient.access.log"]._log_download(self, ", ".join(read))
        return result
