"""Odoo's security notices (a changed password, login, email or two-factor
setting) are the person's access to their own login, not collections contact:
the guarantor changes their password on the portal and an administrator sets
it, neither refused nor logged as contact; a collections mail to the guarantor
by a user without the role is still refused."""

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessDenied, AccessError, UserError
from odoo.tests import tagged

from .test_portal import PortalCase
from .test_portal_http import SESSION_CSRF_RE

REFUSAL = "Only collections specialists and managers contact"


@tagged("post_install", "-at_install")
class TestSecurityNotices(PortalCase):
    def notices(self):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("subject", "like", "Security Update"),
                    ("email_to", "ilike", self.guarantor_user.email),
                ]
            )
        )

    def emails_logged(self):
        return self.account.sudo().interaction_ids.filtered(lambda i: i.channel == "email")

    def assert_password(self, password):
        """The guarantor logs in with ``password`` (AccessDenied otherwise)."""
        user = self.guarantor_user.with_user(self.guarantor_user)
        credential = {"login": user.login, "password": password, "type": "password"}
        user._check_credentials(credential, {"interactive": False})

    def test_guarantor_changes_their_password_on_the_portal(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open("/my/security")
        self.assertEqual(page.status_code, 200)
        form = {
            "csrf_token": SESSION_CSRF_RE.search(page.text).group(1),
            "op": "password",
            "old": "pc_portal_alpha",
            "new1": "pc_portal_alpha_new",
            "new2": "pc_portal_alpha_new",
        }
        response = self.url_open("/my/security", data=form)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Password Updated!", response.text)
        self.assertNotIn(REFUSAL, response.text)
        self.assertNotIn(self.account.name, response.text)
        self.assert_password("pc_portal_alpha_new")
        with self.assertRaises(AccessDenied):
            self.assert_password("pc_portal_alpha")
        self.assertEqual(len(self.notices()), 1, "Odoo's notice goes to the guarantor")
        self.assertFalse(self.emails_logged(), "no collections contact logged")

    def test_administrator_sets_the_password_and_the_login(self):
        shell = self.env(user=SUPERUSER_ID, su=True)  # what `odoo-bin shell` runs as
        users = shell["res.users"].search([("partner_id", "=", self.guarantor.id)])
        self.assertEqual(users, self.guarantor_user)
        users.password = "pc_portal_alpha_shell"
        self.assert_password("pc_portal_alpha_shell")
        users.login = "pc_portal_alpha_2"
        # the administrator of the web client, in the guarantor's company
        admin = self.env.ref("base.user_admin")
        company = self.guarantor_user.company_id
        admin.company_ids |= company
        self.guarantor_user.with_user(admin).with_context(
            allowed_company_ids=company.ids
        ).password = "pc_portal_alpha_admin"
        self.assert_password("pc_portal_alpha_admin")
        self.assertEqual(len(self.notices()), 3)
        self.assertFalse(self.emails_logged())

    def test_collections_mail_without_the_role_is_still_refused(self):
        """Only Odoo's notices are exempt: a mail to the guarantor about nothing,
        about the account (even typed as a user notification), dressed as a
        security notice, or a notification on the guarantor's contact, by a user
        without the collections role, is refused as before."""
        clerk = self.company_user("pc_notice_clerk", "base.group_user")
        Mail = self.env["mail.mail"].with_user(clerk).sudo()
        base = {"subject": "Balance", "body_html": "<p>Pay</p>", "reply_to": "b@example.com"}
        about_account = {"model": "patient.account", "res_id": self.account.id}
        email = self.guarantor.email
        for vals in (
            {"email_to": email},
            {"email_to": email, "message_type": "user_notification", **about_account},
            {"recipient_ids": [(4, self.guarantor.id)], "subject": "Security Update: Login"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError) as caught:
                Mail.create({**base, **vals})
            self.assertIn(REFUSAL, str(caught.exception))
        with self.assertRaises(AccessError):
            self.guarantor.with_user(clerk).message_notify(
                body="Your balance is overdue", partner_ids=self.guarantor.ids
            )
        # Odoo's public message_notify about no document, or about the guarantor's
        # user, makes the same mail as a login mail: it is not one
        Partner = self.env["res.partner"].with_user(clerk)
        for about in ({}, {"model": "res.users", "res_id": self.guarantor_user.id}):
            with self.subTest(about=about), self.assertRaises(AccessError) as caught:
                Partner.message_notify(
                    partner_ids=self.guarantor.ids, subject="Balance", body="Pay now.", **about
                )
            self.assertIn(REFUSAL, str(caught.exception))
        self.assertFalse(self.emails_logged())

    def test_a_cease_request_stops_a_bare_notification(self):
        """A specialist may contact the guarantor, but not past a request to cease
        communication, whatever the mail is about."""
        self.account.sudo().cease_communication = True
        Partner = self.env["res.partner"].with_user(self.specialist)
        for about in ({}, {"model": "res.users", "res_id": self.guarantor_user.id}):
            with self.subTest(about=about), self.assertRaises(UserError):
                Partner.message_notify(
                    partner_ids=self.guarantor.ids, subject="Balance", body="Pay now.", **about
                )
        self.assertFalse(self.emails_logged())
