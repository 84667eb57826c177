import re

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class PortalCase(PatientCollectionsCommon, AccountPaymentCommon, HttpCase):
    """A guarantor with two open invoices (300.00 due), a portal user for them and
    for another guarantor, a collections manager; the helpers of the portal tests
    (tests/test_portal*.py).  No test of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        cls.guarantor.write({"email": "testparent.alpha@example.com"})
        cls.old_invoice = cls.make_invoice(
            cls.child, 100.0, cls.days_ago(today, 90), cls.days_ago(today, 60)
        )
        cls.new_invoice = cls.make_invoice(
            cls.child_2, 200.0, cls.days_ago(today, 20), cls.days_ago(today, 5)
        )
        cls.other_invoice = cls.make_invoice(
            cls.other_guarantor, 80.0, cls.days_ago(today, 40), cls.days_ago(today, 10)
        )
        cls.account = cls.Account.search([("partner_id", "=", cls.guarantor.id)])
        cls.other_account = cls.Account.search([("partner_id", "=", cls.other_guarantor.id)])
        cls.guarantor_user = new_test_user(
            cls.env,
            login="pc_portal_alpha",
            password="pc_portal_alpha",
            groups="base.group_portal",
            partner_id=cls.guarantor.id,
        )
        cls.other_user = new_test_user(
            cls.env,
            login="pc_portal_gamma",
            password="pc_portal_gamma",
            groups="base.group_portal",
            partner_id=cls.other_guarantor.id,
        )
        cls.specialist = cls.company_user(
            "pc_portal_specialist", "base.group_user,patient_collections.group_collections_manager"
        )
        cls.env.company.collections_portal_min_payment = 10.0

    def setUp(self):
        super().setUp()
        self.assertEqual(self.account.balance_due, 300.0)

    # ------------------------------------------------------------------ helpers

    def url(self, account, token=None, suffix=""):
        path = f"/my/patient-accounts/{account.id}{suffix}"
        return f"{path}?access_token={token}" if token else path

    def log_lines(self, account, event):
        return (
            self.env["patient.access.log"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "=", account.id),
                    ("event", "=", event),
                ]
            )
        )

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 404)
        for secret in ("Testparent", "Testchild", "MRN-T", self.account.name, "300.00"):
            self.assertNotIn(secret, response.text)

    def csrf(self, account, token=None):
        page = self.url_open(self.url(account, token))
        self.assertEqual(page.status_code, 200)
        return CSRF_RE.search(page.text).group(1)

    def patient_tx(self, amount, **values):
        return self._create_transaction(
            "redirect",
            amount=amount,
            currency_id=self.account.currency_id.id,
            partner_id=values.pop("partner_id", self.guarantor.id),
            patient_account_id=self.account.id,
            reference=f"PC-TEST-{amount}-{values.pop('suffix', '')}",
            **values,
        )

    def add_open_items(self, count):
        """``count`` more open invoices of 10.00, 11.00, ... on the account."""
        today = fields.Date.today()
        for day in range(count):
            self.make_invoice(
                self.child, 10.0 + day, self.days_ago(today, 60 + day), self.days_ago(today, 30)
            )

    def assert_payment_interaction_and_receipt(self):
        """The portal interaction (payment made) and the guarantor's receipt: one each."""
        interaction = (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )
        self.assertEqual(interaction.outcome, "payment_made")
        receipt = self.account.message_ids.filtered(lambda m: m.subject == "Payment received")
        self.assertEqual(len(receipt), 1)
        self.assertIn(self.guarantor, receipt.partner_ids)
        return receipt

    def transaction_params(self, token, amount=50.0, **extra):
        """What the payment form sends to the transaction route."""
        return dict(
            {
                "access_token": token,
                "amount": amount,
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method_id,
                "token_id": None,
                "flow": "redirect",
                "tokenization_requested": False,
                "landing_route": "/my",
            },
            **extra,
        )


