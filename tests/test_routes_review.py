"""Odoo's own routes and RPC against the module's patient data, from a hostile
review: who a chatter message of patient data names (``partner_ids``: a
mention, a recipient, an edit adding one) may read it over RPC whatever the
notification, so it names only people who may read the record; who was sent
which message of patient data (``mail.notification``) is read only by its
recipient and by users who may read the record."""

import json

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_phi13_files import ACCOUNTANT, NOISY_LOGGERS, SPECIALIST, PhiFilesCommon

INVOICING = "base.group_user,account.group_account_invoice"
SECRET_NOTE = "Testroute Alpha synthetic call note"


class RoutesReviewCommon(PhiFilesCommon):
    """Users with few rights: an Invoicing user, a specialist of another
    practice, an accountant of the module, another guarantor's portal login."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoicing = cls.company_user("pc_route_invoicing", INVOICING)
        other_company = cls.setup_other_company(name="Testroute Other Practice")["company"]
        cls.foreign = cls.company_user("pc_route_foreign", SPECIALIST, company=other_company)
        cls.colleague = cls.company_user("pc_route_colleague", ACCOUNTANT)
        stranger = cls.env["res.partner"].create(
            {"name": "Testroute Beta", "email": "b@example.com"}
        )
        cls.portal = new_test_user(
            cls.env,
            login="pc_route_portal",
            password="pc_route_portal",
            groups="base.group_portal",
            partner_id=stranger.id,
        )

    def jsonrpc(self, route, params):
        payload = {"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
        response = self.url_open(
            route, data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def post_note(self, thread, partners, body=SECRET_NOTE):
        return self.jsonrpc(
            "/mail/message/post",
            {
                "thread_model": thread._name,
                "thread_id": thread.id,
                "post_data": {
                    "body": body,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_note",
                    "partner_ids": partners.ids,
                },
            },
        )

    def messages_with(self, body):
        return self.env["mail.message"].sudo().search([("body", "ilike", body)])


@tagged("post_install", "-at_install")
class TestRoutesReviewMentions(RoutesReviewCommon):
    """A specialist named an Invoicing user (or a specialist of another
    practice, or another guarantor's portal login) on a note of an account: the
    notification to them was dropped, but the message stayed theirs to find
    (``mail.message`` searched on ``partner_ids``), read and edit."""

    @mute_logger("odoo.http")
    def test_a_note_names_nobody_who_may_not_read_the_record(self):
        self.login(self.specialist)
        for thread in (self.account, self.application):
            for named in (self.invoicing, self.foreign, self.portal):
                body = self.post_note(thread, named.partner_id)
                self.assertEqual(
                    body.get("error", {}).get("data", {}).get("name"),
                    "odoo.exceptions.AccessError",
                    f"{named.login} named on {thread._name}: {str(body.get('result'))[:200]}",
                )
                message = body["error"]["data"]["message"]
                for secret in ("Testparent", "Testchild", "MRN"):
                    self.assertNotIn(secret, message)
        # nothing was posted: nobody named finds the note
        self.assertFalse(self.messages_with(SECRET_NOTE))
        for user in (self.invoicing, self.foreign):
            found = (
                self.env["mail.message"]
                .with_user(user)
                .search([("partner_ids", "in", user.partner_id.ids)])
            )
            self.assertFalse(found.filtered(lambda m: m.model == "patient.account"))

    def test_a_note_still_names_a_colleague_who_may_read_it(self):
        self.login(self.specialist)
        body = self.post_note(self.account, self.colleague.partner_id, body="Testroute Gamma note")
        self.assertIn("result", body, body.get("error"))
        message = self.messages_with("Testroute Gamma note")
        self.assertEqual(message.partner_ids, self.colleague.partner_id)

    @mute_logger("odoo.http")
    def test_an_edited_note_adds_nobody_who_may_not_read_the_record(self):
        note = self.account.with_user(self.specialist).message_post(
            body="Testroute Delta note", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.login(self.specialist)
        body = self.jsonrpc(
            "/mail/message/update_content",
            {
                "message_id": note.id,
                "body": "Testroute Delta note, edited",
                "attachment_ids": [],
                "partner_ids": self.foreign.partner_id.ids,
            },
        )
        self.assertEqual(
            body.get("error", {}).get("data", {}).get("name"),
            "odoo.exceptions.AccessError",
            body.get("error", {}).get("data", {}).get("message"),
        )
        note.invalidate_recordset()
        self.assertFalse(note.sudo().partner_ids)
        self.assertIn("Testroute Delta note", note.sudo().body)
        self.assertNotIn("edited", note.sudo().body)


@tagged("post_install", "-at_install")
class TestRoutesReviewNotifications(RoutesReviewCommon):
    """Every internal user (an Invoicing user, a specialist of another practice)
    and every portal user read every ``mail.notification``: the guarantor's name
    as recipient of a message about account PA000123 (the message's name, read
    as superuser), its status and bounce reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.note = cls.account.with_user(cls.specialist).message_post(
            body="Testroute Epsilon note", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        # as the mail queue records an email to the guarantor that bounced
        cls.notification = (
            cls.env["mail.notification"]
            .sudo()
            .create(
                {
                    "mail_message_id": cls.note.id,
                    "res_partner_id": cls.guarantor.id,
                    "notification_type": "email",
                    "notification_status": "bounce",
                    "failure_reason": "Testroute mailbox full",
                }
            )
        )

    @mute_logger("odoo.http")
    def test_who_was_sent_a_patient_message_is_not_everyones(self):
        domain = [("mail_message_id.model", "=", "patient.account")]
        for user in (self.invoicing, self.foreign, self.portal):
            self.login(user)
            for method, args, kwargs in (
                ("search_read", [[]], {"fields": ["mail_message_id", "res_partner_id"]}),
                ("search_read", [domain], {"fields": ["failure_reason"]}),
                ("search_count", [[]], {}),
                ("read_group", [[], ["res_partner_id"], ["res_partner_id"]], {"lazy": False}),
            ):
                body = self.call_kw("mail.notification", method, args, kwargs)
                text = json.dumps(body.get("result"))
                for secret in ("Testparent", "Testroute mailbox", self.account.name):
                    self.assertNotIn(secret, text, f"{user.login} {method}")
                if method == "search_count":
                    self.assertFalse(body.get("result"), user.login)
            body = self.call_kw(
                "mail.notification",
                "read",
                [self.notification.ids, ["res_partner_id", "failure_reason"]],
            )
            self.assertRefused(body)
            for secret in ("Testparent", self.account.name):
                self.assertNotIn(secret, json.dumps(body))
        # who may read the account still sees to whom it went, in its chatter too
        self.login(self.specialist)
        body = self.call_kw(
            "mail.notification", "read", [self.notification.ids, ["res_partner_id"]]
        )
        self.assertEqual(body["result"][0]["res_partner_id"][0], self.guarantor.id)
        body = self.jsonrpc(
            "/mail/thread/messages",
            {"thread_model": "patient.account", "thread_id": self.account.id},
        )
        notifications = body["result"]["data"].get("mail.notification", [])
        self.assertIn(self.notification.id, [n["id"] for n in notifications])


@tagged("post_install", "-at_install")
class TestRoutesReviewFiles(RoutesReviewCommon):
    """The aged balances workbook (the practice's balances by stage and
    specialist) is kept on its author's report, not on patient data: its author
    made it public, or shared it by a token, and anyone (no session, an
    Invoicing user) downloaded it from ``/web/content``."""

    @mute_logger(*NOISY_LOGGERS)
    def test_the_aged_balances_workbook_is_never_shared(self):
        Report = self.env["patient.aging.report"].with_user(self.accountant)
        report = Report.create({})
        url = report.action_export_xlsx()["url"]
        workbook = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "patient.aging.report"), ("res_id", "=", report.id)])
        )
        self.assertEqual(url, f"/web/content/{workbook.id}?download=true")
        mine = workbook.with_user(self.accountant)
        with self.assertRaises(AccessError):
            mine.write({"public": True})
        token = mine.generate_access_token()[0]
        self.assertFalse(workbook.public)
        self.assertFalse(workbook.access_token)
        self.login(self.accountant)
        self.assertEqual(self.url_open(url).status_code, 200)
        for user in (None, self.invoicing, self.colleague):
            self.login(user)
            for link in (url, f"/web/content/{workbook.id}?access_token={token}"):
                response = self.url_open(link)
                self.assertIn(response.status_code, (403, 404), f"{user and user.login} {link}")
                self.assertNotEqual(response.content[:2], b"PK")


