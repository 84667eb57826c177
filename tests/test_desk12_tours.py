"""Dialog paths that had only API tests, clicked in the browser by their role
(static/tests/tours/patient_collections_desk12_tours.js):

- a manager assigns accounts from the list in Round-robin and in Balanced mode,
  switching the mode in the dialog (its onchange failed in both modes), and
  without an email address on their user (Odoo's notice refused it);
- Aged Balances' Print PDF on a day without a snapshot warns the user."""

from datetime import date, timedelta

from odoo.tests import HttpCase, tagged

from .common import PatientCollectionsCommon
from .common_tours import TourMixin

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
ACCOUNT_LIST = "/odoo/action-patient_collections.patient_account_action"


@tagged("post_install", "-at_install")
class TestDesk12Tours(TourMixin, PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.manager = user("pc_d12_manager", MANAGER, name="Tourmanager Deskmain")
        cls.one = user("pc_d12_one", SPECIALIST, name="Tourspecialist Deskone")
        cls.two = user("pc_d12_two", SPECIALIST, name="Tourspecialist Desktwo")
        cls.today = date.today()

    def make_account(self, name, amount):
        guarantor = self.env["res.partner"].create({"name": name, "is_patient": True})
        invoice = self.make_invoice(guarantor, amount, self.today - timedelta(days=40))
        account = invoice.patient_account_id
        self.assertTrue(account, "posting the patient invoice opens the account")
        self.assertFalse(account.user_id)
        return account

    def test_round_robin_from_the_list(self):
        accounts = self.env["patient.account"].concat(
            *(self.make_account(f"Tourrobin {n}", 100.0) for n in ("One", "Two", "Three", "Four"))
        )
        self.run_tour(ACCOUNT_LIST, "pc_desk12_assign_round_robin", self.manager)
        self.assertEqual(accounts.user_id, self.one | self.two)
        self.assertEqual(len(accounts.filtered(lambda a: a.user_id == self.one)), 2)
        self.assertEqual(len(accounts.filtered(lambda a: a.user_id == self.two)), 2)

    def test_assigning_without_an_email_address(self):
        """Odoo refused the whole assignment when the manager's user had no email
        (its assignment notice goes from that address)."""
        accounts = self.make_account("Tournomail One", 100.0) | self.make_account(
            "Tournomail Two", 100.0
        )
        self.manager.email = False
        self.run_tour(ACCOUNT_LIST, "pc_desk12_assign_no_email", self.manager)
        self.assertEqual(accounts.user_id, self.one | self.two)

    def test_balanced_from_the_list(self):
        large = self.make_account("Tourbalance Large", 500.0)
        middle = self.make_account("Tourbalance Middle", 300.0)
        small = self.make_account("Tourbalance Small", 200.0)
        self.run_tour(ACCOUNT_LIST, "pc_desk12_assign_balanced", self.manager)
        self.assertEqual(large.user_id, self.one)
        self.assertEqual((middle | small).user_id, self.two)

    def test_board_columns_stay_in_the_escalation_order(self):
        """A manager could drag a Board column: the stages were resequenced,
        which reorders the daily run's escalation."""
        self.make_account("Tourboard Columns", 120.0)
        stages = self.env["patient.account.stage"].search([])
        before = stages.mapped("sequence")
        self.run_tour(
            "/odoo/action-patient_collections.patient_account_board_action",
            "pc_desk12_board_columns_fixed",
            self.manager,
        )
        self.assertEqual(stages.mapped("sequence"), before)

    def test_aging_pdf_without_snapshot_warns(self):
        day = date(2025, 1, 15)
        Snapshot = self.env["patient.collection.snapshot"]
        self.assertFalse(Snapshot.search_count([("date", "=", day)]))
        self.make_account("Tourbalance Aging", 150.0)
        self.run_tour("/odoo", "pc_desk12_aging_no_snapshot", self.manager)
        printed = self.env["patient.access.log"].search(
            [("event", "=", "print"), ("user_id", "=", self.manager.id)]
        )
        self.assertFalse(printed, "nothing was printed")
