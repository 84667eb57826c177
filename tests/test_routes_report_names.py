"""A report route naming a report of this module that does not exist (a typo,
a report removed since the link was made) answers 404, or 400 through the
download route, instead of Odoo's 500 (ValueError: External ID not found)."""

import json
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PatientCollectionsCommon

MISSING = "patient_collections.report_patient_statment"


@tagged("post_install", "-at_install")
class TestRoutesReportNames(PatientCollectionsCommon, HttpCase):
    @mute_logger("odoo.http", "odoo.addons.web.controllers.report")
    def test_an_unknown_report_of_the_module_is_not_found(self):
        specialist = self.company_user(
            "pc_routes_specialist", "base.group_user,patient_collections.group_collections_manager"
        )
        self.authenticate(specialist.login, specialist.login)
        for converter in ("pdf", "html", "text"):
            with self.subTest(converter=converter):
                response = self.url_open(f"/report/{converter}/{MISSING}/1")
                self.assertEqual(response.status_code, 404, response.text[:300])
        response = self.url_open(
            "/report/download?"
            + urlencode({"data": json.dumps([f"/report/pdf/{MISSING}/1", "qweb-pdf"])})
        )
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertIn("not found", response.text)
