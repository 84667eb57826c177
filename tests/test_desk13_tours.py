"""The desk's new refusals and filters clicked in the browser by their role
(static/tests/tours/patient_collections_desk13_tours.js): releasing a
bankruptcy hold and lifting a cease request are a manager's (the specialist is
told so, nothing changes); a manager lifts the cease request; Today's Callbacks
lists the overdue callback, not the one already made; a specialist opens the
Interactions list from the menu and finds their own overdue callback."""

from odoo.tests import HttpCase, tagged

from .common_desk import DeskCommon
from .common_tours import TourMixin
from .test_tours_roles import ACCOUNT_FORM

INTERACTIONS = "/odoo/action-patient_collections.patient_interaction_action"


@tagged("post_install", "-at_install")
class TestDesk13Tours(TourMixin, DeskCommon, HttpCase):
    def ceased_account(self, name):
        account, _invoice = self.owing_account(name)
        self.env["patient.interaction"].with_user(self.specialist).create(
            {"account_id": account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        self.assertTrue(account.cease_communication)
        return account

    def test_specialist_cannot_release_a_bankruptcy_hold(self):
        account, _invoice = self.owing_account("Tourhold Bankrupt")
        account._set_hold("bankruptcy")
        self.run_tour(
            ACCOUNT_FORM % account.id, "pc_desk13_release_bankruptcy_refused", self.specialist
        )
        self.assertEqual(account.hold_reason, "bankruptcy")

    def test_specialist_cannot_lift_a_cease_request(self):
        account = self.ceased_account("Tourcease Specialist")
        self.run_tour(ACCOUNT_FORM % account.id, "pc_desk13_lift_cease_refused", self.specialist)
        self.assertTrue(account.cease_communication)

    def test_manager_lifts_a_cease_request(self):
        account = self.ceased_account("Tourcease Manager")
        self.run_tour(ACCOUNT_FORM % account.id, "pc_desk13_manager_lifts_cease", self.manager)
        self.assertFalse(account.cease_communication)

    def test_todays_callbacks_in_the_interactions_list(self):
        # asked for last month, whatever today is: no default filter of the list
        # (this month's dates) hides it
        waiting, _made = self.callbacks_waiting_and_made(
            "Tourcallback", days_ago=35, logged_by=self.manager
        )
        due = (
            self.env["patient.interaction"]
            .with_user(self.manager)
            .search([("callback_due", "=", True)])
        )
        self.assertEqual(due.account_id, waiting)
        self.run_tour(INTERACTIONS, "pc_desk13_todays_callbacks", self.manager)

    def test_specialist_opens_the_interactions_menu(self):
        """The Interactions list is a specialist's too (the desk's Today's Callbacks
        and My Interactions filters are theirs)."""
        self.callbacks_waiting_and_made("Tourmine")
        # another user's callbacks on accounts of the same specialist
        self.callbacks_waiting_and_made("Tourtheirs", logged_by=self.manager)
        self.run_tour("/odoo", "pc_desk13_specialist_interactions_menu", self.specialist)
