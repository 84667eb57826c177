"""A Spanish guarantor's statement printed the company's shipped "How to pay"
and "Financial assistance" texts in English: translatable fields whose English
default is stored as en_US only (statement12).  Read on the PDF's text."""

from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools.translate import code_translations

from .test_portal import PortalCase
from .test_statement_content import page_text

HOW_TO_PAY_ES = "Pague en línea en el portal del paciente, por teléfono con tarjeta o con cheque."
ASSISTANCE_ES = "Si no puede pagar esta factura completa, puede pedir ayuda financiera."


@tagged("post_install", "-at_install")
class TestStatement12CompanyTexts(PortalCase):
    """How to pay and the financial-assistance notice in the guarantor's language
    when the practice kept the shipped texts; the practice's own texts as it wrote
    them.  The Spanish terms are stood in for (i18n/es.po is the lead's)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env.company.partner_id.lang = "en_US"
        cls.guarantor.lang = "es_ES"
        cls.english_text = cls.env.company.collections_payment_instructions

    def setUp(self):
        super().setUp()
        key = ("patient_collections", "es_ES")
        terms = dict(code_translations.get_python_translations(*key))
        terms[self.english_text] = HOW_TO_PAY_ES
        terms[self.env.company.collections_assistance_notice] = ASSISTANCE_ES
        self.startPatcher(patch.dict(code_translations.python_translations, {key: terms}))

    def statement(self, account=None):
        return page_text((account or self.account)._statement_pdfs()[0])

    def test_shipped_texts_print_in_the_guarantors_language(self):
        self.assertTrue(self.english_text.startswith("Pay online through the patient portal"))
        text = self.statement()
        self.assertIn(HOW_TO_PAY_ES, text)
        self.assertIn(ASSISTANCE_ES, text)
        self.assertNotIn("Pay online through the patient portal", text)
        # an English guarantor reads them in English
        english = self.statement(self.other_account)
        self.assertIn("Pay online through the patient portal", english)
        self.assertNotIn(HOW_TO_PAY_ES, english)

    def test_a_new_company_gets_them_too(self):
        company = self.env["res.company"].create({"name": "Testclinic Delta"})
        self.assertEqual(
            company.with_context(lang="es_ES")._collections_statement_text(
                "collections_assistance_notice"
            ),
            ASSISTANCE_ES,
        )

    def test_the_practices_own_text_in_the_languages_it_wrote(self):
        company = self.env.company
        company.collections_payment_instructions = "Testclinic: pay at the front desk."
        text = self.statement()
        self.assertIn("Testclinic: pay at the front desk.", text)  # no Spanish version: its own
        self.assertIn(ASSISTANCE_ES, text)  # the other text kept: the shipped one translated
        company.with_context(
            lang="es_ES"
        ).collections_payment_instructions = "Testclinic: pague en recepción."
        self.assertIn("Testclinic: pague en recepción.", self.statement())
        english = self.statement(self.other_account)
        self.assertIn("Testclinic: pay at the front desk.", english)
