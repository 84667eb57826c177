"""Refusing a write-off: the reason comes from the client (JSON-RPC may send
anything); a number, a list or a dict must not end in a server error, and a
blank reason gets the default."""

from freezegun import freeze_time

from odoo.tests import tagged

from .test_writeoffs import WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestWriteoffRefuseReason(WriteoffCommon):
    def test_refuse_reason_of_any_type(self):
        for reason in (12345, {"a": 1}, ["x"], "   ", None):
            with self.subTest(reason=reason):
                account, invoice = self.account_owing(80.0)
                writeoff = self.writeoff(account, self.specialist)
                self.assertEqual(writeoff.state, "to_approve")
                writeoff.with_user(self.manager).action_refuse(reason)
                self.assertEqual(writeoff.state, "refused")
                self.assertEqual(writeoff.refuse_reason, "Refused by a collections manager.")
                self.assertEqual(invoice.amount_residual, 80.0)

    def test_refuse_reason_text_kept(self):
        account, _invoice = self.account_owing(80.0)
        writeoff = self.writeoff(account, self.specialist)
        writeoff.with_user(self.manager).action_refuse("  Call the guarantor first ")
        self.assertEqual(writeoff.refuse_reason, "Call the guarantor first")
