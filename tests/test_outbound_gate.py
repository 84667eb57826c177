"""One gate for outbound contact: every way the web client (or a script) can send
something to an account's guarantor or patients passes the role rule, the contact
rules (cease, consent, wrong number, 08:00-21:00 at the guarantor's local time)
and logs one interaction; a refusal sends nothing and logs nothing."""

import json
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

NOISY = ("odoo.http",)
# every message type the chatter route accepts, with every subtype (None: a note)
POSTS = [
    (message_type, subtype)
    for message_type in ("comment", "notification", "email", "auto_comment")
    for subtype in ("mail.mt_comment", "mail.mt_note", None)
]


def zone_at(hour):
    """A time zone (fixed offset) where it is now ``hour`` o'clock."""
    offset = (hour - fields.Datetime.now().hour) % 24
    if offset > 14:
        offset -= 24
    if not offset:
        return "Etc/GMT"
    # POSIX sign: Etc/GMT-5 is five hours ahead of UTC
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@tagged("post_install", "-at_install")
class TestOutboundGate(PatientCollectionsCommon, HttpCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.accountant = user(
            "pc_gate_accountant", "base.group_user,patient_collections.group_collections_accountant"
        )
        cls.specialist = user(
            "pc_gate_specialist", "base.group_user,patient_collections.group_collections_specialist"
        )
        cls.manager = user(
            "pc_gate_manager", "base.group_user,patient_collections.group_collections_manager"
        )
        cls.sysadmin = user("pc_gate_sysadmin", "base.group_user,base.group_system")
        cls.guarantor.email = "testparent.alpha@example.com"
        cls.child.email = "testchild.alpha@example.com"
        invoice_date = fields.Date.today() - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 250.0, invoice_date).patient_account_id
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Test gate reminder",
                "model_id": cls.env["ir.model"]._get_id("patient.account"),
                "subject": "Account {{ object.name }}",
                "body_html": "<p>Gate template reminder</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "use_default_to": False,
            }
        )

    def setUp(self):
        super().setUp()
        # sent mails are kept (not auto-deleted) so that they can be counted
        self.enterContext(self.mock_mail_gateway())
        self.set_local_hour(12)

    # ------------------------------------------------------------------ helpers

    def set_local_hour(self, hour):
        self.guarantor.tz = zone_at(hour)
        self.env.flush_all()

    def rpc(self, route, params):
        """The decoded JSON-RPC answer: {'result': …} or {'error': …}."""
        self.env.flush_all()
        with mute_logger(*NOISY):
            response = self.url_open(
                route,
                data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
                headers={"Content-Type": "application/json"},
            )
        self.env.invalidate_all()
        return response.json()

    def call(self, model, method, *args, **kwargs):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def post(self, body, message_type="comment", subtype=None, partners=None, context=None):
        post_data = {"body": body, "message_type": message_type}
        if subtype:
            post_data["subtype_xmlid"] = subtype
        if partners is not None:
            post_data["partner_ids"] = partners.ids
        params = {
            "thread_model": "patient.account",
            "thread_id": self.account.id,
            "post_data": post_data,
        }
        if context:
            params["context"] = context
        return self.rpc("/mail/message/post", params)

    def counts(self):
        """(email/text interactions, messages, mails to the guarantor or child)."""
        Interaction = self.env["patient.interaction"].sudo()
        contacts = (self.guarantor | self.child).ids
        return (
            Interaction.search_count(
                [("account_id", "=", self.account.id), ("channel", "in", ("email", "sms"))]
            ),
            self.env["mail.message"]
            .sudo()
            .search_count([("model", "=", "patient.account"), ("res_id", "=", self.account.id)]),
            self.env["mail.mail"].sudo().search_count([("recipient_ids", "in", contacts)]),
        )

    def assertRefused(self, answer, error="AccessError", text=None):
        self.assertIn("error", answer, answer.get("result"))
        data = answer["error"]["data"]
        self.assertIn(error, data["name"])
        if text:
            self.assertIn(text, data["message"])
        self.assertNotIn("Testparent", data["message"])
        self.assertNotIn("Testchild", data["message"])

    def assertNothingSent(self, before):
        self.assertEqual(self.counts(), before, "refused: nothing posted, mailed or logged")

    # ------------------------------------------------------------------ the chatter route

    def test_accountant_cannot_reach_the_guarantor_by_any_message_type(self):
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        before = self.counts()
        for message_type, subtype in POSTS:
            with self.subTest(message_type=message_type, subtype=subtype):
                answer = self.post(
                    f"Gate {message_type} {subtype}", message_type, subtype, self.guarantor
                )
                self.assertRefused(answer, "AccessError", "Only collections specialists")
                self.assertNothingSent(before)
        # a patient of the account is a contact too
        self.assertRefused(self.post("Gate child", partners=self.child))
        # and a different contact holding the guarantor's address is the guarantor
        twin = self.env["res.partner"].create(
            {"name": "Synthetic Twin", "email": "Testparent.Alpha@example.com"}
        )
        self.assertRefused(self.post("Gate twin", subtype="mail.mt_note", partners=twin))
        self.assertNothingSent(before)

    def test_accountant_internal_note_stays_free(self):
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        interactions, messages, mails = self.counts()
        answer = self.post("Check returned by the bank", subtype="mail.mt_note")
        self.assertIn("result", answer, answer.get("error"))
        self.assertEqual(self.counts(), (interactions, messages + 1, mails))

    def test_accountant_refused_when_the_guarantor_follows(self):
        self.account.sudo().message_subscribe(partner_ids=self.guarantor.ids)
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        before = self.counts()
        # a comment reaches the followers: the guarantor is one
        self.assertRefused(self.post("Gate follower", subtype="mail.mt_comment"))
        self.assertNothingSent(before)
        # a note does not reach them
        self.assertIn("result", self.post("Gate note", subtype="mail.mt_note"))

    def test_specialist_in_the_window_logs_one_interaction_per_message(self):
        self.authenticate("pc_gate_specialist", "pc_gate_specialist")
        for message_type, subtype in POSTS:
            with self.subTest(message_type=message_type, subtype=subtype):
                interactions, _messages, mails = self.counts()
                answer = self.post(
                    f"Gate {message_type} {subtype}",
                    message_type,
                    subtype,
                    self.guarantor | self.child,
                )
                self.assertIn("result", answer, answer.get("error"))
                self.assertEqual(self.counts()[0], interactions + 1, "exactly one interaction")
                self.assertEqual(self.counts()[2], mails + 1, "one mail to both contacts")
        logged = (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "email")])
        )
        self.assertEqual(set(logged.mapped("user_id")), {self.specialist})
        self.assertEqual(set(logged.mapped("outcome")), {"other"})
        self.assertEqual(set(logged.mapped("partner_id")), {self.guarantor})

    def test_specialist_refused_outside_the_window_in_the_guarantors_zone(self):
        self.authenticate("pc_gate_specialist", "pc_gate_specialist")
        for hour in (21, 23, 2, 7):
            self.set_local_hour(hour)
            before = self.counts()
            for message_type, subtype in (("comment", "mail.mt_comment"), ("notification", None)):
                with self.subTest(hour=hour, message_type=message_type):
                    answer = self.post("Gate late", message_type, subtype, self.guarantor)
                    self.assertRefused(answer, "UserError", "08:00-21:00")
                    self.assertIn("allowed from", answer["error"]["data"]["message"])
                    self.assertNothingSent(before)

    def test_specialist_refused_after_a_cease_request(self):
        self.env["patient.interaction"].with_user(self.specialist).create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "cease_request"}
        )
        self.authenticate("pc_gate_specialist", "pc_gate_specialist")
        before = self.counts()
        answer = self.post("Gate cease", subtype="mail.mt_note", partners=self.guarantor)
        self.assertRefused(answer, "UserError", "Cease")
        self.assertNothingSent(before)

    def test_forged_context_key_is_no_bypass(self):
        forged = {"patient_interaction_logged": True, "default_override_reason": "forged"}
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        before = self.counts()
        answer = self.post("Gate forged", partners=self.guarantor, context=forged)
        self.assertRefused(answer, "AccessError")
        self.assertNothingSent(before)
        self.set_local_hour(22)
        self.authenticate("pc_gate_manager", "pc_gate_manager")
        answer = self.post("Gate forged", partners=self.guarantor, context=forged)
        self.assertRefused(answer, "UserError", "08:00-21:00")
        self.assertNothingSent(before)

    def test_manager_has_no_override_for_messages(self):
        """The override reason belongs to a logged interaction; a message sent
        outside the window is refused for managers too."""
        self.set_local_hour(22)
        self.authenticate("pc_gate_manager", "pc_gate_manager")
        before = self.counts()
        self.assertRefused(self.post("Gate late", partners=self.guarantor), "UserError")
        self.assertNothingSent(before)
        self.set_local_hour(10)
        self.assertIn("result", self.post("Gate morning", partners=self.guarantor))
        self.assertEqual(self.counts()[0], before[0] + 1)

    def test_message_post_over_rpc_is_gated_too(self):
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        before = self.counts()
        answer = self.call(
            "patient.account",
            "message_post",
            [self.account.id],
            body="Gate rpc",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            partner_ids=self.guarantor.ids,
            context={"patient_interaction_logged": True},
        )
        self.assertRefused(answer, "AccessError")
        answer = self.call(
            "patient.account",
            "message_notify",
            [self.account.id],
            body="Gate notify",
            partner_ids=self.guarantor.ids,
        )
        self.assertRefused(answer, "AccessError")
        self.assertNothingSent(before)

    # ------------------------------------------------------------------ the composer

    def composer(self, mode="comment", **values):
        context = {
            "default_composition_mode": mode,
            "default_model": "patient.account",
            "default_res_ids": [self.account.id],
        }
        answer = self.call("mail.compose.message", "create", values, context=context)
        self.assertIn("result", answer, answer.get("error"))
        return answer["result"]

    def test_composer_comment_and_mass_mail_as_accountant(self):
        self.authenticate("pc_gate_accountant", "pc_gate_accountant")
        before = self.counts()
        for mode in ("comment", "mass_mail"):
            with self.subTest(mode=mode):
                wizard = self.composer(
                    mode,
                    body="<p>Gate composer</p>",
                    subject="Gate",
                    partner_ids=[(6, 0, self.guarantor.ids)],
                )
                answer = self.call("mail.compose.message", "action_send_mail", [wizard])
                self.assertRefused(answer, "AccessError")
                self.assertNothingSent(before)
        # a template addressed to the guarantor, in both modes
        for mode in ("comment", "mass_mail"):
            with self.subTest(mode=mode, template=True):
                wizard = self.composer(mode, template_id=self.template.id)
                answer = self.call("mail.compose.message", "action_send_mail", [wizard])
                self.assertRefused(answer, "AccessError")
                self.assertNothingSent(before)
        # Send Later: refused when scheduling
        wizard = self.composer(body="<p>Gate later</p>", partner_ids=[(6, 0, self.guarantor.ids)])
        later = fields.Datetime.now() + timedelta(hours=1)
        answer = self.call(
            "mail.compose.message", "action_schedule_message", [wizard], scheduled_date=str(later)
        )
        self.assertRefused(answer, "AccessError")
        self.assertFalse(self.env["mail.scheduled.message"].sudo().search_count([]))

    def test_composer_and_template_as_specialist(self):
        self.authenticate("pc_gate_specialist", "pc_gate_specialist")
        for mode in ("comment", "mass_mail"):
            with self.subTest(mode=mode):
                interactions, _messages, mails = self.counts()
                wizard = self.composer(mode, template_id=self.template.id)
                answer = self.call("mail.compose.message", "action_send_mail", [wizard])
                self.assertIn("result", answer, answer.get("error"))
                self.assertEqual(self.counts()[0], interactions + 1)
                self.assertEqual(self.counts()[2], mails + 1)
        self.set_local_hour(22)
        before = self.counts()
        for mode in ("comment", "mass_mail"):
            with self.subTest(mode=mode, late=True):
                wizard = self.composer(mode, template_id=self.template.id)
                answer = self.call("mail.compose.message", "action_send_mail", [wizard])
                self.assertRefused(answer, "UserError", "08:00-21:00")
                self.assertNothingSent(before)


