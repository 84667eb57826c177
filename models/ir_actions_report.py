import io
from collections import OrderedDict

from odoo import models
from odoo.exceptions import AccessError


class IrActionsReport(models.Model):
    """Reports of this module are drawn with reportlab, not wkhtmltopdf.

    A model lists its reportlab reports in ``_reportlab_reports`` (report name ->
    method returning one PDF per record).  Rendering still goes through
    ``ir.actions.report`` (``_render_qweb_pdf``, the ``/report/pdf/...`` route),
    so access checks, attachments and the Print menu work as for any report.
    """

    _inherit = "ir.actions.report"

    def _reportlab_method(self, report_ref):
        report = self._get_report(report_ref)
        if report.report_type != "qweb-pdf" or report.model not in self.env:
            return None
        renderers = getattr(self.env[report.model], "_reportlab_reports", None) or {}
        return renderers.get(report.report_name)

    def _pre_render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        if self._reportlab_method(report_ref):
            if isinstance(res_ids, int):
                res_ids = [res_ids]
            return self._render_qweb_pdf_prepare_streams(report_ref, data or {}, res_ids), "pdf"
        return super()._pre_render_qweb_pdf(report_ref, res_ids=res_ids, data=data)

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        method = self._reportlab_method(report_ref)
        if not method:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        report = self._get_report(report_ref)
        records = self.env[report.model].browse(res_ids or [])
        try:
            records.check_access("read")
        except AccessError:
            self.env["patient.access.log"]._log_denied(records, detail=report.report_name)
            raise
        self.env["patient.access.log"]._log("print", records, detail=report.report_name)
        streams = OrderedDict()
        for record, pdf in zip(records, getattr(records, method)(), strict=True):
            streams[record.id] = {"stream": io.BytesIO(pdf), "attachment": None}
        return streams
