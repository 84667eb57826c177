"""Promises to pay settled once their date has passed (the nightly run's promise
step): kept when the guarantor's payments since the promise reach the promised
amount, broken otherwise; the broken ones get a follow-up call, and the
promise's hold on the account is lifted."""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..logic import promise_credit
from .patient_account_balances import money_in_sql
from .patient_protected import trusted


class PatientInteraction(models.Model):
    _inherit = "patient.interaction"

    promise_due = fields.Boolean(
        compute="_compute_promise_due",
        search="_search_promise_due",
        help="A pending promise whose date is today or before on the practice's calendar.",
    )

    @api.depends("promise_state", "promise_date", "state")
    def _compute_promise_due(self):
        # the promise is dated on the practice's calendar, whoever looks
        todays = self.sudo().company_id._patient_todays()
        for interaction in self:
            today = todays.get(interaction.sudo().company_id.id)
            interaction.promise_due = bool(
                interaction.promise_state == "pending"
                and interaction.state == "logged"
                and interaction.promise_date
                and today
                and interaction.promise_date <= today
            )

    def _search_promise_due(self, operator, value):
        return self.env["res.company"]._patient_day_search(
            [("promise_state", "=", "pending"), ("state", "=", "logged")],
            "promise_date",
            "<=",
            operator,
            value,
        )

    @api.model
    def _settle_due_promises(self, companies, today):
        """Settle the promises of ``companies`` whose date has passed: each marked
        kept or broken with what was paid since (one query for all), told in the
        account's chatter, a follow-up call for the broken ones, the promise holds
        released.  Returns {"kept": count, "broken": count}."""
        due = self._due_promises(companies, today)
        if not due:
            return {"kept": 0, "broken": 0}
        paid = due._paid_since_promised()
        kept = due.filtered(
            lambda p: p.currency_id.compare_amounts(paid.get(p.id, 0.0), p.promise_amount) >= 0
        )
        broken = due - kept
        kept._write_promise_state("kept", paid, today)
        broken._write_promise_state("broken", paid, today)
        follow_ups = broken._log_broken_promises(paid, today)
        kept._log_kept_promises()
        if follow_ups:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
                follow_ups
            )
        due._release_promise_holds()
        return {"kept": len(kept), "broken": len(broken)}

    @api.model
    def _due_promises(self, companies, today):
        """The pending promises of logged interactions of ``companies`` dated before
        ``today``."""
        return self.sudo().search(
            [
                ("promise_state", "=", "pending"),
                ("state", "=", "logged"),
                ("promise_date", "<", today),
                ("company_id", "in", companies.ids),
            ]
        )

    def _paid_since_promised(self):
        """{interaction id: amount}: what the guarantor paid toward each of these
        pending promises (payments and bank statement lines on the receivable of
        the account's company): a payment counts once, toward the account's
        promises oldest first, and only toward those made on or before its date,
        the day a promise was made read on the practice's calendar.  Two queries
        (the accounts' promises, their payments), whatever the number."""
        pending = self.sudo().filtered(lambda p: p.promise_state == "pending")
        if not pending:
            return {}
        accounts = pending.account_id
        tzs = accounts.company_id._patient_tzs()

        def made_on(promise):
            tz = tzs[promise.account_id.company_id.id]
            return fields.Datetime.context_timestamp(
                promise.with_context(tz=tz), promise.date
            ).date()

        since = {}
        for promise in pending:
            day = made_on(promise)
            since[promise.account_id.id] = min(since.get(promise.account_id.id, day), day)
        # the settled promises that may have been credited with the same payments
        promises = pending | self.sudo().search(
            [
                ("account_id", "in", accounts.ids),
                ("outcome", "=", "promise_to_pay"),
                ("state", "=", "logged"),
                ("promise_state", "in", ("kept", "broken")),
                ("promise_checked_on", ">=", min(since.values())),
            ]
        )
        payments = self._payments_since(since)
        by_account = defaultdict(list)
        for promise in promises:
            settled = None if promise in pending else promise.promise_paid_amount
            by_account[promise.account_id.id].append(
                (
                    promise.id,
                    made_on(promise),
                    promise.promise_date,
                    promise.promise_amount,
                    settled,
                )
            )
        paid = {}
        for account_id, account_promises in by_account.items():
            paid.update(
                promise_credit.credit_promises(payments.get(account_id, []), account_promises)
            )
        return {promise.id: paid.get(promise.id, 0.0) for promise in self}

    def _payments_since(self, since):
        """{account id: [(date, amount)]}: the money in of each account's
        guarantor (or a contact of theirs) on its company's receivable from the
        day ``since[account id]`` on, by date.  One query."""
        self.env["account.move.line"].flush_model(
            ["balance", "date", "parent_state", "partner_id", "company_id", "account_id"]
        )
        self.env["account.move"].flush_model(
            ["origin_payment_id", "statement_line_id", "reversed_entry_id", "state"]
        )
        self.env["patient.account"].flush_model(["partner_id", "company_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT pa.id, aml.date, SUM(-aml.balance)
                  FROM unnest(%s::int[], %s::date[]) AS since(account_id, day)
                  JOIN patient_account pa ON pa.id = since.account_id
                  -- the guarantor's or a contact's of theirs (an invoice address)
                  JOIN res_partner party ON party.commercial_partner_id = pa.partner_id
                  JOIN account_move_line aml
                    ON aml.partner_id = party.id
                   AND aml.company_id = pa.company_id
                   AND aml.parent_state = 'posted'
                   AND aml.balance < 0
                   AND aml.date >= since.day
                   AND aml.account_id IN (
                        SELECT id FROM account_account WHERE account_type = 'asset_receivable')
                   AND EXISTS (
                        SELECT 1 FROM account_move move
                         WHERE move.id = aml.move_id AND %s)
              GROUP BY pa.id, aml.date
                """,
                list(since),
                list(since.values()),
                money_in_sql("move"),
            )
        )
        payments = defaultdict(list)
        for account_id, day, amount in self.env.cr.fetchall():
            payments[account_id].append((day, amount))
        return payments

    def _write_promise_state(self, state, paid, today):
        """Mark these promises ``state`` (kept or broken), settled ``today`` with
        what was ``paid`` since each was made."""
        for promise in self:
            trusted(promise.sudo()).write(
                {
                    "promise_state": state,
                    "promise_checked_on": today,
                    "promise_paid_amount": paid.get(promise.id, 0.0),
                }
            )

    def _log_broken_promises(self, paid, today):
        """A chatter line on the account of each broken promise; returns the values
        of the follow-up calls for the account's specialist (or who logged it)."""
        model_id = self.env["ir.model"]._get_id("patient.account")
        follow_ups = []
        for promise in self:
            account = promise.account_id
            account._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Broken promise: %(amount)s was promised by %(date)s, %(paid)s paid since.",
                    amount=promise.currency_id.format(promise.promise_amount),
                    date=format_date(self.env, promise.promise_date),
                    paid=promise.currency_id.format(paid.get(promise.id, 0.0)),
                )
            )
            follow_ups.append(
                promise._activity_vals(
                    model_id,
                    "mail.mail_activity_data_call",
                    self.env._("Follow up on the broken promise"),
                    account.user_id or promise.user_id,
                    today,
                )
            )
        return follow_ups

    def _log_kept_promises(self):
        """A chatter line on the account of each kept promise."""
        for promise in self:
            promise.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Promise kept: %(amount)s promised by %(date)s.",
                    amount=promise.currency_id.format(promise.promise_amount),
                    date=format_date(self.env, promise.promise_date),
                )
            )

    @api.model
    def _pending_promises(self, accounts):
        """The pending promises to pay of these accounts (logged, not voided): one
        search, as superuser (what holds an account, whoever logged it)."""
        return self.sudo().search(
            [
                ("account_id", "in", accounts.ids),
                ("outcome", "=", "promise_to_pay"),
                ("promise_state", "=", "pending"),
                ("state", "=", "logged"),
            ]
        )

    def _release_promise_holds(self):
        """The promised date has passed: the accounts these promises hold go on,
        but those a later promise still holds (pending, not due yet)."""
        accounts = trusted(self.account_id).filtered(lambda a: a.hold_reason == "promise_to_pay")
        if not accounts:
            return
        still_promised = self._pending_promises(accounts).account_id
        (accounts - still_promised)._release_hold(why=self.env._("The promised date has passed."))

    def _undo_voided_promises(self):
        """Voided pending promises (logged by mistake, or replaced) hold nothing:
        their promise checks close, and the promise hold follows the account's
        promises still pending (until the latest one, lifted when none is left)."""
        promises = self.sudo().filtered(
            lambda p: p.outcome == "promise_to_pay" and p.promise_state == "pending"
        )
        if not promises:
            return
        accounts = trusted(promises.account_id)
        pending = self._pending_promises(accounts)
        latest = {}
        for promise in pending:
            account_id = promise.account_id.id
            latest[account_id] = max(
                latest.get(account_id, promise.promise_date), promise.promise_date
            )
        # the checks of the voided promises' dates, unless a pending one has that date
        still_checked = {(p.account_id.id, p.promise_date) for p in pending}
        voided = {(p.account_id.id, p.promise_date) for p in promises} - still_checked
        checks = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "in", accounts.ids),
                    (
                        "activity_type_id",
                        "=",
                        self.env.ref("patient_collections.mail_activity_type_promise_check").id,
                    ),
                ]
            )
        )
        accounts._close_activities(
            checks.filtered(lambda check: (check.res_id, check.date_deadline) in voided),
            self.env._("Closed: the promise was voided."),
        )
        held = accounts.filtered(lambda a: a.hold_reason == "promise_to_pay")
        released = held.filtered(lambda a: a.id not in latest)
        released._release_hold(why=self.env._("The promise was voided."))
        todays = (held - released).company_id._patient_todays()
        for account in held - released:
            until = latest[account.id]
            if account.hold_until != until and until >= todays[account.company_id.id]:
                account._set_hold("promise_to_pay", until=until)
