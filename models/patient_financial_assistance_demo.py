"""Demo data of financial assistance and write-offs (demo/patient_assistance_demo.xml)."""

import logging

from odoo import api, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class PatientFinancialAssistance(models.Model):
    _inherit = "patient.financial.assistance"

    @api.model
    def _demo_assistance(self, approved_guarantor, pending_guarantor, writeoff_guarantor):
        """Demo data (demo/patient_assistance_demo.xml): the main company's charity and
        write-off accounts (its first expense account, when none is set), one approved
        application, one pending, and a posted write-off."""
        company = self.env.ref("base.main_company")
        expense = self.env["account.account"].search(
            [
                *self.env["account.account"]._check_company_domain(company),
                ("account_type", "=", "expense"),
            ],
            limit=1,
        )
        if not expense:
            return
        settings = {
            "collections_charity_account_id": expense.id,
            **{
                f"collections_writeoff_account_{reason}_id": expense.id
                for reason in ("small_balance", "bad_debt", "administrative")
            },
        }
        company.write({key: value for key, value in settings.items() if not company[key]})
        Account = self.env["patient.account"]

        def account_of(partner_xmlid):
            partner = self.env.ref(partner_xmlid)
            return Account.search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1
            )

        approved = account_of(approved_guarantor)
        if approved and approved.balance_due > 0:
            application = self.create(
                {
                    "account_id": approved.id,
                    "household_size": 3,
                    "annual_income": 30000,
                    "note": "Demo: pay slips and tax return received.",
                }
            )
            try:
                with self.env.cr.savepoint():
                    application._approve()
            except UserError:
                # the demo invoices may all wait for insurance: the application stays open
                _logger.info("Demo application id %s left open: nothing to approve", application.id)
        pending = account_of(pending_guarantor)
        if pending:
            self.create(
                {
                    "account_id": pending.id,
                    "household_size": 2,
                    "annual_income": 41000,
                    "note": "Demo: waiting for the last pay slip.",
                }
            ).action_submit()
        written_off = account_of(writeoff_guarantor)
        if written_off and written_off.balance_due > 0:
            amount = min(written_off.balance_due, 20.0)
            self.env["patient.writeoff"]._propose(
                written_off, amount, "administrative", note="Demo: billing error"
            )
