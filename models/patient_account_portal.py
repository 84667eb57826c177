"""The guarantor's side of a patient account: portal access and what the portal
page shows, pays and asks.  The controller (controllers/portal.py) checks who
the visitor is; everything here runs on the account as superuser after that
check, through the module's own code paths (``trusted``)."""

import math
import uuid
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_repr

from ..logic import holds
from .patient_account import MANAGER_GROUP, PROTECTED_FIELDS
from .patient_protected import trusted, trusted_flag

PORTAL_ROOT = "/my/patient-accounts"
QUESTION_OUTCOMES = {
    "dispute": "dispute",
    "insurance": "other",
    "assistance": "hardship",
    "other": "other",
}
MAX_QUESTION_LENGTH = 4000
# the same question sent again within this time is the form posted twice: kept once
QUESTION_REPEAT_MINUTES = 60
# the most questions an account takes from the portal in QUESTION_LIMIT_HOURS: each
# one is an interaction and a to-do for the specialist (a dispute, a hold), and the
# statement's link in anyone's hands (a bot, a script) would post thousands
QUESTION_LIMIT = 5
QUESTION_LIMIT_HOURS = 24
# the most installments a guarantor may ask for on the portal (the company's policy
# may allow fewer: then the request goes to the specialist)
MAX_PORTAL_INSTALLMENTS = 520


