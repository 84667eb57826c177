import base64
from datetime import timedelta
from urllib.parse import quote

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

from ..logic.holds import NO_DEMAND_HOLDS, NO_PAYMENT_DEMAND_HOLDS
from .common import active_records_default

# A statement older than this is as good as none; beyond it date arithmetic overflows.
MAX_DAYS_SINCE_LAST = 3650
MAX_MIN_BALANCE = 1_000_000_000
# The smallest balance a statement goes out for, and the form's default.
DEFAULT_MIN_BALANCE = 0.01


class PatientStatementSend(models.TransientModel):
    _name = "patient.statement.send"
    _inherit = ["patient.wizard.mixin"]
    _description = "Send Patient Statements"

    stage_ids = fields.Many2many(
        "patient.account.stage",
        string="Stages",
        default=lambda self: self._default_stage_ids(),
        help="Left empty, every stage.",
    )
    account_ids = fields.Many2many(
        "patient.account",
        string="Selected Accounts",
        default=active_records_default("patient.account"),
        help="When opened on selected accounts, only those are considered.",
    )
    on_selection = fields.Boolean(
        string="Opened on Selected Accounts",
        default=lambda self: self._default_on_selection(),
        help="Opened on selected accounts: only those are considered, even when none of "
        "them can be read any more (archived since).",
    )
    min_balance = fields.Float(
        string="Minimum Balance", digits="Account", default=DEFAULT_MIN_BALANCE
    )
    days_since_last = fields.Integer(
        string="Last Statement At Least (days ago)",
        default=0,
        help="Only accounts whose last statement is at least this old (0: any).",
    )
    exclude_holds = fields.Boolean(string="Skip Accounts on Hold", default=True)
    email = fields.Boolean(
        string="Email Guarantors Who Chose Email",
        help="Statements of guarantors whose delivery is email go by email (PDF attached, "
        "no health information in the subject or text); the others are printed.",
    )
    qualifying_count = fields.Integer(compute="_compute_qualifying")
    final_notice_note = fields.Text(
        compute="_compute_qualifying",
        help="Why accounts in the final notice stage get no final notice.",
    )
    # the mail house's file, kept on the wizard (the sender's own record, gone with
    # it): never a file of its own that could be shared by a link or made public
    merged_pdf = fields.Binary(string="Statements to Print", attachment=False, readonly=True)
    merged_name = fields.Char(string="File Name", readonly=True)
    no_address_count = fields.Integer(
        compute="_compute_qualifying",
        help="Accounts asked for that no statement can reach: the guarantor has no mailing "
        "address (and no email, or emailing is off). They are left out.",
    )

    @api.constrains("min_balance", "days_since_last")
    def _check_bounds(self):
        for wizard in self:
            if wizard.min_balance <= 0:
                raise ValidationError(
                    self.env._(
                        "The minimum balance must be above zero: statements go only to "
                        "guarantors who owe something (%(default)s takes every balance due).",
                        default=DEFAULT_MIN_BALANCE,
                    )
                )
            if wizard.min_balance > MAX_MIN_BALANCE:
                raise ValidationError(
                    self.env._(
                        "The minimum balance must be %(maximum)s at most.",
                        maximum=MAX_MIN_BALANCE,
                    )
                )
            if not 0 <= wizard.days_since_last <= MAX_DAYS_SINCE_LAST:
                raise ValidationError(
                    self.env._(
                        "The days since the last statement must be between 0 and %(maximum)s.",
                        maximum=MAX_DAYS_SINCE_LAST,
                    )
                )

    def _default_on_selection(self):
        context = self.env.context
        return context.get("active_model") == "patient.account" and bool(context.get("active_ids"))

    def _default_stage_ids(self):
        if self.env.context.get("active_model") == "patient.account":
            return self.env["patient.account.stage"]  # the selected accounts, whatever stage
        return self.env["patient.account.stage"].search([("send_statement", "=", True)])

    def _domain(self, holds=True, reachable=True):
        """The accounts that qualify (``holds`` False: the hold filter left out;
        ``reachable`` False: those no statement can reach counted in),
        each practice's judged on its own calendar: "today's statement" and "the
        last statement at least N days ago" are its dates, never the user's."""
        # never a demand to a bankrupt or deceased guarantor, whatever the checkbox
        domain = [*self._scope(), ("hold_reason", "not in", list(NO_DEMAND_HOLDS))]
        if holds and self.exclude_holds:
            domain.append(("hold_reason", "=", False))
        Account = self.env["patient.account"]
        if reachable:
            # no letter without a mailing address (the send leaves them out too)
            domain += Account._statement_reachable_domain(self.email)
        # (clamped: the form counts while a number is being typed)
        days = min(self.days_since_last, MAX_DAYS_SINCE_LAST)
        per_company = []
        for company_id, today in self.env.companies._patient_todays().items():
            branch = [("company_id", "=", company_id), *Account._statement_eligible_domain(today)]
            if days > 0:
                branch += [
                    "|",
                    ("last_statement_date", "=", False),
                    ("last_statement_date", "<=", today - timedelta(days=days)),
                ]
            per_company.append(branch)
        return expression.AND([domain, expression.OR(per_company)])

    def _scope(self):
        """The accounts asked for: the selection or the stages, owing the minimum."""
        domain = [("balance_due", ">=", self.min_balance)]
        if self.account_ids or self.on_selection:
            # the selection, what of it is readable: never every account instead
            domain.append(("id", "in", self.account_ids.ids))
        if self.stage_ids:
            domain.append(("stage_id", "in", self.stage_ids.ids))
        return domain

    @api.depends(
        "stage_ids",
        "account_ids",
        "on_selection",
        "min_balance",
        "days_since_last",
        "exclude_holds",
        "email",
    )
    def _compute_qualifying(self):
        Account = self.env["patient.account"]
        for wizard in self:
            wizard.qualifying_count = Account.search_count(wizard._domain())
            withheld = Account.search_count(
                [
                    *wizard._domain(holds=False),
                    ("stage_id.is_final_notice", "=", True),
                    ("hold_reason", "in", list(NO_PAYMENT_DEMAND_HOLDS)),
                ]
            )
            wizard.final_notice_note = wizard._final_notice_note(withheld)
            wizard.no_address_count = wizard._no_address_count()

    def _no_address_count(self):
        """How many of the accounts that would qualify no statement can reach."""
        Account = self.env["patient.account"]
        return Account.search_count(
            [*self._domain(reachable=False), *Account._statement_unreachable_domain(self.email)]
        )

    def _final_notice_note(self, count):
        """Why ``count`` accounts of the final notice stage get no final notice."""
        if not count:
            return False
        if self.exclude_holds:
            return self.env._(
                "%(count)s account(s) in the final notice stage are on a dispute or "
                "financial-assistance hold: they are skipped, as no final notice goes out "
                "while such a hold lasts.",
                count=count,
            )
        return self.env._(
            "%(count)s account(s) in the final notice stage are on a dispute or "
            "financial-assistance hold: no final notice goes out while such a hold lasts, "
            "their statements say the account is under review instead.",
            count=count,
        )

    def action_send(self):
        """Produce the statements; download the merged PDF for the mail house."""
        self.ensure_one()
        accounts = self.env["patient.account"].search(self._domain())
        if not accounts:
            self._explain_nothing_qualifies()
        accounts.check_access("write")
        before = {account.id: account.last_statement_date for account in accounts}
        # each practice's statements dated by its own calendar, one merged PDF of
        # those to print
        merged = accounts._send_statements(email=self.email)
        sent = accounts.filtered(lambda account: account.last_statement_date != before[account.id])
        self._check_qualifying(sent)
        if merged:
            name = merged.name
            self.sudo().write({"merged_pdf": base64.b64encode(merged.raw), "merged_name": name})
            merged.sudo().unlink()
            return {
                "type": "ir.actions.act_url",
                "url": f"/web/content/{self._name}/{self.id}/merged_pdf/{quote(name)}"
                "?download=true",
                "target": "self",
            }
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s statement(s) sent by email; none to print.", count=len(sent)
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _check_qualifying(self, records):
        """Refuse when nothing qualifies (``records``: the accounts, or what
        sending them produced), saying which settings to widen."""
        if not records:
            raise UserError(self._nothing_qualifies_text())

    def _nothing_qualifies_text(self):
        return self.env._(
            "No account qualifies: widen the stages, lower the minimum balance or the "
            "days since the last statement (today's statements are never sent twice)."
        )

    def _explain_nothing_qualifies(self):
        """Refuse, saying which settings to widen and how many of the accounts
        asked for are left out by their own situation (a request to cease
        communication, a hold), which no setting of the form widens."""
        if self.on_selection and not self.account_ids:
            raise UserError(
                self.env._(
                    "None of the selected accounts can get a statement: they are archived (a "
                    "collections manager restores them first) or of a company you are not "
                    "working in."
                )
            )
        Account = self.env["patient.account"]
        ceased = Account.search_count(
            [*self._scope(), ("balance_due", ">", 0), ("cease_communication", "=", True)]
        )
        held = Account.search_count(self._domain(holds=False)) if self.exclude_holds else 0
        no_demand = Account.search_count(
            [*self._scope(), ("balance_due", ">", 0), ("hold_reason", "in", list(NO_DEMAND_HOLDS))]
        )
        no_address = self._no_address_count()
        why = []
        if no_address:
            why.append(
                self.env._(
                    "Accounts asked for without a mailing address (a street, and a city or a "
                    "ZIP code): %(count)s. Enter the guarantors' addresses first.",
                    count=no_address,
                )
            )
        if ceased:
            why.append(
                self.env._(
                    "Accounts asked for whose guarantor asked to cease communication: "
                    "%(count)s. No statement goes to them.",
                    count=ceased,
                )
            )
        if held:
            why.append(
                self.env._(
                    "Accounts asked for on hold: %(count)s. Untick Skip Accounts on Hold to "
                    "send theirs.",
                    count=held,
                )
            )
        if no_demand:
            why.append(
                self.env._(
                    "Accounts asked for on a bankruptcy or deceased hold: %(count)s. No "
                    "statement goes to them, whatever the settings.",
                    count=no_demand,
                )
            )
        raise UserError("\n".join([self._nothing_qualifies_text(), *why]))
