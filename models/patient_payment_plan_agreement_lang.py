from odoo import models


class PatientPaymentPlan(models.Model):
    """The plan agreement in the guarantor's language
    (``patient.account._statement_lang_code``): its words, frequency and amounts."""

    _inherit = "patient.payment.plan"

    def _agreement_pdfs(self):
        """The agreements rendered language by language, in the order of ``self``."""
        # one account per plan, in the same order (an account may repeat)
        accounts = self.env["patient.account"].browse([plan.account_id.id for plan in self.sudo()])
        pdfs = {}
        for _code, plans in accounts._statement_lang_groups(self):
            pdfs.update(
                zip(plans.ids, super(PatientPaymentPlan, plans)._agreement_pdfs(), strict=True)
            )
        return [pdfs[plan.id] for plan in self]
