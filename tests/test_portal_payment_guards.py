"""What the online payment routes take from the client, and what they never trust:
two forms of one account never both pay, Odoo's own invoice portal (an
invoice's Pay Now, the overdue invoices' payment) charges no more than is owed
and nothing the patient portal is already paying, the client's amount,
landing page or validation flag are not taken as they come, a guarantor who
asked to cease communication gets no receipt, and payments in progress in
another currency count at their worth in the account's."""

import json

from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.patient_protected import trusted
from .test_plan_concurrency import CommittedPlanCase
from .test_portal import PortalCase


@tagged("post_install", "-at_install")
class TestPortalPaymentGuards(PortalCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", True
        )
        self.token = self.account._portal_ensure_token()

    # ------------------------------------------------------------------ helpers

    def json_call(self, route, params):
        """(result, error) of a JSON route; error is (exception name, message)."""
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "params": params}),
            headers={"Content-Type": "application/json"},
        )
        body = response.json()
        error = body.get("error")
        if error:
            return None, (error["data"]["name"], error["data"]["message"])
        return body.get("result"), None

    def account_transactions(self):
        return (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)], order="id")
        )

    def invoice_params(self, invoice, amount, **extra):
        return dict(
            {
                "access_token": invoice._portal_ensure_token(),
                "amount": amount,
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_id,
                "token_id": None,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": invoice.get_portal_url(),
                "is_validation": False,
            },
            **extra,
        )

    def invoice_tx(self, invoices, amount, suffix):
        return self._create_transaction(
            "redirect",
            amount=amount,
            currency_id=invoices[:1].currency_id.id,
            partner_id=self.guarantor.id,
            invoice_ids=[Command.set(invoices.ids)],
            reference=f"PC-TEST-INVOICE-{suffix}",
        )

    # ------------------------------------------------------------------ 1. two forms

    def test_a_second_form_replaces_the_first_and_only_one_is_paid(self):
        """Two tabs each start a payment of the whole balance: the second form's
        transaction replaces the first's draft, which Odoo then never confirms;
        the balance is paid once, never below zero.  A card page left and
        started again is the same case: the retry is taken."""
        self.account.company_id.partner_id.email = "billing@practice-alpha.example.com"
        route = self.url(self.account, suffix="/transaction")
        _result, error = self.json_call(route, self.transaction_params(self.token, 300.0))
        self.assertIsNone(error)
        first = self.account_transactions()
        self.assertEqual(first.state, "draft")
        _result, error = self.json_call(route, self.transaction_params(self.token, 300.0))
        self.assertIsNone(error, "the guarantor may start again")
        second = self.account_transactions() - first
        self.assertEqual(len(second), 1)
        self.assertEqual((first.state, second.state), ("cancel", "draft"))
        # the provider confirms both forms' payments: Odoo books the newest only
        first._set_done()
        second._set_done()
        self.assertEqual(first.state, "cancel")
        (first | second)._post_process()
        self.assertFalse(first.payment_id)
        self.assertTrue(second.payment_id)
        self.assertEqual(self.account.balance_due, 0.0)

    def test_a_refused_form_leaves_the_pending_draft_alone(self):
        """The drafts are replaced only by a transaction actually made: a refused
        request (an amount above the balance) rolls back with its error."""
        route = self.url(self.account, suffix="/transaction")
        self.json_call(route, self.transaction_params(self.token, 300.0))
        first = self.account_transactions()
        _result, error = self.json_call(route, self.transaction_params(self.token, 300.01))
        self.assertIn("cannot be paid online", error[1])
        self.assertEqual(self.account_transactions(), first)
        self.assertEqual(first.state, "draft")

    # ------------------------------------------------------------------ 2. overdue invoices

    def test_overdue_payment_charges_what_is_still_owed(self):
        """A partly paid overdue invoice: the page and the transaction ask for its
        residual, never its total, whatever amount the client sends."""
        self.pay(self.old_invoice, 40.0, fields.Date.today())
        self.assertEqual(self.old_invoice.amount_residual, 60.0)
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open("/my/invoices/overdue")
        self.assertEqual(page.status_code, 200)
        self.assertIn("/my/invoices/overdue", page.url)
        self.assertIn('data-amount="260.0"', page.text, "60.00 + 200.00 still owed")
        self.assertNotIn('data-amount="300.0"', page.text)
        _result, error = self.json_call(
            "/invoice/transaction/overdue",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_id,
                "token_id": None,
                "amount": 999.0,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": "/my",
                "payment_reference": False,
            },
        )
        self.assertIsNone(error)
        transaction = self.env["payment.transaction"].sudo().search([], order="id desc", limit=1)
        self.assertEqual(transaction.invoice_ids, self.old_invoice | self.new_invoice)
        self.assertEqual(transaction.amount, 260.0)

    def test_overdue_payment_leaves_out_an_account_with_a_payment_in_progress(self):
        """The patient portal's payment not booked yet: the overdue invoices of that
        account are not offered again (they would be paid twice)."""
        self.patient_tx(300.0)._set_pending()
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        page = self.url_open("/my/invoices/overdue")
        self.assertNotIn("/my/invoices/overdue", page.url, "nothing left to pay there")
        before = self.env["payment.transaction"].sudo().search_count([])
        _result, error = self.json_call(
            "/invoice/transaction/overdue",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_id,
                "token_id": None,
                "amount": 300.0,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": "/my",
                "payment_reference": False,
            },
        )
        self.assertEqual(error[0], "odoo.exceptions.ValidationError")
        self.assertEqual(self.env["payment.transaction"].sudo().search_count([]), before)

    # ------------------------------------------------------------------ 3. an invoice's Pay Now

    def test_insurance_pending_invoice_cannot_be_paid_through_the_route(self):
        pending = self.make_invoice(
            self.child, 220.0, fields.Date.today(), insurance_status="pending"
        )
        before = self.env["payment.transaction"].sudo().search_count([])
        _result, error = self.json_call(
            f"/invoice/transaction/{pending.id}", self.invoice_params(pending, 5.0)
        )
        self.assertIsNotNone(error, "refused")
        self.assertEqual(error[0], "odoo.exceptions.ValidationError")
        self.assertIn("cannot be paid online now", error[1])
        self.assertEqual(self.env["payment.transaction"].sudo().search_count([]), before)

    def test_invoice_pay_now_takes_at_most_what_is_left(self):
        """At most the invoice's residual less its payments in progress; above it,
        a clear refusal; the landing page is the invoice's, never a validation."""
        # a larger balance: the account leaves more to pay than the invoice
        self.make_invoice(self.child, 500.0, fields.Date.today())
        invoice = self.new_invoice
        route = f"/invoice/transaction/{invoice.id}"
        _result, error = self.json_call(route, self.invoice_params(invoice, 500.0))
        self.assertIsNotNone(error, "more than the invoice's 200.00 is refused")
        self.assertEqual(error[0], "odoo.exceptions.ValidationError")
        self.assertIn("at most", error[1])
        self.assertIn("200.00", error[1])
        # Odoo's own Pay Now of 150.00 on it, pending: 50.00 is left
        self.invoice_tx(invoice, 150.0, "A")._set_pending()
        _result, error = self.json_call(route, self.invoice_params(invoice, 100.0))
        self.assertIsNotNone(error, "more than the 50.00 left is refused")
        self.assertIn("50.00", error[1])
        _result, error = self.json_call(
            route,
            self.invoice_params(
                invoice, 50.0, is_validation=True, landing_route="https://phish.example.com"
            ),
        )
        self.assertIsNone(error)
        transaction = self.env["payment.transaction"].sudo().search([], order="id desc", limit=1)
        self.assertEqual(transaction.invoice_ids, invoice)
        self.assertEqual((transaction.amount, transaction.operation), (50.0, "online_redirect"))
        self.assertEqual(transaction.landing_route, invoice.get_portal_url())

    # ------------------------------------------------------------------ 4. ceased communication

    def test_no_receipt_emailed_to_a_guarantor_who_asked_to_cease(self):
        trusted(self.account).write({"cease_communication": True})
        tx = self.patient_tx(120.0)
        tx._set_done()
        tx.sudo()._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(self.account.balance_due, 180.0)
        messages = self.account.message_ids
        self.assertFalse(messages.filtered(lambda m: m.subject == "Payment received"))
        notified = (
            self.env["mail.notification"]
            .sudo()
            .search([("mail_message_id", "in", messages.ids)])
            .mapped("res_partner_id")
        )
        self.assertNotIn(self.guarantor, notified)
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.guarantor.ids)])
        )
        note = messages.filtered(lambda m: "No receipt was emailed" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(note.partner_ids)
        # the payment itself is still the guarantor's portal contact
        interaction = (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )
        self.assertEqual(interaction.outcome, "payment_made")

    # ------------------------------------------------------------------ 5. currencies

    def test_payments_in_progress_in_another_currency(self):
        """A EUR invoice (2 EUR a dollar) and its Pay Now pending: what it pays is
        counted in dollars; so is a transaction of the account in EUR."""
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 2.0)])
        invoice = self.make_invoice(
            self.child, 200.0, self.days_ago(fields.Date.today(), 10), currency=eur
        )
        self.assertEqual(invoice.amount_residual_signed, 100.0)
        self.assertEqual(self.account.balance_due, 400.0)
        self.invoice_tx(invoice, 200.0, "EUR")._set_pending()
        self.assertEqual(self.account._portal_payments_in_progress(), 100.0)
        self.assertEqual(self.account._portal_payable(), 300.0)
        self._create_transaction(
            "redirect",
            amount=50.0,
            currency_id=eur.id,
            partner_id=self.guarantor.id,
            patient_account_id=self.account.id,
            reference="PC-TEST-EUR-ACCOUNT",
        )._set_pending()
        self.assertEqual(self.account._portal_payments_in_progress(), 125.0)
        self.assertEqual(self.account._portal_payable(), 275.0)

    # ------------------------------------------------------------------ 6. client values

    def test_transaction_route_ignores_validation_and_landing_route(self):
        route = self.url(self.account, suffix="/transaction")
        _result, error = self.json_call(
            route,
            self.transaction_params(
                self.token,
                50.0,
                is_validation=True,
                landing_route="https://phish.example.com/login",
            ),
        )
        self.assertIsNone(error)
        transaction = self.account_transactions()
        self.assertEqual(len(transaction), 1)
        self.assertEqual((transaction.amount, transaction.operation), (50.0, "online_redirect"))
        self.assertEqual(
            transaction.landing_route,
            f"/my/patient-accounts/{self.account.id}?access_token={self.token}&message=paid",
        )

    def test_transaction_route_missing_keys_give_a_clean_error(self):
        route = self.url(self.account, suffix="/transaction")
        params = self.transaction_params(self.token, 50.0)
        del params["token_id"]
        _result, error = self.json_call(route, params)
        self.assertIsNone(error, "no token is needed to pay by redirection")
        self.assertEqual(len(self.account_transactions()), 1)
        for missing in ("flow", "payment_method_id", "provider_id"):
            params = self.transaction_params(self.token, 50.0)
            del params[missing]
            _result, error = self.json_call(route, params)
            self.assertEqual(error[0], "odoo.exceptions.ValidationError", missing)
            self.assertNotIn(self.account.name, error[1])


