"""The dashboard of a manager whose active companies keep their books in
different currencies: every amount is shown in the current company's currency,
each other company's amounts converted at today's rate (as Odoo's reports do),
never added up as if they were the same money."""

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

MANAGER = "base.group_user,patient_collections.group_collections_manager"


@tagged("post_install", "-at_install")
@freeze_time("2026-06-15 12:00:00")
class TestDashboardCurrency(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        # 1 unit of the practice's currency = 0.5 EUR: 100 EUR are worth 200
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        cls.company_b = cls.setup_other_company(
            name="PC Currency Clinic B", currency_id=cls.eur.id
        )["company"]
        cls.assertNotEqual(cls, cls.company_a.currency_id, cls.eur)
        cls.manager = new_test_user(
            cls.env,
            login="pc_currency_manager",
            groups=MANAGER,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id],
        )
        cls.stage = cls.env.ref("patient_collections.stage_new")
        rows = [
            (cls.company_a, cls.company_a.currency_id, 300.0, 30.0),
            (cls.company_b, cls.eur, 100.0, 10.0),
        ]
        trusted(cls.env["patient.collection.snapshot"].sudo()).create(
            [
                {
                    "date": company._patient_today(),
                    "company_id": company.id,
                    "currency_id": currency.id,
                    "stage_id": cls.stage.id,
                    "insurance_status": "none",
                    "account_count": 1,
                    "balance_due": balance,
                    "aging_over_120": balance,
                    "collected_amount": collected,
                }
                for company, currency, balance, collected in rows
            ]
        )

    def dashboard(self, companies):
        return (
            self.env["patient.collection.snapshot"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=companies.ids)
            .get_dashboard_data()
        )

    def test_amounts_in_the_current_company_currency(self):
        data = self.dashboard(self.company_a | self.company_b)
        self.assertEqual(data["currency"]["symbol"], self.company_a.currency_id.symbol)
        tiles = {tile["key"]: tile["value"] for tile in data["tiles"]}
        # 300 + 100 EUR (= 200), not 400
        self.assertAlmostEqual(tiles["balance_due"], 500.0, 2)
        buckets = {bucket["key"]: bucket["value"] for bucket in data["buckets"]}
        self.assertAlmostEqual(buckets["aging_over_120"], 500.0, 2)
        [stage] = data["stages"]
        self.assertAlmostEqual(stage["value"], 500.0, 2)
        [month] = data["trend"]
        self.assertAlmostEqual(month["balance_due"], 500.0, 2)
        self.assertAlmostEqual(month["collected"], 50.0, 2)
        # collected 50 of 50 + 500
        self.assertAlmostEqual(tiles["collection_rate"], 9.1, 1)

    def test_one_company_unchanged(self):
        data = self.dashboard(self.company_a)
        tiles = {tile["key"]: tile["value"] for tile in data["tiles"]}
        self.assertAlmostEqual(tiles["balance_due"], 300.0, 2)
        [month] = data["trend"]
        self.assertAlmostEqual(month["collected"], 30.0, 2)
