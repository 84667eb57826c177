"""The decision letter of a financial-assistance application: its text, a PDF
in the statement's look attached to the account, the chatter lines, and a
letter interaction to the guarantor (unless they asked us to cease contact)."""

from markupsafe import Markup

from odoo import models

from .patient_protected import trusted


class PatientFinancialAssistance(models.Model):
    _inherit = "patient.financial.assistance"

    def _decision_text(self):
        """The decision as the guarantor reads it, in the context's language."""
        self.ensure_one()
        fmt = self.env["patient.account"]._money_formatter(self.currency_id, self.env.lang)
        if self.state == "approved":
            text = self.env._(
                "Your application %(name)s for financial assistance was approved: a discount "
                "of %(percent)s %% (%(amount)s) was applied to your bills.",
                name=self.name,
                percent=format(self.applied_discount_percent, "g"),
                amount=fmt(self.discount_amount),
            )
            if self.refund_due > 0:
                text += " " + self.env._(
                    "You paid %(amount)s more than you owe: it will be refunded to you.",
                    amount=fmt(self.refund_due),
                )
            return text
        # the reason ends its sentence before the next one starts
        reason = (self.deny_reason or "").strip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        return self.env._(
            "Your application %(name)s for financial assistance was not approved. Reason: "
            "%(reason)s You may apply again if your situation changes, or ask us about a "
            "payment plan.",
            name=self.name,
            reason=reason,
        )

    def _log_decision(self):
        """The decision in the application's and the account's chatter, and as a letter
        to the guarantor (an interaction), unless they asked us to cease contact.  The
        letter, and its text in the chatter, are in the guarantor's language
        (``patient.account._statement_lang_code``)."""
        self.ensure_one()
        account = self.account_id.sudo()
        letter = self.with_context(lang=account._statement_lang_code())
        text = letter._decision_text()
        attachment = letter._decision_letter_attachment(text)
        self.sudo()._message_log(body=Markup("<p>%s</p>") % text)
        account._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Financial assistance %(name)s: %(state)s.",
                name=self.name,
                state=dict(self._fields["state"]._description_selection(self.env))[self.state],
            ),
            attachment_ids=attachment.ids,
        )
        if account.cease_communication:
            return
        trusted(self.env["patient.interaction"].sudo(), patient_interaction_logged=True).create(
            {
                "account_id": account.id,
                "channel": "letter",
                "outcome": "other",
                "note": text[:2000],
            }
        )

    def _decision_letter_attachment(self, text):
        """The decision letter, a PDF in the statement's look, attached to the account,
        in the context's language (its words and its date)."""
        from ..logic import pdf_assistance_letter  # noqa: PLC0415 - reportlab on demand

        account = self.account_id.sudo()
        date_format = account._date_formatter(self.env.lang)
        company = account.company_id
        partner = account.partner_id
        pdf = pdf_assistance_letter.render(
            {
                "company_name": company.name or "",
                "company_address": company.partner_id._display_address(without_company=True),
                "date": date_format(company._patient_today()),
                "account": account.name or "",
                "guarantor_name": partner.name or "",
                "guarantor_address": partner._display_address(without_company=True),
                "title": self.env._("Your financial assistance application"),
                "account_label": self.env._("Account"),
                "date_label": self.env._("Date"),
                "body": text,
                "notice": company._collections_statement_text("collections_assistance_notice"),
            }
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._("Financial assistance %(name)s.pdf", name=self.name),
                    "raw": pdf,
                    "res_model": "patient.account",
                    "res_id": account.id,
                    "mimetype": "application/pdf",
                }
            )
        )
