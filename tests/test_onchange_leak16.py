"""A tester read any account's guarantor and balance through ``onchange`` on a new
record, and through the answer of a wizard's ``web_save``, naming an account he
may not read: related fields are computed as superuser.  The records a client
names must be readable (an AccessError, as ``read`` gives); the normal path still
shows the balance.  And a button call of ``action_void`` without its reason
answered a 500."""

import json
from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PatientCollectionsCommon
from .common_http import call_kw

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
# what a many2one would show of the record it names
PARTNER = {"fields": {"display_name": {}}}


@tagged("post_install", "-at_install")
class TestOnchangeLeak16(PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="Synthetic Clinic Leak B")["company"]
        user = cls.company_user
        cls.specialist = user("pc_leak16_specialist", SPECIALIST)
        cls.manager = user("pc_leak16_manager", MANAGER)
        cls.specialist_b = user("pc_leak16_specialist_b", SPECIALIST, company=cls.company_b)
        cls.plain_user = user("pc_leak16_plain", "base.group_user")
        cls.portal_user = user("pc_leak16_portal", "base.group_portal")
        invoice_date = date.today() - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 531.25, invoice_date).patient_account_id
        cls.account_b = cls.make_invoice(
            cls.other_guarantor, 642.75, invoice_date, company=cls.company_b
        ).patient_account_id
        cls.interaction = cls.env["patient.interaction"].create(
            {"account_id": cls.account.id, "channel": "phone_in", "outcome": "hardship"}
        )
        cls.plan = cls.confirm_plan(cls.account, date.today() + timedelta(days=10))
        cls.application = cls.env["patient.financial.assistance"].create(
            {"account_id": cls.account.id}
        )
        cls.intruders = {
            "portal": (cls.portal_user, cls.account),
            "internal": (cls.plain_user, cls.account),
            "other company": (cls.specialist_b, cls.account),
        }

    def setUp(self):
        super().setUp()
        self.assertEqual(self.account.company_id, self.company_a)
        self.assertEqual(self.account_b.company_id, self.company_b)
        self.assertGreater(self.account.balance_due, 0)

    def as_user(self, model, user):
        return (
            self.env[model]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids, active_test=True)
        )

    def onchange_cases(self):
        """(model, values naming the foreign records, spec of what they would show)."""
        account = self.account.id
        return [
            (
                "patient.financial.assistance",
                {"account_id": account},
                {"account_id": {}, "partner_id": PARTNER, "currency_id": {}},
            ),
            (
                "patient.payment.plan.create",
                {"account_id": account},
                {"account_id": {}, "balance_due": {}, "preview_html": {}, "problems": {}},
            ),
            (
                "patient.account.writeoff",
                {"account_id": account},
                {"account_id": {}, "balance_due": {}, "writeoff_limit": {}, "needs_approval": {}},
            ),
            ("patient.payment.plan", {"account_id": account}, {"partner_id": PARTNER}),
            ("patient.interaction", {"account_id": account}, {"currency_id": {}}),
            ("patient.writeoff", {"account_id": account}, {"currency_id": {}}),
            (
                "patient.payment.plan.installment",
                {"plan_id": self.plan.id},
                {"account_id": PARTNER, "partner_id": PARTNER, "plan_state": {}},
            ),
            (
                "patient.account.assign",
                {"account_ids": [[6, 0, [account]]], "user_id": self.specialist.id},
                {"preview_html": {}, "account_count": {}},
            ),
            (
                "patient.financial.assistance.deny",
                {"application_id": self.application.id},
                {"application_id": PARTNER},
            ),
        ]

    # ------------------------------------------------------------------ onchange

    def test_onchange_foreign_records_refused(self):
        """Every role that may not read the account (a portal user, an internal user
        without a collections group, a specialist of the other company) gets an
        AccessError from onchange on each model that shows what the account holds."""
        for role, (user, _account) in self.intruders.items():
            for model, values, spec in self.onchange_cases():
                with self.subTest(role=role, model=model), self.assertRaises(AccessError):
                    self.as_user(model, user).onchange(values, [], spec)

    def test_onchange_by_context_default_refused(self):
        """The account named by a ``default_account_id`` context key is checked
        like one named in the values."""
        for model in ("patient.payment.plan", "patient.financial.assistance"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.as_user(model, self.specialist_b).with_context(
                    default_account_id=self.account.id
                ).onchange({}, [], {"account_id": {}, "partner_id": PARTNER})

    def test_onchange_own_account_shows_balance(self):
        """The specialist of the account's company still sees its balance and guarantor."""
        result = self.as_user("patient.payment.plan.create", self.specialist).onchange(
            {"account_id": self.account.id}, ["account_id"], {"account_id": {}, "balance_due": {}}
        )
        self.assertEqual(result["value"]["balance_due"], self.account.balance_due)
        result = self.as_user("patient.account.writeoff", self.specialist).onchange(
            {"account_id": self.account.id}, ["account_id"], {"account_id": {}, "balance_due": {}}
        )
        self.assertEqual(result["value"]["balance_due"], self.account.balance_due)
        result = self.as_user("patient.financial.assistance", self.specialist).onchange(
            {"account_id": self.account.id}, ["account_id"], {"partner_id": PARTNER}
        )
        self.assertEqual(result["value"]["partner_id"]["id"], self.account.partner_id.id)

    # ------------------------------------------------------------------ over HTTP

    def rpc(self, user, route, model, method, args, kwargs=None):
        self.authenticate(user.login, user.login)
        if route == "call_kw":
            response = call_kw(self, model, method, args, kwargs)
        else:
            payload = {
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            }
            response = self.url_open(
                "/web/dataset/call_button",
                data=json.dumps(payload),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def assertRpcError(self, body, name):
        self.assertIn("error", body, f"no error: {body.get('result')}")
        self.assertEqual(body["error"]["data"]["name"], name, body["error"]["data"]["message"])

    @mute_logger("odoo.http")
    def test_http_onchange_and_web_save_refused(self):
        """The web client's routes: onchange as each intruder, and web_save of the
        plan and write-off wizards by the other company's specialist, answer an
        AccessError and no figure of the account."""
        spec = {"account_id": {}, "balance_due": {}}
        for role, (user, account) in self.intruders.items():
            for model in ("patient.payment.plan.create", "patient.account.writeoff"):
                with self.subTest(role=role, model=model):
                    body = self.rpc(
                        user,
                        "call_kw",
                        model,
                        "onchange",
                        [[], {"account_id": account.id}, ["account_id"], spec],
                    )
                    self.assertRpcError(body, "odoo.exceptions.AccessError")
                    self.assertNotIn("531.25", json.dumps(body))
        saves = {
            "patient.payment.plan.create": {
                "account_id": self.account.id,
                "total_amount": 100.0,
                "installment_count": 2,
                "first_due_date": str(date.today() + timedelta(days=5)),
            },
            "patient.account.writeoff": {
                "account_id": self.account.id,
                "amount": 10.0,
                "reason": "small_balance",
            },
        }
        for model, vals in saves.items():
            with self.subTest(model=model):
                body = self.rpc(self.specialist_b, "call_kw", model, "web_save", [[], vals, spec])
                self.assertRpcError(body, "odoo.exceptions.AccessError")
                self.assertNotIn("531.25", json.dumps(body))
        body = self.rpc(
            self.specialist,
            "call_kw",
            "patient.payment.plan.create",
            "web_save",
            [[], saves["patient.payment.plan.create"], spec],
        )
        self.assertIn("result", body, body.get("error"))
        self.assertEqual(body["result"][0]["balance_due"], self.account.balance_due)

    @mute_logger("odoo.http")
    def test_http_void_button_without_reason(self):
        """call_button of action_void without a reason: an AccessError for a
        specialist, a UserError asking for the reason for a manager; no 500, and
        the interaction is not voided."""
        args = [[self.interaction.id]]
        body = self.rpc(self.specialist, "call_button", "patient.interaction", "action_void", args)
        self.assertRpcError(body, "odoo.exceptions.AccessError")
        body = self.rpc(self.manager, "call_button", "patient.interaction", "action_void", args)
        self.assertRpcError(body, "odoo.exceptions.UserError")
        self.assertIn("Say why", body["error"]["data"]["message"])
        self.interaction.invalidate_recordset()
        self.assertEqual(self.interaction.state, "logged")
