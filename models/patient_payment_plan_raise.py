"""A payment plan raised back when a write-off that lowered it is reversed: the
inverse of ``_lower_for_credits``, as far as the plan still runs."""

from markupsafe import Markup

from odoo import api, models

from ..logic import plan_schedule
from .patient_protected import trusted


class PatientPaymentPlan(models.Model):
    _inherit = "patient.payment.plan"

    @api.model
    def _raise_back(self, raises):
        """``raises``: {plan: [(amount, source label)]}, what reversed write-offs
        had lowered each plan by.  An active plan gets it back where the lowering
        took it from (``plan_schedule.raise_back``): its last unpaid installment,
        when not due yet, topped up to the plan's installment amount (a down
        payment to the down payment), then installments of that amount on the
        plan's own dates after its last one (none in the past), its total follows,
        the payments are allocated again and a note on the plan says so.  A plan
        no longer active (completed, defaulted, cancelled) is left as it is: a line
        on its account says the amount is owed on the account."""
        Installment = trusted(self.env["patient.payment.plan.installment"].sudo())
        raised, left_alone, new_lines = self.browse(), {}, []
        for plan, sources in raises.items():
            plan = plan.sudo()
            currency = plan.currency_id
            amount = currency.round(sum(amount for amount, _l in sources))
            if plan.state != "active":
                left_alone.setdefault(plan.account_id.id, []).append(
                    self.env._(
                        "Payment plan %(plan)s is not active: it is left as it is, and "
                        "%(amount)s are owed on the account again.",
                        plan=plan.name,
                        amount=currency.format(amount),
                    )
                )
                continue
            ordered = plan.installment_ids.sorted(lambda i: (i.due_date, i.sequence, i.id))
            last = ordered.filtered(lambda i: i.state != "paid")[-1:]
            topped, added = plan_schedule.raise_back(
                (last.due_date, last.amount, last.sequence == 0) if last else None,
                amount,
                (
                    plan.installment_amount,
                    plan.down_payment,
                    plan.frequency,
                    plan.first_due_date,
                    plan.installment_count,
                ),
                ordered[-1:].due_date or None,
                plan._company_today(plan.company_id),
                currency.decimal_places,
            )
            if topped is not None:
                Installment.browse(last.id).write({"amount": float(topped)})
            sequence = max(ordered.mapped("sequence"), default=0)
            new_lines += [
                {
                    "plan_id": plan.id,
                    "sequence": sequence + index,
                    "due_date": due,
                    "amount": float(part),
                }
                for index, (due, part) in enumerate(added, start=1)
            ]
            trusted(plan).write({"total_amount": currency.round(plan.total_amount + amount)})
            raised |= plan
        if new_lines:
            Installment.create(new_lines)
        if raised:
            raised._mark_stale()
            raised._allocate_payments()
            raised._message_log_batch(
                bodies={
                    plan.id: Markup("<p>%s</p>") % plan._raised_note(raises[plan])
                    for plan in raised
                }
            )
        if left_alone:
            self.env["patient.account"].sudo().browse(list(left_alone))._message_log_batch(
                bodies={key: Markup("<p>%s</p>") % " ".join(t) for key, t in left_alone.items()}
            )

    def _raised_note(self, sources):
        """The plan's chatter line: what raised it back, by how much, what is left."""
        self.ensure_one()
        fmt = self.currency_id.format
        left = sum(i.amount_due for i in self.installment_ids if i.state != "paid")
        return self.env._(
            "%(sources)s: the %(amount)s it had taken off the plan are owed again, on the "
            "plan's last installments. Left to pay on the plan: %(left)s.",
            sources=", ".join(label for _a, label in sources),
            amount=fmt(sum(amount for amount, _l in sources)),
            left=fmt(left),
        )
