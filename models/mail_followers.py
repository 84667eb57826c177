"""The followers of patient data: who follows an account (its guarantor, its
collectors) is patient data too.  A follower of a record of a model with the
patient chatter (``patient.phi.thread.mixin``) is found and read only by users
who may read that record, within their companies; Odoo's own follower machinery
(subscribe, notify) runs as superuser and is unaffected."""

from odoo import api, models, tools
from odoo.exceptions import AccessError
from odoo.osv import expression

PHI_THREAD_MIXIN = "patient.phi.thread.mixin"


def readable_threads(env, thread_models):
    """(model, the records of it the user may read: a subquery of the record
    rules of the user's companies) for each of ``thread_models`` the user may read."""
    Access = env["ir.model.access"]
    for name in thread_models:
        if Access.check(name, "read", raise_exception=False):
            yield name, env[name].with_context(active_test=False)._search([])


class MailFollowers(models.Model):
    _inherit = "mail.followers"

    @api.model
    @tools.ormcache()
    def _patient_thread_models(self):
        """The models whose chatter is patient data, sorted: they depend only on the
        installed models, so they are listed once per registry (a new registry, as
        installing a module makes, lists them again)."""
        mixin = self.env.registry[PHI_THREAD_MIXIN]
        return tuple(
            sorted(
                name
                for name, model in self.env.registry.items()
                if issubclass(model, mixin) and not model._abstract and name != PHI_THREAD_MIXIN
            )
        )

    @api.model
    def _patient_readable_domain(self):
        """Followers of other records, or of patient records the user may read
        (one subquery per model, the record rules of the user's companies)."""
        thread_models = self._patient_thread_models()
        domains = [[("res_model", "not in", list(thread_models))]]
        for name, readable in readable_threads(self.env, thread_models):
            domains.append([("res_model", "=", name), ("res_id", "in", readable)])
        return expression.OR(domains)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain or [], self._patient_readable_domain()])
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    def _check_access(self, operation):
        """Reading followers by id (``read``, ``web_read``): the same rule.  Only the
        followers of patient records are searched for: their model is read from the
        cache (after a read), else in one query."""
        result = super()._check_access(operation)
        if result is not None or self.env.su or not any(self._ids):
            return result
        judged = self._patient_thread_followers()
        if not judged:
            return None
        forbidden = judged - self.browse(self._search([("id", "in", judged.ids)]))
        if not forbidden:
            return None
        # an error naming no record (a follower's name is its partner's)
        return forbidden, lambda: AccessError(
            self.env._(
                "You cannot see the followers of patient records you have no access to. "
                "Ask a collections manager for the collections role of their company."
            )
        )

    def _patient_thread_followers(self):
        """Those of these (saved) followers that follow a record of a patient-thread
        model, and those gone from the database (the search judges them, and finds
        them no more)."""
        followers = self.sudo().browse([id_ for id_ in self._ids if id_])
        followers.fetch(["res_model"])  # no query when the cache has them
        thread_models = self._patient_thread_models()
        cache, res_model = self.env.cache, self._fields["res_model"]
        return self.browse(
            [
                follower.id
                for follower in followers
                if cache.get(follower, res_model, None) in (None, *thread_models)
            ]
        )
