from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL

from ..logic import plan_schedule, plan_status
from .patient_protected import trusted


class PatientPaymentPlan(models.Model):
    """Payments to installments: the allocation, the states it gives the
    installments, and the plans it completes or defaults."""

    _inherit = "patient.payment.plan"

    # ------------------------------------------------------------------ allocation

    def _allocate_payments(self, today=None):
        """Spread the payments over the installments again, from scratch, and update
        the installments' paid amounts and states (only the ones that change).
        Follows the accounting whoever posted the payment: runs as superuser."""
        plans = trusted(self.sudo()).filtered(lambda plan: plan.state == "active")
        if not plans:
            return
        today = today or fields.Date.context_today(self)
        plans._lock_for_allocation()
        payments = plans._payments_since_activation()
        changes, payment_links = plans._allocation_changes(payments, today)
        self.env["patient.payment.plan.installment"]._write_allocation(changes, payment_links)
        plans._close_if_done(today)

    def _payments_since_activation(self):
        """{plan id: [(date, amount, payment id)]}: the guarantor's payments reconciled
        with the account's invoices since the plan started, in company currency."""
        if not self:
            return {}
        self.env["account.partial.reconcile"].flush_model()
        self.env["account.move.line"].flush_model(["move_id", "date"])
        self.env["account.move"].flush_model(
            ["state", "patient_account_id", "origin_payment_id", "statement_line_id"]
        )
        self.flush_model(["account_id", "activation_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT plan.id, credit_line.date, partial.amount, pay_move.origin_payment_id,
                       partial.id
                  FROM patient_payment_plan plan
                  JOIN account_move invoice ON invoice.patient_account_id = plan.account_id
                  JOIN account_move_line debit_line ON debit_line.move_id = invoice.id
                  JOIN account_partial_reconcile partial
                    ON partial.debit_move_id = debit_line.id
                  JOIN account_move_line credit_line ON credit_line.id = partial.credit_move_id
                  JOIN account_move pay_move ON pay_move.id = credit_line.move_id
                 WHERE plan.id = ANY(%s)
                   AND invoice.state = 'posted'
                   AND pay_move.state = 'posted'
                   AND (pay_move.origin_payment_id IS NOT NULL
                        OR pay_move.statement_line_id IS NOT NULL)
                   AND credit_line.date >= plan.activation_date
                """,
                self.ids,
            )
        )
        payments = defaultdict(list)
        for plan_id, date, amount, payment_id, partial_id in self.env.cr.fetchall():
            payments[plan_id].append((date, amount, payment_id or f"partial-{partial_id}"))
        return payments

    def _lock_for_allocation(self):
        """Serialize allocations of the same plans across transactions."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM patient_payment_plan WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                    self.ids,
                )
            )

    def _allocation_changes(self, payments, today):
        """What the allocation of ``payments`` changes on the plans' installments:
        ({(paid, paid date, state): [installment ids]}, {installment id: [payment ids]}),
        only the installments whose values or payments differ from what is stored."""
        changes = defaultdict(list)
        payment_links = {}
        for plan in self:
            grace_days = plan.company_id.collections_plan_grace_days
            digits = plan.currency_id.decimal_places
            installments = plan.installment_ids
            allocation = plan_schedule.allocate(
                [(i.id, i.due_date, i.amount) for i in installments],
                payments.get(plan.id, []),
                digits=digits,
            )
            for installment in installments:
                result = allocation[installment.id]
                paid, paid_date, state = plan_status.installment_result(
                    result, installment.amount, installment.due_date, today, grace_days, digits
                )
                values = (float(paid), paid_date or False, state)
                current = (installment.amount_paid, installment.paid_date, installment.state)
                if values != current:
                    changes[values].append(installment.id)
                payment_ids = sorted(ref for ref in result.payments if isinstance(ref, int))
                if payment_ids != sorted(installment.sudo().payment_ids.ids):
                    payment_links[installment.id] = payment_ids
        return changes, payment_links

    # ------------------------------------------------------------------ outcomes

    def _close_if_done(self, today):
        """Complete fully paid plans; default plans with too many missed installments."""
        outcomes = {
            plan.id: plan_status.plan_outcome(
                plan.installment_ids.mapped("state"),
                plan.company_id.collections_plan_misses_default,
            )
            for plan in self
        }
        completed = self.filtered(lambda plan: outcomes[plan.id] == plan_status.COMPLETED)
        defaulted = self.filtered(lambda plan: outcomes[plan.id] == plan_status.DEFAULTED)
        completed._complete(today)
        defaulted._default(today)

    def _complete(self, today):
        """End paid plans: state, chatter of the plan and the account, and the
        accounts go on with collections by the run's rules."""
        if not self:
            return
        self.write({"state": "completed", "end_date": today})
        for plan in self:
            plan.message_post(body=self.env._("All installments are paid: the plan is complete."))
            plan.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._("Payment plan %(plan)s completed.", plan=plan.name)
            )
        self.account_id._return_to_escalation()

    def _default(self, today):
        """End plans in default: state, chatter, a call activity for the account's
        specialist, and the accounts go on with collections."""
        if not self:
            return
        self.write({"state": "defaulted", "end_date": today})
        for plan in self:
            plan.message_post(
                body=self.env._(
                    "%(count)s installments missed: the plan is in default.",
                    count=plan.missed_count,
                )
            )
            plan.account_id._message_log(
                body=Markup("<p>%s</p>")
                % self.env._("Payment plan %(plan)s defaulted.", plan=plan.name)
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            self._default_activity_vals(today)
        )
        self.account_id._return_to_escalation()

    def _default_activity_vals(self, today):
        """A call activity per defaulted plan, for its account's specialist."""
        model_id = self.env["ir.model"]._get_id("patient.account")
        call = self.env.ref("mail.mail_activity_data_call").id
        return [
            {
                "res_model_id": model_id,
                "res_id": plan.account_id.id,
                "activity_type_id": call,
                "summary": self.env._("Payment plan defaulted: call the guarantor"),
                "user_id": (plan.account_id.user_id or self.env.user).id,
                "date_deadline": today,
            }
            for plan in self
        ]
