from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.report import ReportController


def _report_route_readonly(controller):
    """Read-only, like Odoo's, except for this module's reports: printing patient
    data writes the access log, so it runs in a read/write transaction."""
    parts = request.httprequest.path.split("/")
    return not (len(parts) > 3 and parts[3].startswith("patient_collections."))


class PatientReportController(ReportController):
    @http.route(
        [
            "/report/<converter>/<reportname>",
            "/report/<converter>/<reportname>/<docids>",
        ],
        type="http",
        auth="user",
        website=True,
        readonly=_report_route_readonly,
    )
    def report_routes(self, reportname, docids=None, converter=None, **data):
        return super().report_routes(reportname, docids=docids, converter=converter, **data)
