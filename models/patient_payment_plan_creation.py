from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..logic import holds, plan_schedule
from .patient_payment_plan import PROGRESS_FIELDS
from .patient_protected import is_trusted, trusted
from .patient_sql_rows import insert_rows

# The stored columns of a new plan and of its installments, in the order of the
# rows _insert_active_plans builds (the audit columns follow).
PLAN_COLUMNS = (
    "account_id",
    "partner_id",
    "company_id",
    "name",
    "currency_id",
    "total_amount",
    "down_payment",
    "installment_count",
    "installment_amount",
    "frequency",
    "first_due_date",
    "state",
    "activation_date",
    *PROGRESS_FIELDS,
)
# the unique index of one active plan per account (patient_payment_plan.py, init)
ONE_ACTIVE_INDEX = "patient_payment_plan_one_active_idx"


class ActivePlanExists(UserError):
    """Another transaction set up an active plan on the account meanwhile (two
    users at once, a form sent twice): the unique index refused the second."""


INSTALLMENT_COLUMNS = (
    "plan_id",
    "account_id",
    "partner_id",
    "company_id",
    "sequence",
    "due_date",
    "amount",
    "amount_due",
    "state",
)


class PatientPaymentPlan(models.Model):
    """Making plans: the terms checked, the schedule built, the plans created
    and activated (the wizard, the portal and imports come through here)."""

    _inherit = "patient.payment.plan"

    @api.model
    def _terms_problems(self, account, terms, today):
        """Messages for what is wrong with the terms ([] when a plan can be made)."""
        company = account.company_id
        codes = plan_schedule.validate(
            terms["total_amount"],
            terms.get("down_payment") or 0.0,
            terms["frequency"],
            terms["first_due_date"],
            today,
            account.balance_due,
            installment_count=terms.get("installment_count"),
            installment_amount=terms.get("installment_amount"),
            minimum_installment=company.collections_plan_min_installment,
            max_term_months=company.collections_plan_max_months,
            digits=account.currency_id.decimal_places,
            max_installments=company.collections_plan_max_installments,
        )
        problems = []
        if codes:
            messages = self._terms_messages(account)
            problems = [messages[code] for code in codes]
        if not account.sudo().active:
            # an archived account is off the board and the portal: a plan on it would
            # be swept and defaulted with nobody working it (archiving one with an
            # active plan is refused for the same reason)
            problems.append(
                self.env._("The account is archived: restore it before setting up a payment plan.")
            )
        if account.sudo().plan_ids.filtered(lambda plan: plan.state == "active"):
            problems.append(
                self.env._(
                    "The account already has an active payment plan: complete or cancel it first."
                )
            )
        if not holds.takes_plan(account.hold_reason):
            # a dispute, bankruptcy or death: no payment is asked for, so none is
            # scheduled (a default would chase it)
            reasons = dict(account._fields["hold_reason"]._description_selection(self.env))
            problems.append(
                self.env._(
                    "The account is on hold (%(hold)s): no payment is asked for while the hold "
                    "lasts, so no payment plan is set up. Release the hold first to agree on "
                    "a plan.",
                    hold=reasons.get(account.hold_reason, account.hold_reason),
                )
            )
        return problems

    @api.model
    def _terms_messages(self, account):
        """{problem code of plan_schedule.validate: what to tell the user}."""
        company = account.company_id
        fmt = account.currency_id.format
        return {
            plan_schedule.ERR_TOTAL: self.env._("The plan's total must be more than zero."),
            plan_schedule.ERR_TOTAL_ABOVE_BALANCE: self.env._(
                "The plan's total cannot be more than the balance due (%(balance)s; "
                "insurance-pending amounts are not part of it).",
                balance=fmt(account.balance_due),
            ),
            plan_schedule.ERR_DOWN_NEGATIVE: self.env._("The down payment cannot be negative."),
            plan_schedule.ERR_DOWN_ABOVE_TOTAL: self.env._(
                "The down payment must be less than the plan's total."
            ),
            plan_schedule.ERR_CHOOSE_ONE: self.env._(
                "Choose either the number of installments or the installment amount."
            ),
            plan_schedule.ERR_COUNT: self.env._("The number of installments must be at least one."),
            plan_schedule.ERR_AMOUNT: self.env._("The installment amount must be more than zero."),
            plan_schedule.ERR_FIRST_DUE_PAST: self.env._(
                "The first installment cannot be due in the past: choose today or later."
            ),
            plan_schedule.ERR_BELOW_MINIMUM: self.env._(
                "Installments must be at least %(minimum)s (the last one may be less): "
                "choose fewer installments or a larger amount.",
                minimum=fmt(company.collections_plan_min_installment),
            ),
            plan_schedule.ERR_TERM: self.env._(
                "The plan would last more than %(months)s months: choose more per "
                "installment, fewer installments or a more frequent schedule.",
                months=company.collections_plan_max_months,
            ),
            plan_schedule.ERR_FREQUENCY: self.env._("Choose how often installments are due."),
            plan_schedule.ERR_TOO_MANY: self.env._(
                "A plan has at most %(count)s installments (Collections Settings): choose "
                "fewer installments or a larger amount.",
                count=company.collections_plan_max_installments,
            ),
        }

    @api.model
    def _prepare_plan_vals(self, account, terms, today):
        """The values of a draft plan and its schedule (the terms are valid)."""
        schedule = plan_schedule.build_schedule(
            terms["total_amount"],
            terms.get("down_payment") or 0.0,
            terms["frequency"],
            terms["first_due_date"],
            installment_count=terms.get("installment_count"),
            installment_amount=terms.get("installment_amount"),
            start_date=today,
            digits=account.currency_id.decimal_places,
        )
        installments = [line for line in schedule if line.sequence > 0]
        return {
            "account_id": account.id,
            "total_amount": terms["total_amount"],
            "down_payment": terms.get("down_payment") or 0.0,
            "installment_count": len(installments),
            "installment_amount": float(installments[0].amount),
            "frequency": terms["frequency"],
            "first_due_date": terms["first_due_date"],
            "activation_date": today,
            "installment_ids": [
                fields.Command.create(
                    {
                        "sequence": line.sequence,
                        "due_date": line.due_date,
                        "amount": float(line.amount),
                    }
                )
                for line in schedule
            ],
        }

    @api.model
    def _create_plans(self, requests, channel="phone_in"):
        """Create and activate plans for (account, terms) pairs, refusing them all
        with every problem found before anything is written.  Plans start on the
        company's calendar date."""
        today = {
            company: self._company_today(company) for company in self._request_companies(requests)
        }
        # installments are written by the plan only: created with it as superuser
        self.check_access("create")
        accounts = self.env["patient.account"].browse([a.id for a, _t in requests])
        accounts.check_access("write")
        accounts._check_owner()
        self._check_terms(requests, today)
        # the agreement's contact (_log_agreement_interactions) passes the contact rules
        self.env["patient.interaction"]._check_new_contacts(
            [{"account_id": account.id, "channel": channel} for account, _t in requests]
        )
        vals_list = [self._prepare_plan_vals(a, t, today[a.company_id]) for a, t in requests]
        try:
            # the check above cannot see a plan another transaction has not committed
            # yet: its unique index refuses the second, said as the check says it
            with self.env.cr.savepoint():
                plans = trusted(self.sudo())._insert_active_plans(vals_list)
        except pg_errors.UniqueViolation as error:
            if error.diag.constraint_name != ONE_ACTIVE_INDEX:
                raise
            raise ActivePlanExists(
                self.env._(
                    "%(accounts)s: a payment plan was set up on the account at the same "
                    "moment (by another user, or the form was sent twice). Reload the "
                    "account to see it.",
                    accounts=", ".join(accounts.mapped("name")),
                )
            ) from None
        plans._activate(channel=channel)
        return plans.with_env(self.env)

    @api.model
    def _request_companies(self, requests):
        return self.env["res.company"].union(*(account.company_id for account, _t in requests))

    @api.model
    def _check_terms(self, requests, today):
        """Refuse every request with all the problems found, before anything is written."""
        problems = []
        for account, terms in requests:
            problems += [
                f"{account.name}: {text}"
                for text in self._terms_problems(account, terms, today[account.company_id])
            ]
        if problems:
            raise UserError("\n".join(problems))

    # ------------------------------------------------------------------ set-based insert

    @api.model
    def _insert_active_plans(self, vals_list):
        """Insert active plans and their installments set-based: one reservation of
        the plans' numbers, one multi-row INSERT of the plans and one (in pages) of
        the installments, every stored column as the ORM would write it; then what
        the ORM's create does around it (dependent fields, followers, the chatter's
        creation line, in batches).  ``vals_list``: from ``_prepare_plan_vals``."""
        if not is_trusted(self.env):
            raise UserError(self.env._("Payment plans are made with the Payment Plan button."))
        if not vals_list:
            return self.browse()
        accounts = self.env["patient.account"].browse([vals["account_id"] for vals in vals_list])
        accounts.fetch(["partner_id", "company_id", "currency_id"])
        names = self._reserve_names(len(vals_list))
        plan_rows = [
            self._plan_row(vals, name) for vals, name in zip(vals_list, names, strict=True)
        ]
        plan_ids = insert_rows(self, PLAN_COLUMNS, plan_rows)
        installment_rows = [
            (plan_id, *row[:3], *line)
            for plan_id, row, vals in zip(plan_ids, plan_rows, vals_list, strict=True)
            for line in self._installment_lines(vals)
        ]
        Installment = self.env["patient.payment.plan.installment"]
        insert_rows(Installment, INSTALLMENT_COLUMNS, installment_rows)
        plans = self.browse(plan_ids)
        # as the ORM's create: the accounts' active plan and the like follow
        self.env["patient.account"].browse({row[0] for row in plan_rows}).invalidate_recordset(
            ["plan_ids"]
        )
        plans.modified(["state"], create=True)
        plans._log_creation()
        return plans

    @api.model
    def _reserve_names(self, count):
        """``count`` plan numbers from the plans' sequence in one reservation (a
        standard sequence: one nextval over a series); else one by one."""
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "patient.payment.plan"),
                    ("company_id", "in", [self.env.company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in self.env.cr.fetchall()
        ]

    @api.model
    def _plan_row(self, vals, name):
        """The plan's stored columns (PLAN_COLUMNS but the audit ones), active from
        its activation date: nothing paid, the first installment next."""
        account = self.env["patient.account"].browse(vals["account_id"])
        lines = sorted(self._installment_lines(vals), key=lambda line: (line[1], line[0]))
        return (
            account.id,
            account.partner_id.id,
            account.company_id.id,
            name,
            account.currency_id.id,
            vals["total_amount"],
            vals["down_payment"],
            vals["installment_count"],
            vals["installment_amount"],
            vals["frequency"],
            vals["first_due_date"],
            "active",
            vals["activation_date"],
            0.0,
            vals["total_amount"],
            lines[0][1],
            lines[0][2],
            0,
            lines[0][1],
        )

    @api.model
    def _installment_lines(self, vals):
        """(sequence, due date, amount, amount due, state) of each installment."""
        return [
            (line["sequence"], line["due_date"], line["amount"], line["amount"], "open")
            for _command, _id, line in vals["installment_ids"]
        ]

    def _log_creation(self):
        """What mail.thread's create does for new records: the creating user
        follows them, and a creation line in their chatter (both in one batch)."""
        if self.env.user.active:
            self.env["mail.followers"]._insert_followers(
                self._name,
                self.ids,
                self.env.user.partner_id.ids,
                subtypes=None,
                customer_ids=[],
                check_existing=False,
            )
        self._message_log_batch(bodies=dict.fromkeys(self.ids, self[:1]._creation_message()))
