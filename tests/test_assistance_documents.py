"""The documents of a financial-assistance application uploaded by the
specialist (the form's many2many_binary widget uploads them before the
application exists, unattached) are readable by the collections manager who
decides it; nobody links a document they may not read."""

import base64

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .test_writeoffs import WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAssistanceDocuments(WriteoffCommon):
    def upload(self, user, name="payslip.pdf"):
        """As the widget's upload route does: the form's model, no record yet."""
        return (
            self.env["ir.attachment"]
            .with_user(user)
            .create(
                {
                    "name": name,
                    "datas": base64.b64encode(b"%PDF-1.4 synthetic"),
                    "res_model": "patient.financial.assistance",
                    "res_id": 0,
                }
            )
        )

    def test_manager_reads_the_specialist_documents(self):
        account, _invoice = self.account_owing(300.0)
        account.user_id = self.specialist
        document = self.upload(self.specialist)
        application = self.apply(
            account,
            user=self.specialist,
            household_size=3,
            annual_income=20000,
            attachment_ids=[Command.link(document.id)],
        )
        self.assertEqual((document.res_model, document.res_id), (application._name, application.id))
        as_manager = application.with_user(self.manager)
        # what the form reads
        data = as_manager.web_read({"attachment_ids": {"fields": {"name": {}, "mimetype": {}}}})
        self.assertEqual(data[0]["attachment_ids"][0]["name"], "payslip.pdf")
        self.assertTrue(document.with_user(self.manager).datas)
        # a document added later, while the application is open
        later = self.upload(self.specialist, "tax_return.pdf")
        application.with_user(self.specialist).write({"attachment_ids": [Command.link(later.id)]})
        self.assertEqual(later.res_id, application.id)
        self.assertEqual(len(as_manager.attachment_ids), 2)

    def test_another_users_file_cannot_be_linked(self):
        account, _invoice = self.account_owing(300.0)
        account.user_id = self.specialist
        private = self.upload(self.manager, "someone_elses.pdf")
        with self.assertRaises(AccessError):
            self.apply(
                account,
                user=self.specialist,
                household_size=2,
                annual_income=20000,
                attachment_ids=[Command.set([private.id])],
            )
        self.assertFalse(
            self.env["patient.financial.assistance"].search([("account_id", "=", account.id)])
        )
        self.assertFalse(private.res_id)
