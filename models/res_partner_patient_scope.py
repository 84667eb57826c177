"""The company scope of a contact's patient fields: a contact's patient data
(patient flag, medical record number, date of birth, guarantor, dependents) is
seen, searched, ordered, grouped, exported and changed only from the companies
the contact is a patient of (an account or a posted patient invoice there, its
own company, or patient data entered by one of its users).  Outside them the
fields read empty.  The module's own (trusted or superuser) code sees them all."""

from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .patient_protected import is_trusted

# Patient fields stored on the contact, visible and searchable only for the patients
# of the user's companies (see ResPartner._patient_scope_sql).
COMPANY_SCOPED_COLUMNS = frozenset(
    ("is_patient", "patient_mrn", "patient_birthdate", "guarantor_id")
)
COMPANY_SCOPED_FIELDS = COMPANY_SCOPED_COLUMNS | {"patient_dependent_ids"}
# Set while Odoo fetches columns into its cache: the cache is shared by every user
# and superuser code of the transaction, so it holds the true values; the scope
# applies to what is returned (read) and to how records are searched, ordered
# and grouped.
_FETCHING = ContextVar("patient_collections_fetching", default=False)


class _NoExport(list):
    """An export path that exports nothing (empty, so Odoo skips its column) and
    that Odoo's export can still ask for its last element (never "id")."""

    def __getitem__(self, index):
        if index == -1:
            return ""
        return super().__getitem__(index)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _patient_scope_unrestricted(self):
        """The module's own code (trusted or superuser code, which chooses what it
        reads) sees every patient; users see the patients of their companies."""
        return self.env.su or is_trusted(self.env)

    def _patient_scope_company_ids(self):
        """The user's active companies, checked against the companies the user
        really belongs to (never the context alone)."""
        user_companies = set(self.env.user._get_company_ids())
        return [cid for cid in self.env.companies.ids if cid in user_companies]

    @api.model
    def _patient_scope_sql(self, alias, company_ids=None):
        """SQL: the contact at ``alias`` is a patient of one of ``company_ids`` (of
        any company when None): a patient account or a posted patient invoice in
        it, its own company, or its patient data entered by one of its users."""
        Account = self.env["patient.account"]
        Move = self.env["account.move"]

        def column(table, model, name):
            return SQL.identifier(table, name, to_flush=model._fields[name])

        def of_companies(company_column):
            if company_ids is None:
                return SQL("TRUE")
            return SQL("%s = ANY(%s)", company_column, list(company_ids))

        registered = self._fields["patient_company_ids"]
        partner_id = SQL.identifier(alias, "id")
        partner_company = column(alias, self, "company_id")
        own_company = (
            SQL("%s IS NOT NULL", partner_company)
            if company_ids is None
            else SQL("%s = ANY(%s)", partner_company, list(company_ids))
        )
        return SQL(
            """(%(own_company)s OR %(partner_id)s IN (
                    SELECT %(account_partner)s FROM patient_account pc_scope_account
                     WHERE %(account_companies)s
                 UNION ALL
                    SELECT %(move_patient)s FROM account_move pc_scope_move
                     WHERE %(move_patient)s IS NOT NULL AND %(move_state)s = 'posted'
                       AND %(move_companies)s
                 UNION ALL
                    SELECT %(rel_partner)s
                      FROM res_partner_patient_company_rel pc_scope_rel
                     WHERE %(rel_companies)s
               ))""",
            own_company=own_company,
            partner_id=partner_id,
            account_partner=column("pc_scope_account", Account, "partner_id"),
            account_companies=of_companies(column("pc_scope_account", Account, "company_id")),
            move_patient=column("pc_scope_move", Move, "patient_id"),
            move_state=column("pc_scope_move", Move, "state"),
            move_companies=of_companies(column("pc_scope_move", Move, "company_id")),
            rel_partner=SQL.identifier("pc_scope_rel", "partner_id", to_flush=registered),
            rel_companies=of_companies(
                SQL.identifier("pc_scope_rel", "company_id", to_flush=registered)
            ),
        )

    def _patient_select_scoped(self, company_ids):
        ids = [partner_id for partner_id in self._origin.ids if partner_id]
        if not ids:
            return self.browse()
        rows = self.env.execute_query(
            SQL(
                "SELECT res_partner.id FROM res_partner WHERE res_partner.id = ANY(%s) AND %s",
                ids,
                self._patient_scope_sql("res_partner", company_ids),
            )
        )
        return self.browse([row[0] for row in rows])

    def _patient_in_scope(self):
        """The contacts of ``self`` whose patient fields the user may see."""
        if self._patient_scope_unrestricted():
            return self
        found = set(self._patient_select_scoped(self._patient_scope_company_ids()).ids)
        return self.filtered(lambda partner: partner._origin.id in found)

    def _patient_claimed(self):
        """The contacts of ``self`` that are patients of some company."""
        found = set(self._patient_select_scoped(None).ids)
        return self.filtered(lambda partner: partner._origin.id in found)

    def _patient_register(self):
        """Patient data entered from the current company makes the contact a patient
        of that company (for contacts without accounts or invoices yet)."""
        company = self.env.company
        partners = self.sudo().filtered(lambda partner: company not in partner.patient_company_ids)
        if partners:
            partners.write({"patient_company_ids": [fields.Command.link(company.id)]})

    def _patient_check_writable(self):
        """Patient fields of another company's patient are not changed from here."""
        if self._patient_scope_unrestricted():
            return
        foreign = (self - self._patient_in_scope())._patient_claimed()
        if foreign:
            raise AccessError(
                self.env._(
                    "The patient data of %(count)s contact(s) belongs to another company: it "
                    "cannot be read or changed from your companies. Create the patient's "
                    "contact in your company instead.",
                    count=len(foreign),
                )
            )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_patient_scope_editable(self):
        inside = self._patient_in_scope()
        free = self - inside
        free -= free._patient_claimed()
        for partner in self:
            partner.patient_scope_editable = partner in inside or partner in free

    def _field_to_sql(self, alias, fname, query=None, flush=True):
        """Searching, ordering, grouping and aggregating by a patient field see it
        empty on the contacts outside the user's companies."""
        sql = super()._field_to_sql(alias, fname, query, flush)
        if (
            fname in COMPANY_SCOPED_COLUMNS
            and not _FETCHING.get()
            and not self._patient_scope_unrestricted()
        ):
            scope = self._patient_scope_sql(alias, self._patient_scope_company_ids())
            return SQL("(CASE WHEN %s THEN %s END)", scope, sql)
        return sql

    def _fetch_query(self, query, fields):
        columns = [field for field in fields if field.column_type]
        others = [field for field in fields if not field.column_type]
        token = _FETCHING.set(True)
        try:
            fetched = super()._fetch_query(query, columns)
        finally:
            _FETCHING.reset(token)
        # one2many and many2many fields search their lines, with the scope
        for field in others:
            if fetched:
                field.read(fetched)
        return fetched

    def _read_format(self, fnames, load="_classic_read"):
        """read, search_read, web_read: the patient fields of contacts outside the
        user's companies read empty."""
        result = super()._read_format(fnames, load=load)
        scoped = [name for name in fnames if name in COMPANY_SCOPED_FIELDS]
        if not scoped or not result or self._patient_scope_unrestricted():
            return result
        inside = set(self._patient_in_scope()._origin.ids)
        blank = {
            name: [] if self._fields[name].type in ("one2many", "many2many") else False
            for name in scoped
        }
        for vals in result:
            record_id = vals["id"]
            record_id = getattr(record_id, "origin", record_id)
            if record_id not in inside:
                vals.update(blank)
        return result

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Exports leave the patient fields of contacts outside the user's companies
        empty (Odoo's export reads through the cache)."""
        if self._patient_scope_unrestricted() or not any(
            path and path[0] in COMPANY_SCOPED_FIELDS for path in fields
        ):
            return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)
        inside = self._patient_in_scope()
        blanked = [
            _NoExport() if path and path[0] in COMPANY_SCOPED_FIELDS else path for path in fields
        ]
        # consecutive runs of contacts in and out of scope, to keep the order
        runs = []
        for partner in self:
            is_inside = partner in inside
            if not runs or runs[-1][0] != is_inside:
                runs.append((is_inside, []))
            runs[-1][1].append(partner.id)
        lines = []
        for is_inside, ids in runs:
            lines += super(ResPartner, self.browse(ids))._export_rows(
                fields if is_inside else blanked, _is_toplevel_call=_is_toplevel_call
            )
        return lines

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        entered = [
            partner
            for partner, vals in zip(partners, vals_list, strict=True)
            if any(vals.get(name) for name in COMPANY_SCOPED_COLUMNS)
        ]
        if entered:
            self.browse([partner.id for partner in entered])._patient_register()
        return partners

    def write(self, vals):
        written = COMPANY_SCOPED_COLUMNS & set(vals)
        if written:
            self._patient_check_writable()
        result = super().write(vals)
        if any(vals.get(name) for name in written):
            self._patient_register()
        return result
