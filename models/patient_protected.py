"""One protection for every model of the module.

Some fields (balances, voiding, promise results, who logged a contact, the dates
that start the 501(r) clock…) are written only by the module's own code paths.
Those paths mark their environment with :func:`trusted`, which puts a private
Python object in the context.  A client's context travels as JSON and can never
hold that object, whatever keys it sends; superuser rights do not stand in for
it either, since Odoo's own routes call module code as superuser.

Untrusted creates and writes also lose the context keys that would fill a
protected field (``default_<field>``) or hide the change from the audit trail
(``tracking_disable``, ``mail_notrack``, ``mail_create_nolog``).  Context keys
stay what they are for: behaviour, never permission.
"""

from datetime import date, datetime

from odoo import api, models
from odoo.exceptions import AccessError, ValidationError

from ..logic import value_types

TRUSTED_KEY = "patient_collections_trusted"


class _Trust:
    """The marker: module-private, never built from a client's JSON.  It names the
    behaviour flags the module itself set with it, so a flag of the same name sent
    by a client counts for nothing."""

    __slots__ = ("flags",)

    def __init__(self, flags):
        self.flags = frozenset(flags)


# Context keys a client could send to keep a change out of the chatter.
AUDIT_HIDING_KEYS = ("tracking_disable", "mail_notrack", "mail_create_nolog")


def trusted(records, **flags):
    """``records`` in one of the module's own code paths: protected fields may be
    written.  ``flags`` are behaviour keys (e.g. the run's ``collections_run``),
    honoured only together with the marker (see :func:`trusted_flag`)."""
    outer = records.env.context.get(TRUSTED_KEY)
    names = set(flags) | (outer.flags if isinstance(outer, _Trust) else set())
    return records.with_context(**{TRUSTED_KEY: _Trust(names)}, **flags)


def model_label(model):
    """The model's name in the user's language (``_description`` is English only)."""
    return model.env["ir.model"].sudo()._get(model._name).name or model._description


def is_trusted(env):
    return isinstance(env.context.get(TRUSTED_KEY), _Trust)


def trusted_flag(env, key):
    """A behaviour flag set by :func:`trusted`; the same key from a client is ignored."""
    trust = env.context.get(TRUSTED_KEY)
    return isinstance(trust, _Trust) and key in trust.flags and bool(env.context.get(key))


# What a number or a date entered by hand may be: beyond these, arithmetic and SQL
# overflow long before a practice would mean it.
MAX_AMOUNT = 1e12
INT_BOUNDS = (-(2**31), 2**31 - 1)
DATE_BOUNDS = (date(1900, 1, 1), date(2199, 12, 31))
NUMERIC_TYPES = ("integer", "float", "monetary")
TEXT_TYPES = ("char", "text", "html")
CHECKED_TYPES = (
    *NUMERIC_TYPES,
    *TEXT_TYPES,
    "date",
    "datetime",
    "selection",
    "many2one",
    "boolean",
)


def type_messages(model):
    """{field type: what a field of that type expects}, said to whoever gave it
    something else (a type not listed: each caller says it its own way)."""
    return {
        "integer": model.env._("expects a whole number"),
        "float": model.env._("expects a number"),
        "monetary": model.env._("expects an amount"),
        "date": model.env._("expects a date (YYYY-MM-DD)"),
        "datetime": model.env._("expects a date and time (YYYY-MM-DD HH:MM:SS)"),
        "selection": model.env._("expects one of its listed choices"),
        "many2one": model.env._("expects a record id"),
        "boolean": model.env._("expects true or false"),
    }


def _value_problem(model, field, value):
    """Why ``value`` cannot be stored in ``field``, or None."""
    if value is False or value is None:
        return None
    wrong = type_messages(model).get(field.type, model.env._("expects a value of its type"))
    if field.type in TEXT_TYPES:
        if not isinstance(value, str):
            return wrong
        return model.env._("contains a NUL character") if "\x00" in value else None
    if field.type == "many2one":
        valid = isinstance(value, int) and not isinstance(value, bool)
        return None if valid and 0 < value <= INT_BOUNDS[1] else wrong
    if value_types.wrong_type(field.type, value):
        return wrong
    if field.type in ("date", "datetime") and value == "":
        return wrong  # Odoo takes it for empty when checked but hands it to SQL as it is
    try:
        cached = field.convert_to_cache(value, model.browse(), validate=True)
    except (ValueError, TypeError, OverflowError, AssertionError, IndexError):
        return wrong
    if field.type == "integer" and cached and not INT_BOUNDS[0] <= cached <= INT_BOUNDS[1]:
        return model.env._("is out of range")
    if field.type in ("float", "monetary") and cached and not abs(cached) < MAX_AMOUNT:
        # also refuses inf and nan
        return model.env._("is out of range")
    if field.type in ("date", "datetime") and cached:
        day = cached.date() if isinstance(cached, datetime) else cached
        if not DATE_BOUNDS[0] <= day <= DATE_BOUNDS[1]:
            return model.env._("must be between 1900 and 2199")
    return None


def check_value_types(model, vals_list):
    """Refuse, with a clear message, values of the wrong type or out of any sane
    range (huge numbers, years 1 or 9999, text where a number goes) before they
    reach the ORM, SQL or date arithmetic.  For models and wizards alike."""
    problems = []
    linked = {}  # {many2one field: ids named}
    for vals in vals_list:
        for name, value in vals.items():
            field = model._fields.get(name)
            if field is None or field.type not in CHECKED_TYPES:
                continue
            problem = _value_problem(model, field, value)
            if problem:
                problems.append(_problem(model, field, problem))
            elif field.type == "many2one" and value:
                linked.setdefault(field, set()).add(value)
    for field, ids in linked.items():
        # one query per relation: records that do not exist never reach SQL
        if len(model.env[field.comodel_name].sudo().browse(ids).exists()) != len(ids):
            problems.append(
                _problem(model, field, model.env._("names a record that does not exist"))
            )
    if problems:
        raise ValidationError("\n".join(dict.fromkeys(problems)))


