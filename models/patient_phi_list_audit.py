"""The access log of list reads: search_read, web_search_read, read_group and
the like on patient data are written as one 'list' line each (the model, how
many records, the first ids, the fields touched), refusals as 'denied'.
:class:`ListReadAudit` is mixed into the module's models (through
``patient.phi.mixin``) and into contacts and invoices for their patient fields."""

from odoo import api
from odoo.exceptions import AccessError
from odoo.osv import expression

# Marks the reads of a list or board, which are not form opens.  An object, not a
# string: a client's context (JSON) cannot carry it, so it cannot skip the log.
LIST_READ = object()
LIST_READ_KEY = "patient_list_read"
# The record ids one list-read line keeps (its record count says how many were read).
MAX_LISTED_IDS = 1000
# Models whose records belong to a patient account: their list reads are logged.
PATIENT_PARENT_MODELS = ("patient.account", "patient.payment.plan")


def _first_names(names):
    """The fields named by ``names`` (``partner_id.name``, ``date:month``,
    ``total:sum(balance_due)``, ``name desc``): their first path element."""
    result = set()
    for name in names:
        if not isinstance(name, str):
            continue
        name = name.strip().split(" ", 1)[0]
        if "(" in name:  # "alias:agg(field)"
            name = name.split("(", 1)[1].rstrip(")")
        result.add(name.split(":", 1)[0].split(".", 1)[0])
    return result


def domain_field_names(domain):
    """The fields a domain filters on (first path element of each leaf)."""
    names = set()
    for leaf in domain or ():
        if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
            names |= _first_names([leaf[0]])
    return names


def order_field_names(order):
    return _first_names((order or "").split(",")) if isinstance(order, str) else set()


def listed_records(model, result):
    """The records a search_read or web_search_read answered with."""
    rows = result.get("records", []) if isinstance(result, dict) else result
    return [row["id"] for row in rows if isinstance(row, dict) and row.get("id")]


def grouped_records(domain, offset=0, limit=None):
    """A function giving the records a grouped read aggregated: those of its
    domain, or of the groups returned when the groups were paged."""

    def ids_of(model, result):
        groups = result.get("groups", []) if isinstance(result, dict) else result
        scope = domain or []
        if offset or limit:
            scope = expression.OR([group.get("__domain", scope) for group in groups] or [[]])
            if not groups:
                return [], 0
        ids = model.search(scope, limit=MAX_LISTED_IDS, order="id").ids
        count = len(ids) if len(ids) < MAX_LISTED_IDS else model.search_count(scope)
        return ids, count

    return ids_of


def audit_refs(records):
    """{id: (company id, reference)}: what the log stores of each record, an
    identifier, never a name nor what the record says (an interaction's
    outcome): the record's number (``name``), else its account's or plan's
    number and its own id (``PA00012 #345``).  Read through the ORM: the records
    of a list just read come from the cache."""
    records = records.sudo()
    company = "company_id" in records._fields
    name = records._fields.get("name")
    if name is not None and name.type == "char" and not name.translate:
        return {
            record.id: (record.company_id.id if company else False, record.name or False)
            for record in records
        }
    parent = next(
        (
            fname
            for fname, field in records._fields.items()
            if field.type == "many2one" and field.comodel_name in PATIENT_PARENT_MODELS
        ),
        None,
    )
    return {
        record.id: (
            record.company_id.id if company else False,
            f"{record[parent].name} #{record.id}" if parent and record[parent] else f"#{record.id}",
        )
        for record in records
    }


def nested_reads(model, specification, prefix=""):
    """``(dotted path, comodel, field names)`` of each relational field of ``model``
    whose records a ``web_read`` specification reads fields of (nested ``fields``),
    at any depth: what a form or list shows of the records inside the read ones."""
    if not isinstance(specification, dict):
        return
    for name, spec in specification.items():
        field = model._fields.get(name)
        inner = spec.get("fields") if isinstance(spec, dict) else None
        if field and field.relational and isinstance(inner, dict):
            comodel = model.env[field.comodel_name]
            yield f"{prefix}{name}", comodel, inner
            yield from nested_reads(comodel, inner, f"{prefix}{name}.")


