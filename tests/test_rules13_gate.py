"""Desk 13, contact rules: a cease request holds for mail about any document
(an invoice's chatter reaches its customer, the guarantor), whoever writes; and
the statements emailed out of the guarantor's contact hours wait for their
window instead of failing."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PatientCollectionsCommon
from .test_outbound_gate import zone_at

CEASE = "Cease-communication request"


@tagged("post_install", "-at_install")
class TestRules13InvoiceChatter(PatientCollectionsCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.accountant = user(
            "pc_r13_accountant", "base.group_user,patient_collections.group_collections_accountant"
        )
        cls.specialist = user(
            "pc_r13_specialist", "base.group_user,patient_collections.group_collections_specialist"
        )
        cls.sysadmin = user("pc_r13_sysadmin", "base.group_user,base.group_system")
        cls.guarantor.email = "testparent.alpha@example.com"
        cls.invoice = cls.make_invoice(cls.child, 250.0, fields.Date.today() - timedelta(days=40))
        cls.account = cls.invoice.patient_account_id

    def setUp(self):
        super().setUp()
        self.enterContext(self.mock_mail_gateway())
        self.guarantor.tz = zone_at(12)

    def mails(self):
        return self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.guarantor.ids)])

    def emails_logged(self):
        return self.account.sudo().interaction_ids.filtered(lambda i: i.channel == "email")

    def post(self, user, **kwargs):
        # as the chatter route does: superuser rights, the real user kept
        return (
            self.invoice.with_user(user)
            .sudo()
            .message_post(body="Payment reminder", message_type="comment", **kwargs)
        )

    def test_the_customer_follows_the_invoice(self):
        self.assertIn(self.guarantor, self.invoice.message_partner_ids)

    def test_cease_refuses_invoice_mail_whoever_posts(self):
        self.env["patient.interaction"].with_user(self.specialist).create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        for user in (self.specialist, self.accountant, self.sysadmin, self.env.user):
            for kwargs in (
                {"subtype_xmlid": "mail.mt_comment"},
                {"subtype_xmlid": "mail.mt_note", "partner_ids": self.guarantor.ids},
            ):
                with (
                    self.subTest(user=user.login, **kwargs),
                    self.assertRaises(UserError) as caught,
                ):
                    self.post(user, **kwargs)
                self.assertIn(CEASE, str(caught.exception))
        # a mail about the invoice written from code: the same
        with self.assertRaises(UserError) as caught:
            self.env["mail.mail"].with_user(self.sysadmin).sudo().create(
                {
                    "subject": "Invoice",
                    "model": "account.move",
                    "res_id": self.invoice.id,
                    "recipient_ids": [(4, self.guarantor.id)],
                }
            )
        self.assertIn(CEASE, str(caught.exception))
        self.assertFalse(self.mails())
        self.assertFalse(self.emails_logged())

    def test_invoice_mail_meets_the_role_and_the_rules(self):
        with self.assertRaises(AccessError):
            self.post(self.accountant, subtype_xmlid="mail.mt_comment")
        self.assertFalse(self.mails())
        self.guarantor.tz = zone_at(23)
        with self.assertRaises(UserError) as caught:
            self.post(self.specialist, subtype_xmlid="mail.mt_comment")
        self.assertIn("Contact hours", str(caught.exception))
        self.guarantor.tz = zone_at(12)
        self.post(self.specialist, subtype_xmlid="mail.mt_comment")
        self.assertEqual(len(self.mails()), 1)
        self.assertEqual(len(self.emails_logged()), 1)
        # an internal note on the invoice reaches nobody of the account: no contact
        self.invoice.with_user(self.accountant).sudo().message_post(
            body="Checked", subtype_xmlid="mail.mt_note"
        )
        self.assertEqual(len(self.emails_logged()), 1)


