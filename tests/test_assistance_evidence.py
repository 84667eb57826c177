"""A decided application keeps its evidence and its discount: its documents are
not removed or added by anyone reaching the files directly, the invoices it
discounted stay posted, a second approval does not schedule the first one's
refund again; an application is dated the day it was received."""

from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .test_writeoffs import DAY, SPECIALIST, WriteoffCommon

BASE = 15960  # HHS 2026, one person, 48 contiguous states


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAssistanceEvidence(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_specialist = cls.company_user("pc_fa_ev_specialist2", SPECIALIST)

    def approved_with_document(self):
        account, invoice = self.account_owing(100.0)
        account.user_id = self.specialist
        document = (
            self.env["ir.attachment"]
            .with_user(self.specialist)
            .create({"name": "income-proof.txt", "raw": b"synthetic proof"})
        )
        application = self.apply(
            account,
            self.specialist,
            household_size=1,
            annual_income=BASE,
            attachment_ids=[(6, 0, document.ids)],
        )
        self.assertEqual(document.sudo().res_id, application.id)
        application.with_user(self.manager).action_approve()
        return application, document, invoice

    def test_documents_of_a_decided_application_stay(self):
        application, document, _invoice = self.approved_with_document()
        Attachment = self.env["ir.attachment"]
        for user in (self.specialist, self.other_specialist, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "evidence of its decision"):
                    document.with_user(user).unlink()
                with self.assertRaisesRegex(UserError, "evidence of its decision"):
                    Attachment.with_user(user).create(
                        {
                            "name": "added-later.txt",
                            "raw": b"synthetic",
                            "res_model": application._name,
                            "res_id": application.id,
                        }
                    )
        self.assertEqual(application.attachment_ids, document)

    def test_documents_of_an_open_application_are_its_owners(self):
        account, _invoice = self.account_owing(100.0)
        account.user_id = self.specialist
        application = self.apply(account, self.specialist, household_size=1, annual_income=BASE)
        document = (
            self.env["ir.attachment"]
            .with_user(self.specialist)
            .create(
                {
                    "name": "household.txt",
                    "raw": b"synthetic",
                    "res_model": application._name,
                    "res_id": application.id,
                }
            )
        )
        with self.assertRaises(UserError):
            document.with_user(self.other_specialist).unlink()
        document.with_user(self.specialist).unlink()
        self.assertFalse(document.exists())

    def test_discounted_invoice_stays_posted(self):
        _application, _document, invoice = self.approved_with_document()
        for action in ("button_draft", "button_cancel"):
            with (
                self.subTest(action=action),
                self.assertRaisesRegex(UserError, "discounted by financial assistance"),
            ):
                getattr(invoice, action)()
        self.assertEqual(invoice.state, "posted")

    def test_second_approval_keeps_one_refund_to_make(self):
        account, invoice = self.account_owing(56.0, days=60)
        self.pay(invoice, 56.0, DAY - timedelta(days=10))
        first = self.apply(account, household_size=1, annual_income=BASE)
        first.with_user(self.manager).action_approve()
        self.assertEqual(first.refund_due, 56.0)
        self.make_invoice(account.partner_id, 22.0, DAY - timedelta(days=5))
        second = self.apply(account, household_size=1, annual_income=BASE)
        second.with_user(self.manager).action_approve()
        self.assertEqual(account.balance_due, -56.0, "the guarantor paid 56.00, once")
        refund_type = self.env.ref("patient_collections.mail_activity_type_refund_due")
        refunds = account.activity_ids.filtered(lambda a: a.activity_type_id == refund_type)
        self.assertEqual(len(refunds), 1, "one refund to make, not one per approval")
        self.assertIn("56.00", refunds.summary)

    def test_application_dated_the_day_it_was_received(self):
        account, _invoice = self.account_owing(100.0)
        for received in (DAY + timedelta(days=1), DAY - timedelta(days=366)):
            with self.subTest(received=received), self.assertRaises(ValidationError) as caught:
                self.apply(account, household_size=1, annual_income=BASE, application_date=received)
            self.assertIn("dated the day it was received", str(caught.exception))
        application = self.apply(
            account,
            household_size=1,
            annual_income=BASE,
            application_date=DAY - timedelta(days=20),
        )
        self.assertEqual(application.application_date, DAY - timedelta(days=20))
