from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import plan_schedule
from .patient_protected import trusted


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
        messages = self._terms_messages(account)
        problems = [messages[code] for code in codes]
        if account.sudo().plan_ids.filtered(lambda plan: plan.state == "active"):
            problems.append(
                self.env._(
                    "%(account)s already has an active payment plan: complete or cancel it first.",
                    account=account.name,
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
        with every problem found before anything is written."""
        today = fields.Date.context_today(self)
        # installments are written by the plan only: created with it as superuser
        self.check_access("create")
        accounts = self.env["patient.account"].browse([a.id for a, _t in requests])
        accounts.check_access("write")
        accounts._check_owner()
        problems = []
        for account, terms in requests:
            problems += [
                f"{account.name}: {text}" for text in self._terms_problems(account, terms, today)
            ]
        if problems:
            raise UserError("\n".join(problems))
        plans = trusted(self.sudo()).create(
            [self._prepare_plan_vals(a, t, today) for a, t in requests]
        )
        plans._activate(channel=channel)
        return plans.with_env(self.env)

    def _activate(self, channel="phone_in"):
        """Activate draft plans: the accounts go to the payment plan stage, each
        gets an interaction and a chatter line.  Called as superuser, once the
        caller checked the user's rights (see _create_plans)."""
        today = fields.Date.context_today(self)
        self.write({"state": "active", "activation_date": today})
        self._move_accounts_to_plan_stage()
        self._log_agreement_interactions(channel)
        self._log_agreement_chatter()

    def _move_accounts_to_plan_stage(self):
        stage = self.env.ref("patient_collections.stage_payment_plan", raise_if_not_found=False)
        if stage:
            accounts = self.account_id.filtered(lambda a: a.stage_id != stage)
            trusted(accounts, collections_run=True).write({"stage_id": stage.id})

    def _log_agreement_interactions(self, channel):
        """One interaction per plan: the guarantor agreed to it."""
        trusted(self.env["patient.interaction"]).create(
            [
                {
                    "account_id": plan.account_id.id,
                    "channel": channel,
                    "outcome": "reached",
                    "note": self.env._("Payment plan %(plan)s agreed.", plan=plan.name),
                }
                for plan in self
            ]
        )

    def _log_agreement_chatter(self):
        """A line in each account's chatter with the plan's terms."""
        for plan in self:
            plan.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Payment plan %(plan)s: %(total)s in %(count)s installments from %(date)s.",
                    plan=plan.name,
                    total=plan.currency_id.format(plan.total_amount),
                    count=plan.installment_count,
                    date=plan.first_due_date,
                )
            )
