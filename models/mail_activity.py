from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .patient_sql_rows import insert_rows

# Models whose activities may only go to users who can read the record (every
# model of patient data with activities: an assistance application's and a
# write-off's too).
PATIENT_MODELS = (
    "patient.account",
    "patient.payment.plan",
    "patient.interaction",
    "patient.financial.assistance",
    "patient.writeoff",
)


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
        managers = {}  # one lookup per company, however many are refused
        for vals in vals_list:
            model = vals.get("res_model") or model_names.get(vals.get("res_model_id"))
            key = (model, vals.get("res_id"), vals.get("user_id", self.env.uid))
            if key in refused:
                account = self.env[model].sudo().browse(key[1])._patient_account()
                if account.company_id not in managers:
                    managers[account.company_id] = account._collections_manager().id or False
                vals["user_id"] = managers[account.company_id]
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

    @api.model
    def _patient_create_batch(self, vals_list):
        """Activities the nightly run opens by the hundred (plans in default), as
        superuser without e-mail to the assignees: the rows Odoo's create writes
        (assignees checked as there, the record's name, the assignee's time
        zone), in one multi-row INSERT; the assignees follow the records (one
        batch per model and assignee) and get one bus notice each.  ``vals_list``:
        res_model_id, res_id, activity_type_id, summary, user_id, date_deadline."""
        vals_list = self._patient_check_assignees([dict(vals) for vals in vals_list])
        if not vals_list:
            return self.browse()
        # the patient models' by Odoo's cached lookup, others read
        model_names = {self.env["ir.model"]._get_id(model): model for model in PATIENT_MODELS}
        unknown = {vals["res_model_id"] for vals in vals_list} - set(model_names)
        for model in self.env["ir.model"].sudo().browse(unknown):
            model_names[model.id] = model.model
        users = (
            self.env["res.users"].sudo().browse({vals["user_id"] for vals in vals_list} - {False})
        )
        tz = {user.id: user.tz or None for user in users}
        names = {}
        for model_id, model in model_names.items():
            res_ids = [vals["res_id"] for vals in vals_list if vals["res_model_id"] == model_id]
            for record in self.env[model].sudo().browse(res_ids):
                names[model, record.id] = record.display_name
        columns = (
            "res_model_id",
            "res_model",
            "res_id",
            "res_name",
            "activity_type_id",
            "summary",
            "user_id",
            "user_tz",
            "date_deadline",
            "active",
        )
        rows = [
            (
                vals["res_model_id"],
                model_names[vals["res_model_id"]],
                vals["res_id"],
                names[model_names[vals["res_model_id"]], vals["res_id"]],
                vals["activity_type_id"],
                vals.get("summary") or None,
                vals["user_id"] or None,
                tz.get(vals["user_id"]),
                vals["date_deadline"],
                True,
            )
            for vals in vals_list
        ]
        activities = self.browse(insert_rows(self, columns, rows))
        followers = defaultdict(list)
        for vals in vals_list:
            if vals["user_id"]:
                followers[model_names[vals["res_model_id"]], vals["user_id"]].append(vals["res_id"])
        for (model, user_id), res_ids in followers.items():
            self._patient_follow(model, res_ids, users.browse(user_id).partner_id.id)
        today = fields.Date.context_today(self)
        todo = {vals["user_id"] for vals in vals_list if vals["date_deadline"] <= today} - {False}
        users.browse(todo)._bus_send("mail.activity/updated", {"activity_created": True})
        return activities

    @api.model
    def _patient_follow(self, model, res_ids, partner_id):
        """The assignee's partner follows the records, with the model's default
        subtypes (Odoo's for an internal user), those already following kept as
        they are: one statement."""
        subtypes = self.env["mail.message.subtype"].sudo().default_subtypes(model)[0]
        self.env["mail.followers"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT %(model)s, res_id, %(partner)s FROM unnest(%(ids)s::int[]) AS res_id
                        ON CONFLICT (res_model, res_id, partner_id) DO NOTHING
                 RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel
                       (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, subtype FROM new, unnest(%(subtypes)s::int[]) AS subtype
                """,
                model=model,
                partner=partner_id,
                ids=sorted(set(res_ids)),
                subtypes=subtypes.ids,
            )
        )
        self.env[model].browse(res_ids).invalidate_recordset(
            ["activity_ids", "message_follower_ids", "message_partner_ids"]
        )
