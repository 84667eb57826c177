from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

# Models whose activities may only go to users who can read the record.
PATIENT_MODELS = ("patient.account", "patient.payment.plan", "patient.interaction")


class MailActivity(models.Model):
    _inherit = "mail.activity"

    @api.model
    def _patient_unreadable(self, targets):
        """{(model, res_id, user id)} of ``targets`` the user may not read: one
        access query per (model, user)."""
        by_model_user = defaultdict(set)
        for model, res_id, user_id in targets:
            by_model_user[model, user_id].add(res_id)
        refused = set()
        for (model, user_id), res_ids in by_model_user.items():
            user = self.env["res.users"].sudo().browse(user_id)
            records = self.env[model].sudo().browse(res_ids).exists()
            readable = set()
            if user.active and not user.share:
                readable = set(records._filtered_access_for(user).ids)
            refused |= {(model, res_id, user_id) for res_id in res_ids if res_id not in readable}
        return refused

    @api.model
    def _patient_check_assignees(self, vals_list):
        """Activities about patient data go to users who may read it.

        Created by hand, a wrong assignee is refused with the reason; created by
        the module (as superuser), the activity goes to a collections manager of
        the record's company instead, or to nobody when there is none.
        """
        # by id, from Odoo's cached lookup: no query for the activities of other models
        model_names = {self.env["ir.model"]._get_id(model): model for model in PATIENT_MODELS}
        targets = []
        for vals in vals_list:
            model = vals.get("res_model") or model_names.get(vals.get("res_model_id"))
            user_id = vals.get("user_id", self.env.uid)
            if model in PATIENT_MODELS and vals.get("res_id") and user_id:
                targets.append((model, vals["res_id"], user_id))
        if not targets:
            return vals_list
        refused = self._patient_unreadable(targets)
        if not refused:
            return vals_list
        if not self.env.su:
            model, res_id, user_id = sorted(refused)[0]
            record = self.env[model].sudo().browse(res_id)
            raise UserError(
                self.env._(
                    "%(user)s cannot be given an activity on %(record)s: they may not open "
                    "it. Assign it to a collections user of its company.",
                    user=self.env["res.users"].sudo().browse(user_id).name,
                    record=record.display_name,
                )
            )
        for vals in vals_list:
            model = vals.get("res_model") or model_names.get(vals.get("res_model_id"))
            key = (model, vals.get("res_id"), vals.get("user_id", self.env.uid))
            if key in refused:
                account = self.env[model].sudo().browse(key[1])._patient_account()
                vals["user_id"] = account._collections_manager().id or False
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = self._patient_check_assignees([dict(vals) for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("user_id"):
            self._patient_check_assignees(
                [
                    {"res_model": activity.res_model, "res_id": activity.res_id, **vals}
                    for activity in self.sudo()
                    if activity.res_model in PATIENT_MODELS
                ]
            )
        return super().write(vals)