def nested_patient_paths(model, specification):
    """Dotted paths of the patient data a ``web_read`` specification reads through
    the relational fields of ``model`` (``commercial_partner_id.patient_mrn``, any
    field of a patient account): a list of contacts or invoices that reads them is
    a list read of patient data."""
    paths = set()
    for path, comodel, inner in nested_reads(model, specification):
        if not isinstance(comodel, ListReadAudit):
            continue
        phi = comodel._audit_list_phi_fields()
        if phi is None and comodel._audit_lists():
            paths |= {f"{path}.{sub}" for sub in inner}
        elif phi is not None:
            paths |= {f"{path}.{sub}" for sub in inner if sub in phi}
    return paths


def audit_list_read(model, detail, call, ids_of=listed_records, touched=(), phi_fields=None):
    """``call(model)``, a list read of patient data (search_read, web_search_read,
    read_group...), written to the access log as one 'list' line: the model, how
    many records, their ids (the first MAX_LISTED_IDS) and the fields ``touched``
    (read, filtered, grouped or ordered on).  A refusal is logged as 'denied'.

    ``phi_fields``: None for the module's models (every list read is patient
    data); for a shared model (contacts, invoices), its patient fields: the read
    is logged only when it touches one of them.  The reads made inside the call
    (a form's lines, the records of a group) are part of this line, not lines of
    their own; reads as superuser are the module's own."""
    env = model.env
    if env.su or env.context.get(LIST_READ_KEY) is LIST_READ:
        return call(model)
    # logged or not, the records of a list are not form opens
    inner = model.with_context(**{LIST_READ_KEY: LIST_READ})
    # (a dotted name: patient data read inside, nested_patient_paths)
    touched = {name for name in touched if name.split(".", 1)[0] in model._fields}
    if phi_fields is None:
        if not model._audit_lists():
            return call(inner)
    elif not any(name in phi_fields or "." in name for name in touched):
        return call(inner)
    Log = env["patient.access.log"]
    field_names = ", ".join(sorted(touched)) or False
    try:
        result = call(inner)
        found = ids_of(inner, result)
    except AccessError:
        Log._log_denied(model.browse(), detail=detail, field_names=field_names)
        raise
    ids, count = found if isinstance(found, tuple) else (found, len(found))
    records = model.browse(ids[:MAX_LISTED_IDS])
    Log._log(
        "list",
        records,
        batch=True,
        count=count,
        # the records were just read: their references come from the cache
        refs=audit_refs(records) if phi_fields is None and ids else None,
        detail=detail,
        field_names=field_names,
    )
    return result


def opens_unaudited(records):
    """Whether reading ``records`` is no open to log, whatever it reads: none, the
    superuser's, the records of a list (their list line says it), new records."""
    return (
        not records
        or records.env.su
        or records.env.context.get(LIST_READ_KEY) is LIST_READ
        or not all(isinstance(record_id, int) for record_id in records._ids)
    )


def audit_open(records, read, detail=False, denied_detail=None, seen=None, refused=None, **extra):
    """``read(records)`` logged as an 'open' of what it showed, or as a refusal
    when refused; read under the list marker, so the records it reads inside them
    (a form's lines) are not opens of their own.  ``seen``/``refused``: the
    records to log (functions of nothing; default: ``records``), ``extra``: the
    log lines' other values (the fields read).  Whether to log at all is the
    caller's (the superuser, a list's records and the like are not logged)."""
    Log = records.env["patient.access.log"]
    try:
        result = read(records.with_context(**{LIST_READ_KEY: LIST_READ}))
    except AccessError:
        denied = refused() if refused else records
        if denied:
            Log._log_denied(denied, detail=denied_detail or detail, **extra)
        raise
    opened = seen() if seen else records
    if opened:
        Log._log("open", opened, detail=detail, **extra)
    return result


