"""The followers of patient data: who follows an account (its guarantor, its
collectors) is patient data too.  A follower of a record of a model with the
patient chatter (``patient.phi.thread.mixin``) is found and read only by users
who may read that record, within their companies; Odoo's own follower machinery
(subscribe, notify) runs as superuser and is unaffected."""

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression

PHI_THREAD_MIXIN = "patient.phi.thread.mixin"


def patient_thread_models(env):
    """The models whose chatter is patient data."""
    mixin = env.registry[PHI_THREAD_MIXIN]
    return sorted(
        name
        for name, model in env.registry.items()
        if issubclass(model, mixin) and not model._abstract and name != PHI_THREAD_MIXIN
    )


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    def _patient_readable_domain(self):
        """Followers of other records, or of patient records the user may read
        (one subquery per model, the record rules of the user's companies)."""
        thread_models = patient_thread_models(self.env)
        domains = [[("res_model", "not in", thread_models)]]
        Access = self.env["ir.model.access"]
        for name in thread_models:
            if Access.check(name, "read", raise_exception=False):
                readable = self.env[name].with_context(active_test=False)._search([])
                domains.append([("res_model", "=", name), ("res_id", "in", readable)])
        return expression.OR(domains)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain or [], self._patient_readable_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    def _check_access(self, operation):
        """Reading followers by id (``read``, ``web_read``): the same rule."""
        result = super()._check_access(operation)
        if result is not None or self.env.su or not any(self._ids):
            return result
        visible = self.browse(self._search([("id", "in", [i for i in self._ids if i])]))
        forbidden = self - visible
        if not forbidden:
            return None
        # an error naming no record (a follower's name is its partner's)
        return forbidden, lambda: AccessError(
            self.env._(
                "You cannot see the followers of patient records you have no access to. "
                "Ask a collections manager for the collections role of their company."
            )
        )
