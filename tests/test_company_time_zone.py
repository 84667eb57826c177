"""Issue 14: one rule for the company's time zone and calendar date
(res.company._patient_tz / _patient_today), settable in Collections Settings."""

from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import PatientCollectionsCommon

SPECIALIST = "patient_collections.group_collections_specialist"


@tagged("post_install", "-at_install")
class TestCompanyTimeZone(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clinic = cls.env["res.company"].create({"name": "Synthetic Clinic Calendar"})
        cls.Plan = cls.env["patient.payment.plan"]

    def test_setting_first_then_address_then_staff_then_utc(self):
        clinic = self.clinic
        self.assertEqual(clinic._patient_tz(), "UTC")  # nothing known
        for index, tz in enumerate(("America/Phoenix", "America/Phoenix", "Europe/Paris")):
            self.company_user(f"pc_tzrule_staff_{index}", SPECIALIST, company=clinic, tz=tz)
        self.assertEqual(clinic._patient_tz(), "America/Phoenix")  # most of the staff
        clinic.partner_id.tz = "America/Chicago"
        self.assertEqual(clinic._patient_tz(), "America/Chicago")  # the address
        clinic.collections_tz = "America/New_York"
        self.assertEqual(clinic._patient_tz(), "America/New_York")  # the setting

    def test_never_the_users_zone(self):
        self.env.company.write({"collections_tz": False})
        self.env.company.partner_id.tz = "America/New_York"
        self.env.user.tz = "Pacific/Honolulu"
        # 03:30 UTC on the 2nd: 23:30 on the 1st in New York, 17:30 in Honolulu
        with freeze_time("2026-03-02 03:30:00"):
            self.assertEqual(self.env.company._patient_today(), date(2026, 3, 1))
            self.env.company.collections_tz = "Europe/Berlin"
            self.assertEqual(self.env.company._patient_today(), date(2026, 3, 2))
            specialist = self.company_user("pc_tzrule_west", SPECIALIST, tz="Pacific/Honolulu")
            company = self.env.company.with_user(specialist)
            self.assertEqual(company._patient_today(), date(2026, 3, 2))
            self.assertEqual(self.Plan.with_user(specialist)._company_today(), date(2026, 3, 2))

    def test_every_rule_serves_the_same_zone(self):
        """The contact rules, the run and the plans ask the same method."""
        self.env.company.write({"collections_tz": "Asia/Tokyo"})
        self.env.company.partner_id.tz = "America/Chicago"
        self.guarantor.tz = False
        account = self.Account.sudo().create({"partner_id": self.guarantor.id})
        self.assertEqual(account._contact_tz(), "Asia/Tokyo")
        self.assertIn("Asia/Tokyo", account.contact_tz)
        # 16:00 UTC on the 1st: already the 2nd in Tokyo
        with freeze_time("2026-03-01 16:00:00"):
            self.assertEqual(self.Plan._company_today(self.env.company), date(2026, 3, 2))

    def test_one_query_for_several_companies(self):
        others = self.env["res.company"].create(
            [{"name": f"Synthetic Clinic Calendar {index}"} for index in range(3)]
        )
        for company in others:
            self.company_user(
                f"pc_tzrule_{company.id}", SPECIALIST, company=company, tz="Asia/Dubai"
            )
        companies = others | self.clinic
        self.env.invalidate_all()
        companies.mapped("partner_id.tz")  # the companies' own fields read
        with self.assertQueryCount(1):
            zones = companies._patient_tzs()
        self.assertEqual(zones, {**dict.fromkeys(others.ids, "Asia/Dubai"), self.clinic.id: "UTC"})

    def test_settable_in_collections_settings(self):
        settings = self.env["res.config.settings"].create({"collections_tz": "America/Denver"})
        settings.execute()
        self.assertEqual(self.env.company.collections_tz, "America/Denver")
        manager = self.company_user(
            "pc_tzrule_manager", "patient_collections.group_collections_manager"
        )
        self.env.company.with_user(manager).write({"collections_tz": "America/Boise"})
        self.assertEqual(self.env.company._patient_tz(), "America/Boise")

    def test_every_rule_on_the_settings_pages_has_help(self):
        """Collections Settings (res.config.settings and the managers' company
        form): every setting block and every collections field explains itself."""
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        app = etree.fromstring(arch).xpath("//app[@name='patient_collections']")
        self.assertTrue(app)
        settings = app[0].xpath(".//setting")
        self.assertGreater(len(settings), 10)
        self.assertEqual([s.get("id") for s in settings if not s.get("help")], [])
        fields = self.env["res.company"]._fields
        without_help = sorted(
            name
            for name, field in fields.items()
            if name.startswith("collections_") and not field.help
        )
        self.assertEqual(without_help, [])
        self.assertIn("collections_tz", [s.get("name") for s in app[0].xpath(".//field")])