@tagged("post_install", "-at_install")
class TestRoutesReviewActivities(RoutesReviewCommon):
    """Activities on an assistance application or a write-off went to anyone:
    the module's own (as superuser) stayed with a user who may not read the
    record, and a user leaving the collections roles kept theirs."""

    def test_an_application_activity_goes_to_who_may_read_it(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        activity = (
            self.env["mail.activity"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("patient.financial.assistance"),
                    "res_id": self.application.id,
                    "activity_type_id": todo.id,
                    "summary": "Testroute review the proof of income",
                    "user_id": self.invoicing.id,
                }
            )
        )
        self.assertNotEqual(activity.user_id, self.invoicing)
        if activity.user_id:
            self.assertTrue(self.application.with_user(activity.user_id).has_access("read"))
        # by hand: refused with the reason
        with self.assertRaises(UserError) as caught:
            self.env["mail.activity"].with_user(self.specialist).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("patient.financial.assistance"),
                    "res_id": self.application.id,
                    "activity_type_id": todo.id,
                    "user_id": self.foreign.id,
                }
            )
        self.assertIn("cannot be given an activity", str(caught.exception))

    def test_leaving_the_roles_hands_application_activities_on(self):
        specialist = self.company_user("pc_route_leaving", SPECIALIST)
        activity = self.application.activity_schedule(
            "mail.mail_activity_data_todo", summary="Testroute call back", user_id=specialist.id
        )
        self.assertIn(specialist.partner_id, self.application.message_partner_ids)
        specialist.write(
            {
                "groups_id": [
                    Command.unlink(
                        self.env.ref("patient_collections.group_collections_specialist").id
                    )
                ]
            }
        )
        self.assertFalse(self.application.with_user(specialist).has_access("read"))
        self.assertNotEqual(activity.user_id, specialist)
        self.assertNotIn(specialist.partner_id, self.application.message_partner_ids)
