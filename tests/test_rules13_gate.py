"""Desk 13, contact rules: a cease request holds for mail about any document
(an invoice's chatter reaches its customer, the guarantor), whoever writes; and
the statements emailed out of the guarantor's contact hours wait for their
window instead of failing."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
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
        cls.billing = user("pc_r13_billing", "base.group_user,account.group_account_invoice")
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

    def test_an_archived_account_keeps_its_cease_request(self):
        """A cease request holds after the account is archived (its only rule that
        does): mail to the guarantor refused whoever writes, the composer's mass
        mail included."""
        self.env["patient.interaction"].with_user(self.specialist).create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        self.account.action_archive()
        for user in (self.specialist, self.accountant):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                self.post(user, subtype_xmlid="mail.mt_comment")
            self.assertIn(CEASE, str(caught.exception))
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.accountant)
            .with_context(active_model="res.partner", active_ids=self.guarantor.ids)
            .create(
                {
                    "composition_mode": "mass_mail",
                    "model": "res.partner",
                    "res_ids": str(self.guarantor.ids),
                    "subject": "Testbalance",
                    "body": "<p>Please pay</p>",
                }
            )
        )
        with self.assertRaises(UserError):
            composer.action_send_mail()
            self.env.flush_all()
        self.assertFalse(self.mails())

    def test_a_former_guarantor_is_written_to_as_anyone(self):
        """Archived (out of collections), the account no longer makes a message to
        its guarantor collections contact: anyone of the practice writes to them,
        nothing is logged on the account (a cease request excepted: above)."""
        # as the chatter route posts: superuser rights, the real user kept
        contact = self.guarantor.with_user(self.accountant).sudo()
        with self.assertRaisesRegex(UserError, "Only collections specialists"):
            contact.message_post(
                body="Your appointment is tomorrow",
                partner_ids=self.guarantor.ids,
                subtype_xmlid="mail.mt_comment",
            )
        self.account.action_archive()
        before = self.mails()
        contact.message_post(
            body="Your appointment is tomorrow",
            partner_ids=self.guarantor.ids,
            subtype_xmlid="mail.mt_comment",
        )
        self.assertTrue(self.mails() - before)
        self.assertFalse(self.account.sudo().interaction_ids)

    def test_invoice_mail_is_billing_without_a_cease(self):
        """The billing office emails the invoice to its customer at any hour, no
        collections role asked, no interaction logged: the practice's billing."""
        self.guarantor.tz = zone_at(23)
        for user in (self.accountant, self.billing, self.specialist):
            self.post(user, subtype_xmlid="mail.mt_comment")
        self.assertEqual(len(self.mails()), 3)
        self.assertFalse(self.emails_logged())
        # a bare mail to the guarantor (about no document) is collections contact
        with self.assertRaises(UserError) as caught:
            self.env["mail.mail"].with_user(self.specialist).sudo().create(
                {"subject": "Testreminder", "recipient_ids": [(4, self.guarantor.id)]}
            )
        self.assertIn("Contact hours", str(caught.exception))