class ListReadAudit:
    """The list reads of a model, each logged through :func:`audit_list_read`.
    Mixed into model classes; ``_audit_list_phi_fields()`` says which reads are
    patient data (None: all of them)."""

    __slots__ = ()  # the layout of Odoo's record classes

    def _audit_list_phi_fields(self):
        return None

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        return audit_list_read(
            self,
            "search_read",
            lambda model: super(ListReadAudit, model).search_read(  # noqa: UP008
                domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
            ),
            touched=set(fields or ())
            | domain_field_names(domain)
            | order_field_names(order)
            | (set() if fields else self._audit_list_default_fields()),
            phi_fields=self._audit_list_phi_fields(),
        )

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return audit_list_read(
            self,
            "web_search_read",
            lambda model: super(ListReadAudit, model).web_search_read(  # noqa: UP008
                domain,
                specification,
                offset=offset,
                limit=limit,
                order=order,
                count_limit=count_limit,
            ),
            touched=set(specification or ())
            | self._audit_nested_paths(specification)
            | domain_field_names(domain)
            | order_field_names(order),
            phi_fields=self._audit_list_phi_fields(),
        )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        return audit_list_read(
            self,
            "read_group",
            lambda model: super(ListReadAudit, model).read_group(  # noqa: UP008
                domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
            ),
            ids_of=grouped_records(domain, offset, limit),
            touched=self._audit_group_fields(domain, fields, groupby, orderby),
            phi_fields=self._audit_list_phi_fields(),
        )

    @api.model
    def web_read_group(
        self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True
    ):
        return audit_list_read(
            self,
            "web_read_group",
            lambda model: super(ListReadAudit, model).web_read_group(  # noqa: UP008
                domain, fields, groupby, limit=limit, offset=offset, orderby=orderby, lazy=lazy
            ),
            ids_of=grouped_records(domain, offset, limit),
            touched=self._audit_group_fields(domain, fields, groupby, orderby),
            phi_fields=self._audit_list_phi_fields(),
        )

    @api.model
    def read_progress_bar(self, domain, group_by, progress_bar):
        progress_bar = progress_bar if isinstance(progress_bar, dict) else {}
        return audit_list_read(
            self,
            "read_progress_bar",
            lambda model: super(ListReadAudit, model).read_progress_bar(  # noqa: UP008
                domain, group_by, progress_bar
            ),
            ids_of=grouped_records(domain),
            touched=self._audit_group_fields(
                domain,
                [progress_bar.get("field"), progress_bar.get("sum_field")],
                [group_by],
                False,
            ),
            phi_fields=self._audit_list_phi_fields(),
        )

    # the log is written: a read/write transaction, not a replica's
    search_read._readonly = False
    web_search_read._readonly = False
    read_group._readonly = False
    web_read_group._readonly = False
    read_progress_bar._readonly = False

    @api.model
    def _audit_nested_paths(self, specification):
        """A shared model's (contacts', invoices') list that reads patient data inside
        its records (``nested_patient_paths``) touches patient data; the module's
        models' lists are patient data anyway."""
        if self._audit_list_phi_fields() is None:
            return set()
        return nested_patient_paths(self, specification)

    @api.model
    def _audit_group_fields(self, domain, fields, groupby, orderby):
        groupby = [groupby] if isinstance(groupby, str) else list(groupby or ())
        return (
            _first_names(fields or ())
            | _first_names(groupby)
            | domain_field_names(domain)
            | order_field_names(orderby)
        )

    @api.model
    def _audit_list_default_fields(self):
        """The fields a search_read without a field list reads: all it may read."""
        return set(self.check_field_access_rights("read", None))
