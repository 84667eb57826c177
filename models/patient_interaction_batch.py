"""Interactions logged by the module by the thousand (the agreement of 10,000
payment plans): the rows written with one multi-row INSERT instead of the ORM's
per-record create, with every decision of ``create`` kept: the contact rules
and the other checks of ``_prepare_create_vals``, the defaults, the
constraints, the fields computed from them and what the outcome does."""

from odoo import api, models
from odoo.exceptions import UserError
from odoo.models import LOG_ACCESS_COLUMNS

from .patient_protected import is_trusted
from .patient_sql_rows import insert_rows


class PatientInteraction(models.Model):
    _inherit = "patient.interaction"

    @api.model
    def _insert_logged(self, vals_list, page=5000):
        """Create the interactions of ``vals_list`` as ``create`` does, in a
        multi-row INSERT per set of fields given (the module's own code only:
        the caller wraps the model with ``trusted``).  Values the INSERT cannot
        take as they are (relations to create, fields without a column of their
        own) go through ``create``."""
        if not is_trusted(self.env):
            raise UserError(self.env._("Interactions are logged with the Log Interaction button."))
        if not vals_list:
            return self.browse()
        model = self._safe()
        model.check_access("create")
        # the same decisions as create: contact rules, promise state, statement flag
        prepared = model._prepare_create_vals([dict(vals) for vals in vals_list])
        complete = model._with_create_defaults(prepared)
        if not all(model._insert_takes(vals) for vals in complete):
            return self.create(vals_list)
        checked = {name for vals in complete for name in vals}
        computed = model._add_computed_columns(complete)
        ids = [None] * len(complete)  # (in the order of vals_list, as create)
        for names, indexed in model._group_by_names(complete).items():
            new_ids = model._insert_vals_rows(names, [vals for _index, vals in indexed], page)
            for (index, _vals), new_id in zip(indexed, new_ids, strict=True):
                ids[index] = new_id
        interactions = model.browse(ids)
        # what the ORM's _create does once the rows are in: the accounts' lists of
        # interactions, the computed fields (the accounts' counts, last contact and
        # priority) marked to compute, but those written with the rows; the constraints
        model.env["patient.account"].browse(
            {vals["account_id"] for vals in complete}
        ).invalidate_recordset(["interaction_ids"])
        interactions.modified(model._fields, create=True)
        for field in computed:
            model.env.remove_to_compute(field, interactions)
        interactions._validate_fields(checked)
        # (create's _check_company: the company is the account's, a related field)
        interactions._apply_outcomes()
        return interactions.with_env(self.env)

    @api.model
    def _insert_takes(self, vals):
        """Whether every value of ``vals`` is a column of the interaction's own."""
        for name in vals:
            field = self._fields.get(name)
            if (
                field is None
                or not field.store
                or not field.column_type
                or field.inherited
                or field.translate
                or field.compute
                or name in LOG_ACCESS_COLUMNS
                or name == "id"
            ):
                return False
        return True

    @api.model
    def _with_create_defaults(self, vals_list):
        """``vals_list`` with the defaults create would add (the field's and the
        context's), computed once per set of fields given."""
        defaults = {}
        result = []
        for vals in vals_list:
            names = frozenset(vals)
            if names not in defaults:
                complete = self._add_missing_default_values(dict(vals))
                defaults[names] = {
                    name: value
                    for name, value in complete.items()
                    if name not in vals and name not in LOG_ACCESS_COLUMNS
                }
            result.append({**defaults[names], **vals})
        return result

    @api.model
    def _add_computed_columns(self, vals_list):
        """Add to ``vals_list`` (in place) the values of the stored computed fields
        the ORM would compute and UPDATE at the next flush, where they follow
        from the row's own values: a related field along its path from the
        record the row names, another (without context) computed once per
        distinct value of the fields it depends on, on a new record holding
        them.  The fields so added (the others are left to the ORM)."""
        added = []
        for field in self._fields.values():
            if not (field.store and field.compute and field.column_type) or any(
                field.name in vals for vals in vals_list
            ):
                continue
            if field.related:
                first, _dot, rest = field.related.partition(".")
                depends = (first,)
            else:
                depends = tuple(self.pool.field_depends[field])
            if (
                self.pool.field_depends_context[field]
                or any("." in name or name not in self._fields for name in depends)
                or not all(name in vals for vals in vals_list for name in depends)
            ):
                continue
            values = {}
            if field.related:  # (their values read for all the rows at once)
                comodel = self.env[self._fields[first].comodel_name].sudo()
                comodel.browse({vals[first] for vals in vals_list} - {False}).mapped(rest)
            for vals in vals_list:
                key = tuple(vals[name] for name in depends)
                if key not in values:
                    if field.related:
                        value = comodel.browse(vals[first])
                        for name in rest.split("."):
                            value = value[name]
                    else:
                        value = self.new(dict(zip(depends, key, strict=True)))[field.name]
                    values[key] = field.convert_to_write(value, self)
                vals[field.name] = values[key]
            added.append(field)
        return added

    @api.model
    def _group_by_names(self, vals_list):
        """{sorted field names: [(index in vals_list, vals)]}: the rows of one
        INSERT each."""
        groups = {}
        for index, vals in enumerate(vals_list):
            groups.setdefault(tuple(sorted(vals)), []).append((index, vals))
        return groups

    @api.model
    def _insert_vals_rows(self, names, vals_list, page):
        """The rows of ``vals_list`` (fields ``names``) inserted, each value
        converted as the ORM's _create converts it; the new ids in order."""
        fields_ = [self._fields[name] for name in names]
        rows = [
            tuple(field.convert_to_column_insert(vals[field.name], self, vals) for field in fields_)
            for vals in vals_list
        ]
        return insert_rows(self, names, rows, page)
