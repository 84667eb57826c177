"""A collections user working in Spanish: the refusals name the record type in
Spanish too (they said "Patient Account: Motivo de la suspensión no se pueden
establecer..." and "No tiene permiso para exportar Patient Account")."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_writeoffs import SPECIALIST, WriteoffCommon


@tagged("post_install", "-at_install")
class TestDesk12Spanish(WriteoffCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("es_ES")
        cls.env["ir.module.module"]._load_module_terms(
            ["patient_collections"], ["es_ES"], overwrite=True
        )
        cls.spanish = cls.company_user("pc_d12_es", SPECIALIST, lang="es_ES")

    def test_refusals_name_the_record_in_spanish(self):
        account, _invoice = self.account_owing(120.0, days=40)
        account.user_id = self.spanish
        mine = account.with_user(self.spanish).with_context(lang="es_ES")
        with self.assertRaises(AccessError) as protected:
            mine.write({"hold_reason": "dispute"})
        self.assertTrue(str(protected.exception).startswith("Cuenta del paciente: "))
        with self.assertRaises(AccessError) as export:
            mine.export_data(["name"])
        self.assertIn("exportar Cuenta del paciente", str(export.exception))
        self.assertNotIn("Patient Account", str(export.exception))