class PatientAccount(models.Model):
    _name = "patient.account"
    _inherit = ["patient.account", "portal.mixin"]
    # the token opens the account to whoever holds it: the module writes it
    _protected_fields = PROTECTED_FIELDS | {"access_token"}

    def _compute_access_url(self):
        for account in self:
            # the id only: no name, number or amount in a URL
            account.access_url = f"{PORTAL_ROOT}/{account.id}"

    def _portal_ensure_token(self):
        """The account's token, made once by the module (not by the user's rights:
        a specialist printing a statement of another's account gets the link too)."""
        self.ensure_one()
        account = self.sudo()
        if not account.access_token:
            trusted(account).write({"access_token": str(uuid.uuid4())})
        return account.access_token

    def action_new_portal_link(self):
        """A collections manager replaces the accounts' statement links (a statement
        sent to a wrong or former address): the links printed on earlier statements
        no longer open the account; the next statement prints the new one.  A
        guarantor who logs in to the portal is not affected."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collections manager replaces a statement link."))
        self.check_access("write")
        for account in self.sudo():
            trusted(account).write({"access_token": str(uuid.uuid4())})
        self.sudo()._message_log_batch(
            bodies={
                account.id: self.env._(
                    "Statement link replaced by %(user)s: the links printed on earlier "
                    "statements no longer open this account.",
                    user=self.env.user.name,
                )
                for account in self
            }
        )
        return True

    def _portal_urls(self):
        """{account id: full portal URL with its token}, the statements' link: the
        missing tokens made in one statement (a statement run prints thousands)."""
        if not self:
            return {}
        self.env.cr.execute(
            SQL(
                "UPDATE patient_account SET access_token = gen_random_uuid()::text "
                "WHERE id = ANY(%s) AND access_token IS NULL",
                self.ids,
            )
        )
        if self.env.cr.rowcount:
            self.invalidate_recordset(["access_token"])
        return {
            account.id: f"{account.get_base_url()}{PORTAL_ROOT}/{account.id}"
            f"?access_token={account.access_token}"
            for account in self.sudo()
        }

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        """The token opens the portal page, never the chatter: Odoo's portal would
        let a token, or a hash signed with it, open the thread to anyone.  Portal
        and public visitors are turned away by the PHI mixin; internal users get
        an error, as before accounts had a token."""
        user = self.env.user
        if not (user._is_public() or user.share) and any(
            kwargs.get(key) for key in ("token", "hash", "pid")
        ):
            raise AccessError(self.env._("This link does not open a patient account's messages."))
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    def _allowed_partner_ids(self, partners):
        """The guarantor hears about their own account even once they have a portal
        user (which reads it on the portal, not in the back office)."""
        allowed = super()._allowed_partner_ids(partners)
        guarantor = self.sudo().partner_id
        if len(guarantor) == 1 and guarantor in partners:
            allowed.add(guarantor.id)
        return allowed

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=None):
        """Odoo's portal gives the customer of a portal document a mail of their own
        with a button carrying the token; for a patient account only the module's
        own mails to the guarantor carry it (``trusted(..., patient_portal_link=True)``):
        a specialist's message stays one mail to the guarantor and patients."""
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if trusted_flag(self.env, "patient_portal_link"):
            return groups
        return [group for group in groups if group[0] != "portal_customer"]

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Statement %(number)s", number=self.name)

    # ------------------------------------------------------------------ visitors

    @api.model
    def _portal_accounts_of(self, user):
        """The active accounts (as superuser) whose guarantor is ``user``'s contact
        or its company: a portal user's own accounts, of every company."""
        if not user or user._is_public() or not user.share:
            return self.sudo().browse()
        partner = user.partner_id
        return self.sudo().search(
            [("partner_id", "in", (partner | partner.commercial_partner_id).ids)],
            order="company_id, id",
        )

    def _portal_log(self, event, via_token, **extra):
        """One access-log line per account: the portal user, or "token link"."""
        self.env["patient.access.log"].sudo()._log(
            event,
            self,
            detail=self.env._("portal: token link") if via_token else self.env._("portal"),
            **extra,
        )

    # ------------------------------------------------------------------ page values

    def _portal_item_explanation(self, line):
        """An open item's EOB in plain words."""
        fmt = self.currency_id.format
        if line.move_type == "entry":
            return self.env._("A payment not yet applied to a bill.")
        if line.move_type == "out_refund":
            return self.env._("A credit on your account.")
        if line.insurance_status == "pending":
            return self.env._(
                "Your insurance has not finished processing this claim yet: you owe nothing "
                "on it for now."
            )
        parts = []
        if line.amount_insurance_paid:
            parts.append(
                self.env._("Your insurance paid %(amount)s", amount=fmt(line.amount_insurance_paid))
            )
        if line.amount_adjustment:
            parts.append(
                self.env._(
                    "%(amount)s was taken off under your insurance's contract",
                    amount=fmt(line.amount_adjustment),
                )
            )
        for field_name, label in (
            ("amount_deductible", self.env._("%(amount)s went to your deductible")),
            ("amount_copay", self.env._("%(amount)s is your copay")),
            ("amount_coinsurance", self.env._("%(amount)s is your coinsurance")),
            ("amount_noncovered", self.env._("%(amount)s is not covered by your plan")),
        ):
            if line[field_name]:
                parts.append(label % {"amount": fmt(line[field_name])})
        if line.insurance_status == "denied":
            parts.append(self.env._("your insurance denied the claim"))
        if not parts:
            return self.env._("Charges for your visit, without insurance.")
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    def _portal_aging_words(self, days):
        if days <= 0:
            return self.env._("Not yet due")
        if days == 1:
            return self.env._("1 day past due")
        return self.env._("%(days)s days past due", days=days)

    def _portal_values(self):
        """What the account page shows: one read of the open items, no per-item query."""
        self.ensure_one()
        account = self.sudo()
        lines = account.open_item_ids
        items = [
            {
                "number": line.move_name,
                "service_date": line.service_date or line.invoice_date,
                "due_date": line.date_due,
                "patient": line.patient_id.name,
                "amount": line.amount_residual,
                "explanation": account._portal_item_explanation(line),
                "aging": account._portal_aging_words(line.days_past_due),
                "pending": line.insurance_status == "pending",
            }
            for line in lines
        ]
        plan = account.active_plan_id
        company = account.company_id
        currency = account.currency_id
        in_progress = account._portal_payments_in_progress()
        payable = account._portal_payable(in_progress)
        min_payment = account._portal_min_payment(payable)
        return {
            "account": account,
            "items": items,
            "plan": plan,
            "installments": plan.installment_ids.sorted("due_date") if plan else [],
            "company": company,
            # "another amount": what the pay route accepts, said by the label and the input
            "min_payment": min_payment,
            "amount_input_min": float_repr(min_payment, currency.decimal_places),
            "amount_input_max": float_repr(payable, currency.decimal_places),
            # the currency's smallest amount: 1 for yen, 0.001 for dinars
            "amount_input_step": float_repr(currency.rounding, currency.decimal_places),
            "currency_decimals": currency.decimal_places,
            "aging_words": account._portal_aging_words(account.days_past_due),
            # paid more than owed: shown as a credit, not as a negative balance due
            "credit": -account.balance_due
            if currency.compare_amounts(account.balance_due, 0) < 0
            else 0,
            "format_amount": currency.format,
            # paid online, not booked yet: told before the Pay choices, which offer the rest
            "payment_in_progress": in_progress
            if currency.compare_amounts(in_progress, 0) > 0
            else 0,
            "payable": payable,
            # the plan's next installment, offered only when the pay route takes it (not
            # above what may be paid while an online payment is in progress)
            "next_installment": account._portal_payable_installment(payable),
            # no plan offered while a payment is in progress: it would cover money paid
            "plan_waits_for_payment": account._portal_has_payment_in_progress(in_progress),
            # under review or a stay: the balance for information, paying not asked for
            "demanded": holds.demands_payment(account.hold_reason),
            "can_pay": currency.compare_amounts(account.balance_due, 0) > 0
            and currency.compare_amounts(payable, 0) > 0,
            "max_question_length": MAX_QUESTION_LENGTH,
            "question_limit": QUESTION_LIMIT,
            "max_installments": MAX_PORTAL_INSTALLMENTS,
        }

    # ------------------------------------------------------------------ plans and questions

    def _portal_plan_count_for_amount(self, installment_amount):
        """The number of monthly installments that pays the balance at about
        ``installment_amount`` each (the schedule splits the balance evenly)."""
        self.ensure_one()
        account = self.sudo()
        balance = account.balance_due
        if (
            balance <= 0
            or not installment_amount
            # less than a cent a month is no amount (and 1e-310 divides to infinity)
            or account.currency_id.compare_amounts(installment_amount, 0.0) <= 0
        ):
            return 0
        return max(1, math.ceil(round(balance / installment_amount, 6)))

    def _portal_plan_terms(self, installment_count):
        """The terms of a self-service plan: the whole balance, monthly, from a
        month after today, in ``installment_count`` installments."""
        self.ensure_one()
        return {
            "total_amount": self.sudo().balance_due,
            "down_payment": 0.0,
            "frequency": "monthly",
            "installment_count": installment_count,
            "first_due_date": self.company_id._patient_today() + timedelta(days=30),
        }

    def _portal_plan_request(self, installment_count):
        """Create the plan when within the company's policy (the specialist's rules,
        ``_terms_problems``), else an activity for the specialist (or a manager)
        with the proposed terms.  Returns (plan, problems)."""
        self.ensure_one()
        account = self.sudo()
        if account._portal_has_payment_in_progress():
            # the route checks first (and tells the guarantor); nothing made here either
            raise UserError(
                self.env._(
                    "An online payment you made is still being processed: you can set up a "
                    "payment plan for what is left once it is booked."
                )
            )
        Plan = self.env["patient.payment.plan"]
        terms = account._portal_plan_terms(installment_count)
        problems = Plan._terms_problems(account, terms, account.company_id._patient_today())
        if not problems:
            # the caller checked the visitor (token or guarantor): the plan is made by
            # the module, as superuser and trusted, through the one plan path
            plan = trusted(Plan.sudo(), patient_portal_contact=True)._create_plans(
                [(account, terms)], channel="portal"
            )
            return plan, []
        # one request open per account: posted again (a double click, the form sent
        # back, a script with the statement's link), the open one says the latest
        account._schedule_once(
            "patient_collections.mail_activity_type_plan_request",
            self.env._("Payment plan requested on the portal"),
            self.env._(
                "The guarantor asked for %(count)s monthly installments of the balance "
                "(%(total)s), outside the plan policy: %(problems)s",
                count=installment_count,
                total=account.currency_id.format(terms["total_amount"]),
                problems=" ".join(problems),
            ),
            user=account.user_id or account._collections_manager(),
        )
        return Plan, problems

    @api.model
    def _portal_question_text(self, text):
        """The question as it is kept: without NUL characters (a browser may send
        them; the database refuses them), its line breaks as one character each
        (a form sends CR LF, the textarea's ``maxlength`` counts one), trimmed.
        Never cut: ``_portal_question_too_long`` says when it is over the limit."""
        text = text if isinstance(text, str) else ""
        return text.replace("\x00", "").replace("\r\n", "\n").strip()

    @api.model
    def _portal_question_too_long(self, text):
        """Whether the question is longer than the MAX_QUESTION_LENGTH characters it
        is kept with (refused, never cut without the guarantor knowing)."""
        return len(self._portal_question_text(text)) > MAX_QUESTION_LENGTH

    @api.model
    def _portal_question_topics(self):
        return {
            "dispute": self.env._("Dispute"),
            "insurance": self.env._("Insurance"),
            "assistance": self.env._("Financial assistance"),
            "other": self.env._("Other"),
        }

    @api.model
    def _portal_question_note(self, topic, text):
        """The interaction's note of the question (its text as kept)."""
        return self.env._(
            "Question about the bill (%(topic)s): %(text)s",
            topic=self._portal_question_topics()[topic],
            text=self._portal_question_text(text),
        )

    def _portal_question_repeated(self, topic, text):
        """Whether this very question (topic and text) came from the portal in the
        last QUESTION_REPEAT_MINUTES: the form posted twice (a double click, back
        and resubmit) makes one interaction, one request to the specialist."""
        self.ensure_one()
        note = self._portal_question_note(topic, text)
        since = fields.Datetime.now() - timedelta(minutes=QUESTION_REPEAT_MINUTES)
        return bool(
            self.env["patient.interaction"]
            .sudo()
            .search_count(
                [
                    ("account_id", "=", self.id),
                    ("channel", "=", "portal"),
                    ("outcome", "=", QUESTION_OUTCOMES[topic]),
                    ("create_date", ">=", since),
                    ("note", "=", note),
                ],
                limit=1,
            )
        )

    def _portal_question_limit_reached(self):
        """Whether QUESTION_LIMIT questions came from the portal for this account in
        the last QUESTION_LIMIT_HOURS (the page then says to call the office)."""
        self.ensure_one()
        since = fields.Datetime.now() - timedelta(hours=QUESTION_LIMIT_HOURS)
        return (
            self.env["patient.interaction"]
            .sudo()
            .search_count(
                [
                    ("account_id", "=", self.id),
                    ("channel", "=", "portal"),
                    ("direction", "=", "inbound"),
                    ("outcome", "in", list(set(QUESTION_OUTCOMES.values()))),
                    ("create_date", ">=", since),
                ],
                limit=QUESTION_LIMIT,
            )
            >= QUESTION_LIMIT
        )

    def _portal_question(self, topic, text):
        """The guarantor's question: an inbound portal interaction with the topic's
        outcome (a dispute puts the dispute hold) and an activity for the specialist."""
        self.ensure_one()
        account = self.sudo()
        if self._portal_question_too_long(text):
            # the message says the limit, never the text
            raise UserError(
                self.env._(
                    "Your question is too long: at most %(limit)s characters.",
                    limit=MAX_QUESTION_LENGTH,
                )
            )
        if self._portal_question_limit_reached():
            raise UserError(
                self.env._(
                    "You have sent %(limit)s questions about this bill today: our billing "
                    "office will answer them. Please call us if it is urgent.",
                    limit=QUESTION_LIMIT,
                )
            )
        topics = self._portal_question_topics()
        # the guarantor's own contact: no answer to the staff's open to-dos
        interaction = trusted(
            self.env["patient.interaction"].sudo(), patient_portal_contact=True
        ).create(
            {
                "account_id": account.id,
                "partner_id": account.partner_id.id,
                "channel": "portal",
                "outcome": QUESTION_OUTCOMES[topic],
                "note": self._portal_question_note(topic, text),
            }
        )
        user = account.user_id or account._collections_manager()
        if user:
            account.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Question from the portal: %(topic)s", topic=topics[topic]),
                user_id=user.id,
            )
        return interaction
