from odoo import fields, models


class PatientPaymentPlan(models.Model):
    """The plan agreement the guarantor signs: a reportlab PDF of the terms and
    the schedule."""

    _inherit = "patient.payment.plan"
    _reportlab_reports = {"patient_collections.report_payment_plan_agreement": "_agreement_pdfs"}

    def action_print_agreement(self):
        self.check_access("read")
        return self.env.ref(
            "patient_collections.action_report_payment_plan_agreement"
        ).report_action(self)

    def _agreement_pdfs(self):
        from ..logic import pdf_plan_agreement  # noqa: PLC0415 - reportlab loads on demand

        return pdf_plan_agreement.render([plan._agreement_values() for plan in self])

    def _agreement_values(self):
        self.ensure_one()
        plan = self.sudo()
        company = plan.company_id
        fmt = plan.currency_id.format
        frequencies = dict(self._fields["frequency"]._description_selection(self.env))
        guarantor = plan.partner_id
        return {
            "practice": {
                "name": company.name,
                "address": company.partner_id._display_address(without_company=True),
                "phone": company.phone or "",
            },
            "account": plan.account_id.name,
            "plan": plan.name,
            "date": self._agreement_date_format()(
                plan.activation_date or fields.Date.context_today(self)
            ),
            "guarantor": guarantor.name,
            "guarantor_address": guarantor._display_address(without_company=True),
            "total": fmt(plan.total_amount),
            "down_payment": fmt(plan.down_payment),
            "frequency": frequencies[plan.frequency],
            "status": plan._agreement_status(),
            "schedule": plan._agreement_schedule(),
            "terms": plan._agreement_terms(),
            "labels": self._agreement_labels(),
        }

    def _agreement_status(self):
        """What the agreement of a plan no longer in force says at its top (a copy
        printed after the plan was cancelled, defaulted or completed must not read
        as terms still to keep); nothing for an active plan."""
        if self.state in ("draft", "active"):
            return ""
        states = dict(self._fields["state"]._description_selection(self.env))
        return self.env._(
            "This plan is %(state)s (%(date)s): it is no longer in force. This copy is "
            "for the record only.",
            state=states[self.state].lower(),
            date=self._agreement_date_format()(self.end_date) if self.end_date else "",
        )

    def _agreement_schedule(self):
        """[label, due date, amount] per installment, the down payment first."""
        fmt = self.currency_id.format
        date_format = self._agreement_date_format()
        return [
            [
                self.env._("Down payment")
                if line.sequence == 0
                else self.env._("Installment %(number)s", number=line.sequence),
                date_format(line.due_date),
                fmt(line.amount),
            ]
            for line in self.installment_ids
        ]

    def _agreement_date_format(self):
        """Dates in the language the agreement is written in (the guarantor's), never ISO."""
        return self.env["patient.account"]._date_formatter(self.env.lang)

    def _agreement_terms(self):
        """The paragraphs of the terms: allocation order, missed installments, default."""
        company = self.company_id
        return [
            self.env._(
                "The guarantor agrees to pay the amounts above by their due dates. Payments "
                "are applied to the installments in order of their due dates."
            ),
            self.env._(
                "An installment unpaid %(days)s days after its due date is missed; after "
                "%(misses)s missed installments, or when the last installment is missed, the "
                "plan ends and the remaining balance is due.",
                days=company.collections_plan_grace_days,
                misses=company.collections_plan_misses_default,
            ),
        ]

    def _agreement_labels(self):
        return {
            "title": self.env._("Payment Plan Agreement"),
            "account": self.env._("Account"),
            "plan": self.env._("Plan"),
            "date": self.env._("Date"),
            "terms_heading": self.env._("Terms"),
            "total": self.env._("Total"),
            "down_payment": self.env._("Down payment"),
            "frequency": self.env._("Frequency"),
            "schedule_heading": self.env._("Schedule"),
            "installment": self.env._("Installment"),
            "due_date": self.env._("Due date"),
            "amount": self.env._("Amount"),
            "guarantor_signature": self.env._("Guarantor's signature"),
            "practice_signature": self.env._("For the practice"),
        }