@tagged("post_install", "-at_install")
class TestPatientPortal(PortalCase):
    """The guarantor's portal: who gets in, what is logged, paying, plans, questions."""

    # ------------------------------------------------------------------ access

    def test_portal_user_sees_account_and_is_logged(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        listing = self.url_open("/my/patient-accounts")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.account.name, listing.text)
        self.assertNotIn(self.other_account.name, listing.text)
        page = self.url_open(self.url(self.account))
        self.assertEqual(page.status_code, 200)
        self.assertIn("300.00", page.text)
        # the EOB in words and the aging in words
        self.assertIn("days past due", page.text)
        self.assertIn("Charges for your visit", page.text)
        line = self.log_lines(self.account, "open")
        self.assertEqual(len(line), 1)
        self.assertEqual(line.user_id, self.guarantor_user)
        self.assertEqual(line.detail, "portal")
        self.assertTrue(line.ip_address)
        self.assertTrue(
            self.env["patient.access.log"]
            .sudo()
            .search_count([("event", "=", "list"), ("user_id", "=", self.guarantor_user.id)])
        )

    def test_token_link_visitor_sees_account_and_is_logged(self):
        url = self.account.get_portal_url()
        self.assertNotIn(self.account.name, url)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("300.00", page.text)
        line = self.log_lines(self.account, "open")
        self.assertEqual(line.detail, "portal: token link")
        self.assertEqual(line.user_id, self.env.ref("base.public_user"))
        self.assertTrue(line.ip_address)

    def test_every_refusal_is_the_same_404_and_logged(self):
        token = self.account._portal_ensure_token()
        other_token = self.other_account._portal_ensure_token()
        self.assertNotEqual(token, other_token)
        for suffix in ("", "/pay"):
            # anonymous: no token, a wrong one, another account's
            self.assert_refused(self.url_open(self.url(self.account, suffix=suffix)))
            self.assert_refused(self.url_open(self.url(self.account, "x" * 36, suffix)))
            self.assert_refused(self.url_open(self.url(self.account, other_token, suffix)))
            self.assert_refused(self.url_open(f"/my/patient-accounts/999999{suffix}"))
        denied = self.log_lines(self.account, "denied")
        self.assertGreaterEqual(len(denied), 6)
        self.assertEqual(denied.mapped("user_id"), self.env.ref("base.public_user"))
        # another guarantor, an internal user with every right on the account
        self.authenticate("pc_portal_gamma", "pc_portal_gamma")
        self.assert_refused(self.url_open(self.url(self.account)))
        self.authenticate("pc_portal_specialist", "pc_portal_specialist")
        self.assert_refused(self.url_open(self.url(self.account)))
        self.assert_refused(self.url_open("/my/patient-accounts"))
        # archived: even the right token and the guarantor get nothing
        self.account.active = False
        self.authenticate(None, None)
        self.assert_refused(self.url_open(self.url(self.account, token)))
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        self.assert_refused(self.url_open(self.url(self.account)))
        self.assertFalse(self.log_lines(self.account, "open"))

    def test_other_company_account_refused_with_this_token(self):
        other_company = self.setup_other_company()["company"]
        invoice = self.make_invoice(
            self.guarantor, 50.0, fields.Date.today(), company=other_company
        )
        account = invoice.patient_account_id
        self.assertEqual(account.company_id, other_company)
        token = self.account._portal_ensure_token()
        self.assert_refused(self.url_open(self.url(account, token)))
        # the same guarantor logged in sees their account at both practices
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        self.assertEqual(self.url_open(self.url(account)).status_code, 200)

    def test_token_is_module_written(self):
        self.account._portal_ensure_token()
        token = self.account.access_token
        with self.assertRaises(AccessError):
            self.account.with_user(self.specialist).write({"access_token": "forged"})
        self.assertEqual(self.account.access_token, token)

    # ------------------------------------------------------------------ paying

    def test_done_transaction_pays_oldest_first_logs_and_sends_receipt(self):
        tx = self.patient_tx(120.0)
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertIn(tx.payment_id.state, ("paid", "in_process"))
        self.assertEqual(self.old_invoice.amount_residual, 0.0)
        self.assertEqual(self.new_invoice.amount_residual, 180.0)
        self.assertEqual(self.account.balance_due, 180.0)
        receipt = self.assert_payment_interaction_and_receipt()
        self.assertNotIn("300", receipt.subject)
        # emailed to the guarantor, portal user or not
        notification = (
            self.env["mail.notification"]
            .sudo()
            .search(
                [("mail_message_id", "=", receipt.id), ("res_partner_id", "=", self.guarantor.id)]
            )
        )
        self.assertEqual(notification.notification_type, "email")
        # the module's own mails carry the portal button (with the token), others do not
        account = self.account.sudo()
        with_link = trusted(account, patient_portal_link=True)._notify_get_recipients_groups(
            receipt, "Account"
        )
        self.assertIn("portal_customer", [group[0] for group in with_link])
        without = account._notify_get_recipients_groups(receipt, "Account")
        self.assertNotIn("portal_customer", [group[0] for group in without])
        # post-processing twice pays once
        tx._post_process()
        self.assertEqual(self.account.balance_due, 180.0)

    def test_pending_cancelled_failed_transactions_change_nothing(self):
        for state, suffix in (("_set_pending", "p"), ("_set_canceled", "c"), ("_set_error", "e")):
            tx = self.patient_tx(50.0, suffix=suffix)
            if state == "_set_error":
                tx._set_error("declined")
            else:
                getattr(tx, state)()
            tx._post_process()
            self.assertFalse(tx.payment_id)
        self.assertEqual(self.account.balance_due, 300.0)
        self.assertFalse(
            self.env["patient.interaction"].sudo().search([("account_id", "=", self.account.id)])
        )

    def test_amounts_refused(self):
        self.assertTrue(self.account._portal_payment_problems(300.01))
        self.assertTrue(self.account._portal_payment_problems(5.0))  # below the minimum
        self.assertTrue(self.account._portal_payment_problems(0.0))
        self.assertFalse(self.account._portal_payment_problems(300.0))
        self.assertFalse(self.account._portal_payment_problems(10.0))
        token = self.account._portal_ensure_token()
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                self.url(self.account, suffix="/transaction"),
                params=self.transaction_params(
                    token, 500.0, landing_route=self.url(self.account, token)
                ),
            )
        self.assertFalse(
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        # the pay page refuses above the balance too (back to the account page)
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=other&amount=301")
        self.assertIn("message=pay_invalid", page.url)

    def test_token_visitor_opens_payment_form_and_creates_transaction(self):
        token = self.account._portal_ensure_token()
        page = self.url_open(self.url(self.account, token, "/pay") + "&choice=other&amount=60")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_payment_form", page.text)
        values = self.make_jsonrpc_request(
            self.url(self.account, suffix="/transaction"),
            params=self.transaction_params(
                token, 60.0, landing_route=self.url(self.account, token)
            ),
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        self.assertEqual(tx.amount, 60.0)
        self.assertEqual(tx.partner_id, self.guarantor)
        self.assertEqual(values["reference"], tx.reference)
        self.assertNotIn(self.account.name, tx.reference)
        tx._set_done()
        tx._post_process()
        self.assertEqual(self.account.balance_due, 240.0)
        page = self.url_open(self.url(self.account, token))
        self.assertIn("240.00", page.text)

    # ------------------------------------------------------------------ plans and questions

    def test_plan_within_policy_from_the_portal(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        csrf = self.csrf(self.account)
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": "3"},
        )
        self.assertIn("message=plan_created", response.url)
        plan = self.account.active_plan_id
        self.assertEqual(plan.total_amount, 300.0)
        self.assertEqual(len(plan.installment_ids), 3)
        self.assertTrue(
            self.env["patient.interaction"]
            .sudo()
            .search_count([("account_id", "=", self.account.id), ("channel", "=", "portal")])
        )
        self.assertIn("Your payment plan", response.text)

    def test_plan_by_amount_per_month(self):
        """About 120.00 a month of 300.00: three installments (the balance split evenly)."""
        self.assertEqual(self.account._portal_plan_count_for_amount(120.0), 3)
        self.assertEqual(self.account._portal_plan_count_for_amount(100.0), 3)
        self.assertEqual(self.account._portal_plan_count_for_amount(0.0), 0)
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        # neither a count nor an amount: nothing made, the visitor is told
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_amount": "", "access_token": token},
        )
        self.assertIn("message=plan_invalid", response.url)
        self.assertFalse(self.account.active_plan_id)
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_amount": "120", "access_token": token},
        )
        self.assertIn("message=plan_created", response.url)
        plan = self.account.active_plan_id
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 100.0, 100.0])

    def test_plan_outside_policy_becomes_an_activity(self):
        token = self.account._portal_ensure_token()
        csrf = self.csrf(self.account, token)
        # 300 in 100 installments: 3.00 each, below the minimum installment
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": "100", "access_token": token},
        )
        self.assertIn("message=plan_requested", response.url)
        self.assertFalse(self.account.active_plan_id)
        activity = self.account.activity_ids.filtered(
            lambda a: a.summary == "Payment plan requested on the portal"
        )
        self.assertEqual(len(activity), 1)
        self.assertIn("100", str(activity.note))

    def test_dispute_question_logs_interaction_and_holds(self):
        self.authenticate("pc_portal_alpha", "pc_portal_alpha")
        csrf = self.csrf(self.account)
        response = self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "topic": "dispute", "text": "This visit is not mine."},
        )
        self.assertIn("message=question_sent", response.url)
        interaction = (
            self.env["patient.interaction"].sudo().search([("account_id", "=", self.account.id)])
        )
        self.assertEqual(interaction.channel, "portal")
        self.assertEqual(interaction.direction, "inbound")
        self.assertEqual(interaction.outcome, "dispute")
        self.assertEqual(self.account.hold_reason, "dispute")
        # another guarantor cannot ask on this account
        self.authenticate("pc_portal_gamma", "pc_portal_gamma")
        csrf = self.csrf(self.other_account)
        response = self.url_open(
            self.url(self.account, suffix="/question"),
            data={"csrf_token": csrf, "topic": "other", "text": "Hello"},
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.env["patient.interaction"]
            .sudo()
            .search_count([("account_id", "=", self.account.id)]),
            1,
        )

    # ------------------------------------------------------------------ statements

    def test_statement_carries_the_token_link(self):
        self.assertFalse(self.account.access_token)
        values = self.account._statement_values()[0]
        self.assertTrue(self.account.access_token)
        self.assertTrue(
            values["portal_url"].endswith(
                f"/my/patient-accounts/{self.account.id}?access_token={self.account.access_token}"
            )
        )
        self.assertEqual(values["labels"]["pay_online"], "Pay online")
        # the token stays the same from one statement to the next, and opens the page
        self.assertEqual(self.account._statement_values()[0]["portal_url"], values["portal_url"])
        self.assertTrue(self.account._statement_pdfs())
        page = self.url_open(self.url(self.account, self.account.access_token))
        self.assertEqual(page.status_code, 200)

    def test_token_never_opens_the_chatter(self):
        token = self.account._portal_ensure_token()
        self.company_user("pc_portal_plain", "base.group_user")
        for login in (None, "pc_portal_alpha", "pc_portal_plain"):
            self.authenticate(login, login)
            try:
                result = self.make_jsonrpc_request(
                    "/mail/thread/messages",
                    {
                        "thread_model": "patient.account",
                        "thread_id": self.account.id,
                        "token": token,
                    },
                )
            except JsonRpcException:
                continue  # refused with an error (internal users)
            self.assertFalse(result.get("messages"), login)
            self.assertNotIn("Testparent", str(result))

    def test_page_values_query_count_does_not_grow_with_items(self):
        def count_queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            values = self.account._portal_values()
            return self.env.cr.sql_log_count - before, len(values["items"])

        few, items = count_queries()
        self.assertEqual(items, 2)
        self.add_open_items(48)
        many, items = count_queries()
        self.assertEqual(items, 50)
        self.assertLessEqual(many, few)

    def test_statement_download_is_logged(self):
        token = self.account._portal_ensure_token()
        response = self.url_open(self.url(self.account, token, "/statement"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        self.assertNotIn(self.account.name, response.headers["Content-Disposition"])
        line = self.log_lines(self.account, "download")
        self.assertEqual(line.detail, "portal: token link")
        self.assert_refused(self.url_open(self.url(self.account, "y" * 36, "/statement")))

    def test_two_payments_at_once_pay_the_plan_installments(self):
        plan, problems = self.account._portal_plan_request(3)
        self.assertFalse(problems)
        self.assertEqual(plan.installment_ids.mapped("amount"), [100.0, 100.0, 100.0])
        transactions = self.patient_tx(100.0, suffix="a") | self.patient_tx(100.0, suffix="b")
        transactions._set_done()
        transactions._post_process()
        self.assertEqual(len(transactions.payment_id), 2)
        self.assertEqual(self.account.balance_due, 100.0)
        installments = plan.installment_ids.sorted("due_date")
        self.assertEqual(installments.mapped("state")[:2], ["paid", "paid"])
        self.assertEqual(installments[2].amount_paid, 0.0)
        self.assertEqual(self.account._portal_next_installment_amount(), 100.0)

    def test_someone_else_paying_online_pays_the_guarantors_plan(self):
        """A signed-in visitor of another household (a relative with a login of
        their own) pays the guarantor's account from its link: the payment is
        booked to the guarantor (as Odoo's Register Payment books an invoice's),
        so the plan's installment is paid, not left to be missed."""
        plan, problems = self.account._portal_plan_request(3)
        self.assertFalse(problems)
        tx = self.patient_tx(100.0, partner_id=self.other_guarantor.id)
        tx._set_done()
        tx._post_process()
        self.assertEqual(tx.payment_id.partner_id, self.guarantor)
        self.assertEqual(tx.partner_id, self.other_guarantor)
        self.assertEqual(self.account.balance_due, 200.0)
        installments = plan.installment_ids.sorted("due_date")
        self.assertEqual(installments.mapped("state")[:1], ["paid"])
        self.assertEqual(installments[0].payment_ids, tx.payment_id)

    def test_transaction_and_plan_routes_refuse_strangers(self):
        token = self.account._portal_ensure_token()
        other_token = self.other_account._portal_ensure_token()
        for wrong in (None, "z" * 36, other_token):
            with self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    self.url(self.account, suffix="/transaction"),
                    params=self.transaction_params(wrong, 50.0),
                )
        self.assertFalse(
            self.env["payment.transaction"]
            .sudo()
            .search([("patient_account_id", "=", self.account.id)])
        )
        # another guarantor's form cannot make a plan on this account
        self.authenticate("pc_portal_gamma", "pc_portal_gamma")
        csrf = self.csrf(self.other_account)
        response = self.url_open(
            self.url(self.account, suffix="/plan"),
            data={"csrf_token": csrf, "installment_count": "3"},
        )
        self.assert_refused(response)
        self.assertFalse(self.account.active_plan_id)
        self.assertTrue(token)

    def test_token_visitor_reads_the_guarantors_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.guarantor.lang = "fr_FR"
        page = self.url_open(self.account.get_portal_url())
        self.assertEqual(page.status_code, 200)
        # dates in the guarantor's language's format (day first in French)
        service_date = self.old_invoice.invoice_date
        self.assertIn(service_date.strftime("%d/%m/%Y"), page.text)
        if service_date.day != service_date.month:
            self.assertNotIn(service_date.strftime("%m/%d/%Y"), page.text)
