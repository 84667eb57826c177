"""Documents to a guarantor in the guarantor's language (issue 14): statements,
their e-mail, the financial-assistance letter and the plan agreement follow the
guarantor's language when it is active, else the company's; dates and amounts
are written for that language.  Spanish terms come from the module's i18n/es.po."""

import io
from datetime import date, timedelta

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import PatientCollectionsCommon
from .test_statement_content import page_text

TODAY = date(2026, 5, 4)


@tagged("post_install", "-at_install")
@freeze_time("2026-05-04 15:00:00")
class TestStatementLanguage(PatientCollectionsCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["patient_collections"], ["es_ES"], overwrite=True
        )
        cls.env.company.partner_id.lang = "en_US"
        cls.guarantor.lang = "es_ES"
        cls.other_guarantor.lang = "en_US"
        first = cls.env.ref("patient_collections.stage_first_statement")
        cls.spanish = cls.owing(cls.child, first)
        cls.english = cls.owing(cls.other_guarantor, first)

    @classmethod
    def owing(cls, patient, stage, amount=1234.5):
        invoice = cls.make_invoice(
            patient,
            amount,
            TODAY - timedelta(days=40),
            due_date=TODAY - timedelta(days=40),
            service_date=TODAY - timedelta(days=45),
        )
        account = invoice.patient_account_id
        account._refresh_balances()
        account._import_history(stage=stage.id)
        return account

    @staticmethod
    def pdf_title(pdf):
        return PdfReader(io.BytesIO(pdf)).metadata.title

    def test_one_batch_prints_each_statement_in_its_guarantors_language(self):
        accounts = self.spanish | self.english
        self.assertEqual(
            accounts._statement_lang_codes(), {self.spanish: "es_ES", self.english: "en_US"}
        )
        spanish_pdf, english_pdf = accounts._statement_pdfs()
        spanish, english = page_text(spanish_pdf), page_text(english_pdf)

        self.assertEqual(self.pdf_title(spanish_pdf), "Estado de cuenta del paciente")
        for words in (
            "Fecha del estado de cuenta 04/05/2026",  # dd/mm/yyyy
            "Monto a pagar ahora $ 1.234,50",  # es_ES separators
            "Su saldo $ 1.234,50",
            "Fecha límite de pago 25/05/2026",
            "Antigüedad de saldos",
            "Descripción",
            "Usted debe",
            "Su saldo ya está vencido.",  # the stage's message
            "Dirección de pago",
            "Página 1 de 1",
        ):
            self.assertIn(words, spanish)
        self.assertIn("20/03/2026", spanish)  # the date of service
        for words in (
            "Statement date",
            "Amount due now",
            "Your balance is now past due",
            "1,234.50",
        ):
            self.assertNotIn(words, spanish)

        self.assertEqual(self.pdf_title(english_pdf), "Patient Statement")
        for words in (
            "Statement date 05/04/2026",
            "Amount due now $ 1,234.50",
            "Your balance is now past due",
            "Page 1 of 1",
        ):
            self.assertIn(words, english)
        for words in ("Monto a pagar", "Su saldo", "1.234,50"):
            self.assertNotIn(words, english)

    def test_language_rule_falls_back_to_the_company_then_the_user(self):
        self.assertEqual(self.spanish._statement_lang_code(), "es_ES")
        self.guarantor.lang = False
        self.env.company.partner_id.lang = "es_ES"
        self.assertEqual(self.spanish._statement_lang_code(), "es_ES", "the company's")
        self.assertIn(
            "Monto a pagar ahora $ 1.234,50", page_text(self.spanish._statement_pdfs()[0])
        )
        self.env["res.lang"]._activate_lang("fr_FR")
        self.guarantor.lang = "fr_FR"
        self.assertEqual(self.spanish._statement_lang_code(), "fr_FR")
        # a language not active in the database (deactivated since): not used
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'it_IT' WHERE id = %s", [self.guarantor.id]
        )
        self.guarantor.invalidate_recordset(["lang"])
        self.assertEqual(self.guarantor.lang, "it_IT")
        self.assertEqual(self.spanish._statement_lang_code(), "es_ES")
        self.env.company.partner_id.lang = False
        self.assertEqual(
            self.spanish.with_context(lang="en_US")._statement_lang_code(), "en_US", "the user's"
        )

    def test_hold_note_in_the_guarantors_language(self):
        self.spanish._set_hold("dispute")
        text = page_text(self.spanish._statement_pdfs()[0])
        self.assertIn("Estamos revisando la pregunta que hizo sobre esta factura", text)
        self.assertNotIn("We are reviewing", text)

    def test_statement_email_in_the_guarantors_language(self):
        self.guarantor.email = "testparent.alpha@example.com"
        self.other_guarantor.email = "testperson.gamma@example.com"
        accounts = self.spanish | self.english
        accounts.statement_delivery = "email"
        with self.mock_mail_gateway():
            accounts._send_statements(email=True)

        def sent(account):
            return account.message_ids.filtered(lambda m: m.message_type == "comment")[:1]

        spanish, english = sent(self.spanish), sent(self.english)
        self.assertEqual(spanish.subject, f"Su estado de cuenta de la cuenta {self.spanish.name}")
        self.assertIn("Le enviamos adjunto su estado de cuenta más reciente", spanish.body)
        self.assertIn("Vea su cuenta y pague en línea", spanish.body)
        self.assertEqual(english.subject, f"Your statement for account {self.english.name}")
        self.assertIn("Your latest statement is attached", english.body)
        # the attached statement of the batch, in Spanish too
        self.assertIn("Monto a pagar ahora $ 1.234,50", page_text(spanish.attachment_ids.raw))
        self.assertIn("Amount due now $ 1,234.50", page_text(english.attachment_ids.raw))

    def test_assistance_letter_in_the_guarantors_language(self):
        application = self.env["patient.financial.assistance"].create(
            {"account_id": self.spanish.id, "household_size": 1, "annual_income": 900000.0}
        )
        application.action_deny("Ingresos por encima de la política")
        letter = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "patient.account"),
                ("res_id", "=", self.spanish.id),
                ("name", "=", f"Asistencia financiera {application.name}.pdf"),
            ]
        )
        self.assertEqual(len(letter), 1)
        text = page_text(letter.raw)
        for words in (
            "Su solicitud de asistencia financiera",
            f"Cuenta: {self.spanish.name}",
            "Fecha: 04/05/2026",
            f"Su solicitud de asistencia financiera {application.name} no fue aprobada",
        ):
            self.assertIn(words, text)
        self.assertNotIn("2026-05-04", text)
        note = self.spanish.interaction_ids.filtered(lambda i: i.channel == "letter").note
        self.assertIn("no fue aprobada", note)

    def test_plan_agreement_in_the_guarantors_language(self):
        first_due = TODAY + timedelta(days=10)
        plans = self.confirm_plan(self.spanish, first_due) | self.confirm_plan(
            self.english, first_due
        )
        spanish, english = (page_text(pdf) for pdf in plans._agreement_pdfs())
        for words in ("Acuerdo de plan de pagos", "Cuota 1", "Mensual", "Firma del garante"):
            self.assertIn(words, spanish)
        self.assertIn("1.234,50", spanish)
        # dates in each language's own format, never ISO
        self.assertIn(first_due.strftime("%d/%m/%Y"), spanish)
        self.assertIn(first_due.strftime("%m/%d/%Y"), english)
        self.assertNotIn(first_due.isoformat(), spanish + english)
        for words in ("Payment Plan Agreement", "Installment 1", "Monthly"):
            self.assertIn(words, english)
            self.assertNotIn(words, spanish)

    def test_languages_mixed_in_a_batch_cost_no_query_per_account(self):
        stage = self.env.ref("patient_collections.stage_first_statement")
        partners = self.env["res.partner"].create(
            [
                {"name": f"Testguarantor Lang{lang}", "is_patient": True, "lang": lang}
                for lang in ("es_ES", "en_US")
            ]
        )
        more = self.spanish | self.english
        for partner in partners:
            more |= self.owing(partner, stage, amount=300.0)

        def queries(accounts):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            values = accounts._statement_values()
            self.assertEqual([v["lang"] for v in values], ["es_ES", "en_US"] * (len(accounts) // 2))
            return self.env.cr.sql_log_count - before

        queries(more)  # warm-up: the registry's and ormcaches
        few = self.spanish | self.english
        many = self.env["patient.account"].browse(more.ids)
        self.assertEqual(queries(many), queries(few))

    def test_portal_receipt_in_the_guarantors_language(self):
        self.guarantor.email = "testparent.alpha@example.com"
        # no transaction: the amounts paid online are the portal tests' concern
        self.spanish._portal_payment_received(self.env["payment.transaction"])
        receipt = self.spanish.message_ids.filtered(lambda m: m.subject == "Pago recibido")
        self.assertEqual(len(receipt), 1)
        self.assertIn("Recibimos su pago de $&nbsp;0,00", receipt.body)
        self.assertIn("Ahora su saldo pendiente es de $&nbsp;1.234,50", receipt.body)
