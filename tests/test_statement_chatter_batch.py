"""The chatter notes of printed statements, written in one batch: the rows Odoo's
``_message_log(body=..., attachment_ids=...)`` writes, the PDF attached and
readable by the account's specialist, a constant number of queries however many
statements a batch prints."""

import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import fields
from odoo.tests import tagged

from .common import TEST_ADDRESS, PatientCollectionsCommon

NOTE = "Statement sent by mail."

# the columns of a note that differ between two notes written at two moments
# (Odoo's date is the clock's, ours the transaction's: both "now")
MOMENT_COLUMNS = {"id", "res_id", "message_id", "date", "create_date", "write_date"}


@tagged("post_install", "-at_install")
# within the contact hours (08:00-21:00 in the company's time zone): an emailed
# statement is a contact the rules would refuse in the evening
@freeze_time("2026-05-04 15:00:00")
class TestStatementChatterBatch(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user(
            "pc_scb_specialist", "patient_collections.group_collections_specialist"
        )
        cls.serial = 0

    @classmethod
    def due_accounts(cls, count, email=False):
        """``count`` accounts of a guarantor each, due a statement, worked by the
        specialist (``email``: they chose email and have an address)."""
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Testnote Person {cls.serial + index}",
                    "is_patient": True,
                    **TEST_ADDRESS,
                    "email": f"testnote.{cls.serial + index}@example.com" if email else False,
                }
                for index in range(count)
            ]
        )
        cls.serial += count
        day = fields.Date.today() - timedelta(days=40)
        accounts = cls.Account
        for partner in partners:
            accounts |= cls.make_invoice(partner, 75.0, day).patient_account_id
        accounts.user_id = cls.specialist
        if email:
            accounts.statement_delivery = "email"
        return accounts

    def notes(self, account):
        return account.message_ids.filtered(lambda message: NOTE in (message.body or ""))

    def statement(self, account):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "patient.account"), ("res_id", "=", account.id)]
        )

    def rows(self, messages):
        """The mail_message rows of ``messages`` as the database holds them, their
        moment and record left out, with their attachment links."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT * FROM mail_message WHERE id = ANY(%s) ORDER BY id", [messages.ids]
        )
        rows = {
            row["id"]: {key: value for key, value in row.items() if key not in MOMENT_COLUMNS}
            for row in self.env.cr.dictfetchall()
        }
        self.env.cr.execute(
            "SELECT message_id, attachment_id FROM message_attachment_rel"
            " WHERE message_id = ANY(%s) ORDER BY attachment_id",
            [messages.ids],
        )
        for message_id, attachment_id in self.env.cr.fetchall():
            rows[message_id].setdefault("attachments", []).append(attachment_id)
        return [rows[message.id] for message in messages]

    def test_printed_statements_notes_are_odoos(self):
        accounts = self.due_accounts(3)
        accounts._send_statements()
        self.assertRecordValues(accounts, [{"last_statement_date": fields.Date.today()}] * 3)
        for account in accounts:
            note, statement = self.notes(account), self.statement(account)
            self.assertEqual(len(note), 1, "one note per printed statement")
            self.assertEqual(len(statement), 1)
            # what Odoo's own path writes for the same note on the same account
            odoos = account.sudo()._message_log(
                body=Markup("<p>%s</p>") % NOTE, attachment_ids=statement.ids
            )
            ours, theirs = self.rows(note + odoos)
            self.assertEqual(ours, theirs)
            self.assertEqual(ours["attachments"], statement.ids)
            self.assertEqual(
                (ours["model"], ours["message_type"], ours["is_internal"]),
                ("patient.account", "notification", True),
            )
            self.assertEqual(ours["author_id"], self.env.user.partner_id.id)
            self.assertEqual(ours["subtype_id"], self.env.ref("mail.mt_note").id)
            self.assertEqual(note.res_id, account.id)
            self.assertEqual(note.body, Markup("<p>%s</p>") % NOTE)
            self.assertRecordValues(
                statement,
                [
                    {
                        "res_model": "patient.account",
                        "res_id": account.id,
                        "mimetype": "application/pdf",
                    }
                ],
            )

    def test_nightly_run_notes_its_printed_statements_at_once(self):
        accounts = self.due_accounts(3)
        self.env["patient.collection.run"].run()
        notes = self.env["mail.message"]
        for account in accounts:
            note = self.notes(account)
            self.assertEqual(len(note), 1)
            self.assertEqual(note.attachment_ids, self.statement(account))
            notes |= note
        # one batch of notes shares the tracking id Odoo gives a batch log
        self.assertEqual(len(set(notes.mapped("message_id"))), 1)

    def test_specialist_downloads_the_noted_statement(self):
        accounts = self.due_accounts(2)
        accounts._send_statements()
        account = accounts[1].with_user(self.specialist)
        note = self.notes(account)
        self.assertEqual(len(note), 1)
        self.assertEqual(note.attachment_ids, self.statement(account))
        # what /web/content/<id> finds for the user (its access check), and the file
        record = (
            self.env["ir.binary"]
            .with_user(self.specialist)
            ._find_record(res_id=note.attachment_ids.id)
        )
        self.assertEqual(record, note.attachment_ids)
        self.assertTrue(record.raw.startswith(b"%PDF"))

    def test_notes_carry_their_own_accounts_files_only(self):
        """A file of another account is refused, nothing written; the note's own
        files are linked as they are."""
        accounts = self.due_accounts(2)
        accounts._send_statements()
        own, other = (self.statement(account) for account in accounts)
        account = accounts[0]
        body = {account.id: Markup("<p>%s</p>") % NOTE}
        before = account.message_ids
        with self.assertRaises(ValueError):
            account._message_log_attached(body, {account.id: (own | other).ids})
        self.assertEqual(account.message_ids, before, "nothing half-written")
        note = account._message_log_attached(body, {account.id: own.ids + own.ids})
        self.assertEqual(note.attachment_ids, own)
        self.assertEqual(account.message_ids, note | before)
        self.assertRecordValues(own, [{"res_model": "patient.account", "res_id": account.id}])

    def test_emailed_statement_gets_no_note(self):
        printed, emailed = self.due_accounts(2), self.due_accounts(2, email=True)
        (printed | emailed)._send_statements(email=True)
        for account in printed:
            self.assertEqual(self.notes(account).attachment_ids, self.statement(account))
        for account in emailed:
            self.assertFalse(self.notes(account), "an emailed statement is no letter")
            sent = account.message_ids.filtered(lambda message: message.attachment_ids)
            self.assertRecordValues(sent, [{"message_type": "comment"}])
            self.assertEqual(sent.attachment_ids, self.statement(account))
        self.assertEqual(
            sorted((printed | emailed).interaction_ids.mapped("channel")),
            ["email", "email", "letter", "letter"],
        )

    def sending(self, count):
        """Send ``count`` printed statements: the queries of their notes (counted
        around every call of the note writer), and the INSERTs into the tables of
        notes and their links of the whole sending."""
        accounts = self.due_accounts(count)
        self.env.flush_all()
        self.env.invalidate_all()
        Account = type(self.env["patient.account"])
        original = Account._statement_log_mailed
        counted = []

        def counting(records, *args, **kwargs):
            start = records.env.cr.sql_log_count
            result = original(records, *args, **kwargs)
            counted.append(records.env.cr.sql_log_count - start)
            return result

        inserts = []
        execute = type(self.env.cr).execute

        def watching(cr, query, params=None, log_exceptions=None):
            text = query if isinstance(query, str) else getattr(query, "code", query)
            if isinstance(text, bytes):
                text = text.decode()
            found = re.match(r'\s*INSERT INTO "?(mail_message|message_attachment_rel)"?', text)
            if found:
                inserts.append(found.group(1))
            return execute(cr, query, params, log_exceptions)

        with (
            patch.object(Account, "_statement_log_mailed", counting),
            patch.object(type(self.env.cr), "execute", watching),
        ):
            accounts._send_statements()
            self.env.flush_all()
        for account in accounts:
            self.assertEqual(self.notes(account).attachment_ids, self.statement(account))
        return sum(counted), sorted(inserts)

    def test_notes_take_constant_queries(self):
        self.sending(1)  # Odoo's caches warm (the note subtype, the reply-to)
        few, few_inserts = self.sending(2)
        many, many_inserts = self.sending(10)
        self.assertGreater(few, 0)
        self.assertEqual(few, many, "the notes of 10 statements take the queries of 2")
        # one INSERT of the notes' links, and as many of messages (notes, the
        # interactions' chatter lines) for 10 statements as for 2
        self.assertEqual(few_inserts.count("message_attachment_rel"), 1)
        self.assertEqual(many_inserts, few_inserts)
