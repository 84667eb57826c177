from odoo import api, models
from odoo.exceptions import AccessError

EXPORT_GROUP = "base.group_allow_export"
# Marks the reads of a list or board, which are not form opens.  An object, not a
# string: a client's context (JSON) cannot carry it, so it cannot skip the log.
LIST_READ = object()


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


def audit_phi_export(records, fields_to_export, phi_fields):
    """Exports of contacts or invoices with patient fields: checked like the
    module's own exports, and logged when a patient field is part of them."""
    exported = {name for path in fields_to_export for name in path.split("/")}
    if exported & set(phi_fields):
        check_export_right(records, fields_to_export)


class PatientPhiMixin(models.AbstractModel):
    """What every model holding patient data shares: form opens, prints and
    exports are written to the access log, refused ones too; exports need
    Odoo's export right; portal and public users reach nothing through the
    chatter routes; notifications go only to users who may read the record."""

    _name = "patient.phi.mixin"
    _inherit = ["patient.protected.mixin"]
    _description = "Patient Data (access logged)"
    # opening a form of these models is logged (lists and boards are not)
    _audit_open = True

    # ------------------------------------------------------------------ identifiers

    def _audit_refs(self):
        """{id: (company id, reference)}: what the log stores of each record, an
        identifier such as the account number, never a name."""
        has_company = "company_id" in self._fields
        return {
            record.id: (record.company_id.id if has_company else False, record.display_name)
            for record in self.sudo()
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

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return super(
            PatientPhiMixin, self.with_context(patient_list_read=LIST_READ)
        ).web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    def _audited_read(self, read, detail=False):
        """``read(records)`` logged as an open of these records, or as a refusal.
        The lines it reads inside them (a form's interactions and plans) are not
        opened; lists, boards and the superuser are not logged."""
        listing = self.env.context.get("patient_list_read") is LIST_READ
        if not self._audit_open or self.env.su or listing:
            return read(self)
        try:
            result = read(self.with_context(patient_list_read=LIST_READ))
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
        return [r for r in recipients if not r.get("uid") or r["id"] in allowed]

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
