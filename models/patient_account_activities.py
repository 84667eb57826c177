"""To-dos that no longer make sense are closed, with a note saying why: a hold
freezes the escalation (its stage's calls and reviews), a payment plan replaces
them and the promise checks, a paid balance ends all collection to-dos (stage
ones, promise checks and callbacks).  Other activities (a manager's review, a
user's own to-do) stay."""

from odoo import models

PROMISE_CHECK_TYPE = "patient_collections.mail_activity_type_promise_check"
CALL_TYPE = "mail.mail_activity_data_call"


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _open_collection_activities(self, promise_checks=False, callbacks=False):
        """The open activities of these accounts that their stages gave (same type
        and summary), with the promise checks and calls when asked; one search."""
        if not self:
            return self.env["mail.activity"]
        stages = (
            self.env["patient.account.stage"].sudo().search([("activity_type_id", "!=", False)])
        )
        stage_todos = {
            (stage.activity_type_id.id, stage.activity_summary or stage.name) for stage in stages
        }
        types = set(stages.activity_type_id.ids)
        extra = set()
        if promise_checks:
            extra |= set(self.env.ref(PROMISE_CHECK_TYPE, raise_if_not_found=False).ids)
        if callbacks:
            extra |= set(self.env.ref(CALL_TYPE, raise_if_not_found=False).ids)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "in", sorted(types | extra)),
                ]
            )
        )
        return activities.filtered(
            lambda activity: (
                activity.activity_type_id.id in extra
                or (activity.activity_type_id.id, activity.summary) in stage_todos
            )
        )

    def _schedule_once(self, type_xmlid, summary, note, user=None):
        """The account's one open to-do of the activity type ``type_xmlid``: an
        open one says ``summary`` and ``note`` now (a later request or approval
        updates it: two would have the work done twice), else one is scheduled
        for ``user`` (none: nothing when there is no one to give it to)."""
        self.ensure_one()
        activity_type = self.env.ref(type_xmlid)
        current = (
            self.sudo()
            .activity_ids.filtered(lambda activity: activity.activity_type_id == activity_type)
            .sorted("id")[:1]
        )
        if current:
            current.write({"summary": summary, "note": note})
            return current
        if not user:
            return current
        return self.activity_schedule(type_xmlid, user_id=user.id, summary=summary, note=note)

    def _close_activities(self, activities, why):
        """Mark ``activities`` done with the note ``why`` (one chatter line each)."""
        if activities:
            activities.action_feedback(feedback=why)

    def _set_hold(self, reason, until=False, note=False, auto=False):
        res = super()._set_hold(reason, until=until, note=note, auto=auto)
        if self:
            self._close_activities(
                self._open_collection_activities(),
                self.env._("Closed: the account is on hold, its escalation is paused."),
            )
        return res

    def _write_stage(self, stage, today=None):
        res = super()._write_stage(stage, today)
        planned = self.filtered("active_plan_id") if stage.is_manual else self.browse()
        self._close_activities(
            planned._open_collection_activities(promise_checks=True).filtered(
                lambda activity: activity.summary != (stage.activity_summary or stage.name)
            ),
            self.env._("Closed: a payment plan was agreed."),
        )
        return res

    def _on_accounting_change(self):
        res = super()._on_accounting_change()
        self._close_activities(
            self.sudo()
            ._filter_settled()
            ._open_collection_activities(promise_checks=True, callbacks=True),
            self.env._("Closed: the balance is paid."),
        )
        return res
