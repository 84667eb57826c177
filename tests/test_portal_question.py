"""A question on the portal is kept with at most 4000 characters: a longer one
was cut without a word.  It is refused instead, the page says the limit, and
nothing of it reaches the server log; the textarea says the limit too."""

import logging
from contextlib import contextmanager

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.patient_account_portal import MAX_QUESTION_LENGTH
from .test_portal import PortalCase


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@tagged("post_install", "-at_install")
class TestPortalQuestionLength(PortalCase):
    def setUp(self):
        super().setUp()
        self.token = self.account._portal_ensure_token()

    @contextmanager
    def server_log(self):
        """Whatever the server logs meanwhile (at the levels configured)."""
        handler = _Collect()
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            yield handler.lines
        finally:
            root.removeHandler(handler)

    def ask(self, text, topic="other"):
        csrf = self.csrf(self.account, self.token)
        return self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "access_token": self.token, "topic": topic, "text": text},
        )

    def questions(self):
        return (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )

    def test_textarea_says_the_limit(self):
        page = self.url_open(self.url(self.account, self.token))
        self.assertIn(f'maxlength="{MAX_QUESTION_LENGTH}"', page.text)

    def test_a_question_too_long_is_refused_with_the_limit(self):
        text = "Qlong" + "x" * MAX_QUESTION_LENGTH
        with self.server_log() as lines:
            response = self.ask(text)
        self.assertEqual(response.status_code, 200)
        self.assertIn("message=question_too_long", response.url)
        self.assertIn(
            f"Your question is too long: at most {MAX_QUESTION_LENGTH} characters.",
            response.text,
        )
        self.assertNotIn("Your question was sent", response.text)
        self.assertFalse(self.questions(), "nothing kept, nothing cut")
        self.assertFalse([line for line in lines if "Qlong" in line], "nothing of it logged")
        # the guarantor's visit is logged as any other question's
        self.assertTrue(
            self.log_lines(self.account, "open").filtered(
                lambda log: "question" in (log.field_names or "")
            )
        )

    def test_a_question_of_the_limit_is_kept_whole(self):
        text = "Q" + "y" * (MAX_QUESTION_LENGTH - 2) + "z"
        response = self.ask(text)
        self.assertIn("message=question_sent", response.url)
        self.assertTrue(self.questions().note.endswith(text))
        # line breaks count one each, as the textarea counts them (a form sends CR LF)
        text = "a" * (MAX_QUESTION_LENGTH // 2) + "\r\n" + "b" * (MAX_QUESTION_LENGTH // 2 - 1)
        response = self.ask(text)
        self.assertIn("message=question_sent", response.url)
        self.assertEqual(len(self.questions()), 2)

    def test_the_model_refuses_it_too(self):
        """Whoever calls ``_portal_question`` (not only the route) gets the limit."""
        with self.assertRaisesRegex(UserError, f"at most {MAX_QUESTION_LENGTH} characters"):
            self.account._portal_question("dispute", "x" * (MAX_QUESTION_LENGTH + 1))
        self.assertFalse(self.questions())
        self.assertNotEqual(self.account.hold_reason, "dispute")