@tagged("post_install", "-at_install")
@freeze_time("2026-12-02 02:00:30")
class TestRules13HeldStatements(PatientCollectionsCommon, MockEmail):
    """02:00 UTC, the nightly run's hour: 21:00 in New York, 11:00 in Tokyo."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guarantor.write({"email": "testparent.alpha@example.com", "tz": "America/New_York"})
        cls.other_guarantor.write({"email": "testperson.gamma@example.com", "tz": "Asia/Tokyo"})
        day = fields.Date.today() - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 100.0, day, due_date=day).patient_account_id
        cls.tokyo = cls.make_invoice(
            cls.other_guarantor, 100.0, day, due_date=day
        ).patient_account_id
        (cls.account | cls.tokyo).statement_delivery = "email"
        # the window opens at 08:00 in New York: 13:00 UTC
        cls.opening = datetime(2026, 12, 2, 13, 0)

    def setUp(self):
        super().setUp()
        self.enterContext(self.mock_mail_gateway())

    def mails(self, partner):
        return self.env["mail.mail"].sudo().search([("recipient_ids", "in", partner.ids)])

    def emails_logged(self, account):
        return account.sudo().interaction_ids.filtered(lambda i: i.channel == "email")

    def test_nightly_run_holds_the_email_for_the_window(self):
        run = self.env["patient.collection.run"].run()
        self.assertFalse(run.failed_count)
        self.assertTrue(self.account.last_statement_date)
        sent = run.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sum(sent.mapped("count")), 2)
        held = self.mails(self.guarantor)
        self.assertRecordValues(held, [{"state": "outgoing", "scheduled_date": self.opening}])
        self.assertRecordValues(
            self.emails_logged(self.account), [{"date": self.opening, "is_statement": True}]
        )
        # Tokyo is in its window: no date to wait for, left to Odoo's mail queue
        # (not sent at the batch's commit, outside the batch's time)
        self.assertRecordValues(
            self.mails(self.other_guarantor), [{"state": "outgoing", "scheduled_date": False}]
        )
        # the queue leaves it alone until the window opens
        Mail = self.env["mail.mail"].sudo()
        self.assertNotIn(held.id, Mail._search([("scheduled_date", "<=", fields.Datetime.now())]))
        # a second run sends nothing twice
        self.env["patient.collection.run"].run()
        self.assertEqual(len(self.mails(self.guarantor)), 1)
        self.assertEqual(len(self.emails_logged(self.account)), 1)

    def test_send_statements_holds_the_few_out_of_hours(self):
        wizard = (
            self.env["patient.statement.send"]
            .with_context(
                active_model="patient.account", active_ids=(self.account | self.tokyo).ids
            )
            .create({"email": True})
        )
        self.assertEqual(wizard.qualifying_count, 2)
        wizard.action_send()
        self.assertEqual(self.mails(self.guarantor).scheduled_date, self.opening)
        self.assertEqual(len(self.mails(self.other_guarantor)), 1)
        self.assertTrue(self.account.last_statement_date)
        self.assertTrue(self.tokyo.last_statement_date)

    def test_a_cease_request_stops_the_held_email(self):
        self.account._send_statements(email=True)
        held = self.mails(self.guarantor)
        self.assertEqual(held.state, "outgoing")
        self.env["patient.interaction"].create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        self.assertEqual(held.state, "cancel")
        self.assertEqual(self.emails_logged(self.account).state, "voided")

    def test_ticking_cease_on_the_form_stops_the_held_email(self):
        self.account._send_statements(email=True)
        held = self.mails(self.guarantor)
        self.assertEqual(held.state, "outgoing")
        specialist = self.company_user(
            "pc_r13_held_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
        )
        self.account.with_user(specialist).write({"cease_communication": True})
        self.assertEqual(held.state, "cancel")
        self.assertEqual(self.emails_logged(self.account).state, "voided")

    def test_the_guarantors_own_password_reset_is_no_contact(self):
        """Odoo's reset mail (about no document, to a user as a user) at 21:00 in
        New York: the person's access to their account, not collections contact."""
        user = self.env["res.users"].create(
            {
                "name": "Testportal Alpha",
                "login": "pc_r13_portal_alpha",
                "partner_id": self.guarantor.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        user.action_reset_password()  # refused before: the role rule, the hours
        sent_to = [address for mail in self._mails for address in mail["email_to"]]
        self.assertTrue(any("testparent.alpha@example.com" in to for to in sent_to), sent_to)
        self.assertFalse(self.emails_logged(self.account))

    def test_the_portal_invitation_is_no_contact(self):
        """Odoo's Grant portal access mails the invitation (a login mail, sent by
        the methods that send those): even under a request to cease, it goes."""
        self.account.sudo().cease_communication = True
        wizard = (
            self.env["portal.wizard"]
            .with_context(active_model="res.partner", active_ids=self.guarantor.ids)
            .create({})
        )
        wizard.user_ids.action_grant_access()
        sent_to = [address for mail in self._mails for address in mail["email_to"]]
        self.assertTrue(any("testparent.alpha@example.com" in to for to in sent_to), sent_to)
        self.assertTrue(self.guarantor.user_ids, "the portal user is created")
        self.assertFalse(self.emails_logged(self.account))
