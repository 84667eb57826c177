"""Statements, from a hostile review."""

from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-12-02 02:00:30")
class TestStatementHeldEmailHolds(PatientCollectionsCommon, MockEmail):
    """02:00 UTC is 21:00 in New York: an emailed statement waits in the queue
    until 08:00 there.  A hold put meanwhile during which no statement asks for
    payment (bankruptcy, deceased, a dispute, an assistance application) stops
    it, as a cease request does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.guarantor.write({"email": "teststmt.alpha@example.com", "tz": "America/New_York"})
        day = fields.Date.today() - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 100.0, day, due_date=day).patient_account_id
        cls.account.statement_delivery = "email"

    def setUp(self):
        super().setUp()
        self.enterContext(self.mock_mail_gateway())

    def held_mail(self):
        return self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.guarantor.ids)])

    def statement_interaction(self):
        return self.account.sudo().interaction_ids.filtered(lambda i: i.channel == "email")

    def assert_stopped_by(self, hold, label):
        self.account._send_statements(email=True)
        held = self.held_mail()
        self.assertEqual(held.state, "outgoing")
        self.assertTrue(held.scheduled_date)
        self.account._set_hold(hold)
        self.assertEqual(held.state, "cancel", "no demand reaches a guarantor on this hold")
        interaction = self.statement_interaction()
        self.assertEqual(interaction.state, "voided")
        self.assertIn(f"put on a {label} hold", interaction.void_reason)

    def test_a_bankruptcy_hold_stops_the_held_email(self):
        self.assert_stopped_by("bankruptcy", "bankruptcy")

    def test_a_deceased_hold_stops_the_held_email(self):
        self.assert_stopped_by("deceased", "deceased")

    def test_a_dispute_stops_the_held_email(self):
        self.assert_stopped_by("dispute", "dispute")

    def test_a_promise_hold_leaves_the_held_email(self):
        """A promise to pay still takes statements: the email goes out."""
        self.account._send_statements(email=True)
        held = self.held_mail()
        self.account._set_hold("promise_to_pay", until=fields.Date.today() + timedelta(days=10))
        self.assertEqual(held.state, "outgoing")
        self.assertEqual(self.statement_interaction().state, "logged")

    def test_a_stopped_statement_dates_no_501r_notice(self):
        """The held email was the first statement and the final notice: stopped by
        a cease request, it starts neither the 120-day notification period nor the
        30-day final-notice count (nobody received it)."""
        final = self.env.ref("patient_collections.stage_final_notice")
        self.account._import_history(stage=final.id)
        self.account._send_statements(email=True)
        today = self.account.last_statement_date
        self.assertRecordValues(
            self.account, [{"first_statement_date": today, "final_notice_date": today}]
        )
        self.account.write({"cease_communication": True})
        self.assertEqual(self.held_mail().state, "cancel")
        self.assertRecordValues(
            self.account,
            [
                {
                    "first_statement_date": False,
                    "final_notice_date": False,
                    "last_statement_date": today,
                }
            ],
        )

    def test_an_earlier_statement_keeps_its_dates(self):
        """A statement sent before (imported history): only the stopped one's
        dates go; the first statement's date stays."""
        first = fields.Date.today() - timedelta(days=35)
        self.account._import_history(first_statement_date=first)
        self.account._send_statements(email=True)
        self.account._set_hold("deceased")
        self.assertEqual(self.account.first_statement_date, first)
