"""The receipt of an online payment comes from the practice, whoever's request
booked the payment: the guarantor paying while logged in (Odoo's payment status
page post-processes the transaction in their request), the token link's public
user, or the payment cron.  Authored by the guarantor, it was no mail to them
(Odoo does not notify a message's author) and made them a follower of the
account, and let them edit it; authored by the public user, it had no sender."""

import json

from odoo.tests import tagged

from .test_portal import PortalCase


@tagged("post_install", "-at_install")
class TestPortalReceipt(PortalCase):
    def booked_by(self, user, amount):
        """A confirmed transaction of ``amount`` post-processed in ``user``'s request,
        as /payment/status/poll does (as superuser, the visitor's uid kept); a
        member of the staff follows the account."""
        self.staff_follower = self.specialist.partner_id
        self.account.message_subscribe(partner_ids=self.staff_follower.ids)
        tx = self.patient_tx(amount)
        tx._set_done()
        tx.with_user(user).sudo()._post_process()
        self.assertTrue(tx.payment_id)
        return self.account.message_ids.filtered(lambda m: m.subject == "Payment received")

    def assert_sent_by_the_practice(self, receipt):
        self.assertEqual(len(receipt), 1)
        practice = self.account.company_id.partner_id
        self.assertEqual(receipt.author_id, practice)
        self.assertEqual(receipt.email_from, practice.email_formatted)
        notified = (
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "=", receipt.id)])
            .mapped("res_partner_id")
        )
        self.assertIn(self.guarantor, notified, "the guarantor is mailed their receipt")
        self.assertIn(self.staff_follower, self.account.message_partner_ids)
        self.assertNotIn(self.staff_follower, notified, "the receipt is the guarantor's alone")
        self.assertNotIn(self.guarantor, self.account.message_partner_ids, "no follower")

    def test_paid_by_the_guarantor_logged_in(self):
        self.account.company_id.partner_id.email = "billing@practice-alpha.example.com"
        receipt = self.booked_by(self.guarantor_user, 120.0)
        self.assert_sent_by_the_practice(receipt)
        # not theirs to rewrite: Odoo lets an author edit their message
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        response = self.url_open(
            "/mail/message/update_content",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "params": {
                        "message_id": receipt.id,
                        "body": "<p>Nothing received</p>",
                        "attachment_ids": [],
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertIn("error", response.json())
        self.assertNotIn("Nothing received", str(receipt.body))

    def test_paid_through_the_token_link(self):
        self.account.company_id.partner_id.email = "billing@practice-alpha.example.com"
        receipt = self.booked_by(self.env.ref("base.public_user"), 50.0)
        self.assert_sent_by_the_practice(receipt)
