"""Cases found trying the guarantor's portal and the specialist's desk as a new
user would: odd amounts, another company's provider, odd characters in a
question, a blank override reason, dates read by someone in another time zone."""

import json
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_portal import PortalCase


@tagged("post_install", "-at_install")
class TestGuarantorOddInputs(PortalCase):
    def patient_transactions(self):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )

    def transaction_error(self, token, amount, **extra):
        """The transaction route's error message, or None when it made a transaction."""
        response = self.url_open(
            self.url(self.account, suffix="/transaction"),
            data=json.dumps(
                {"jsonrpc": "2.0", "params": self.transaction_params(token, amount, **extra)}
            ),
            headers={"Content-Type": "application/json"},
        )
        error = response.json().get("error")
        return error and error["data"]["message"]

    def test_less_than_a_cent_is_no_payment(self):
        """0.004 rounds to 0.00: it was let through below the minimum (taken for the
        next installment of a plan the account does not have) and became a payment
        of 0.00 with its interaction and receipt."""
        for amount in (0.001, 0.004):
            self.assertTrue(self.account._portal_payment_problems(amount), amount)
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token, "/pay") + "&amount=0.004")
        self.assertIn("message=pay_invalid", page.url)
        self.assertIn("cannot be paid online", self.transaction_error(token, 0.004))
        self.assertFalse(self.patient_transactions())
        # the balance itself stays payable below the minimum, to the cent
        self.assertFalse(self.account._portal_payment_problems(300.004))

    def test_provider_of_another_company_is_refused(self):
        """Paid with another company's provider, the money was booked in that
        company, never reconciled, and the guarantor was told it was received."""
        other_company = self.setup_other_company()["company"]
        other_provider = self._prepare_provider(
            company=other_company, update_values={"is_published": True}
        )
        self.assertEqual(other_provider.company_id, other_company)
        token = self.account._portal_ensure_token()
        error = self.transaction_error(token, 50.0, provider_id=other_provider.id)
        self.assertIn("cannot pay this account", error)
        self.assertFalse(self.patient_transactions())
        # nor a provider that does not exist; the account's own provider takes it
        self.assertIn("cannot pay this account", self.transaction_error(token, 50.0, provider_id=0))
        self.assertIsNone(self.transaction_error(token, 50.0))
        self.assertEqual(self.patient_transactions().provider_id, self.provider)

    def test_question_with_a_nul_character(self):
        """A NUL character in the question was a server error (the database refuses it)."""
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        csrf = self.csrf(self.account)
        response = self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "topic": "other", "text": "Why\x00 this bill?"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("message=question_sent", response.url)
        interaction = (
            self.env["patient.interaction"].sudo().search([("account_id", "=", self.account.id)])
        )
        self.assertIn("Why this bill?", interaction.note)
        # nothing but NUL characters is no question
        response = self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "topic": "other", "text": "\x00\x00"},
        )
        self.assertIn("message=question_invalid", response.url)

    def test_statement_and_portal_plan_dated_by_the_company_calendar(self):
        """At 05:00 UTC it is still the day before in Los Angeles: a guarantor without
        a time zone (read as UTC) got a statement dated tomorrow."""
        self.env.company.collections_tz = "America/Los_Angeles"
        with freeze_time(datetime(2026, 3, 10, 5, 0)):
            statement = self.account.with_context(tz="UTC")._statement_values()[0]
            terms = self.account.with_context(tz="UTC")._portal_plan_terms(3)
        self.assertEqual(statement["date"], "03/09/2026")
        self.assertEqual(terms["first_due_date"], date(2026, 3, 9) + timedelta(days=30))
        # a date given by the caller (the run's) is kept
        given = self.account._statement_values(fields.Date.to_date("2026-03-12"))[0]
        self.assertEqual(given["date"], "03/12/2026")


@tagged("post_install", "-at_install")
class TestBlankOverrideReason(PortalCase):
    def test_blank_override_reason_overrides_nothing(self):
        """A manager's override reason of blanks let a call through the contact rules."""
        self.guarantor.tz = "America/New_York"
        account = self.account.with_user(self.specialist)  # a collections manager
        with freeze_time(datetime(2026, 6, 2, 2, 0)):  # 22:00 in New York
            for blank in (" ", "\t\n"):
                with self.assertRaisesRegex(UserError, "Contact hours"):
                    self.env["patient.interaction"].with_user(self.specialist).create(
                        {
                            "account_id": account.id,
                            "channel": "phone_out",
                            "outcome": "no_answer",
                            "override_reason": blank,
                        }
                    )
            interaction = (
                self.env["patient.interaction"]
                .with_user(self.specialist)
                .create(
                    {
                        "account_id": account.id,
                        "channel": "phone_out",
                        "outcome": "no_answer",
                        "override_reason": "Guarantor asked for a late call",
                    }
                )
            )
        self.assertIn("Contact hours", interaction.overridden_rules)


@tagged("post_install", "-at_install")
@freeze_time(datetime(2026, 6, 1, 15, 0))  # 11:00 in New York: within calling hours
class TestDeskAccountChanges(PatientCollectionsCommon):
    def stage(self, name):
        return self.env.ref(f"patient_collections.stage_{name}")

    def test_an_account_on_a_plan_stays_in_its_stage(self):
        """Dragged out of the plan's stage, an account on an active plan was taken up
        again by the run (letters, then the agency) while the guarantor paid."""
        self.guarantor.tz = "America/New_York"
        account = self.make_invoice(
            self.child, 300.0, date(2026, 4, 1), date(2026, 5, 1)
        ).patient_account_id
        specialist = self.company_user(
            "pc_desk_plan_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
        )
        account.user_id = specialist
        plan = self.confirm_plan(account, date(2026, 6, 15))
        self.assertEqual(account.stage_id, self.stage("payment_plan"))
        as_specialist = account.with_user(specialist)
        for name in ("new", "pre_collection", "resolved"):
            with self.assertRaisesRegex(UserError, "active payment plan"):
                as_specialist.write({"stage_id": self.stage(name).id})
        self.assertEqual(account.stage_id, self.stage("payment_plan"))
        # once the plan is cancelled, the account moves as any other
        plan.with_user(specialist).action_cancel()
        as_specialist.write({"stage_id": self.stage("new").id})
        self.assertEqual(account.stage_id, self.stage("new"))

    def test_the_guarantor_of_an_account_does_not_change(self):
        """The form shows the guarantor read-only, the server took a new one: the
        account, its statements and its portal page went to another person while
        its invoices stayed billed to the guarantor."""
        account = self.make_invoice(
            self.child, 120.0, date(2026, 5, 1), date(2026, 5, 15)
        ).patient_account_id
        specialist = self.company_user(
            "pc_desk_guarantor_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
        )
        account.user_id = specialist
        stranger = self.env["res.partner"].create({"name": "Teststranger Delta"})
        for user in (specialist, self.env.user):  # a collections manager too
            with self.assertRaisesRegex(UserError, "guarantor cannot change"):
                account.with_user(user).write({"partner_id": stranger.id})
        self.assertEqual(account.partner_id, self.guarantor)
        self.assertEqual(account.balance_due, 120.0)
        # writing the guarantor it has is no change
        account.with_user(specialist).write({"partner_id": self.guarantor.id})
