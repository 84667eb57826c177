"""What an agreed plan brings, for thousands of plans at once: the accounts move
to the payment plan stage, each gets its "agreed" interaction (one multi-row
INSERT through the interaction's own rules, ``patient_interaction_batch.py``)
and a chatter line with the plan's terms (the lines' bodies sanitized in one
pass)."""

from markupsafe import Markup

from odoo import api, models

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
                date=plan.first_due_date,
            )
            old = previous_stages.get(plan.account_id.id)
            if old is not None:
                text += " " + self.env._(
                    "Stage: %(old)s → %(new)s.",
                    old=old.name or self.env._("none"),
                    new=plan.account_id.stage_id.name,
                )
            bodies[plan.account_id.id] = Markup("<p>%s</p>") % text
        self._log_paragraphs(self.account_id, bodies)

    @api.model
    def _log_paragraphs(self, records, bodies):
        """``records._message_log_batch(bodies=bodies)`` for bodies that are each one
        paragraph of text (``<p>…</p>``): the same notes, their bodies sanitized by
        the message's field in one pass over all of them and split back (one by one
        when they do not split back into as many paragraphs)."""
        if len(records) < 2:
            return records._message_log_batch(bodies=bodies)
        Message = self.env["mail.message"].sudo()
        body_field = Message._fields["body"]
        texts = [bodies.get(record.id, Markup("")) for record in records]
        joined = body_field.convert_to_column_insert(Markup("").join(texts), Message)
        pieces = str(joined).split("</p><p>")
        sanitized = [
            Markup(
                f"{'' if index == 0 else '<p>'}{piece}{'' if index == len(pieces) - 1 else '</p>'}"
            )
            for index, piece in enumerate(pieces)
        ]
        if len(sanitized) != len(texts) or not all(
            text.startswith("<p>") and text.endswith("</p>") and sanitized_text.count("<p>") == 1
            for text, sanitized_text in zip(texts, sanitized, strict=False)
        ):
            sanitized = [body_field.convert_to_column_insert(text, Message) for text in texts]
        common = records._log_row_common(False, None, None, "notification")
        rows = [
            (records._name, record.id, body, *common)
            for record, body in zip(records, sanitized, strict=True)
        ]
        return Message.browse(records._insert_log_rows(rows))
