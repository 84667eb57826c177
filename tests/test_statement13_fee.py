"""A fee the practice posts by hand on the guarantor's receivable (a returned
check's fee, a journal entry) printed on the statement as a negative payment:
"Payments -$ 25.00" on a line that owes 25.00.  It prints as what the
guarantor owes, under its reference.  Read on the PDF's text."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_statement_content import TODAY, page_text


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatement13HandFee(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.lang = "en_US"
        cls.invoice = cls.make_invoice(cls.child, 600.0, TODAY - timedelta(days=40))
        cls.account = cls.invoice.patient_account_id
        cls.account._refresh_balances()

    def render(self):
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "patient_collections.action_report_patient_statement", self.account.ids
        )
        return page_text(pdf)

    def post_fee(self, amount, ref):
        company = self.env.company
        receivable = self.guarantor.property_account_receivable_id
        income = self.env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
        )
        journal = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": TODAY - timedelta(days=3),
                "ref": ref,
                "line_ids": [
                    (0, 0, {"account_id": receivable.id, "partner_id": self.guarantor.id,
                            "name": ref, "debit": amount}),
                    (0, 0, {"account_id": income.id, "name": ref, "credit": amount}),
                ],
            }
        )  # fmt: skip
        entry.action_post()
        self.account._refresh_balances()
        return entry

    def test_a_fee_posted_by_hand_prints_as_owed(self):
        self.post_fee(25.0, "Testfee returned check")
        self.assertEqual(self.account.balance_due, 625.0)
        text = self.render()
        # service date, description, patient responsibility, payments, balance
        self.assertRegex(text, r"Testfee returned check \$ 25\.00 \$ 0\.00 \$ 25\.00")
        self.assertNotIn("-25.00", text)
        self.assertEqual(text.count("Testfee returned check"), 1)  # its two lines, one label
        self.assertIn("$ 625.00", text)

    def test_payments_still_print_as_paid(self):
        self.pay(self.invoice, 100.0, TODAY)
        self.env["account.payment"].create(
            {"partner_id": self.guarantor.id, "amount": 40.0, "payment_type": "inbound",
             "partner_type": "customer", "memo": "Testmemo"}
        ).action_post()  # fmt: skip
        self.account._refresh_balances()
        text = self.render()
        self.assertIn("$ 600.00 $ 100.00 $ 500.00", text)  # the invoice: paid 100, 500 left
        # the payment not applied yet: paid 40, once named
        self.assertRegex(text, r"Manual Payment: Testmemo \$ 40\.00 \$ -40\.00")
        self.assertEqual(text.count("Testmemo"), 1)
