"""The financial-assistance decision letter, in the guarantor's language, printed
the company's shipped assistance notice in English (stored in English only): it
prints it as the statement does, translated while the practice kept it."""

import base64
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.translate import code_translations

from .test_statement_content import page_text
from .test_writeoffs import WriteoffCommon

ASSISTANCE_ES = "Si no puede pagar esta factura completa, puede pedir ayuda financiera."


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAssistanceLetterLanguage(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")

    def setUp(self):
        super().setUp()
        key = ("patient_collections", "es_ES")
        terms = dict(code_translations.get_python_translations(*key))
        terms[self.env.company.collections_assistance_notice] = ASSISTANCE_ES
        self.startPatcher(patch.dict(code_translations.python_translations, {key: terms}))

    def letter_text(self, account):
        letters = self.env["ir.attachment"].search(
            [("res_model", "=", "patient.account"), ("res_id", "=", account.id)],
            order="id desc",
            limit=1,
        )
        self.assertTrue(letters, "the decision letter is attached to the account")
        return page_text(base64.b64decode(letters.datas))

    def test_the_shipped_notice_in_the_guarantors_language(self):
        account, _invoice = self.account_owing(100.0, days=60)
        account.partner_id.lang = "es_ES"
        application = self.apply(account, household_size=1, annual_income=1000.0)
        application.with_user(self.manager).action_approve()
        text = self.letter_text(account)
        self.assertIn(ASSISTANCE_ES, text)
        self.assertNotIn("If you cannot pay this bill in full", text)
