"""The notice sequence is not shortened or reordered under the accounts on their
way through it: an account counts the letters up to its stage as received."""

from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_run import CollectionRunCommon


@tagged("post_install", "-at_install")
class TestStageNoticeOrder(CollectionRunCommon):
    def sequence(self):
        return self.env["patient.account.stage"]._notice_sequence_ids()

    def test_reordering_refused_while_accounts_are_in_the_sequence(self):
        account = self.make_invoice(self.guarantor, 90.0, date(2026, 3, 2)).patient_account_id
        account._import_history(stage=self.first.id)
        letters = [self.first.id, self.second.id, self.final.id]
        self.assertEqual(self.sequence(), letters)
        account_letters = account._missing_letters(self.agency)[account]
        self.assertEqual(account_letters, self.second | self.final)
        # the final notice first
        with self.assertRaises(UserError) as caught:
            self.final.write({"sequence": self.first.sequence - 5})
        self.assertIn("1 open accounts", str(caught.exception))
        with self.assertRaises(UserError):
            self.second.write({"send_statement": False})
        self.assertEqual(self.sequence(), letters)
        self.assertEqual(account._missing_letters(self.agency)[account], self.second | self.final)

    def test_lengthened_or_reordered_when_no_account_is_in_it(self):
        account = self.make_invoice(self.guarantor, 90.0, date(2026, 3, 2)).patient_account_id
        account._import_history(stage=self.first.id)
        # a statement stage added before the final notice: a longer sequence
        self.review.write({"sequence": self.second.sequence + 1, "send_statement": True})
        self.assertEqual(
            self.sequence(), [self.first.id, self.second.id, self.review.id, self.final.id]
        )
        # no account in the sequence: the practice sets it as it likes
        account._import_history(stage=self.new.id)
        self.second.write({"send_statement": False})
        self.assertEqual(self.sequence(), [self.first.id, self.review.id, self.final.id])
