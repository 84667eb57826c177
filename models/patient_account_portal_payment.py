"""Paying a patient account online: which amounts the portal accepts, which
invoices a payment settles, what follows a confirmed payment (the interaction
and the guarantor's receipt), and the demo's payment provider.  The payment
itself is Odoo's: ``payment.transaction`` (models/payment_transaction.py)."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_compare

from .patient_protected import trusted

# How long Odoo's payment cron goes on post-processing a transaction (payment's
# _cron_post_process): one still not booked after that is the accountants' to
# settle, no longer a payment in progress that holds the guarantor back.
IN_PROGRESS_DAYS = 4


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _portal_next_installment_amount(self):
        plan = self.sudo().active_plan_id
        return plan.next_due_amount if plan else 0.0

    def _portal_transactions_in_progress(self):
        """The online transactions of the account not booked yet (as superuser):
        see ``_portal_payments_in_progress``."""
        self.ensure_one()
        return (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    "|",
                    ("patient_account_id", "=", self.id),
                    ("invoice_ids.patient_account_id", "=", self.id),
                    ("state", "in", ("pending", "authorized", "done")),
                    ("payment_id", "=", False),
                    ("operation", "!=", "validation"),
                    (
                        "last_state_change",
                        ">=",
                        fields.Datetime.now() - timedelta(days=IN_PROGRESS_DAYS),
                    ),
                ]
            )
        )

    def _portal_payments_in_progress(self):
        """What the guarantor paid online that Odoo has not booked yet, in the
        account's currency: the account's transactions pending, authorized, or
        confirmed without their payment (post-processing comes later), as long as
        Odoo still processes them (IN_PROGRESS_DAYS since their last change: a
        wire transfer promised and never made, or a payment Odoo could not book,
        stops counting then).  Those of Odoo's own invoice portal (Pay Now on an
        invoice of the account, the overdue invoices' payment) count too, for what
        they pay of the account's invoices (an overdue payment may pay the
        contact's other invoices as well).  Abandoned drafts, cancelled and failed
        ones took no money.  A transaction in another currency (an invoice's) is
        converted at today's rate, the rate its payment will be booked at; the
        invoices' part is their residual in the company's (the account's)
        currency."""
        self.ensure_one()
        account = self.sudo()
        currency = account.currency_id
        company = account.company_id
        today = fields.Date.context_today(self)
        total = 0.0
        for transaction in self._portal_transactions_in_progress():
            amount = transaction.currency_id._convert(
                transaction.amount, currency, company, today, round=False
            )
            if transaction.patient_account_id == self:
                total += amount
                continue
            mine = transaction.invoice_ids.filtered(lambda move: move.patient_account_id == self)
            total += min(amount, sum(mine.mapped("amount_residual_signed")))
        return currency.round(total)

    def _portal_lock_for_payment(self):
        """Lock the account's row for the rest of the request: two payment forms
        of one account (two tabs, a double click) start their transactions one
        after the other, the second seeing the first's (README "The guarantor's
        portal").  NOWAIT: the second request fails at once and Odoo retries it
        on a fresh snapshot; the row is also written (a no-op) so that a request
        whose snapshot predates the first one's commit cannot take the lock with
        a stale view either (a serialization failure, retried the same way)."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM patient_account WHERE id = %s FOR UPDATE NOWAIT", (self.id,)
        )
        self.env.cr.execute("UPDATE patient_account SET id = id WHERE id = %s", (self.id,))

    def _portal_supersede_drafts(self):
        """Cancel the account's draft transactions: payment forms opened and left
        (the card page abandoned, another tab).  Only the newest form may pay:
        Odoo confirms no cancelled transaction (``_set_done`` refuses it), so two
        forms can never both be paid, and a guarantor who left the card page may
        always start again.  Called under ``_portal_lock_for_payment``."""
        self.ensure_one()
        drafts = (
            self.env["payment.transaction"]
            .sudo()
            .search(
                [
                    ("patient_account_id", "=", self.id),
                    ("state", "=", "draft"),
                    ("operation", "!=", "validation"),
                ]
            )
        )
        if drafts:
            drafts._set_canceled(
                state_message=self.env._("Replaced by a newer online payment of the account.")
            )
        return drafts

    def _portal_has_payment_in_progress(self, in_progress=None):
        """Whether an online payment of the guarantor is in progress (not booked
        yet): a plan must wait for it (a plan set up now would schedule the money
        already paid: the page offers no plan form then, the plan route refuses),
        and an invoice's Pay Now must not ask for more than is left.
        ``in_progress``: ``_portal_payments_in_progress()`` when the caller has it."""
        self.ensure_one()
        if in_progress is None:
            in_progress = self._portal_payments_in_progress()
        return self.sudo().currency_id.compare_amounts(in_progress, 0.0) > 0

    def _portal_payable_installment(self, payable=None):
        """The plan's next installment when the guarantor may pay it online now
        (more than zero, not above ``_portal_payable()``), else 0.0: the account
        page offers it as a choice only then."""
        self.ensure_one()
        installment = self._portal_next_installment_amount()
        if payable is None:
            payable = self._portal_payable()
        currency = self.sudo().currency_id
        if (
            currency.compare_amounts(installment, 0.0) > 0
            and currency.compare_amounts(installment, payable) <= 0
        ):
            return installment
        return 0.0

    def _portal_payable(self, in_progress=None):
        """The most the guarantor may pay online now: the balance due less the
        online payments not booked yet (a second tab never pays twice).
        ``in_progress``: those payments when the caller has just summed them
        (``_portal_payments_in_progress``), not to search them twice."""
        self.ensure_one()
        if in_progress is None:
            in_progress = self._portal_payments_in_progress()
        return self.sudo().balance_due - in_progress

    def _portal_min_payment(self, payable=None):
        """The least the guarantor may pay online as an amount of their own: the
        company's minimum, or what is left to pay when that is less (the whole
        remaining amount can always be paid).  The one rule of the minimum: the
        account page says it, ``_portal_payment_problems`` applies it.
        ``payable``: ``_portal_payable()`` when the caller has it already."""
        self.ensure_one()
        if payable is None:
            payable = self._portal_payable()
        return min(self.sudo().company_id.collections_portal_min_payment, payable)

    def _portal_payment_problems(self, amount):
        """Why ``amount`` cannot be paid online now ([] when it can)."""
        self.ensure_one()
        account = self.sudo()
        currency = account.currency_id
        fmt = currency.format
        if currency.compare_amounts(account.balance_due, 0.0) <= 0:
            return [self.env._("Nothing is due on this account.")]
        balance = account._portal_payable()
        if currency.compare_amounts(balance, 0.0) <= 0:
            return [
                self.env._("Your online payment is still being processed: nothing more is due now.")
            ]
        if (
            not isinstance(amount, (int, float))
            or amount != amount
            or currency.compare_amounts(amount, 0.0) <= 0
        ):
            # less than a cent is nothing: it would be a payment of 0.00
            return [self.env._("Enter the amount to pay.")]
        if currency.compare_amounts(amount, balance) > 0:
            return [
                self.env._(
                    "You can pay at most the balance due, %(balance)s.", balance=fmt(balance)
                )
            ]
        minimum = account._portal_min_payment(balance)
        # below the minimum, only the plan's next installment (the whole rest is
        # never below it: the minimum is at most the rest)
        installment = account._portal_next_installment_amount()
        allowed = (
            currency.compare_amounts(installment, 0.0) > 0
            and currency.compare_amounts(amount, installment) == 0
        )
        if not allowed and currency.compare_amounts(amount, minimum) < 0:
            return [
                self.env._("The least you can pay online is %(minimum)s.", minimum=fmt(minimum))
            ]
        return []

    def _portal_amount_fits_currency(self, amount):
        """Whether ``amount`` is written in the currency's units: no more decimals
        than it has (0 for yen, 3 for dinars), as the pay form's amount input
        allows.  A float's own error (240.00000000001) is not a decimal more."""
        self.ensure_one()
        currency = self.sudo().currency_id
        if not isinstance(amount, (int, float)) or amount != amount:
            return False
        return (
            float_compare(
                amount, currency.round(amount), precision_digits=currency.decimal_places + 3
            )
            == 0
        )

    def _portal_invoices_to_pay(self):
        """The account's open invoices that are due from the guarantor (insurance
        pending excepted), oldest first: a payment is applied to them in order."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("patient_account_id", "in", self.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("amount_residual", ">", 0),
                    ("insurance_status", "!=", "pending"),
                ],
                order="invoice_date_due, invoice_date, id",
            )
        )

    def _portal_payment_received(self, transactions):
        """After Odoo posted and reconciled the payments of ``transactions``: the
        interaction (portal, payment made) and the guarantor's receipt.  The
        receipt is the module's own message: posted trusted with the interaction
        logged here, so the contact gate does not log a second one."""
        self.ensure_one()
        account = self.sudo()
        amount = sum(transactions.mapped("amount"))
        # the guarantor's own contact: no answer to the staff's open to-dos
        trusted(self.env["patient.interaction"].sudo(), patient_portal_contact=True).create(
            {
                "account_id": account.id,
                "partner_id": account.partner_id.id,
                "channel": "portal",
                "outcome": "payment_made",
                "note": self.env._(
                    "Online payment %(references)s.",
                    references=", ".join(transactions.mapped("reference")),
                ),
            }
        )
        if account.cease_communication:
            # the guarantor asked to cease communication: no receipt (it restates the
            # balance), a note for the staff instead, mailed to no one
            account._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Online payment of %(amount)s received. No receipt was emailed: the "
                    "guarantor asked to cease communication.",
                    amount=account.currency_id.format(amount),
                ),
            )
            return
        if account.partner_id.email:
            # in the guarantor's language, amounts written for it
            code = account._statement_lang_code()
            receipt = account.with_context(lang=code)
            fmt = account._money_formatter(account.currency_id, code)
            if account.currency_id.compare_amounts(account.balance_due, 0.0) < 0:
                # paid more than owed (the balance paid meanwhile): a credit, not a
                # negative balance due
                body = receipt.env._(
                    "We received your payment of %(amount)s. Thank you. You now have a "
                    "credit of %(credit)s: our billing office will refund it or apply it "
                    "to your next bill.",
                    amount=fmt(amount),
                    credit=fmt(-account.balance_due),
                )
            else:
                body = receipt.env._(
                    "We received your payment of %(amount)s. Thank you. Your balance due is "
                    "now %(balance)s.",
                    amount=fmt(amount),
                    balance=fmt(account.balance_due),
                )
            trusted(
                receipt, patient_interaction_logged=True, patient_portal_link=True
            ).message_post(
                body=body,
                # from the practice, whoever's request booked the payment (the guarantor
                # paying while logged in, the token link's public user, the cron)
                author_id=account.company_id.partner_id.id,
                # Odoo leaves out the user of the request: the guarantor's own is one
                notify_author=True,
                # no amount, name or number in a subject
                subject=receipt.env._("Payment received"),
                partner_ids=account.partner_id.ids,
                message_type="comment",
                # to the guarantor alone: a note is no news to the account's followers
                # (staff got the guarantor's receipt, in the guarantor's language)
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------ demo

    @api.model
    def _portal_demo_payment_provider(self):
        """Demo data: Odoo's *Demo* payment provider in test mode and published for
        the demo company, so the portal takes payments out of the box.  Nothing
        when the module ``payment_demo`` is not installed (it is not a dependency:
        production databases configure their own provider)."""
        Provider = self.env["payment.provider"].sudo()
        if "demo" not in Provider._fields["code"].get_values(self.env):
            return Provider
        providers = Provider.search(
            [("code", "=", "demo"), ("company_id", "=", self.env.company.id)], limit=1
        )
        if providers and providers.state == "disabled":
            providers.write({"state": "test", "is_published": True})
        return providers
