from datetime import timedelta

import babel.dates

from odoo import api, models
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from ..logic import holds


class PatientAccount(models.Model):
    """Statements: what they say and how they write amounts and dates."""

    _inherit = "patient.account"

    @api.model
    def _money_formatter(self, currency, lang_code=None):
        """``currency.format`` for many amounts: the language and symbol are looked up
        once (the same text as Odoo's ``format_amount``, which looks them up each
        time: 84,000 amounts on 2,000 statements)."""
        lang = self.env["res.lang"].browse(get_lang(self.env, lang_code).id)
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
    def _date_formatter(self, lang_code=None):
        """Odoo's ``format_date`` for many dates: the language's date format (never
        ISO), its pattern and locale looked up once, each date formatted once (a
        statement run prints the same few hundred dates thousands of times)."""
        lang = get_lang(self.env, lang_code)
        locale = babel_locale_parse(lang.code)
        pattern = posix_to_ldml(lang.date_format, locale=locale)
        done = {}

        def format_date(value):
            if not value:
                return ""
            if value not in done:
                done[value] = babel.dates.format_date(value, format=pattern, locale=locale)
            return done[value]

        return format_date

    def _statement_lang_codes(self):
        """{account: the language of what is written to its guarantor}: the
        guarantor's language when it is active in the database, else the company's,
        else the user's.  The one rule for statements, letters, agreements, e-mails
        and receipts; read for many accounts at once (no query per account)."""
        active = {code for code, _name in self.env["res.lang"].get_installed()}
        fallback = get_lang(self.env).code

        def first_active(*codes):
            return next((code for code in codes if code in active), fallback)

        return {
            account: first_active(account.partner_id.lang, account.company_id.partner_id.lang)
            for account in self.sudo()
        }

    def _statement_lang_code(self):
        """The language of what is written to this account's guarantor
        (``_statement_lang_codes``)."""
        self.ensure_one()
        return self._statement_lang_codes()[self]

    def _statement_lang_groups(self, records=None):
        """``records`` (these accounts when not given; else one record per account
        of ``self``, in the same order) grouped by their account's language:
        ``[(code, the records in that language's context)]``."""
        records = self if records is None else records
        codes = self._statement_lang_codes()
        ids_by_code = {}
        for account, record in zip(self, records, strict=True):
            ids_by_code.setdefault(codes[account], []).append(record.id)
        current = self.env.lang or "en_US"
        groups = []
        for code, ids in ids_by_code.items():
            group = records.browse(ids)
            # the context's own environment, and its caches, when it has the language
            groups.append((code, group if code == current else group.with_context(lang=code)))
        return groups

    @api.model
    def _statement_terms(self):
        """How long the guarantor has to pay a statement."""
        return timedelta(days=21)

    # ------------------------------------------------------------------ holds

    def _statement_informational(self):
        """The accounts whose statement is for information only: on a dispute,
        financial-assistance, bankruptcy or deceased hold."""
        return self.filtered(lambda account: not holds.demands_payment(account.hold_reason))

    def _statement_hold_note(self):
        """What a statement says instead of the stage message during such a hold."""
        self.ensure_one()
        if self.hold_reason == "dispute":
            return self.env._(
                "We are reviewing the question you raised about this bill. This statement is "
                "for your information: no collection action is taken while the review is open."
            )
        if self.hold_reason == "bankruptcy":
            return self.env._(
                "This statement is for your information only: while the bankruptcy "
                "proceedings last, no payment is asked for and no collection action is taken."
            )
        if self.hold_reason == "deceased":
            return self.env._(
                "This statement is for the information of the family or the estate: no "
                "payment is asked for and no collection action is taken. Please call our "
                "billing office with any question."
            )
        return self.env._(
            "We are reviewing your application for financial assistance. This statement is "
            "for your information: no collection action is taken while it is open."
        )

    def _statement_message(self, stage_messages=None):
        """The stage's message as the guarantor reads it (``stage_messages``:
        {stage id: message} of the stage's ``_reader_texts``, read here when not
        given), or the hold's note during a dispute or a financial-assistance
        application (never a final notice then)."""
        self.ensure_one()
        if self._statement_informational():
            return self._statement_hold_note()
        if stage_messages is None:
            stage_messages = self.stage_id._reader_texts("statement_message")
        return stage_messages.get(self.stage_id.id) or ""

    def _statement_final_notice_withheld(self):
        """{account: why} of the accounts in a final-notice stage whose final notice
        is withheld: their statements carry the hold's note instead."""
        labels = dict(self._fields["hold_reason"]._description_selection(self.env))
        return {
            account: self.env._(
                "%(account)s is on a %(hold)s hold: no final notice is sent while it lasts. "
                "Its statement is for information only instead; release the hold "
                "to send the final notice.",
                account=account.name,
                hold=labels[account.hold_reason].lower(),
            )
            for account in self._statement_informational()
            if account.stage_id.is_final_notice
        }

    @api.model
    def _statement_labels(self):
        return {
            "title": self.env._("Patient Statement"),
            "page": self.env._("Page {page} of {pages}"),
            "statement_date": self.env._("Statement date"),
            "account": self.env._("Account"),
            "amount_due": self.env._("Amount due now"),
            "balance_due": self.env._("Your balance"),
            "credit": self.env._("Your credit"),
            "pending_total": self.env._("Insurance pending (not due yet)"),
            "pending_line": self.env._("Insurance pending: not part of the amount due"),
            "due_date": self.env._("Please pay by"),
            "total": self.env._("Total"),
            "aging": self.env._("Aging"),
            "how_to_pay": self.env._("How to pay"),
            "assistance": self.env._("Financial assistance"),
            "remit_to": self.env._("Remit to"),
            "billing_phone": self.env._("Billing questions"),
            "office_hours": self.env._("Office hours"),
            "guarantor": self.env._("Guarantor"),
            "amount_enclosed": self.env._("Amount enclosed"),
            "detach": self.env._("detach and return with your payment"),
            "pay_online": self.env._("Pay online"),
            "scan_to_pay": self.env._("Scan to pay online"),
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
