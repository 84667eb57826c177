from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression

from .patient_contact_gate import gated_messages
from .patient_protected import trusted_flag

EXPORT_GROUP = "base.group_allow_export"
# Marks the reads of a list or board, which are not form opens.  An object, not a
# string: a client's context (JSON) cannot carry it, so it cannot skip the log.
LIST_READ = object()
LIST_READ_KEY = "patient_list_read"
# The record ids one list-read line keeps (its record count says how many were read).
MAX_LISTED_IDS = 1000
# Models whose records belong to a patient account: their list reads are logged.
PATIENT_PARENT_MODELS = ("patient.account", "patient.payment.plan")


def check_export_paths(records, fields_to_export):
    """Every record and every field on the export's paths must be readable by the
    user: Odoo's export reads through the cache, which skips the field checks."""
    if records.env.su:
        return
    records.check_access("read")
    for path in fields_to_export:
        model = records.browse()
        for name in path.replace(":id", "").split("/"):
            if name in ("id", ".id") or name not in model._fields:
                break
            model.check_field_access_rights("read", [name])
            field = model._fields[name]
            if not field.relational:
                break
            model = model.env[field.comodel_name]
            model.check_access("read")


def check_export_right(records, fields_to_export):
    """Odoo's export right, checked on the server for everyone (administrators
    included), and read access to all that is exported; a refusal is logged, an
    export is logged with its fields."""
    Log = records.env["patient.access.log"]
    try:
        if not records.env.su and not records.env.user.has_group(EXPORT_GROUP):
            raise AccessError(
                records.env._(
                    "You are not allowed to export %(model)s: ask an administrator for the "
                    "export right.",
                    model=records._description,
                )
            )
        check_export_paths(records, fields_to_export)
    except AccessError:
        Log._log_denied(records, detail="export")
        raise
    Log._log(
        "export",
        records,
        batch=True,
        field_names=", ".join(sorted(set(fields_to_export))),
    )


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
    touched = {name for name in touched if name in model._fields}
    if phi_fields is None:
        if not model._audit_lists():
            return call(inner)
    elif not touched & set(phi_fields):
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
        refs=PatientPhiMixin._audit_refs(records) if phi_fields is None and ids else None,
        detail=detail,
        field_names=field_names,
    )
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


def audit_phi_export(records, fields_to_export, phi_fields):
    """Exports of contacts or invoices with patient fields: checked like the
    module's own exports, and logged when a patient field is part of them."""
    exported = {name for path in fields_to_export for name in path.split("/")}
    if exported & set(phi_fields):
        check_export_right(records, fields_to_export)


class PatientPhiMixin(ListReadAudit, models.AbstractModel):
    """What every model holding patient data shares: form opens, list reads,
    prints and exports are written to the access log, refused ones too; exports
    need Odoo's export right; portal and public users reach nothing through the
    chatter routes; notifications go only to users who may read the record."""

    _name = "patient.phi.mixin"
    _inherit = ["patient.protected.mixin"]
    _description = "Patient Data (access logged)"
    # opening a form of these models is logged
    _audit_open = True
    # list reads (search_read, web_search_read, read_group...) are logged: None
    # for "when the records belong to a patient account" (see _audit_lists)
    _audit_list = None

    # ------------------------------------------------------------------ identifiers

    @api.model
    def _audit_lists(self):
        """Whether list reads of this model are patient data: a model whose forms
        are logged, or whose records belong to an account or a plan (their open
        items, installments...); not configuration (stages) nor the log itself."""
        if self._audit_list is not None:
            return self._audit_list
        return self._audit_open or any(
            field.type == "many2one" and field.comodel_name in PATIENT_PARENT_MODELS
            for field in self._fields.values()
        )

    def _audit_refs(self):
        """{id: (company id, reference)}: what the log stores of each record, an
        identifier, never a name nor what the record says (an interaction's
        outcome): the record's number (``name``), else its account's or plan's
        number and its own id (``PA00012 #345``)."""
        records = self.sudo()
        company = "company_id" in self._fields
        name = self._fields.get("name")
        if name is not None and name.type == "char" and not name.translate:
            return {
                record.id: (record.company_id.id if company else False, record.name or False)
                for record in records
            }
        parent = next(
            (
                fname
                for fname, field in self._fields.items()
                if field.type == "many2one" and field.comodel_name in PATIENT_PARENT_MODELS
            ),
            None,
        )
        return {
            record.id: (
                record.company_id.id if company else False,
                f"{record[parent].name} #{record.id}"
                if parent and record[parent]
                else f"#{record.id}",
            )
            for record in records
        }

    def _patient_account(self):
        """The patient account these records belong to."""
        return self.sudo().account_id

    def _filtered_access_for(self, user):
        """The records ``user`` may read, in the companies they belong to."""
        return (
            self.with_user(user)
            .with_context(allowed_company_ids=user.company_ids.ids)
            ._filtered_access("read")
            .sudo()
        )

    # ------------------------------------------------------------------ logging hooks

    def _audited_read(self, read, detail=False):
        """``read(records)`` logged as an open of these records, or as a refusal.
        The lines it reads inside them (a form's interactions and plans) are not
        opened; the records of a list (logged as one list line) and the
        superuser are not logged."""
        listing = self.env.context.get(LIST_READ_KEY) is LIST_READ
        if not self._audit_open or self.env.su or listing:
            return read(self)
        try:
            result = read(self.with_context(**{LIST_READ_KEY: LIST_READ}))
        except AccessError:
            self.env["patient.access.log"]._log_denied(self, detail=detail or "open")
            raise
        self.env["patient.access.log"]._log("open", self, detail=detail)
        return result

    def web_read(self, specification):
        return self._audited_read(lambda records: super().web_read(specification))

    # opening a form writes the access log: a read/write transaction, not a replica's
    web_read._readonly = False

    def read(self, fields=None, load="_classic_read"):
        """Reads through the API (scripts, integrations; XML-RPC and JSON-RPC run
        without the HTTP request, so no address) are looks at patient data too:
        logged like form opens.  The module itself never calls read() but as
        superuser, and the web client uses web_read."""
        return self._audited_read(
            lambda records: super().read(fields=fields, load=load),
            detail="read",
        )

    read._readonly = False

    def export_data(self, fields_to_export):
        check_export_right(self, fields_to_export)
        return super().export_data(fields_to_export)


