"""A hostile review of the guarantor's portal pages (not the payment routes):
PHI pages kept out of shared caches, Referers and search engines; the question
form capped against floods from a leaked statement link; a form field posted
as a file refused with a message, not a server error."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_portal import PortalCase

# models.patient_account_portal.QUESTION_LIMIT (written out: the test also runs, and
# fails, on the code before the limit)
QUESTION_LIMIT = 5


@tagged("post_install", "-at_install")
class TestPortalReview(PortalCase):
    def setUp(self):
        super().setUp()
        self.token = self.account._portal_ensure_token()
        self.env.company.phone = "+1 555 0100"

    def assert_private(self, response, what):
        self.assertIn("no-store", response.headers.get("Cache-Control", ""), what)
        self.assertEqual(response.headers.get("Referrer-Policy"), "no-referrer", what)
        self.assertIn("noindex", response.headers.get("X-Robots-Tag", ""), what)

    def questions(self):
        return (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )

    def question_todos(self):
        return self.account.sudo().activity_ids.filtered(
            lambda activity: (activity.summary or "").startswith("Question from the portal")
        )

    def ask(self, text, topic="other"):
        csrf = self.csrf(self.account, self.token)
        return self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "access_token": self.token, "topic": topic, "text": text},
        )

    # ------------------------------------------------------------------ headers

    def test_phi_pages_are_not_cached_nor_leaked(self):
        """A token link opened behind a shared proxy, or a link followed from the
        page: the page, the statement PDF, the list and the form redirects say
        no-store, no Referer, no indexing."""
        page = self.url_open(self.url(self.account, self.token))
        self.assertEqual(page.status_code, 200)
        self.assert_private(page, "account page")
        # on a phone: the office's number is a link that calls it
        self.assertIn('href="tel:+1 555 0100"', page.text)
        pdf = self.url_open(self.url(self.account, self.token, "/statement"))
        self.assertEqual(pdf.status_code, 200)
        self.assert_private(pdf, "statement")
        # the payment page (or its redirect back to the account, with the token)
        pay = self.url_open(
            self.url(self.account, self.token, "/pay") + "&choice=full", allow_redirects=False
        )
        self.assertIn(pay.status_code, (200, 303))
        self.assert_private(pay, "payment page")
        redirect = self.url_open(
            self.url(self.account, suffix="/question"),
            data={
                "csrf_token": self.csrf(self.account, self.token),
                "access_token": self.token,
                "topic": "other",
                "text": "",
            },
            allow_redirects=False,
        )
        self.assertEqual(redirect.status_code, 303)
        self.assertIn("access_token=", redirect.headers["Location"])
        self.assert_private(redirect, "form redirect")
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        listing = self.url_open("/my/patient-accounts")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.account.name, listing.text)
        self.assert_private(listing, "list")

    # ------------------------------------------------------------------ question flood

    def test_question_flood_is_capped(self):
        """A script with the statement's link posting distinct questions: the first
        QUESTION_LIMIT make an interaction and a to-do each, then nothing more is
        made and the page says why."""
        for index in range(QUESTION_LIMIT):
            self.account._portal_question("other", f"Testportal question {index}")
        self.assertEqual(len(self.questions()), QUESTION_LIMIT)
        todos = len(self.question_todos())
        self.assertTrue(todos)
        response = self.ask("Testportal question flood")
        self.assertEqual(response.status_code, 200)
        self.assertIn("message=question_limit", response.url)
        self.assertIn(
            f"You have sent {QUESTION_LIMIT} questions about this bill today", response.text
        )
        self.assertNotIn("Your question was sent", response.text)
        self.assertEqual(len(self.questions()), QUESTION_LIMIT, "no interaction made")
        self.assertEqual(len(self.question_todos()), todos, "no to-do made")
        with self.assertRaises(UserError) as cm:
            self.account._portal_question("dispute", "Testportal question direct")
        self.assertIn("Please call us", str(cm.exception))
        self.assertEqual(len(self.questions()), QUESTION_LIMIT)

    # ------------------------------------------------------------------ bad input

    def test_plan_field_posted_as_a_file_is_refused(self):
        """A bot posting the installment count as a file upload: the page says the
        count is not a number (it was a server error), no plan nor request."""
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": self.csrf(self.account, self.token), "access_token": self.token},
            files={"installment_count": ("count.txt", b"3", "text/plain")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("message=plan_count_invalid", response.url)
        self.assertFalse(self.account.active_plan_id)
