"""Patient data's access log: form opens, reads through the API, list reads and
exports of every model holding patient data are logged (refusals too), and
exports need Odoo's export right.  The list reads are in
``patient_phi_list_audit.py``, the chatter side in ``patient_phi_thread_mixin.py``."""

from odoo import api, models
from odoo.exceptions import AccessError

from .patient_phi_list_audit import (
    LIST_READ,
    LIST_READ_KEY,
    PATIENT_PARENT_MODELS,
    ListReadAudit,
    audit_open,
    audit_refs,
)
from .patient_protected import model_label

EXPORT_GROUP = "base.group_allow_export"


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
                    model=model_label(records),
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
    # the files attached to these records are patient data: their downloads are
    # logged, and no public flag or link token ever opens them (ir_attachment.py)
    _audit_files = True

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
        return audit_refs(self)

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
        return audit_open(self, read, detail=detail, denied_detail=detail or "open")

    def web_read(self, specification):
        if not specification:
            # only the ids: the web client reads a many2one this way inside another
            # record's form (an invoice's patient account, shown by its number); that
            # opens nothing, and runs in the other form's read-only transaction
            return super().web_read(specification)
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

    def _read_format(self, fnames, load="_classic_read"):
        """A file field of the record itself (a plan's signed agreement) read over
        RPC (``read``, ``search_read``, ``web_read`` without ``bin_size``) is a
        download, as through ``/web/content``: one 'download' line per file."""
        result = super()._read_format(fnames, load=load)
        files = [
            name
            for name in fnames or ()
            if name in self._fields
            and self._fields[name].type == "binary"
            and self._fields[name].attachment
        ]
        if (
            not files
            or not self
            or not self._audit_files
            or self.env.su
            or self.env.context.get("bin_size")
        ):
            return result
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("res_field", "in", files),
                ]
            )
        )
        Log = self.env["patient.access.log"]
        for name in files:
            Log._log_download(attachments.filtered(lambda file, n=name: file.res_field == n), name)
        return result

    def export_data(self, fields_to_export):
        check_export_right(self, fields_to_export)
        return super().export_data(fields_to_export)
