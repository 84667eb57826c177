"""Shared by the module's wizards."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.patient_protected import (
    INT_BOUNDS,
    check_value_types,
    required_problems,
    text_problems,
)
from ..models.patient_relation_access import check_relations_readable
from ..models.res_company import type_problems

# How far ahead a date entered in a wizard may be (a hold, a plan's first due date).
MAX_YEARS_AHEAD = 10
# A text typed in a wizard, unless the wizard says otherwise.
DEFAULT_TEXT_LIMIT = 5000
# x2many commands a wizard accepts: set, link, unlink, clear (never create or update).
_ALLOWED_COMMANDS = frozenset(
    {fields.Command.SET, fields.Command.LINK, fields.Command.UNLINK, fields.Command.CLEAR}
)


def active_records_default(model_name):
    """A default for a Many2many field of a wizard: the records it was opened on,
    when they are of ``model_name`` (those deleted meanwhile left out: a list
    opened before another user deleted one)."""

    def default(self):
        context = self.env.context
        if context.get("active_model") == model_name and context.get("active_ids"):
            ids = context["active_ids"]
            if isinstance(ids, (list, tuple)) and all(
                isinstance(i, int) and not isinstance(i, bool) for i in ids
            ):
                ids = self.env[model_name].browse(ids).exists().ids
            return [fields.Command.set(ids)]
        return []

    return default


def latest_date(today):
    """The last date a wizard accepts: ten years from ``today``."""
    return today + relativedelta(years=MAX_YEARS_AHEAD)


def _record_ids(field, value):
    """The ids a relational value names, or None when the value is not one a wizard
    accepts (a command that creates or updates records, a malformed value)."""
    if field.type == "many2one":
        if isinstance(value, models.BaseModel):
            return list(value.ids) if len(value) <= 1 else None
        if isinstance(value, int) and not isinstance(value, bool):
            return [value]
        return None
    if isinstance(value, models.BaseModel):
        return list(value.ids)
    if not isinstance(value, (list, tuple)):
        return None
    ids = []
    for item in value:
        if isinstance(item, int) and not isinstance(item, bool):
            ids.append(item)
            continue
        if not isinstance(item, (list, tuple)) or not item or item[0] not in _ALLOWED_COMMANDS:
            return None
        command = item[0]
        if isinstance(command, bool):
            return None
        if command == fields.Command.SET:
            if len(item) != 3 or not isinstance(item[2], (list, tuple)):
                return None
            targets = list(item[2])
        elif command == fields.Command.CLEAR:
            targets = []
        else:
            if len(item) < 2:
                return None
            targets = [item[1]]
        if not all(isinstance(t, int) and not isinstance(t, bool) for t in targets):
            return None
        ids += targets
    return ids


class PatientWizardMixin(models.AbstractModel):
    """What a wizard of the module is given, checked before anything is written:
    values of the right type and range (:func:`check_value_types`), texts of a sane
    length, relations to records that exist, and no records created through it."""

    _name = "patient.wizard.mixin"
    _inherit = ["patient.relation.access.mixin"]
    _description = "Checks of a Collections Wizard's Values"

    # {field name: maximum length} of the texts typed in the wizard
    _text_limits = {}

    def _value_problems(self, vals):
        problems = []
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None or value is False or value is None:
                continue
            label = field.get_description(self.env)["string"]
            if field.type in ("char", "text", "html"):
                problems += text_problems(
                    self, {name: value}, self._text_limits, DEFAULT_TEXT_LIMIT
                )
            elif field.type in ("many2one", "many2many", "one2many"):
                ids = _record_ids(field, value)
                if ids is None:
                    problems.append(
                        self.env._(
                            "%(field)s expects existing records, given by their ids.", field=label
                        )
                    )
                    continue
                valid = {i for i in ids if 0 < i <= INT_BOUNDS[1]}
                existing = self.env[field.comodel_name].browse(sorted(valid)).exists()
                if len(valid) != len(set(ids)) or set(existing.ids) != valid:
                    problems.append(
                        self.env._("%(field)s names records that do not exist.", field=label)
                    )
        return problems

    def _required_problems(self, vals):
        """Required fields left empty (``vals``: the values that will be stored)."""
        return required_problems(self, vals)

    def _check_wizard_values(self, vals_list, creating=False):
        problems = [problem for vals in vals_list for problem in type_problems(self, vals)]
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))
        check_value_types(self, vals_list)
        problems = [problem for vals in vals_list for problem in self._value_problems(vals)]
        for vals in vals_list:
            if creating:
                # judge what will be stored: the defaults too
                vals = self._add_missing_default_values(dict(vals))
                vals.update(
                    {
                        name: False
                        for name, field in self._fields.items()
                        if field.required and field.store and name not in vals
                    }
                )
            problems += self._required_problems(vals)
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))
        # what the wizard shows of the records it names (a balance, a guarantor) is
        # shown only to whoever may read them; a forged id is refused as read() would
        for vals in vals_list:
            check_relations_readable(self, vals)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_wizard_values(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_wizard_values([vals])
        return super().write(vals)
