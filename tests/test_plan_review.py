"""Payment plans, from a hostile review: a plan whose last installment is missed
ends (it stayed active forever, the account out of collection); no plan on an
archived account; the signed agreement is kept (replaced or removed by a
manager only, logged); the portal's plan request posted again while the last
one is open makes no second to-do."""

import base64
import io
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.patient_protected import trusted
from .test_payment_plans import TODAY, PaymentPlanCase
from .test_portal import PortalCase

REQUESTED = "Payment plan requested on the portal"


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanReview(PaymentPlanCase):
    def test_missed_last_installment_defaults_the_plan(self):
        """Two misses default a plan (the company's setting); one missed, the last,
        with nothing left to come: the plan defaults too, never stays active."""
        plan = self.make_plan(installment_count=2, first_due_date=date(2026, 3, 10))
        self.pay(self.invoice, 300.0, TODAY)
        self.assertEqual(plan.installment_ids.mapped("state"), ["paid", "open"])
        with freeze_time("2026-04-16"):
            self.env["patient.collection.run"].run()
            self.assertEqual(plan.installment_ids.mapped("state"), ["paid", "missed"])
            self.assertEqual(plan.missed_count, 1)
            self.assertEqual(plan.state, "defaulted")
            self.assertFalse(self.account.active_plan_id)
            self.assertNotEqual(
                self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
            )

    def test_a_missed_installment_with_more_to_come_does_not_default(self):
        plan = self.make_plan(installment_count=3, first_due_date=date(2026, 3, 10))
        with freeze_time("2026-03-16"):
            self.env["patient.collection.run"].run()
            self.assertEqual(plan.installment_ids.mapped("state"), ["missed", "open", "open"])
            self.assertEqual(plan.state, "active")

    def test_no_plan_on_an_archived_account(self):
        self.account.active = False
        with self.assertRaises(UserError) as caught:
            self.make_plan()
        self.assertIn("The account is archived", str(caught.exception))
        self.assertFalse(
            self.env["patient.payment.plan"]
            .sudo()
            .search_count([("account_id", "=", self.account.id)])
        )

    def test_a_plan_set_up_at_the_same_moment_is_refused_cleanly(self):
        """Two confirmations at once: neither check sees the other's plan (not
        committed yet); the second is refused with the check's words, not a
        database error."""
        self.make_plan()
        Plan = type(self.env["patient.payment.plan"])
        with (
            patch.object(Plan, "_terms_problems", return_value=[]),
            mute_logger("odoo.sql_db"),
            self.assertRaises(UserError) as caught,
        ):
            self.make_plan(installment_count=3)
        self.assertIn("a payment plan was set up on the account at the same", str(caught.exception))
        self.assertEqual(len(self.account.plan_ids), 1)

    def agreement_text(self, plan):
        pdf, _kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "patient_collections.action_report_payment_plan_agreement", plan.ids
        )
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        return " ".join(text.split())

    def test_agreement_of_a_plan_no_longer_in_force_says_so(self):
        plan = self.make_plan()
        self.assertNotIn("no longer in force", self.agreement_text(plan))
        plan.with_user(self.specialist).action_cancel()
        text = self.agreement_text(plan)
        self.assertIn("This plan is cancelled (03/02/2026): it is no longer in force.", text)
        self.assertIn("for the record only", text)

    def test_signed_agreement_is_kept(self):
        plan = self.make_plan().with_user(self.specialist)
        signed = base64.b64encode(b"%PDF-1.4 signed")
        plan.write({"agreement": signed, "agreement_filename": "signed.pdf"})
        self.assertIn("Signed agreement attached: signed.pdf", plan.message_ids[0].body)
        for vals in (
            {"agreement": base64.b64encode(b"%PDF-1.4 other"), "agreement_filename": "o.pdf"},
            {"agreement": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError) as caught:
                plan.write(vals)
            self.assertIn(
                "Only a collections manager replaces or removes it", str(caught.exception)
            )
        self.assertEqual(plan.sudo().agreement, signed)
        manager = new_test_user(
            self.env,
            login="pc_plan_rv_manager",
            groups="patient_collections.group_collections_manager",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        plan.with_user(manager).write({"agreement": False})
        self.assertFalse(plan.sudo().agreement)
        self.assertIn("Signed agreement removed.", plan.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestPortalPlanRequestReview(PortalCase):
    def submit_plan(self, token, csrf, count):
        return self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": str(count), "access_token": token},
        )

    def requests(self):
        return self.account.activity_ids.filtered(lambda activity: activity.summary == REQUESTED)

    def test_a_request_posted_again_makes_one_to_do(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        # 300.00 in 100 or 200 installments: below the minimum installment
        for count in (100, 100, 200):
            response = self.submit_plan(token, csrf, count)
            self.assertIn("message=plan_requested", response.url)
        self.assertEqual(len(self.requests()), 1)
        # the one to-do says the latest request
        self.assertIn("asked for 200 monthly installments", str(self.requests().note))
        self.assertFalse(self.account.active_plan_id)
        # a request within the policy still makes the plan at once
        response = self.submit_plan(token, csrf, 3)
        self.assertIn("message=plan_created", response.url)
        self.assertTrue(self.account.active_plan_id)

    def test_a_plan_form_sent_twice_at_once_is_no_server_error(self):
        """The other request (a double click) made the plan between this one's
        checks and its plan: the guarantor reads that the plan stands."""
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        Account = type(self.env["patient.account"])
        Plan = type(self.env["patient.payment.plan"])
        original = Account._portal_plan_request

        def racing(account, count):
            trusted(account.env["patient.payment.plan"].sudo())._create_plans(
                [(account, account._portal_plan_terms(count))], channel="portal"
            )
            with patch.object(Plan, "_terms_problems", return_value=[]):
                return original(account, count)

        with (
            patch.object(Account, "_portal_plan_request", racing),
            mute_logger("odoo.sql_db"),
        ):
            response = self.submit_plan(token, csrf, 3)
        self.assertEqual(response.status_code, 200)
        self.assertIn("message=plan_exists", response.url)
        self.assertEqual(len(self.account.plan_ids), 1)

    def test_a_new_request_once_the_last_is_answered(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        self.submit_plan(token, csrf, 100)
        self.requests().action_feedback(feedback="Called back")
        self.assertFalse(self.requests())
        response = self.submit_plan(token, csrf, 150)
        self.assertIn("message=plan_requested", response.url)
        self.assertEqual(len(self.requests()), 1)
        self.assertIn("150", str(self.requests().note))
