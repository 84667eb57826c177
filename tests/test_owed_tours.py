"""Six refusals and filters that had API tests only, clicked in the browser by the
role that meets them (static/tests/tours/patient_collections_owed_tours.js), then
the database state those clicks must have left: Send Statements when nothing
qualifies, archiving a stage that holds accounts, a document added to a
financial-assistance application, a second online payment while the first is
processed, the Promises Due filters of the accounts and of the interactions, the
Payment Plan button of an account that owes nothing, and a write-off whose journal
entry the accountant reverses.

TestOwedTours is the portal's class (a guarantor owing 300.00 with a portal user,
Odoo's dummy payment provider); the back-office tours make their own users and
accounts.  TestOwedReversalTour is the write-offs' (expense accounts set)."""

from datetime import date, datetime, timedelta, timezone

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..models.patient_protected import trusted
from .common import TEST_ADDRESS
from .common_tours import TourMixin
from .test_portal import PortalCase
from .test_tours_roles import ACCOUNTANT, MANAGER, SPECIALIST, daytime_tz
from .test_writeoffs import WriteoffCommon

ACCOUNT_LIST = "/odoo/action-patient_collections.patient_account_action"
ACCOUNT_FORM = ACCOUNT_LIST + "/%s"
STAGE_LIST = "/odoo/action-patient_collections.patient_account_stage_action"
ASSISTANCE_FORM = "/odoo/action-patient_collections.patient_financial_assistance_action/%s"
WRITEOFF_FORM = "/odoo/action-patient_collections.patient_writeoff_action/%s"


def practice_a_day_off():
    """(practice's time zone, user's time zone) such that the practice's date is
    neither the browser's (UTC: Odoo runs with TZ=UTC, the tours' Chromium too)
    nor the user's, for an hour at least from now: a filter judged by the
    browser's or the user's day gives another answer than the practice's."""
    if datetime.now(timezone.utc).hour >= 10:
        # UTC+14 is already on tomorrow (until 10:00 UTC), UTC-11 on yesterday or today
        return "Pacific/Kiritimati", "Pacific/Pago_Pago"
    # UTC-11 is still on yesterday (until 11:00 UTC), UTC+14 on today
    return "Pacific/Pago_Pago", "Pacific/Kiritimati"


