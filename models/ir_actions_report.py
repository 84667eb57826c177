import io
from collections import OrderedDict

from markupsafe import Markup

from odoo import models
from odoo.exceptions import AccessError, UserError

from .patient_protected import INT_BOUNDS


class IrActionsReport(models.Model):
    """Reports of this module are drawn with reportlab, not wkhtmltopdf.

    A model lists its reportlab reports in ``_reportlab_reports`` (report name ->
    method returning one PDF per record).  Rendering still goes through
    ``ir.actions.report`` (``_render_qweb_pdf``, the ``/report/pdf/...`` route),
    so access checks, attachments and the Print menu work as for any report.
    Asked as HTML (``/report/html/...``: the web client's preview when
    wkhtmltopdf is missing), such a report answers a page showing its PDF; asked
    as text, a clear refusal.
    """

    _inherit = "ir.actions.report"

    def _reportlab_method(self, report_ref):
        report = self._get_report(report_ref)
        if report.report_type != "qweb-pdf" or report.model not in self.env:
            return None
        renderers = getattr(self.env[report.model], "_reportlab_reports", None) or {}
        return renderers.get(report.report_name)

    def _reportlab_records(self, report_ref, res_ids):
        """The records to print, readable by the user (a refusal is logged)."""
        report = self._get_report(report_ref)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        ids = list(dict.fromkeys(res_ids or []))
        if not ids:
            raise UserError(
                self.env._(
                    "%(report)s prints chosen records: select the records to print first.",
                    report=report.name,
                )
            )
        if not all(isinstance(i, int) and 0 < i <= INT_BOUNDS[1] for i in ids):
            raise UserError(
                self.env._("%(report)s: the record ids to print are not valid.", report=report.name)
            )
        records = self.env[report.model].browse(ids)
        try:
            existing = records.sudo().exists()
            if existing != records.sudo():
                # the same answer as a record of another company: nothing learnt by probing
                raise AccessError(
                    self.env._(
                        "%(report)s: some of these records do not exist or are not yours to print.",
                        report=report.name,
                    )
                )
            records.check_access("read")
        except AccessError:
            self.env["patient.access.log"]._log_denied(
                records.sudo().exists(), detail=report.report_name
            )
            raise
        return records

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
        records = self._reportlab_records(report_ref, res_ids)
        self.env["patient.access.log"]._log("print", records, detail=report.report_name)
        streams = OrderedDict()
        for record, pdf in zip(records, getattr(records, method)(), strict=True):
            streams[record.id] = {"stream": io.BytesIO(pdf), "attachment": None}
        return streams

    def _render_qweb_html(self, report_ref, docids, data=None):
        if not self._reportlab_method(report_ref):
            return super()._render_qweb_html(report_ref, docids, data=data)
        report = self._get_report(report_ref)
        records = self._reportlab_records(report_ref, docids)
        url = f"/report/pdf/{report.report_name}/{','.join(map(str, records.ids))}"
        html = Markup(
            '<!DOCTYPE html><html><head><meta charset="utf-8"/><title>%s</title></head>'
            '<body style="margin:0"><object data="%s" type="application/pdf" '
            'style="width:100%%;height:100vh"><a href="%s">%s</a></object></body></html>'
        ) % (report.name, url, url, self.env._("Download the PDF"))
        return str(html).encode(), "html"

    def _render_qweb_text(self, report_ref, docids, data=None):
        if not self._reportlab_method(report_ref):
            return super()._render_qweb_text(report_ref, docids, data=data)
        raise UserError(
            self.env._(
                "%(report)s is a PDF: it has no text version. Print it as a PDF.",
                report=self._get_report(report_ref).name,
            )
        )
