"""Demo data of financial assistance and write-offs (demo/patient_assistance_demo.xml)."""

import io
import logging

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Command

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
            documents = self.env["ir.attachment"].create(
                [
                    {
                        "name": name,
                        "raw": self._demo_document_pdf(title),
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": 0,
                    }
                    for name, title in (
                        ("Demo pay slip October.pdf", "DEMO pay slip - October (synthetic)"),
                        ("Demo tax return summary.pdf", "DEMO tax return summary (synthetic)"),
                    )
                ]
            )
            self.create(
                {
                    "account_id": pending.id,
                    "household_size": 2,
                    "annual_income": 41000,
                    "note": "Demo: waiting for the last pay slip.",
                    "attachment_ids": [Command.set(documents.ids)],
                }
            ).action_submit()
        written_off = account_of(writeoff_guarantor)
        if written_off and written_off.balance_due > 0:
            amount = min(written_off.balance_due, 20.0)
            self.env["patient.writeoff"]._propose(
                written_off, amount, "administrative", note="Demo: billing error"
            )

    @api.model
    def _demo_document_pdf(self, title):
        """Demo data only: a one-line PDF standing in for a scanned document."""
        from reportlab.lib.pagesizes import letter  # noqa: PLC0415 - demo only
        from reportlab.pdfgen import canvas  # noqa: PLC0415 - demo only

        buffer = io.BytesIO()
        page = canvas.Canvas(buffer, pagesize=letter)
        page.setFont("Helvetica", 14)
        page.drawString(72, 700, title)
        page.setFont("Helvetica", 10)
        page.drawString(72, 680, "Synthetic demo document: no real person's data.")
        page.showPage()
        page.save()
        return buffer.getvalue()

    @api.model
    def _demo_decisions(
        self, draft_guarantor, denied_guarantor, to_approve_guarantor, reversed_guarantor
    ):
        """Demo data (demo/patient_assistance_demo.xml): a draft application, one the
        manager denied, a write-off a specialist proposed above their limit (waiting
        for a manager's approval) and one the manager posted, then reversed."""
        company = self.env.ref("base.main_company")
        manager = self.env.ref("patient_collections.user_manager_demo", raise_if_not_found=False)
        specialist = self.env.ref(
            "patient_collections.user_specialist_demo", raise_if_not_found=False
        )
        Account = self.env["patient.account"]

        def account_of(partner_xmlid):
            partner = self.env.ref(partner_xmlid)
            return Account.search(
                [("partner_id", "=", partner.id), ("company_id", "=", company.id)], limit=1
            )

        draft = account_of(draft_guarantor)
        if draft:
            self.create(
                {
                    "account_id": draft.id,
                    "household_size": 2,
                    "annual_income": 18500,
                    "note": "Demo: form started on the phone; pay slips not received yet.",
                }
            )
        denied = account_of(denied_guarantor)
        if denied and manager:
            application = self.create(
                {
                    "account_id": denied.id,
                    "household_size": 2,
                    "annual_income": 132000,
                    "note": "Demo: tax return received.",
                }
            )
            application.action_submit()
            application.with_user(manager).action_deny(
                "Household income above 400 % of the poverty guideline: not eligible under "
                "the policy. A payment plan was offered instead."
            )
        Writeoff = self.env["patient.writeoff"]
        waiting = account_of(to_approve_guarantor)
        if waiting and specialist and waiting.balance_due > 120:
            # above the specialist's limit: waits, with an activity for a manager
            Writeoff.with_user(specialist)._propose(
                waiting.with_user(specialist),
                120.0,
                "bad_debt",
                note="Demo: no answer for months and the number is wrong; asking to write "
                "off part of it.",
            )
        reversed_account = account_of(reversed_guarantor)
        if reversed_account and manager and reversed_account.balance_due > 15:
            Writeoff.with_user(manager)._propose(
                reversed_account.with_user(manager),
                15.0,
                "administrative",
                note="Demo: late fee charged in error.",
            )
            writeoff = Writeoff.search(
                [("account_id", "=", reversed_account.id), ("state", "=", "posted")],
                order="id desc",
                limit=1,
            )
            writeoff.with_user(manager).action_reverse(
                "Demo: the fee was right after all; the guarantor was told."
            )
