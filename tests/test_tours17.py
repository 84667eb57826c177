"""Clicked in the browser by the role that meets it
(static/tests/tours/patient_collections_tours17.js), then the database state
those clicks must have left:

1. a collections manager who keeps the books chooses the bad-debt write-off
   account on the Collections Settings form among the practice's own expense
   accounts (another company's, equity and revenue accounts are not offered)."""

from odoo.tests import HttpCase, tagged

from .common_tours import TourMixin
from .test_writeoffs import MANAGER, WriteoffCommon


@tagged("post_install", "-at_install")
class TestTours17WriteoffAccount(TourMixin, WriteoffCommon, HttpCase):
    def test_manager_chooses_the_writeoff_account_among_the_practice_s_own(self):
        Account = self.env["account.account"]
        expense = Account.create(
            {"name": "Tourwo practice expense", "code": "688410", "account_type": "expense"}
        )
        Account.create(
            [
                {"name": "Tourwo owner equity", "code": "101710", "account_type": "equity"},
                {"name": "Tourwo revenue", "code": "400710", "account_type": "income"},
            ]
        )
        other = self.setup_other_company(name="Synthetic Other Clinic Tour17")["company"]
        Account.with_company(other).create(
            {"name": "Tourwo other clinic expense", "code": "688420", "account_type": "expense"}
        )
        manager = self.company_user(
            "pc_tours17_manager", f"{MANAGER},account.group_account_invoice"
        )
        self.run_tour("/odoo", "pc_tours17_writeoff_account_choice", manager)
        self.assertEqual(self.env.company.collections_writeoff_account_bad_debt_id, expense)