@tagged("post_install", "-at_install")
class TestOwedTours(TourMixin, PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.owed_specialist = user("pc_ow_specialist", SPECIALIST, name="Owedspecialist Main")
        cls.owed_manager = user("pc_ow_manager", MANAGER, name="Owedmanager Main")
        cls.owed_accountant = user("pc_ow_accountant", ACCOUNTANT, name="Owedaccountant Main")

    # ------------------------------------------------------------------ helpers

    def owing(self, name, amount=150.0, days=40):
        """The specialist's account of a new guarantor owing ``amount`` on one
        invoice ``days`` old; returns (account, invoice)."""
        guarantor = self.env["res.partner"].create(
            {"name": name, "is_patient": True, **TEST_ADDRESS, "tz": daytime_tz()}
        )
        today = fields.Date.today()
        invoice = self.make_invoice(guarantor, amount, today - timedelta(days=days), today)
        account = invoice.patient_account_id
        self.assertTrue(account, "posting the patient invoice opens the account")
        account.user_id = self.owed_specialist
        return account, invoice

    def practice_day_off(self):
        """Put the practice and the specialist a day apart from each other and from
        the browser (:func:`practice_a_day_off`); returns the practice's today."""
        company = self.env.company
        company.collections_tz, self.owed_specialist.tz = practice_a_day_off()
        today = company._patient_today()
        browser_today = datetime.now(timezone.utc).date()
        self.assertNotEqual(browser_today, today, "the browser's day is not the practice's")
        specialist = self.env.user.with_context(tz=self.owed_specialist.tz)
        self.assertNotEqual(fields.Date.context_today(specialist), today, "nor the specialist's")
        return today

    # ------------------------------------------------------------------ 1. Send Statements

    def test_send_statements_nothing_qualifies(self):
        """The manager asks for two accounts that no setting of the form can
        widen: told why, and nothing is produced."""
        ceased, _invoice = self.owing("Owedwhy Ceased")
        trusted(ceased).write({"cease_communication": True})
        held, _invoice = self.owing("Owedwhy Held")
        trusted(held)._set_hold("other", note="Synthetic")
        self.run_tour(ACCOUNT_LIST, "pc_owed_send_statements_nothing_qualifies", "pc_ow_manager")
        for account in ceased | held:
            self.assertFalse(account.last_statement_date)
            self.assertFalse(account.interaction_ids.filtered(lambda i: i.channel == "letter"))
        produced = self.env["ir.attachment"].search(
            [
                "|",
                "&",
                ("res_model", "=", "patient.account"),
                ("res_id", "in", (ceased | held).ids),
                "&",
                ("create_uid", "=", self.owed_manager.id),
                ("mimetype", "=", "application/pdf"),
            ]
        )
        self.assertFalse(produced, "no statement was produced")

    # ------------------------------------------------------------------ 2. Stage archive

    def test_stage_archive_refused(self):
        """From the list and from the form: refused, saying how many accounts."""
        stage = self.env["patient.account.stage"].create(
            {"name": "Owedstage Busy", "sequence": 55, "is_manual": True}
        )
        account, _invoice = self.owing("Owedstage Person")
        account._write_stage(stage)
        self.run_tour(STAGE_LIST, "pc_owed_stage_archive_refused", "pc_ow_manager")
        self.assertTrue(stage.active)
        self.assertEqual(account.stage_id, stage)

    # ------------------------------------------------------------------ 3. Assistance documents

    def test_assistance_document_attached(self):
        """The manager adds a document to the specialist's application and saves."""
        account, _invoice = self.owing("Owedassist Person", amount=300.0)
        application = (
            self.env["patient.financial.assistance"]
            .with_user(self.owed_specialist)
            .create({"account_id": account.id, "household_size": 3, "annual_income": 20000})
        )
        self.assertFalse(application.attachment_ids)
        self.run_tour(
            ASSISTANCE_FORM % application.id, "pc_owed_assistance_document", "pc_ow_manager"
        )
        document = application.attachment_ids
        self.assertEqual(document.mapped("name"), ["owed_payslip.pdf"])
        self.assertEqual((document.res_model, document.res_id), (application._name, application.id))
        self.assertTrue(document.raw.startswith(b"%PDF"))
        self.assertTrue(document.with_user(self.owed_manager).datas)

    # ------------------------------------------------------------------ 4. Portal

    def test_portal_payment_in_progress(self):
        """The provider took the whole balance, Odoo has not booked it yet: the
        account page says so up front and offers no Pay form, no second
        transaction is started."""
        tx = self.patient_tx(300.0)
        tx._set_done()  # the provider confirmed; post-processing comes later
        self.run_tour(
            "/my/patient-accounts", "pc_owed_portal_payment_in_progress", "pc_portal_alpha"
        )
        transactions = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        self.assertEqual(transactions, tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.payment_id)
        self.assertEqual(self.account.balance_due, 300.0)

    def test_portal_payment_partly_in_progress(self):
        """100.00 of the 300.00 is pending at the provider: the page says so and its
        Pay form offers the rest, 200.00, which the payment page then takes."""
        tx = self.patient_tx(100.0)
        tx._set_pending()
        self.run_tour(
            "/my/patient-accounts", "pc_owed_portal_payment_partly_in_progress", "pc_portal_alpha"
        )
        transactions = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        self.assertEqual(transactions, tx, "the tour stops at the payment form")
        self.assertEqual(self.account._portal_payable(), 200.0)

    # ------------------------------------------------------------------ 5. Promises Due

    def test_promises_due_filter(self):
        """The practice is a day off the browser and the specialist (UTC+14 and
        UTC-11, or the other way round): the filter follows the practice's
        calendar."""
        today = self.practice_day_off()
        due, _invoice = self.owing("Owedpromise Today")
        trusted(due)._set_hold("promise_to_pay", until=today)
        later, _invoice = self.owing("Owedpromise Later")
        trusted(later)._set_hold("promise_to_pay", until=today + timedelta(days=1))
        self.run_tour(ACCOUNT_LIST, "pc_owed_promises_due_filter", "pc_ow_specialist")
        Account = self.env["patient.account"].with_user(self.owed_specialist)
        found = Account.search([("promise_due", "=", True)])
        self.assertIn(due, found)
        self.assertNotIn(later, found)

    # ------------------------------------------------------------------ 6. Payment Plan

    def test_plan_button_nothing_owed(self):
        """The specialist's form was opened before the guarantor's last payment
        (booked meanwhile by the accountant, through the external API): its
        Payment Plan button is refused, no plan is made."""
        account, invoice = self.owing("Owedplan Person", amount=120.0)
        self.assertEqual(invoice.partner_id.name, "Owedplan Person")
        self.run_tour(ACCOUNT_FORM % account.id, "pc_owed_plan_nothing_owed", "pc_ow_specialist")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(account.balance_due, 0.0)
        self.assertFalse(account.plan_ids)
        self.assertFalse(self.env["patient.payment.plan"].search([("account_id", "=", account.id)]))

    # ------------------------------------------------------------ 7. Interactions' Promises Due

    def test_interaction_promises_due_filter(self):
        """The specialist's Promise Calendar as a list, "Promises Due": today's
        promise on the practice's calendar, not tomorrow's (the practice a day off
        the browser and the specialist)."""
        today = self.practice_day_off()
        Interaction = self.env["patient.interaction"].with_user(self.owed_specialist)
        promises = Interaction
        for name, day, amount in (
            ("Owedpledge Today", today, 31.41),
            ("Owedpledge Later", today + timedelta(days=1), 42.29),
        ):
            account, _invoice = self.owing(name)
            promises |= Interaction.create(
                {
                    "account_id": account.id,
                    "channel": "phone_in",
                    "outcome": "promise_to_pay",
                    "promise_date": day,
                    "promise_amount": amount,
                }
            )
        self.assertEqual(promises.mapped("promise_state"), ["pending", "pending"])
        self.run_tour("/odoo", "pc_owed_interaction_promises_due", "pc_ow_specialist")
        due, later = promises
        found = Interaction.search([("promise_due", "=", True)])
        self.assertIn(due, found)
        self.assertNotIn(later, found)


@tagged("post_install", "-at_install")
class TestOwedReversalTour(WriteoffCommon, HttpCase):
    def test_writeoff_reversed_from_its_entry(self):
        """The accountant opens a posted write-off's journal entry from its form
        and reverses it with Odoo's Reverse Entry: back on the write-off it is
        Reversed, and the write-offs' Reversed filter lists it, not a write-off
        that stands."""
        today = date.today()
        account, _invoice = self.account_owing(61.5, days=100, today=today)
        writeoff = self.writeoff(account, self.manager)
        standing_account, _invoice = self.account_owing(19.25, days=100, today=today)
        standing = self.writeoff(standing_account, self.manager)
        self.assertEqual((writeoff | standing).mapped("state"), ["posted", "posted"])
        self.assertTrue(writeoff.name.startswith("WO"), "the tour finds its breadcrumb by it")
        self.env.flush_all()
        self.start_tour(
            WRITEOFF_FORM % writeoff.id, "pc_owed_writeoff_reversed", login="pc_wo_accountant"
        )
        self.env.invalidate_all()
        reversal = writeoff.move_id.reversal_move_ids
        self.assertRecordValues(reversal, [{"state": "posted", "create_uid": self.accountant.id}])
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual(account.balance_due, 61.5, "owed again")
        self.assertEqual(standing.state, "posted")
        self.assertEqual(standing_account.balance_due, 0.0)