@tagged("post_install", "-at_install")
class TestPortalPaymentLock(CommittedPlanCase):
    """Two requests starting a payment of one account at once, on COMMITTED data
    with independent cursors (the machinery of tests/test_plan_concurrency.py):
    the second waits for the first (Odoo retries it), and never goes on with a
    view of the account taken before the first one's transaction."""

    def test_two_requests_start_their_payments_one_after_the_other(self):
        account_id = self._commit_plan()["account_id"]
        with self.registry.cursor() as first, self.registry.cursor() as second:
            accounts = [self._new_env(cr)["patient.account"] for cr in (first, second)]
            # the second request has read the account already: its snapshot
            self.assertTrue(accounts[1].browse(account_id).balance_due)
            accounts[0].browse(account_id)._portal_lock_for_payment()
            with self.assertRaises(LockNotAvailable), mute_logger("odoo.sql_db"):
                accounts[1].browse(account_id)._portal_lock_for_payment()
            second.rollback()  # Odoo retries the request
            second.execute("SELECT 1")  # its new snapshot, before the first one commits
            first.commit()
            with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
                accounts[1].browse(account_id)._portal_lock_for_payment()
            second.rollback()  # retried again: now it sees the first one's transaction
            accounts[1].invalidate_model()
            accounts[1].browse(account_id)._portal_lock_for_payment()
            second.rollback()
