"""The records a client names in a relational field must be readable by the user.

A new record's related and computed fields are worked out from the records its
many2one fields name (a wizard's ``account_id`` gives its balance due, an
application's ``account_id`` its guarantor), and Odoo computes related fields as
superuser.  ``onchange`` and ``web_save`` then hand those values back to whoever
named the record, read access or not.  So the records named in the values of an
``onchange``, and in a wizard's create or write, are checked first: one that the
user may not read (another company's, another guarantor's) is refused with
Odoo's AccessError, as reading it would be.  Used by the models' and the
wizards' mixins (``patient_protected.py``, ``wizard/common.py``).
"""

from odoo import api, fields, models

from .patient_protected import INT_BOUNDS, is_trusted

# x2many commands that name an existing record by its id (in item[1])
_NAMING_COMMANDS = (
    fields.Command.UPDATE,
    fields.Command.DELETE,
    fields.Command.UNLINK,
    fields.Command.LINK,
)


def _valid_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= INT_BOUNDS[1]


def named_ids(field, value):
    """The ids of existing-record candidates a client value of relational
    ``field`` names: a many2one's id (or ``{"id": ...}``), an x2many's ids and
    the ids its commands name; new records (virtual ids) and malformed items are
    left to the ORM."""
    if isinstance(value, models.BaseModel):
        return [i for i in value._origin.ids if _valid_id(i)]
    if field.type == "many2one":
        if isinstance(value, dict):
            value = value.get("id")
        return [value] if _valid_id(value) else []
    if not isinstance(value, (list, tuple)):
        return []
    ids = []
    for item in value:
        if _valid_id(item):
            ids.append(item)
        elif isinstance(item, (list, tuple)) and len(item) >= 2:
            command = item[0]
            if command in _NAMING_COMMANDS and not isinstance(command, bool):
                ids += [item[1]] if _valid_id(item[1]) else []
            elif command == fields.Command.SET and len(item) == 3:
                targets = item[2] if isinstance(item[2], (list, tuple)) else []
                ids += [target for target in targets if _valid_id(target)]
    return ids


def check_relations_readable(records, values):
    """Raise AccessError when ``values`` (a client's, field by field) name records
    the user may not read.  A value an existing record already holds is not
    judged again (the user opened the record; what it links to is the record's
    business).  The module's own code paths and the superuser are not checked."""
    check_all_relations_readable(records, [values])


def check_all_relations_readable(records, values_list):
    """:func:`check_relations_readable` of several ``values`` at once (the
    ``vals_list`` of a ``create``): one check per field, of the records any of
    them names."""
    env = records.env
    if env.su or is_trusted(env):
        return
    named = {}
    for values in values_list:
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            field = records._fields.get(name) if isinstance(name, str) else None
            if field is None or not field.relational or not value:
                continue
            named.setdefault(name, set()).update(named_ids(field, value))
    origin = records._origin.sudo() if len(records) == 1 and records._origin.id else None
    for name, ids in named.items():
        if origin is not None and name in origin._fields:
            ids -= set(origin[name].ids)
        if not ids:
            continue
        targets = env[records._fields[name].comodel_name].browse(sorted(ids)).exists()
        targets.check_access("read")


class RelationAccessMixin(models.AbstractModel):
    """What the models' and the wizards' mixins share: the records named in an
    ``onchange`` and in the defaults (a client's ``default_<field>`` context keys
    too) are checked before anything is computed from them."""

    _name = "patient.relation.access.mixin"
    _description = "Records Named by a Client Must Be Readable"

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        check_relations_readable(self.browse(), defaults)
        return defaults

    def onchange(self, values, field_names, fields_spec):
        check_relations_readable(self, values)
        return super().onchange(values, field_names, fields_spec)


class PatientProtectedMixin(models.AbstractModel):
    """Every model of the module: the check above on its ``onchange`` and defaults."""

    _name = "patient.protected.mixin"
    _inherit = ["patient.protected.mixin", "patient.relation.access.mixin"]
