"""Dates in staff texts were ISO whatever the reader's language (stmt18): "On hold:
Promise to pay, until 2026-12-12.", "a partir del 2026-12-30", "permitido a partir
de 2026-12-02 08:00", "Collections run of 2026-12-02".  Each is written in the
reader's date format now (en_US 12/30/2026, es_419 30/12/2026); the run's stored
name keeps its ISO date as a key and shows formatted."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..logic import contact_rules
from ..models.patient_collection_run_escalation import WAITING
from .common import PatientCollectionsCommon

DAY = date(2026, 12, 30)
LANGS = {"en_US": "12/30/2026", "es_419": "30/12/2026"}


@tagged("post_install", "-at_install")
@freeze_time("2026-12-02 15:00:00")
class TestDates18(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_419")
        cls.env["ir.module.module"]._load_module_terms(
            ["patient_collections"], ["es_419"], overwrite=True
        )
        today = fields.Date.today()
        cls.make_invoice(cls.child, 100.0, cls.days_ago(today, 40), cls.days_ago(today, 10))
        cls.account = cls.Account.search([("partner_id", "=", cls.guarantor.id)])

    def test_the_hold_note_in_the_writers_language(self):
        expected = {
            "en_US": "On hold: Promise to pay, until 12/30/2026.",
            "es_419": "En suspensión: Promesa de pago, hasta el 30/12/2026.",
        }
        for lang, text in expected.items():
            with self.subTest(lang=lang):
                self.account.with_context(lang=lang)._set_hold("promise_to_pay", until=DAY)
                body = self.account.message_ids[0].body
                self.assertIn(text, body)
                self.assertNotIn("2026-12-30", body)
                self.account.sudo()._release_hold()

    def test_a_run_line_waiting_for_a_date(self):
        expected = {"en_US": "from 12/30/2026", "es_419": "a partir del 30/12/2026"}
        for lang, text in expected.items():
            with self.subTest(lang=lang):
                Line = self.env["patient.collection.run.line"].with_context(lang=lang)
                line = Line.new({"kind": WAITING, "wait_date": DAY})
                self.assertIn(text, line.display_name)

    def test_the_contact_rule_refusal_in_the_users_language(self):
        # 14:00 UTC: 08:00 in Chicago, the zone the refusal names
        violation = contact_rules.Violation(
            contact_rules.RULE_CALL_HOURS, datetime(2026, 12, 2, 14, 0)
        )
        expected = {
            "en_US": "allowed from 12/02/2026 08:00 (America/Chicago)",
            "es_419": "permitido a partir de 02/12/2026 08:00 (America/Chicago)",
        }
        for lang, text in expected.items():
            with self.subTest(lang=lang):
                message = (
                    self.env["patient.interaction"]
                    .with_context(lang=lang)
                    ._violation_message(self.account, [violation], "America/Chicago")
                )
                self.assertIn(text, message)

    def test_a_run_keeps_its_iso_name_and_shows_the_readers_date(self):
        Run = self.env["patient.collection.run"]
        run = Run.new({"name": "Collections run of 2026-12-30", "date": DAY})
        expected = {
            "en_US": "Collections run of 12/30/2026",
            "es_419": "Ejecución de cobranza del 30/12/2026",
        }
        for lang, text in expected.items():
            with self.subTest(lang=lang):
                self.assertEqual(run.with_context(lang=lang).display_name, text)
        self.assertEqual(run.name, "Collections run of 2026-12-30")
