"""What an agreed plan brings, for thousands of plans at once: the accounts move
to the payment plan stage, each gets its "agreed" interaction (one multi-row
INSERT through the interaction's own rules, ``patient_interaction_batch.py``)
and a chatter line with the plan's terms (the lines' bodies sanitized in one
pass)."""

from markupsafe import Markup

from odoo import models
from odoo.tools.misc import format_date

from .patient_protected import trusted


class PatientPaymentPlan(models.Model):
    _inherit = "patient.payment.plan"

    def _activate(self, channel="phone_in"):
        """What an agreed plan brings: the accounts go to the payment plan stage, each
        gets an interaction and a chatter line.  Called as superuser, once the
        caller checked the user's rights (see _create_plans)."""
        previous = self._move_accounts_to_plan_stage()
        self._log_agreement_interactions(channel)
        self._log_agreement_chatter(previous)

    def _move_accounts_to_plan_stage(self):
        """One stage write for the accounts not in the payment plan stage yet (its
        tracking is the agreement's chatter line); {account id: previous stage}."""
        stage = self.env.ref("patient_collections.stage_payment_plan", raise_if_not_found=False)
        if not stage:
            return {}
        accounts = self.account_id.filtered(lambda a: a.stage_id != stage)
        previous = {account.id: account.stage_id for account in accounts}
        accounts._write_stage(stage)
        return previous

    def _log_agreement_interactions(self, channel):
        """One interaction per plan: the guarantor agreed to it (one multi-row
        INSERT through the same contact rules and outcome as a logged contact)."""
        trusted(self.env["patient.interaction"])._insert_logged(
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

    def _log_agreement_chatter(self, previous_stages):
        """A line in each account's chatter with the plan's terms and the stage it
        left, in one batch."""
        bodies = {}
        for plan in self:
            text = self.env._(
                "Payment plan %(plan)s: %(total)s in %(count)s installments from %(date)s.",
                plan=plan.name,
                total=plan.currency_id.format(plan.total_amount),
                count=plan.installment_count,
                date=format_date(self.env, plan.first_due_date),
            )
            old = previous_stages.get(plan.account_id.id)
            if old is not None:
                text += " " + self.env._(
                    "Stage: %(old)s → %(new)s.",
                    old=old.display_name or self.env._("none"),
                    new=plan.account_id.stage_id.display_name,
                )
            bodies[plan.account_id.id] = Markup("<p>%s</p>") % text
        self.account_id._message_log_batch(bodies=bodies)
