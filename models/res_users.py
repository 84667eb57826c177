from collections import defaultdict

from odoo import models

from .mail_activity import PATIENT_MODELS


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        res = super().write(vals)
        if (
            any(key == "groups_id" or key.startswith(("in_group_", "sel_groups_")) for key in vals)
            or ("active" in vals and not vals["active"])
            or "company_ids" in vals
        ):
            self._patient_drop_lost_access()
        return res

    def _notify_security_setting_update(self, subject, content, mail_values=None, **kwargs):
        """Odoo's notice of a change to the user's own login (password, login,
        email, two-factor authentication, a trusted device…): sent, like its
        password reset, as a mail about no document to the user as a user, so
        the contact gate sees it for what it is (``mail.mail._is_login_mail``),
        never collections contact.  Private: no client reaches it."""
        return super()._notify_security_setting_update(
            subject,
            content,
            mail_values={**(mail_values or {}), "message_type": "user_notification"},
            **kwargs,
        )

    def _patient_drop_lost_access(self):
        """Users who may no longer read patient records stop following them and
        hand their open activities on them to a collections manager."""
        Follower = self.env["mail.followers"].sudo()
        Activity = self.env["mail.activity"].sudo()
        for user in self.sudo().with_context(active_test=False):
            for model in PATIENT_MODELS:
                followed = Follower.search(
                    [("res_model", "=", model), ("partner_id", "=", user.partner_id.id)]
                )
                activities = Activity.search([("res_model", "=", model), ("user_id", "=", user.id)])
                res_ids = set(followed.mapped("res_id")) | set(activities.mapped("res_id"))
                if not res_ids:
                    continue
                records = self.env[model].sudo().browse(res_ids).exists()
                readable = set(records._filtered_access_for(user).ids) if user.active else set()
                followed.filtered(lambda f, readable=readable: f.res_id not in readable).unlink()
                lost = activities.filtered(lambda a, readable=readable: a.res_id not in readable)
                # one manager lookup per account, one write per manager
                managers = {}
                handed = defaultdict(lambda: Activity)
                for activity in lost:
                    account = self.env[model].sudo().browse(activity.res_id)._patient_account()
                    if account not in managers:
                        managers[account] = account._collections_manager()
                    handed[managers[account]] |= activity
                for manager, batch in handed.items():
                    batch.with_context(mail_activity_quick_update=True).write(
                        {"user_id": manager.id or False}
                    )
