"""A payment plan raised back when a write-off that lowered it is reversed: the
inverse of ``_lower_for_credits``, as far as the plan still runs."""

from markupsafe import Markup

from odoo import api, models

from .patient_protected import trusted


class PatientPaymentPlan(models.Model):
    _inherit = "patient.payment.plan"

    @api.model
    def _raise_back(self, raises):
        """``raises``: {plan: [(amount, source label)]}, what reversed write-offs
        had lowered each plan by.  An active plan gets it back on its last unpaid
        installment (the lowering took it from the last ones), its total follows,
        the payments are allocated again and a note on the plan says so.  A plan
        no longer active (completed, defaulted, cancelled) is left as it is: a line
        on its account says the amount is owed on the account."""
        Installment = trusted(self.env["patient.payment.plan.installment"].sudo())
        raised, left_alone = self.browse(), {}
        for plan, sources in raises.items():
            plan = plan.sudo()
            amount = plan.currency_id.round(sum(amount for amount, _l in sources))
            last = plan.installment_ids.filtered(lambda i: i.state != "paid").sorted(
                lambda i: (i.due_date, i.sequence, i.id)
            )[-1:]
            if plan.state != "active" or not last:
                left_alone.setdefault(plan.account_id.id, []).append(
                    self.env._(
                        "Payment plan %(plan)s is not active: it is left as it is, and "
                        "%(amount)s are owed on the account again.",
                        plan=plan.name,
                        amount=plan.currency_id.format(amount),
                    )
                )
                continue
            Installment.browse(last.id).write(
                {"amount": plan.currency_id.round(last.amount + amount)}
            )
            trusted(plan).write(
                {"total_amount": plan.currency_id.round(plan.total_amount + amount)}
            )
            raised |= plan
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
            "plan's last unpaid installment. Left to pay on the plan: %(left)s.",
            sources=", ".join(label for _a, label in sources),
            amount=fmt(sum(amount for amount, _l in sources)),
            left=fmt(left),
        )
