"""The text Odoo extracts from a file to search it (``index_content``): for the
files of patient data it is the file's content, and no user reads it nor finds,
orders or groups files by it.  It reads empty and compares as empty for them
(``read``, ``search_read``, domains, ``read_group``); downloading the file
itself (logged) is the way to its content.  Odoo's own code, as superuser, keeps
the text; other files keep Odoo's behaviour."""

from contextvars import ContextVar

from odoo import models
from odoo.tools import SQL

from .patient_access_log import is_patient_file_model

INDEX_FIELD = "index_content"
# Set while Odoo fetches columns into its cache: the cache is shared by every user
# and superuser code of the transaction, so it holds the true text; what a user is
# returned (read) and how files are searched, ordered and grouped is blanked.
_FETCHING = ContextVar("patient_collections_attachment_fetching", default=False)


def patient_file_models(env):
    return sorted(name for name in env.registry if is_patient_file_model(env, name))


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        sql = super()._field_to_sql(alias, fname, query, flush)
        if fname != INDEX_FIELD or self.env.su or _FETCHING.get():
            return sql
        res_model = SQL.identifier(alias, "res_model", to_flush=self._fields["res_model"])
        return SQL(
            "(CASE WHEN %s = ANY(%s) THEN NULL ELSE %s END)",
            res_model,
            patient_file_models(self.env),
            sql,
        )

    def _fetch_query(self, query, fields):
        token = _FETCHING.set(True)
        try:
            return super()._fetch_query(query, fields)
        finally:
            _FETCHING.reset(token)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        if INDEX_FIELD not in (fnames or ()) or not result or self.env.su:
            return result
        patient_ids = {
            attachment.id
            for attachment in self.sudo().with_context(prefetch_fields=False)
            if is_patient_file_model(self.env, attachment.res_model)
        }
        for vals in result:
            if vals["id"] in patient_ids:
                vals[INDEX_FIELD] = False
        return result
