import base64

from odoo import api, fields, models
from odoo.tools import SQL

from ..logic import aging, holds, statement_lines
from .client_actions import sticky_warning


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
        """Plain values for the statement of each account, in the order of ``self``,
        each in its guarantor's language (``_statement_lang_code``): one query per
        kind, and what a language shares (labels, stage messages) made once per
        language.  Without ``today``, each statement is dated by its company's
        calendar, never the reader's (a guarantor on the portal, a user abroad)."""
        accounts = self.sudo()
        lines, items = accounts._statement_open_items()
        common = {
            "today": today,
            "todays": {} if today else accounts.company_id._patient_todays(),
            "descriptions": self._statement_descriptions(lines.move_id),
            "credits": self._statement_credits(lines.move_id),
            "portal_urls": accounts._portal_urls(),
            "formatters": {},
            "date_formatters": {},
        }
        values = {}
        for code, group in accounts._statement_lang_groups():
            shared = {**common, **group._statement_lang_shared(code), **group._statement_texts()}
            for account in group:
                values[account.id] = account._statement_account_values(
                    items.get(account.id, []), shared
                )
        return [values[account.id] for account in accounts]

    @api.model
    def _statement_lang_shared(self, code):
        """What every statement in the language ``code`` (the context's) shares."""
        return {
            "lang": code,
            "labels": self._statement_labels(),
            "bucket_labels": dict(
                self.env["patient.account.line"]
                ._fields["aging_bucket"]
                ._description_selection(self.env)
            ),
        }

    def _statement_texts(self):
        """The practice's texts these accounts' statements print, in the context's
        language (the practice's own, or the shipped ones translated): the stage
        messages and the company's "How to pay" and assistance notice, each read
        once for the whole batch."""
        companies = self.company_id
        return {
            "stage_messages": self.stage_id._reader_texts("statement_message"),
            "company_texts": {
                name: companies._collections_statement_texts(name)
                for name in ("collections_payment_instructions", "collections_assistance_notice")
            },
        }

    def _statement_open_items(self):
        """The open items of these accounts, and them by account: ``(lines,
        {account id: [open items]})``, each account's in the order they print."""
        lines = (
            self.env["patient.account.line"]
            .sudo()
            .search([("account_id", "in", self.ids)], order="account_id, date_due, id")
        )
        by_account = {}
        for line in lines:
            by_account.setdefault(line.account_id.id, []).append(line)
        return lines, by_account

    @api.model
    def _statement_credits(self, moves):
        """{move id: what was taken off it other than by money}, in company currency:
        of an invoice, what credit notes, discounts and write-offs took off it; of a
        credit note, what of it went to invoices.  Its receivable's reconciliations
        with entries that are neither a payment nor a bank receipt (money), an
        exchange difference counted with what it corrects (a payment's rate is
        money).  A statement shows them as an adjustment, not as paid."""
        items = moves.filtered(lambda move: move.move_type in ("out_invoice", "out_refund"))
        if not items:
            return {}
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "account_id"])
        self.env["account.move"].flush_model(["origin_payment_id", "statement_line_id"])
        self.env.cr.execute(
            SQL(
                """
                WITH own AS (
                    SELECT line.id, line.move_id
                      FROM account_move_line line
                      JOIN account_account receivable ON receivable.id = line.account_id
                     WHERE line.move_id = ANY(%s)
                       AND receivable.account_type = 'asset_receivable'
                ), matched AS (
                    SELECT own.id AS own_id, own.move_id, partial.amount,
                           partial.credit_move_id AS other_id
                      FROM own JOIN account_partial_reconcile partial
                        ON partial.debit_move_id = own.id
                     UNION ALL
                    SELECT own.id, own.move_id, partial.amount, partial.debit_move_id
                      FROM own JOIN account_partial_reconcile partial
                        ON partial.credit_move_id = own.id
                )
                SELECT matched.move_id, SUM(matched.amount)
                  FROM matched
                  JOIN account_move_line other ON other.id = matched.other_id
                  -- an exchange difference goes with the reconciliation it corrects:
                  -- the rate of a payment is money, that of a credit note is not
                  LEFT JOIN LATERAL (
                      SELECT CASE WHEN origin.debit_move_id = matched.own_id
                                  THEN origin.credit_move_id
                                  ELSE origin.debit_move_id END AS line_id
                        FROM account_partial_reconcile origin
                       WHERE origin.exchange_move_id = other.move_id
                       LIMIT 1
                  ) corrected ON TRUE
                  JOIN account_move_line source_line
                    ON source_line.id = COALESCE(corrected.line_id, other.id)
                  JOIN account_move source ON source.id = source_line.move_id
                 WHERE source.origin_payment_id IS NULL
                   AND source.statement_line_id IS NULL
              GROUP BY matched.move_id
                """,
                items.ids,
            )
        )
        return dict(self.env.cr.fetchall())

    @api.model
    def _statement_descriptions(self, moves):
        """{move id: its product lines' labels, each once}, what a statement line
        describes (a payment's or a journal entry's lines share their label)."""
        return {
            move.id: ", ".join(dict.fromkeys(name for name in names if name))
            for move, names in self.env["account.move.line"]
            .sudo()
            ._read_group(
                [("move_id", "in", moves.ids), ("display_type", "=", "product")],
                ["move_id"],
                ["name:array_agg"],
            )
        }

    def _statement_formatter(self, shared):
        """The account's money formatter, made once per currency and language."""
        key = (self.currency_id, shared["lang"])
        formatters = shared["formatters"]
        if key not in formatters:
            formatters[key] = self._money_formatter(self.currency_id, key[1])
        return formatters[key]

    def _statement_date_format(self, shared):
        """The account's date formatter, made once per language."""
        code = shared["lang"]
        formatters = shared["date_formatters"]
        if code not in formatters:
            formatters[code] = self._date_formatter(code)
        return formatters[code]

    @api.model
    def _statement_line_amounts(self, line, credits):
        """The statement arithmetic of one open item (``logic.statement_lines``);
        ``credits``: :meth:`_statement_credits`."""
        move = line.move_id
        return statement_lines.line_amounts(
            line.move_type,
            line.amount_total,
            line.amount_residual,
            amount_charges=line.amount_charges,
            amount_insurance_paid=line.amount_insurance_paid,
            amount_adjustment=line.amount_adjustment,
            rate=statement_lines.conversion_rate(move.amount_total_signed, move.amount_total),
            pending=line.insurance_status == "pending",
            credited=credits.get(move.id, 0.0),
        )

    @api.model
    def _statement_row(self, line, amounts, description, fmt, date_format):
        """The printed texts of one open item (its description whole)."""

        def money(amount):
            return "" if amount is None else fmt(amount)

        return {
            "service_date": date_format(line.service_date or line.invoice_date),
            "patient": line.patient_id.name or "",
            "description": description or line.move_name or "",
            "charges": money(amounts.charges),
            "insurance_paid": money(amounts.insurance_paid),
            "adjustment": money(amounts.adjustment),
            "responsibility": money(amounts.responsibility),
            "payments": fmt(amounts.payments),
            "balance": fmt(amounts.balance),
            "pending": amounts.pending,
        }

    @api.model
    def _statement_practice(self, company):
        """The letterhead and the slip: who the statement is from, where to send
        the payment, whom to call and when."""
        return {
            "name": company.name,
            "address": company.partner_id._display_address(without_company=True),
            "phone": company.phone or "",
            **company._statement_contact(),
            "logo": base64.b64decode(company.logo) if company.logo else None,
            "logo_key": company.id,
        }

    def _statement_installments(self):
        """``(due date, amount still due)`` of the unpaid installments of the
        account's active plan, in the plan's order (None without a plan): read
        once for the amount due and the plan line."""
        plan = self.active_plan_id
        if not plan:
            return None
        return [
            (installment.due_date, installment.amount_due)
            for installment in plan.installment_ids
            if installment.state != "paid"
        ]

    def _statement_amount_due(self, totals, today, installments):
        """What the statement asks for (``logic.statement_lines.amount_due_now``):
        the installments due on an active plan (``installments``:
        :meth:`_statement_installments`), else the balance."""
        return statement_lines.amount_due_now(
            totals.due, installments, today, self.currency_id.decimal_places
        )

    def _statement_plan_line(self, due, installments, fmt, date_format):
        """The sentences about the account's payment plan ("" without one): what
        to pay by when, what is left on the plan after it (``installments``:
        :meth:`_statement_installments`), and what of the balance is not on the
        plan (a charge billed after it was agreed)."""
        plan = self.active_plan_id
        if not (plan and due.due_date and due.amount > 0):
            return ""
        currency = self.currency_id
        on_plan = currency.round(sum(amount for _due_date, amount in installments))
        rest = currency.round(min(on_plan, due.balance) - due.amount)
        other = currency.round(due.balance - max(on_plan, due.amount))
        sentences = [
            self.env._(
                "Payment plan %(plan)s: pay %(amount)s by %(date)s.",
                plan=plan.name,
                amount=fmt(due.amount),
                date=date_format(due.due_date),
            )
        ]
        if currency.compare_amounts(rest, 0.0) > 0:
            sentences.append(
                self.env._("The rest of the plan (%(rest)s) follows its schedule.", rest=fmt(rest))
            )
        if currency.compare_amounts(other, 0.0) > 0:
            sentences.append(
                self.env._(
                    "%(other)s of your balance is not part of the plan: please call us about it.",
                    other=fmt(other),
                )
            )
        return " ".join(sentences)

    def _statement_account_values(self, lines, shared):
        """The values of this account's statement, from its open items ``lines``
        and what every statement of the batch shares."""
        self.ensure_one()
        company = self.company_id
        today = shared["today"] or shared["todays"][company.id]
        fmt = self._statement_formatter(shared)
        date_format = self._statement_date_format(shared)
        amounts = [self._statement_line_amounts(line, shared["credits"]) for line in lines]
        totals = statement_lines.statement_totals(amounts, self.currency_id.decimal_places)
        installments = self._statement_installments()
        due = self._statement_amount_due(totals, today, installments)
        bucket_labels = shared["bucket_labels"]
        descriptions = shared["descriptions"]
        # nothing to pay (a credit, or a zero balance): no pay-by date, the credit said plainly
        nothing_due = self.currency_id.compare_amounts(due.amount, 0.0) <= 0
        # under review or a stay (``logic.holds.demands_payment``): the balance for
        # information, no amount due now, pay-by date nor plan installment asked for
        demanded = holds.demands_payment(self.hold_reason)
        credit = -totals.due if self.currency_id.compare_amounts(totals.due, 0.0) < 0 else 0.0
        return {
            "account": self.name,
            "date": date_format(today),
            "practice": self._statement_practice(company),
            "guarantor": self.partner_id.name,
            "guarantor_address": self.partner_id._display_address(without_company=True),
            "rows": [
                self._statement_row(
                    line, line_amounts, descriptions.get(line.move_id.id), fmt, date_format
                )
                for line, line_amounts in zip(lines, amounts, strict=True)
            ],
            "balance": fmt(totals.balance),
            "pending_total": fmt(-totals.pending) if totals.pending else "",
            "balance_due": fmt(totals.due),
            "amount_due": fmt(due.amount) if demanded else "",
            "due_date": ""
            if nothing_due or not demanded
            else date_format(due.due_date or today + self._statement_terms()),
            "credit": fmt(credit) if credit else "",
            "credit_line": self.env._(
                "You have a credit of %(amount)s: nothing to pay.", amount=fmt(credit)
            )
            if credit
            else "",
            "aging": [(bucket_labels[key], fmt(self["aging_" + key])) for key in aging.BUCKET_KEYS],
            "plan_line": self._statement_plan_line(due, installments, fmt, date_format)
            if demanded
            else "",
            # a stage's dunning words to a guarantor in credit would be wrong
            "stage_message": "" if credit else self._statement_message(shared["stage_messages"]),
            "how_to_pay": shared["company_texts"]["collections_payment_instructions"][company.id],
            "assistance": shared["company_texts"]["collections_assistance_notice"][company.id],
            "portal_url": shared["portal_urls"].get(self.id, ""),
            "labels": shared["labels"],
            "lang": shared["lang"],
        }

    def _statement_pdfs(self):
        from ..logic import pdf_statement  # noqa: PLC0415 - reportlab loads on demand

        return pdf_statement.render(self._statement_values())

    def _statement_pdf_merged(self):
        from ..logic import pdf_statement  # noqa: PLC0415

        return pdf_statement.render(self._statement_values(), merged=True)

    def action_print_statement(self):
        """Print the statements; where a final notice is withheld (a dispute or a
        financial-assistance hold), say why before the statement comes."""
        action = self.env.ref("patient_collections.action_report_patient_statement").report_action(
            self
        )
        withheld = self._statement_final_notice_withheld()
        if not withheld:
            return action
        return sticky_warning(
            "\n".join(withheld.values()), action, title=self.env._("No final notice")
        )