class PatientPhiThreadMixin(models.AbstractModel):
    """The chatter side of :class:`PatientPhiMixin`, for models with mail.thread."""

    _name = "patient.phi.thread.mixin"
    _inherit = ["patient.phi.mixin", "mail.thread"]
    _description = "Patient Data with Chatter"

    @api.model
    def _get_thread_with_access(self, thread_id, mode="read", **kwargs):
        # no portal link, token or signed hash opens patient data
        if self.env.user._is_public() or self.env.user.share:
            return self.browse()
        return super()._get_thread_with_access(thread_id, mode=mode, **kwargs)

    def _allowed_partner_ids(self, partners):
        """Of these partners, the ones that may hear about these records: users who
        can read them all, and contacts without a login (the guarantor emailed)."""
        users = partners.sudo().with_context(active_test=False).user_ids
        allowed = set(partners.ids)
        for user in users:
            if user._is_superuser():
                continue
            if user.share or not self._readable_by(user):
                allowed.discard(user.partner_id.id)
        return allowed

    def _readable_by(self, user):
        return bool(user.active) and len(self._filtered_access_for(user)) == len(self)

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if not recipients or not self:
            return recipients
        partners = self.env["res.partner"].browse([r["id"] for r in recipients if r.get("uid")])
        allowed = self._allowed_partner_ids(partners) if partners else set()
        recipients = [r for r in recipients if not r.get("uid") or r["id"] in allowed]
        if trusted_flag(self.env, "patient_addressees_only"):
            # a letter to the guarantor (a statement): no copy to the followers
            addressed = set((msg_vals or {}).get("partner_ids") or message.sudo().partner_ids.ids)
            recipients = [r for r in recipients if r["id"] in addressed]
        self._gate_notified_contacts(message, msg_vals, recipients, kwargs)
        return recipients

    def _gate_notified_contacts(self, message, msg_vals, recipients, notify_kwargs):
        """Every notification of these records (any message type or subtype, notes
        naming partners, the composer, templates, scheduled posts) that reaches
        the guarantor or patients of the account passes the outbound contact gate
        (see ``patient_account_messaging.py``), once per message."""
        if len(self) != 1 or not recipients:
            return
        gated = gated_messages(self.env)
        if message.id in gated:
            return
        account = self._patient_account()
        if not account:
            return
        partners = self.env["res.partner"].browse([r["id"] for r in recipients])
        contacted = account._patient_recipients(partners)
        if (
            contacted
            and not trusted_flag(self.env, "patient_interaction_logged")
            and not self._is_received_email(message, msg_vals)
        ):
            account = account.with_env(self.env)
            if self._is_notification_scheduled(notify_kwargs.get("scheduled_date")):
                account._refuse_scheduled_contact()
            message_type = (msg_vals or {}).get("message_type") or message.sudo().message_type
            notified_by_sms = any(r.get("notif") == "sms" for r in recipients)
            channel = "sms" if message_type == "sms" or notified_by_sms else "email"
            account._gate_outbound_contact(contacted, channel)
        gated.add(message.id)

    def _is_received_email(self, message, msg_vals):
        """An email the mail gateway received (the guarantor writing in, say): no
        collector sends it, so its notifications to followers are no contact.  Only
        the gateway runs as the system user; a user's request never does."""
        values = msg_vals or {}
        message = message.sudo()
        if (values.get("message_type") or message.message_type) != "email":
            return False
        if not self.env.user._is_superuser():
            return False
        author = self.env["res.partner"].sudo().browse(values.get("author_id")) or message.author_id
        return not any(not user.share for user in author.with_context(active_test=False).user_ids)

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        if partner_ids and self:
            partners = self.env["res.partner"].browse(partner_ids)
            allowed = self._allowed_partner_ids(partners)
            refused = partners.filtered(lambda partner: partner.id not in allowed)
            if refused and not self.env.su:
                raise AccessError(
                    self.env._(
                        "%(people)s cannot follow %(records)s: they have no access to it. "
                        "Add them to the collections roles of its company first.",
                        people=", ".join(refused.mapped("name")),
                        records=", ".join(self.mapped("display_name")),
                    )
                )
            partner_ids = [pid for pid in partner_ids if pid in allowed]
            if not self.env.su and self.has_access("read"):
                # whoever may read the record may add followers who may read it too
                # (Odoo asks for the right to edit it, which accountants lack)
                return super(PatientPhiThreadMixin, self.sudo()).message_subscribe(
                    partner_ids=partner_ids, subtype_ids=subtype_ids
                )
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
