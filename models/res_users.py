from collections import defaultdict

from odoo import models

from .mail_activity import PATIENT_MODELS
from .mail_mail import LOGIN_MAIL
from .patient_protected import trusted
from .res_partner import PATIENT_FIELDS

# who reads every patient account of their companies (the others, specialists,
# read those assigned to them): their dashboard and its weekly aged balances are
# company-wide
EVERY_ACCOUNT_GROUPS = (
    "patient_collections.group_collections_manager,patient_collections.group_collections_accountant"
)


def login_mail(records):
    """``records`` sending a mail about a person's own login (see ResUsers)."""
    return trusted(records, **{LOGIN_MAIL: True})


class ResUsers(models.Model):
    _inherit = "res.users"

    def _add_inherited_fields(self):
        """A patient's fields (their record number, birth date, guarantor, accounts)
        are read on the contact, where their practice's scope and the access log
        apply: on the contact's user (a portal patient's), for administrators only."""
        res = super()._add_inherited_fields()
        for name in PATIENT_FIELDS:
            field = self._fields.get(name)
            if field is not None and field.inherited:
                field.groups = "base.group_system"
        return res

    def _patient_reads_every_account(self):
        """Whether this user (a collections manager or accountant) reads every
        patient account of their companies."""
        self.ensure_one()
        return self.has_groups(EVERY_ACCOUNT_GROUPS)

    def write(self, vals):
        res = super().write(vals)
        if (
            any(key == "groups_id" or key.startswith(("in_group_", "sel_groups_")) for key in vals)
            or ("active" in vals and not vals["active"])
            or "company_ids" in vals
        ):
            self._patient_drop_lost_access()
        return res

    # Odoo's mails about a person's own login (its password reset and
    # invitation, its security notices, its new-device alert) are sent through
    # these methods only: marked in-process here, they are not collections
    # contact (``mail.mail._is_login_mail``); a client cannot set the mark.
    def _notify_security_setting_update(self, subject, content, mail_values=None, **kwargs):
        return super(ResUsers, login_mail(self))._notify_security_setting_update(
            subject, content, mail_values=mail_values, **kwargs
        )

    def _action_reset_password(self, signup_type="reset"):
        return super(ResUsers, login_mail(self))._action_reset_password(signup_type)

    def _alert_new_device(self):
        return super(ResUsers, login_mail(self))._alert_new_device()

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
