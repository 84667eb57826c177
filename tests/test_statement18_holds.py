"""PA000008 on a dispute hold: its statement said "no collection action is taken
while the review is open" and still "Amount due now $195.25 ... Please pay by
12/23/2026" (stmt18).  Under review or a stay (dispute, financial-assistance
application, bankruptcy, deceased) the statement and the portal show the balance
for information, with no amount due now nor pay-by date; paying stays possible.
Read on the PDF's text and the portal page."""

from odoo.tests import tagged

from .test_portal import PortalCase
from .test_statement_content import page_text

NO_DEMAND = "No payment is asked for on this account for now"


@tagged("post_install", "-at_install")
class TestStatement18Holds(PortalCase):
    def statement_text(self):
        return page_text(self.account._statement_pdfs()[0])

    def test_no_amount_due_nor_pay_by_date_under_review_or_a_stay(self):
        for reason in ("dispute", "financial_assistance", "bankruptcy", "deceased"):
            with self.subTest(reason=reason):
                self.account._set_hold(reason)
                values = self.account._statement_values()[0]
                self.assertEqual((values["amount_due"], values["due_date"]), ("", ""))
                text = self.statement_text()
                self.assertNotIn("Amount due now", text)
                self.assertNotIn("Please pay by", text)
                # the balance on the letterhead and the slip, which still takes a payment
                self.assertEqual(text.count("Your balance $ 300.00"), 2)
                self.assertIn("Amount enclosed", text)
                self.account.sudo()._release_hold()

    def test_the_dispute_note_without_a_demand(self):
        self.account._set_hold("dispute")
        text = self.statement_text()
        self.assertIn("no collection action is taken while the review is open", text)
        self.assertNotIn("Amount due now", text)

    def test_a_stay_or_an_estate_prints_its_note_not_the_stage_wording(self):
        """Printed by hand (the run sends none): the stage's message pressed for
        payment under the automatic stay or to a family."""
        self.account.stage_id.statement_message = "Testdunning pay now or else"
        self.assertIn("Testdunning pay now or else", self.statement_text())
        for reason, note in (
            ("bankruptcy", "while the bankruptcy proceedings last, no payment is asked for"),
            ("deceased", "for the information of the family or the estate"),
        ):
            with self.subTest(reason=reason):
                self.account._set_hold(reason)
                text = self.statement_text()
                self.assertIn(note, text)
                self.assertNotIn("Testdunning", text)
                self.account.sudo()._release_hold()

    def test_a_promise_or_insurance_hold_still_asks_for_payment(self):
        for reason in ("other", "insurance_pending"):
            with self.subTest(reason=reason):
                self.account._set_hold(reason)
                text = self.statement_text()
                self.assertIn("Amount due now $ 300.00", text)
                self.assertIn("Please pay by", text)
                self.account.sudo()._release_hold()

    def test_the_portal_shows_the_balance_and_lets_pay_without_asking(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open(self.url(self.account)).text
        self.assertIn("Balance due", page)
        self.assertNotIn(NO_DEMAND, page)
        self.account._set_hold("dispute")
        page = self.url_open(self.url(self.account)).text
        self.assertNotIn("Balance due", page)
        self.assertIn(NO_DEMAND, page)
        self.assertIn("300.00", page)
        # paying of one's own accord stays possible
        self.assertIn("o_patient_pay_button", page)
