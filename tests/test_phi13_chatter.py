"""Defect 4: the chatter of patient data read (the thread's messages,
``mail.message`` over RPC) writes one 'chatter' access log line per call."""

import json

from odoo.tests import tagged

from .test_phi13_files import PhiFilesCommon


@tagged("post_install", "-at_install")
class TestPhi13ChatterReads(PhiFilesCommon):
    """Defect 4: the chatter of an account or an assistance application (call
    outcomes, holds, free-text notes) was read with no log line."""

    def jsonrpc(self, route, params):
        payload = {"id": 0, "jsonrpc": "2.0", "method": "call", "params": params}
        response = self.url_open(
            route, data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_chatter_reads_are_logged_once_per_call(self):
        note = "Synthetic specialist note"
        self.account.message_post(body=note, message_type="comment", subtype_xmlid="mail.mt_note")
        self.account.message_post(body="Second note", subtype_xmlid="mail.mt_note")
        self.application.message_post(body=note, subtype_xmlid="mail.mt_note")
        messages = self.env["mail.message"].search(
            [("model", "=", "patient.account"), ("res_id", "=", self.account.id)]
        )
        self.assertGreaterEqual(len(messages), 2)
        self.login(self.specialist)
        mark = self.mark()
        for thread in (self.account, self.application):
            body = self.jsonrpc(
                "/mail/thread/messages", {"thread_model": thread._name, "thread_id": thread.id}
            )
            self.assertIn(note, json.dumps(body["result"]))
        domain = [("model", "=", "patient.account"), ("res_id", "=", self.account.id)]
        for method, args, kwargs in (
            ("search_read", [domain], {"fields": ["body"]}),
            ("read", [messages.ids, ["body"]], {}),
            ("web_search_read", [domain], {"specification": {"body": {}}}),
        ):
            body = self.call_kw("mail.message", method, args, kwargs)
            self.assertIn(note, json.dumps(body.get("result")), body.get("error"))
        lines = self.new_lines(mark)
        self.assertRecordValues(
            lines,
            [
                {
                    "event": "chatter",
                    "user_id": self.specialist.id,
                    "res_model": res_model,
                    "res_id": res_id,
                    "record_count": 1,
                    "detail": detail,
                }
                for res_model, res_id, detail in (
                    ("patient.account", self.account.id, "fetch"),
                    ("patient.financial.assistance", self.application.id, "fetch"),
                    ("patient.account", self.account.id, "search_read"),
                    ("patient.account", self.account.id, "read"),
                    ("patient.account", self.account.id, "read"),
                )
            ],
        )
        # a contact's chatter is no patient data: nothing logged
        mark = self.mark()
        self.other_guarantor.message_post(body="Synthetic contact note")
        self.call_kw(
            "mail.message",
            "search_read",
            [[("model", "=", "res.partner"), ("res_id", "=", self.other_guarantor.id)]],
            {"fields": ["body"]},
        )
        self.assertFalse(self.new_lines(mark))

    def test_an_image_pasted_in_a_note_on_the_account(self):
        """Odoo turns a pasted image into an attachment of the message and asks it a
        token for its link: the note is posted, the file keeps no token."""
        pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAj"
        pixel += "CB0C8AAAAASUVORK5CYII="
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.specialist)
            .with_context(default_model="patient.account", default_res_ids=self.account.ids)
            .create(
                {
                    "body": f'<p>Testnote <img src="data:image/png;base64,{pixel}"></p>',
                    "composition_mode": "comment",
                    "subtype_id": self.env.ref("mail.mt_note").id,
                }
            )
        )
        composer._action_send_mail()
        message = self.account.message_ids[:1]
        self.assertIn("Testnote", message.body)
        self.assertTrue(message.attachment_ids)
        self.assertFalse(any(message.attachment_ids.sudo().mapped("access_token")))
