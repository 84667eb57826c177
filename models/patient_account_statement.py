import base64
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.misc import get_lang

from ..logic import aging
from .patient_protected import trusted


def _shorten(text, limit=90):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class PatientAccount(models.Model):
    """Patient statements: values, reportlab rendering and sending."""

    _inherit = "patient.account"
    _reportlab_reports = {"patient_collections.report_patient_statement": "_statement_pdfs"}

    last_statement_date = fields.Date(readonly=True, copy=False, index=True)
    statement_delivery = fields.Selection(
        [("mail", "Postal mail"), ("email", "Email")],
        default="mail",
        required=True,
        help="How the guarantor chose to receive statements.",
    )

    def _protected_names(self):
        # the statement dates are the statement code's own
        return super()._protected_names() | {"last_statement_date"}

    # ------------------------------------------------------------------ values

    def _statement_values(self, today=None):
        """Plain values for the statement of each account (one query per kind)."""
        today = today or fields.Date.context_today(self)
        accounts = self.sudo()
        lines = (
            self.env["patient.account.line"]
            .sudo()
            .search([("account_id", "in", accounts.ids)], order="account_id, date_due, id")
        )
        moves = lines.move_id
        descriptions = {
            move.id: ", ".join(names)
            for move, names in self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("move_id", "in", moves.ids), ("display_type", "=", "product")],
                ["move_id"],
                ["name:array_agg"],
            )
        }
        by_account = {}
        for line in lines:
            by_account.setdefault(line.account_id.id, []).append(line)
        labels = self._statement_labels()
        portal_urls = accounts._portal_urls()
        formatters = {}
        bucket_labels = dict(
            self.env["patient.account.line"]
            ._fields["aging_bucket"]
            ._description_selection(self.env)
        )
        values = []
        for account in accounts:
            company = account.company_id
            currency = account.currency_id
            if currency not in formatters:
                formatters[currency] = self._money_formatter(currency)
            fmt = formatters[currency]
            rows = []
            for line in by_account.get(account.id, []):
                move = line.move_id
                rate = (
                    abs(move.amount_total_signed / move.amount_total) if move.amount_total else 1.0
                )
                total = line.amount_total * rate if line.move_type != "entry" else 0.0
                sign = -1 if line.move_type == "out_refund" else 1
                rows.append(
                    {
                        "service_date": fields.Date.to_string(
                            line.service_date or line.invoice_date
                        ),
                        "patient": line.patient_id.name or "",
                        "description": _shorten(descriptions.get(move.id) or line.move_name),
                        "charges": fmt(line.amount_charges * rate) if line.amount_charges else "",
                        "insurance_paid": fmt(line.amount_insurance_paid * rate)
                        if line.amount_charges
                        else "",
                        "adjustment": fmt(line.amount_adjustment * rate)
                        if line.amount_charges
                        else "",
                        "responsibility": fmt(sign * total) if total else "",
                        "payments": fmt(sign * total - line.amount_residual)
                        if total
                        else fmt(-line.amount_residual),
                        "balance": fmt(line.amount_residual),
                    }
                )
            plan = account.active_plan_id
            plan_line = ""
            if plan and plan.next_due_date:
                plan_line = self.env._(
                    "Payment plan %(plan)s: next installment %(amount)s due %(date)s.",
                    plan=plan.name,
                    amount=fmt(plan.next_due_amount),
                    date=fields.Date.to_string(plan.next_due_date),
                )
            due_date = plan.next_due_date if plan else today + self._statement_terms()
            values.append(
                {
                    "account": account.name,
                    "date": fields.Date.to_string(today),
                    "practice": {
                        "name": company.name,
                        "address": company.partner_id._display_address(without_company=True),
                        "phone": company.phone or "",
                        "logo": base64.b64decode(company.logo) if company.logo else None,
                        "logo_key": company.id,
                    },
                    "guarantor": account.partner_id.name,
                    "guarantor_address": account.partner_id._display_address(without_company=True),
                    "rows": rows,
                    "balance": fmt(
                        sum(line.amount_residual for line in by_account.get(account.id, []))
                    ),
                    "amount_due": fmt(account.balance_due),
                    "due_date": fields.Date.to_string(due_date),
                    "aging": [
                        (bucket_labels[key], fmt(account["aging_" + key]))
                        for key in aging.BUCKET_KEYS
                    ],
                    "plan_line": plan_line,
                    "stage_message": account.stage_id.statement_message or "",
                    "how_to_pay": company.collections_payment_instructions or "",
                    "assistance": company.collections_assistance_notice or "",
                    "portal_url": portal_urls.get(account.id, ""),
                    "labels": labels,
                }
            )
        return values

    @api.model
    def _money_formatter(self, currency):
        """``currency.format`` for many amounts: the language and symbol are looked up
        once (the same text as Odoo's ``format_amount``, which looks them up each
        time: 84,000 amounts on 2,000 statements)."""
        lang = self.env["res.lang"].browse(get_lang(self.env).id)
        pattern = f"%.{currency.decimal_places}f"
        symbol = currency.symbol or ""
        before = currency.position == "before"

        def format_money(amount):
            text = (
                lang.format(pattern, currency.round(amount), grouping=True)
                .replace(" ", "\N{NO-BREAK SPACE}")
                .replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
            )
            if before:
                return f"{symbol}\N{NO-BREAK SPACE}{text}"
            return f"{text}\N{NO-BREAK SPACE}{symbol}"

        return format_money

    @api.model
    def _statement_terms(self):
        """How long the guarantor has to pay a statement."""
        return timedelta(days=21)

    @api.model
    def _statement_labels(self):
        return {
            "title": self.env._("Patient Statement"),
            "page": self.env._("Page {page} of {pages}"),
            "statement_date": self.env._("Statement date"),
            "account": self.env._("Account"),
            "amount_due": self.env._("Amount due"),
            "due_date": self.env._("Please pay by"),
            "total": self.env._("Total"),
            "aging": self.env._("Aging"),
            "how_to_pay": self.env._("How to pay"),
            "assistance": self.env._("Financial assistance"),
            "remit_to": self.env._("Remit to"),
            "guarantor": self.env._("Guarantor"),
            "amount_enclosed": self.env._("Amount enclosed"),
            "detach": self.env._("detach and return with your payment"),
            "pay_online": self.env._("Pay online"),
            "service_date": self.env._("Service"),
            "patient": self.env._("Patient"),
            "description": self.env._("Description"),
            "charges": self.env._("Charges"),
            "insurance_paid": self.env._("Ins. paid"),
            "adjustment": self.env._("Adjust."),
            "responsibility": self.env._("You owe"),
            "payments": self.env._("Paid"),
            "balance": self.env._("Balance"),
        }

    def _statement_pdfs(self):
        from ..logic import pdf_statement  # noqa: PLC0415 - reportlab loads on demand

        return pdf_statement.render(self._statement_values())

    def _statement_pdf_merged(self):
        from ..logic import pdf_statement  # noqa: PLC0415

        return pdf_statement.render(self._statement_values(), merged=True)

    def action_print_statement(self):
        return self.env.ref("patient_collections.action_report_patient_statement").report_action(
            self
        )

    # ------------------------------------------------------------------ sending

    def _statement_eligible_domain(self, today):
        return [
            ("cease_communication", "=", False),
            ("balance_due", ">", 0),
            "|",
            ("last_statement_date", "=", False),
            ("last_statement_date", "<", today),
        ]

    def _send_statements(self, email=False):
        """Produce today's statements of these accounts: one merged PDF (returned as an
        attachment, for the mail house), each account's own PDF in its chatter, a
        letter (or email) interaction, and the statement dates.  Accounts that got
        today's statement already, or asked to cease communication, are skipped."""
        today = fields.Date.context_today(self)
        accounts = self.sudo().filtered_domain(self._statement_eligible_domain(today))
        if not accounts:
            return self.env["ir.attachment"]
        from ..logic import pdf_statement  # noqa: PLC0415 - reportlab loads on demand

        merged, pdfs = pdf_statement.render_batch(accounts._statement_values(today))
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.create(
            [
                {
                    "name": self.env._(
                        "Statement %(account)s %(date)s.pdf", account=account.name, date=today
                    ),
                    "raw": pdf,
                    "res_model": "patient.account",
                    "res_id": account.id,
                    "mimetype": "application/pdf",
                }
                for account, pdf in zip(accounts, pdfs, strict=True)
            ]
        )
        emailed = accounts.filtered(
            lambda account: (
                email and account.statement_delivery == "email" and account.partner_id.email
            )
        )
        interactions = []
        for account, attachment in zip(accounts, attachments, strict=True):
            if account in emailed:
                trusted(
                    account, patient_interaction_logged=True, patient_addressees_only=True
                ).message_post(
                    subject=self.env._(
                        "Your statement for account %(account)s", account=account.name
                    ),
                    body=Markup("<p>%s</p>")
                    % self.env._("Your latest statement is attached. Thank you."),
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=account.partner_id.ids,
                    attachment_ids=attachment.ids,
                )
            else:
                account._message_log(
                    body=Markup("<p>%s</p>") % self.env._("Statement sent by mail."),
                    attachment_ids=attachment.ids,
                )
            interactions.append(
                {
                    "account_id": account.id,
                    "channel": "email" if account in emailed else "letter",
                    "outcome": "other",
                    "note": self.env._("Statement of %(date)s.", date=today),
                }
            )
        Log = self.env["patient.access.log"]
        Log._log("email", emailed, detail="patient_collections.report_patient_statement")
        Log._log("print", accounts - emailed, detail="patient_collections.report_patient_statement")
        trusted(
            self.env["patient.interaction"].sudo(),
            patient_interaction_logged=True,
            patient_statement_logging=True,
        ).create(interactions)
        trusted(accounts).write({"last_statement_date": today})
        trusted(accounts.filtered(lambda account: not account.first_statement_date)).write(
            {"first_statement_date": today}
        )
        return Attachment.create(
            {
                "name": self.env._(
                    "Statements %(date)s (%(count)s).pdf", date=today, count=len(accounts)
                ),
                "raw": merged,
                "mimetype": "application/pdf",
            }
        )