def _problem(model, field, problem):
    return model.env._(
        "%(field)s %(problem)s.", field=field.get_description(model.env)["string"], problem=problem
    )


def text_problems(model, vals, limits, default_limit=None):
    """Texts given where a text goes that are not text, hold a NUL character or
    exceed their limit (``limits``: {field: characters}; fields without a limit
    take ``default_limit``, or are not checked when it is None)."""
    problems = []
    for name, value in vals.items():
        field = model._fields.get(name)
        limit = limits.get(name, default_limit)
        if field is None or field.type not in TEXT_TYPES or limit is None:
            continue
        if value is False or value is None:
            continue
        label = field.get_description(model.env)["string"]
        if not isinstance(value, str):
            problems.append(model.env._("%(field)s expects a text.", field=label))
        elif "\x00" in value:
            problems.append(
                model.env._("%(field)s contains a NUL character: remove it.", field=label)
            )
        elif len(value) > limit:
            problems.append(
                model.env._(
                    "%(field)s is too long: %(limit)s characters at most.", field=label, limit=limit
                )
            )
    return problems


def required_problems(model, vals, creating=False):
    """Required fields left empty in ``vals`` (the values that will be stored;
    ``creating``: a field missing from them is empty too)."""
    return [
        model.env._("%(field)s is required.", field=field.get_description(model.env)["string"])
        for name, field in model._fields.items()
        if field.required
        and field.store
        and field.column_type
        and not field.compute
        and field.type != "boolean"
        and (name in vals or creating)
        and vals.get(name) in (None, False, "")
    ]


def safe_context(env, protected):
    """The context a create or write runs with: no default for a protected field
    (a client's ``default_*`` keys reach the module's own code paths too), and
    nothing that hides the change from tracking unless the module set it."""
    trust = env.context.get(TRUSTED_KEY)
    set_by_module = trust.flags if isinstance(trust, _Trust) else frozenset()
    return {
        key: value
        for key, value in env.context.items()
        if not (key.startswith("default_") and key[len("default_") :] in protected)
        and (key not in AUDIT_HIDING_KEYS or key in set_by_module)
    }


class PatientProtectedMixin(models.AbstractModel):
    """Protected fields, written only through :func:`trusted` code paths.

    ``_protected_fields``: fields no client may set, at create (beyond their
    default) or later.  ``_protected_immutable``: a record of what happened; no
    client write at all once created (chatter and activities excepted).
    """

    _name = "patient.protected.mixin"
    _description = "Fields Written by the Module Only"

    _protected_fields = frozenset()
    _protected_immutable = False

    # ------------------------------------------------------------------ helpers

    def _protected_names(self):
        return set(self._protected_fields)

    def _protected_labels(self, names):
        return ", ".join(
            sorted(
                self._fields[name].get_description(self.env)["string"]
                for name in names
                if name in self._fields
            )
        )

    def _protected_refusal(self, names):
        return AccessError(
            self.env._(
                "%(model)s: %(fields)s cannot be set by hand; the module sets them itself. "
                "Leave them out.",
                model=model_label(self),
                fields=self._protected_labels(names),
            )
        )

    def _protected_immutable_refusal(self):
        """The message for a write to a record that never changes (overridable)."""
        return AccessError(
            self.env._(
                "%(model)s is a permanent record: it cannot be changed.",
                model=model_label(self),
            )
        )

    def _safe(self):
        # the context is replaced, not merged: the dropped keys must go
        return self.with_env(self.env(context=safe_context(self.env, self._protected_names())))

    def _prepare_create_vals(self, vals_list):
        """Hook: the values about to be created, defaults applied by the caller when
        untrusted; check and complete them here (raise before anything is written)."""
        return vals_list

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        model = self._safe()
        if is_trusted(self.env):
            return super(PatientProtectedMixin, model).create(model._prepare_create_vals(vals_list))
        check_value_types(model, vals_list)
        protected = model._protected_names()
        given = {name for vals in vals_list for name in vals} & protected
        if given:
            # a form may send a protected field at its default value: that is no forgery
            defaults = model.default_get(list(given))
            forged = {
                name
                for vals in vals_list
                for name in given & set(vals)
                if model._fields[name].convert_to_cache(vals[name], model)
                != model._fields[name].convert_to_cache(defaults.get(name, False), model)
            }
            if forged:
                raise model._protected_refusal(forged)
            vals_list = [
                {name: value for name, value in vals.items() if name not in protected}
                for vals in vals_list
            ]
        # judge the values that will be stored: the defaults of the action's context too
        vals_list = [model._add_missing_default_values(dict(vals)) for vals in vals_list]
        vals_list = model._prepare_create_vals(vals_list)
        problems = [
            problem for vals in vals_list for problem in required_problems(model, vals, True)
        ]
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))
        return super(PatientProtectedMixin, model).create(vals_list)

    def write(self, vals):
        records = self._safe()
        if is_trusted(self.env):
            return super(PatientProtectedMixin, records).write(vals)
        check_value_types(records, [vals])
        problems = required_problems(records, vals)
        if problems:
            raise ValidationError("\n".join(problems))
        written = {name for name in vals if not name.startswith(("message_", "activity_"))}
        if records._protected_immutable and written:
            raise records._protected_immutable_refusal()
        forged = written & records._protected_names()
        if forged:
            raise records._protected_refusal(forged)
        return super(PatientProtectedMixin, records).write(vals)
