"""What only API tests covered, clicked in the browser by the role that meets it
(static/tests/tours/patient_collections_tours16.js), then the database state
those clicks must have left:

1. a collections manager's Send Statements on two selected accounts says one is
   left out for want of a mailing address: only the other gets a statement;
2. the account form warns the specialist that a guarantor without an address
   gets no statement, and not when the guarantor has one;
3. an accountant who opens a write-off's own reversal is not offered Odoo's
   Reverse Entry (the server refuses it there too: TestWriteoffReversedOnce):
   the ledger is unchanged."""

from datetime import date

from odoo.tests import HttpCase, tagged

from .common_desk import DeskCommon
from .common_tours import TourMixin
from .test_tours_roles import ACCOUNT_LIST
from .test_writeoff_reversal import ReversalCommon
from .test_writeoffs import MANAGER

NO_ADDRESS = {"street": False, "street2": False, "city": False, "zip": False}


@tagged("post_install", "-at_install")
class TestTours16Statements(TourMixin, DeskCommon, HttpCase):
    def account(self, name, address=True):
        account, _invoice = self.owing_account(name)
        if not address:
            account.partner_id.write(NO_ADDRESS)
        self.assertEqual(account.statement_no_address, not address)
        return account

    def statements(self, account):
        return account.interaction_ids.filtered("is_statement")

    def test_send_statements_leaves_out_the_account_without_address(self):
        bare = self.account("Tourstmt Noaddr", address=False)
        mailable = self.account("Tourstmt Withaddr")
        self.run_tour(ACCOUNT_LIST, "pc_tours16_statements_leave_out_no_address", self.manager)
        today = self.env.company._patient_today()
        self.assertRecordValues(
            mailable, [{"first_statement_date": today, "last_statement_date": today}]
        )
        self.assertEqual(len(self.statements(mailable)), 1)
        self.assertRecordValues(
            bare, [{"first_statement_date": False, "last_statement_date": False}]
        )
        self.assertFalse(self.statements(bare))
        self.assertTrue(bare.statement_no_address)

    def test_account_form_warns_of_no_address(self):
        bare = self.account("Tourstmt Formnoaddr", address=False)
        self.account("Tourstmt Formwithaddr")
        self.run_tour(ACCOUNT_LIST, "pc_tours16_account_no_address_warning", self.specialist)
        self.assertFalse(bare.first_statement_date)


@tagged("post_install", "-at_install")
class TestTours16Reversal(TourMixin, ReversalCommon, HttpCase):
    def test_reverse_entry_not_offered_on_a_write_off_reversal(self):
        account, invoice = self.account_owing(30.0, days=100, today=date.today())
        manager = self.company_user("pc_t16_manager", MANAGER, name="Toursixteen Reverser")
        writeoff = self.writeoff(account, manager)
        reversal = self.reverse(writeoff, manager)
        self.assertRecordValues(writeoff, [{"state": "reversed", "reversed_by_id": manager.id}])
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(account.balance_due, 30.0)
        moves = self.env["account.move"].search_count([])
        self.run_tour("/odoo", "pc_tours16_reversal_not_reversed", self.accountant)
        self.assertEqual(self.env["account.move"].search_count([]), moves, "no entry created")
        self.assertFalse(reversal.reversal_move_ids)
        self.assertTrue(reversal.patient_reverses_writeoff)
        self.assertFalse(writeoff.move_id.patient_reverses_writeoff, "its entry may be reversed")
        self.assertEqual(reversal.state, "posted")
        self.assertRecordValues(writeoff, [{"state": "reversed", "reversal_move_id": reversal.id}])
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(account.balance_due, 30.0)
        self.assert_ledger_matches(account)