@tagged("post_install", "-at_install")
class TestOutboundGatePaths(PatientCollectionsCommon, MockEmail):
    """The paths a browser does not take: templates from code, mail.mail written
    directly, scheduled sends, the statement step's bypass."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.accountant = user(
            "pc_gatep_accountant",
            "base.group_user,patient_collections.group_collections_accountant",
        )
        cls.specialist = user(
            "pc_gatep_specialist",
            "base.group_user,patient_collections.group_collections_specialist",
        )
        cls.sysadmin = user("pc_gatep_sysadmin", "base.group_user,base.group_system")
        cls.guarantor.email = "testparent.alpha@example.com"
        invoice_date = fields.Date.today() - timedelta(days=40)
        cls.account = cls.make_invoice(cls.child, 250.0, invoice_date).patient_account_id
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Test gate reminder",
                "model_id": cls.env["ir.model"]._get_id("patient.account"),
                "subject": "Account {{ object.name }}",
                "body_html": "<p>Gate template reminder</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "use_default_to": False,
            }
        )

    def setUp(self):
        super().setUp()
        self.enterContext(self.mock_mail_gateway())
        self.guarantor.tz = zone_at(12)

    @contextmanager
    def refused(self, exception, text):
        """assertRaises (rolled back to a savepoint, as a request would be) whose
        message says ``text``."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def interactions(self):
        return (
            self.env["patient.interaction"]
            .sudo()
            .search([("account_id", "=", self.account.id), ("channel", "=", "email")])
        )

    def mails(self):
        return self.env["mail.mail"].sudo().search([("recipient_ids", "in", self.guarantor.ids)])

    def test_templates_from_code(self):
        with self.assertRaises(AccessError):
            self.account.with_user(self.accountant).message_post_with_source(
                self.template, subtype_xmlid="mail.mt_comment"
            )
        with self.assertRaises(AccessError):
            self.account.with_user(self.accountant).sudo().message_mail_with_source(self.template)
        # an administrator's code, as superuser: the real user is still judged
        with self.refused(AccessError, "Only collections specialists"):
            self.template.with_user(self.sysadmin).sudo().send_mail(self.account.id)
        self.assertFalse(self.interactions() or self.mails())
        self.account.with_user(self.specialist).message_post_with_source(
            self.template, subtype_xmlid="mail.mt_note"
        )
        self.assertEqual(len(self.interactions()), 1)
        self.assertEqual(len(self.mails()), 1)

    def test_mail_mail_written_directly(self):
        # an administrator's code, as superuser: the real user is still judged
        Mail = self.env["mail.mail"].with_user(self.sysadmin).sudo()
        for values in (
            {
                "model": "patient.account",
                "res_id": self.account.id,
                "recipient_ids": [(4, self.child.id)],
            },
            {"recipient_ids": [(4, self.guarantor.id)]},
            {"email_to": "Someone <TESTPARENT.alpha@example.com>"},
        ):
            with (
                self.subTest(values=values),
                self.refused(AccessError, "Only collections specialists"),
            ):
                Mail.create({"subject": "Gate", "body_html": "<p>Gate</p>", **values})
        # an account mail to nobody of the account is no contact
        Mail.create(
            {
                "subject": "Gate",
                "model": "patient.account",
                "res_id": self.account.id,
                "email_to": "auditor@example.com",
            }
        )
        # re-addressing a mail to the guarantor is a contact too
        mail = Mail.create({"subject": "Gate", "email_to": "auditor@example.com"})
        with self.assertRaises(AccessError):
            mail.write({"recipient_ids": [(4, self.guarantor.id)]})
        self.assertFalse(self.interactions())
        # a specialist's code (as superuser, the real user stays theirs) passes and logs
        self.env["mail.mail"].with_user(self.specialist).sudo().create(
            {"subject": "Gate", "recipient_ids": [(4, self.guarantor.id)]}
        )
        self.assertEqual(len(self.interactions()), 1)
        self.assertEqual(self.interactions().user_id, self.specialist)

    def test_a_mail_to_someone_else_first_is_no_pass(self):
        """One message mailed to a stranger and to the guarantor in two mails (Odoo
        writes one per language): the guarantor's mail is judged although the
        stranger's, judged first, reached no account; and logged once."""
        stranger = self.env["res.partner"].create(
            {"name": "Synthetic Stranger", "email": "stranger@example.com"}
        )

        def mail_both(user):
            Mail = self.env["mail.mail"].with_user(user).sudo()
            first = Mail.create({"subject": "Gate", "recipient_ids": [(4, stranger.id)]})
            Mail.create(
                {
                    "mail_message_id": first.mail_message_id.id,
                    "recipient_ids": [(4, self.guarantor.id)],
                }
            )

        with self.refused(AccessError, "Only collections specialists"):
            mail_both(self.sysadmin)
        self.assertFalse(self.interactions() or self.mails())
        mail_both(self.specialist)
        self.assertEqual(len(self.mails()), 1)
        self.assertEqual(len(self.interactions()), 1)

    def test_queued_for_later_is_refused(self):
        later = fields.Datetime.now() + timedelta(days=1)
        account = self.account.with_user(self.specialist)
        with self.refused(UserError, "queue"):
            account.message_post(
                body="Gate later", partner_ids=self.guarantor.ids, scheduled_date=later
            )
        with self.refused(UserError, "queue"):
            self.env["mail.mail"].with_user(self.specialist).sudo().create(
                {"recipient_ids": [(4, self.guarantor.id)], "scheduled_date": later}
            )
        self.assertFalse(self.interactions())

    def test_scheduled_message_judged_when_sent(self):
        Scheduled = self.env["mail.scheduled.message"]
        values = {
            "model": "patient.account",
            "res_id": self.account.id,
            "body": "<p>Gate scheduled</p>",
            "partner_ids": [(4, self.guarantor.id)],
            "scheduled_date": fields.Datetime.now() + timedelta(minutes=10),
        }
        with self.assertRaises(AccessError):
            Scheduled.with_user(self.accountant).create(
                {**values, "author_id": self.accountant.partner_id.id}
            )
        late = Scheduled.with_user(self.specialist).create(
            {**values, "author_id": self.specialist.partner_id.id}
        )
        on_time = Scheduled.with_user(self.specialist).create(
            {**values, "author_id": self.specialist.partner_id.id, "body": "<p>Gate ok</p>"}
        )
        # when the cron sends them, the first one is due at 22:00 at the guarantor's
        self.guarantor.tz = zone_at(22)
        cron_user = self.env.ref("base.user_root")
        late.with_user(cron_user)._post_message()
        self.assertFalse(late.exists())
        self.assertFalse(self.interactions())
        notes = self.account.message_ids.filtered(lambda m: "was not sent" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.guarantor.tz = zone_at(12)
        on_time.with_user(cron_user)._post_message()
        self.assertEqual(len(self.interactions()), 1)
        self.assertEqual(self.interactions().user_id, self.specialist)

    def test_only_the_trusted_statement_step_bypasses(self):
        self.guarantor.tz = zone_at(23)
        account = self.account.with_user(self.accountant)
        with self.assertRaises(AccessError):
            account.with_context(patient_interaction_logged=True).sudo().message_post(
                body="Gate", partner_ids=self.guarantor.ids
            )
        trusted(self.account, patient_interaction_logged=True).message_post(
            body="Statement", partner_ids=self.guarantor.ids, subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(self.interactions())
        self.assertEqual(len(self.mails()), 1)

    def test_texts_need_consent_and_a_good_number(self):
        """The sms module is not installed; its messages would reach the gate as
        channel 'sms' (message type or recipients notified by text)."""
        account = self.account.with_user(self.specialist)
        with self.refused(UserError, "Text message consent"):
            account._gate_outbound_contact(self.guarantor, "sms")
        trusted(self.account).write(
            {"sms_consent": True, "sms_consent_method": "verbal", "phone_invalid": True}
        )
        with self.refused(UserError, "valid number"):
            account._gate_outbound_contact(self.guarantor, "sms")
        self.assertFalse(
            self.env["patient.interaction"].sudo().search([("account_id", "=", self.account.id)])
        )

    def test_timestamp_is_the_moment_of_sending(self):
        self.account.with_user(self.specialist).message_post(
            body="Gate now", partner_ids=self.guarantor.ids, subtype_xmlid="mail.mt_note"
        )
        logged = self.interactions()
        self.assertEqual(len(logged), 1)
        self.assertLess(abs(logged.date - fields.Datetime.now()), timedelta(minutes=5))
