import json

from werkzeug.exceptions import BadRequest, Forbidden, InternalServerError, NotFound

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request
from odoo.tools.misc import html_escape

from odoo.addons.web.controllers.report import ReportController

MODULE_PREFIX = "patient_collections."
CONVERTERS = ("pdf", "html", "text")


def _is_module_report(reportname):
    return isinstance(reportname, str) and reportname.startswith(MODULE_PREFIX)


def _report_route_readonly(controller):
    """Read-only, like Odoo's, except for this module's reports: printing patient
    data writes the access log, so it runs in a read/write transaction."""
    parts = request.httprequest.path.split("/")
    return not (len(parts) > 3 and _is_module_report(parts[3]))


def _json_object(text, what):
    """``text`` parsed as a JSON object, or a 400 saying what is wrong."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        value = None
    if not isinstance(value, dict):
        raise BadRequest(f"The report's {what} must be a JSON object.")
    return value


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
        if _is_module_report(reportname):
            # what Odoo's route would answer with a 500: an unknown converter or
            # report name, a context or options that are not JSON objects
            if converter not in CONVERTERS:
                raise NotFound(f"Converter {converter} not implemented.")
            if not request.env["ir.actions.report"]._get_report_from_name(reportname):
                raise NotFound(f"Report {reportname} not found.")
            for key in ("options", "context"):
                if data.get(key):
                    _json_object(data[key], key)
        return super().report_routes(reportname, docids=docids, converter=converter, **data)

    @http.route(["/report/download"], type="http", auth="user")
    def report_download(self, data, context=None, token=None, readonly=True):
        """Odoo's download of a printed report, with clean refusals for this
        module's reports: 403 (no access) or 400 (a wrong request) carrying the
        error as the web client expects it, instead of a 500."""
        try:
            request_content = json.loads(data)
            url, report_type = request_content[0], request_content[1]
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            raise BadRequest("The report download request is not valid.") from exc
        if not isinstance(url, str) or not any(
            _is_module_report(part.split("?")[0]) for part in url.split("/")
        ):
            return super().report_download(data, context=context, token=token)
        if report_type not in ("qweb-pdf", "qweb-text"):
            raise BadRequest("This report is downloaded as a PDF.")
        if context:
            _json_object(context, "context")
        try:
            return super().report_download(data, context=context, token=token)
        except InternalServerError as exc:
            cause = exc.__cause__
            if isinstance(cause, AccessError):
                refusal = Forbidden
            elif isinstance(cause, (UserError, BadRequest, NotFound)):
                refusal = BadRequest
            else:
                raise
            error = {
                "code": refusal.code,
                "message": "Odoo Server Error",
                "data": http.serialize_exception(cause),
            }
            response = request.make_response(html_escape(json.dumps(error)), status=refusal.code)
            raise refusal(response=response) from cause
