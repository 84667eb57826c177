"""No statement "mailed" to a guarantor without a mailing address: the run
leaves such an account out and counts it (its Accounts list), sets no dates
(the 501(r) clock does not start), and sends as soon as an address is entered;
an email-delivery guarantor without an address is still emailed; the Send
Statements dialog says how many it leaves out; the manager finds them from the
run's line and the accounts' "No Mailing Address" filter (tour:
static/tests/tours/patient_collections_address15_tours.js); an address part of
blanks only is no part."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

TODAY = date(2026, 5, 4)
MANAGER = "base.group_user,patient_collections.group_collections_manager"
NO_ADDRESS = "statement_no_address"


class AddressCommon(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls.company_user("pc_addr_manager", MANAGER, name="Testaddr Manager")

    @classmethod
    def owing(cls, name, days=40, today=TODAY, **partner_vals):
        """The account of a new guarantor owing 100 on one invoice ``days`` old."""
        partner = cls.env["res.partner"].create({"name": name, "is_patient": True, **partner_vals})
        due = today - timedelta(days=days)
        return cls.make_invoice(partner, 100.0, due, due_date=due).patient_account_id

    def traces(self, account):
        """What sending a statement leaves on ``account``."""
        return {
            "interactions": len(account.interaction_ids.filtered("is_statement")),
            "mailed_notes": len(
                account.message_ids.filtered(lambda m: "Statement sent by mail" in (m.body or ""))
            ),
            "print_logs": self.env["patient.access.log"]
            .sudo()
            .search_count(
                [
                    ("event", "=", "print"),
                    ("res_model", "=", "patient.account"),
                    ("res_ids", "ilike", str(account.id)),
                ]
            ),
        }


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatementAddress(AddressCommon):
    def test_run_leaves_out_and_counts_an_addressless_guarantor(self):
        mailable = self.owing("Testaddr Mailable", **TEST_ADDRESS)
        bare = self.owing("Testaddr Bare")
        street_only = self.owing("Testaddr Streetonly", street="2 Test Street")
        ours = [("id", "in", (mailable | bare | street_only).ids)]
        found = self.Account.search([("statement_no_address", "=", True), *ours])
        self.assertEqual(found, bare | street_only)
        run = self.Run.run()
        self.assertEqual(mailable.last_statement_date, TODAY)
        for account in bare | street_only:
            self.assertRecordValues(
                account, [{"last_statement_date": False, "first_statement_date": False}]
            )
            self.assertEqual(
                self.traces(account), {"interactions": 0, "mailed_notes": 0, "print_logs": 0}
            )
        line = run.line_ids.filtered(lambda line: line.kind == NO_ADDRESS)
        self.assertEqual(line.count, 2)
        self.assertEqual(line.display_name, "Statements not sent: no mailing address")
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, 1)
        action = line.with_user(self.manager).action_open_accounts()
        shown = self.Account.with_user(self.manager).search(action["domain"])
        self.assertEqual(shown, bare | street_only)
        # an address entered: the next run (the same day) sends it
        bare.partner_id.write({"street": "3 Test Street", "zip": "00003"})
        self.assertFalse(bare.statement_no_address)
        second = self.Run.run()
        self.assertRecordValues(
            bare, [{"last_statement_date": TODAY, "first_statement_date": TODAY}]
        )
        self.assertEqual(self.traces(bare)["interactions"], 1)
        self.assertEqual(second.line_ids.filtered(lambda line: line.kind == NO_ADDRESS).count, 1)
        self.assertEqual(line._accounts_behind(), street_only.ids, "as the accounts are now")

    def test_email_delivery_without_address_is_still_emailed(self):
        emailed = self.owing("Testaddr Emailed", email="testaddr.emailed@example.com")
        emailed.statement_delivery = "email"
        self.assertFalse(emailed.statement_no_address)
        run = self.Run.run()
        self.assertEqual(emailed.last_statement_date, TODAY)
        self.assertEqual(emailed.interaction_ids.filtered("is_statement").channel, "email")
        self.assertFalse(run.line_ids.filtered(lambda line: line.kind == NO_ADDRESS))
        # printed by hand (no emailing), it would be a letter: left out
        emailed.partner_id.email = False
        self.assertTrue(emailed.statement_no_address)

    def test_unusable_email_is_no_way_to_reach_them(self):
        """An email Odoo cannot send to ("john.smith", blanks) left the account
        'emailed': its statement dated, the 501(r) clock started."""
        for email in ("testaddr.john.smith", "   "):
            with self.subTest(email=email):
                account = self.owing(f"Testaddr Bademail {len(email)}", email=email)
                account.statement_delivery = "email"
                self.assertTrue(account.statement_no_address)
                self.assertIn(account, self.Account.search([("statement_no_address", "=", True)]))
                self.assertFalse(account._send_statements(email=True))
                self.assertRecordValues(
                    account, [{"last_statement_date": False, "first_statement_date": False}]
                )
                self.assertEqual(self.traces(account)["interactions"], 0)

    def test_send_statements_dialog_counts_and_leaves_them_out(self):
        mailable = self.owing("Testaddr Dialog Mailable", **TEST_ADDRESS)
        bare = self.owing("Testaddr Dialog Bare")
        emailed = self.owing("Testaddr Dialog Emailed", email="testaddr.dialog@example.com")
        emailed.statement_delivery = "email"
        accounts = mailable | bare | emailed
        Wizard = self.env["patient.statement.send"].with_user(self.manager)
        dialog = Wizard.with_context(
            active_model="patient.account", active_ids=accounts.ids
        ).create({})
        self.assertEqual((dialog.qualifying_count, dialog.no_address_count), (1, 2))
        dialog.email = True
        self.assertEqual((dialog.qualifying_count, dialog.no_address_count), (2, 1))
        dialog.action_send()
        self.assertEqual(mailable.last_statement_date, TODAY)
        self.assertEqual(emailed.last_statement_date, TODAY)
        self.assertFalse(bare.last_statement_date)
        self.assertEqual(self.traces(bare)["interactions"], 0)
        alone = Wizard.with_context(active_model="patient.account", active_ids=bare.ids).create({})
        self.assertEqual((alone.qualifying_count, alone.no_address_count), (0, 1))
        with self.assertRaisesRegex(
            UserError, "Accounts asked for without a mailing address .*: 1\\."
        ):
            alone.action_send()
        self.assertFalse(bare.last_statement_date)

    def test_blank_parts_are_no_address(self):
        """A street of spaces or a tab is no street, a city or a ZIP of blanks no
        city or ZIP: the filter, the form's warning, the dialog and the run leave
        them out and log nothing; a street with spaces around it is a street."""
        unmailed = (
            self.owing("Testaddr Blankstreet", street="   ", city="Testville", zip="00001")
            | self.owing("Testaddr Tabstreet", street="\t", city="Testville")
            | self.owing("Testaddr Blankcity", street="2 Test Street", city="   ")
            | self.owing("Testaddr Blankzip", street="2 Test Street", city=" ", zip=" \t ")
        )
        mailed = self.owing(
            "Testaddr Padded", street="  12 Elm St ", city="Testville"
        ) | self.owing("Testaddr Paddedzip", street="12 Elm St", city="  ", zip=" 00002 ")
        accounts = unmailed | mailed
        ours = [("id", "in", accounts.ids)]
        for missing, expected in ((True, unmailed), (False, mailed)):
            with self.subTest(missing=missing):
                found = self.Account.search([("statement_no_address", "=", missing), *ours])
                self.assertEqual(found, expected)
                found = self.Account.search([("statement_mailing_address", "!=", missing), *ours])
                self.assertEqual(found, expected)
        self.assertEqual(accounts.filtered("statement_no_address"), unmailed)
        Wizard = self.env["patient.statement.send"].with_user(self.manager)
        dialog = Wizard.with_context(
            active_model="patient.account", active_ids=accounts.ids
        ).create({})
        self.assertEqual((dialog.qualifying_count, dialog.no_address_count), (2, 4))
        self.assertFalse(unmailed._send_statements(email=True))
        run = self.Run.run()
        self.assertEqual(mailed.mapped("last_statement_date"), [TODAY, TODAY])
        for account in unmailed:
            self.assertRecordValues(
                account, [{"last_statement_date": False, "first_statement_date": False}]
            )
            self.assertEqual(
                self.traces(account), {"interactions": 0, "mailed_notes": 0, "print_logs": 0}
            )
        line = run.line_ids.filtered(lambda line: line.kind == NO_ADDRESS)
        self.assertEqual(line.count, 4)
        action = line.with_user(self.manager).action_open_accounts()
        self.assertEqual(self.Account.with_user(self.manager).search(action["domain"]), unmailed)

    def test_sending_directly_skips_them_too(self):
        bare = self.owing("Testaddr Direct")
        self.assertFalse(bare._send_statements(email=True))
        self.assertRecordValues(
            bare, [{"last_statement_date": False, "first_statement_date": False}]
        )


@tagged("post_install", "-at_install")
class TestStatementAddressTour(AddressCommon, HttpCase):
    def test_manager_finds_them_from_the_run_and_the_filter(self):
        self.owing("Tournoaddress Guarantor", today=date.today())
        self.owing("Tourwithaddress Guarantor", today=date.today(), **TEST_ADDRESS)
        run = self.Run.run()
        self.env.flush_all()
        self.start_tour(
            f"/odoo/action-patient_collections.patient_collection_run_action/{run.id}",
            "pc_address15_manager_finds_unmailed",
            login=self.manager.login,
        )
