import logging

from dateutil.relativedelta import relativedelta

from odoo import SUPERUSER_ID, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

EVENTS = [
    ("open", "Opened"),
    ("chatter", "Chatter read"),
    ("list", "Listed"),
    ("print", "Printed"),
    ("download", "Downloaded"),
    ("email", "Emailed"),
    ("export", "Exported"),
    ("denied", "Denied"),
    ("purge", "Log purged"),
]
# The models of patient data whose files are patient data (see is_patient_file_model).
PHI_MIXIN = "patient.phi.mixin"
# The longest list of record ids kept on one export line, and of references named.
MAX_LOGGED_IDS = 10000
MAX_NAMED_REFS = 20
INSERT_COLUMNS = (
    "date",
    "user_id",
    "company_id",
    "event",
    "res_model",
    "res_id",
    "record_ref",
    "record_count",
    "res_ids",
    "field_names",
    "detail",
    "ip_address",
)


def is_patient_file_model(env, res_model):
    """Whether the files attached to ``res_model`` are patient data (a statement,
    a plan agreement, an assistance application's proof of income, a file of the
    chatter of any of them): every model of patient data, not configuration
    (stages) nor the access log itself (``_audit_files``)."""
    if not res_model or not isinstance(res_model, str) or res_model not in env.registry:
        return False
    model = env[res_model]
    return isinstance(model, env.registry[PHI_MIXIN]) and model._audit_files


class PatientAccessLog(models.Model):
    """Who looked at which patient data, and when: identifiers only, never values.

    Append-only: written through :meth:`_log` as superuser, never edited, and
    deleted only by the retention purge (plain SQL, itself logged).
    """

    _name = "patient.access.log"
    _description = "Patient Data Access Log"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _audit_list = False
    _audit_files = False
    _order = "date desc, id desc"
    # found by the record's reference (an account or plan number, never a name)
    _rec_name = "record_ref"
    _log_access = False  # the row has its own date and user; nobody ever writes it

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", readonly=True, index=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", readonly=True, index=True, ondelete="cascade")
    event = fields.Selection(EVENTS, required=True, readonly=True, index=True)
    res_model = fields.Char(string="Model", readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True, index=True
    )
    record_ref = fields.Char(
        string="Record",
        readonly=True,
        index="trigram",
        help="The record's reference (an account or plan number), never a name.",
    )
    record_count = fields.Integer(string="Records", readonly=True)
    res_ids = fields.Text(string="Record IDs", readonly=True)
    field_names = fields.Text(string="Fields", readonly=True)
    detail = fields.Char(readonly=True, help="The report, route or check concerned.")
    ip_address = fields.Char(string="Address", readonly=True)

    @api.depends("event", "record_ref", "res_model")
    def _compute_display_name(self):
        events = dict(self._fields["event"]._description_selection(self.env))
        for entry in self:
            entry.display_name = " ".join(
                filter(None, [events.get(entry.event), entry.record_ref or entry.res_model])
            )

    # ------------------------------------------------------------------ append-only

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The access log is written by the system only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("The access log is a permanent record: it cannot be changed.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "The access log is a permanent record: entries are removed only by the "
                "retention purge, once older than the company's retention period."
            )
        )

    # ------------------------------------------------------------------ writing

    @api.model
    def _request_address(self):
        try:
            return request.httprequest.remote_addr if request else False
        except RuntimeError:  # no request bound to this thread
            return False

    @api.model
    def _default_company(self):
        """The user's company, even when the request names companies they may not
        use (that refusal must be logged too)."""
        return self.env.user.sudo().company_id

    @api.model
    def _entry_vals(self, event, records, **extra):
        """The values of one log line per record of ``records`` (or one line for
        the whole set when ``extra`` says ``batch=True``, counting ``count``
        records when given: a list read logs the ids of its first records only)."""
        batch = extra.pop("batch", False)
        count = extra.pop("count", None)
        refs = extra.pop("refs", None)
        base = {
            "date": fields.Datetime.now(),
            "user_id": self.env.uid,
            "event": event,
            "res_model": records._name,
            "ip_address": self._request_address(),
            **extra,
        }
        ids = records.ids
        # {id: (company id, reference)}; contacts and invoices have no reference to show.
        # (Looked up for every record, even when one line names the first ones only:
        # the same query gives the companies.)
        if refs is None:
            refs = records._audit_refs() if ids and hasattr(records, "_audit_refs") else {}
        if not batch and ids:
            default_company = self._default_company().id
            return [
                {
                    **base,
                    "company_id": refs.get(record_id, (default_company,))[0],
                    "res_id": record_id,
                    "record_ref": refs.get(record_id, (False, False))[1],
                    "record_count": 1,
                }
                for record_id in ids
            ]
        if refs:
            companies = {company_id for company_id, _ref in refs.values() if company_id}
        elif ids and "company_id" in records._fields:
            companies = set(records.sudo().company_id.ids)
        else:
            companies = set()
        names = [
            refs[record_id][1]
            for record_id in ids[:MAX_NAMED_REFS]
            if refs.get(record_id, (False, False))[1]
        ]
        if names and len(ids) > MAX_NAMED_REFS:
            names.append("…")
        return [
            {
                **base,
                "company_id": companies.pop()
                if len(companies) == 1
                else self._default_company().id,
                "record_ref": ", ".join(names) or False,
                "record_count": len(ids) if count is None else count,
                "res_id": ids[0] if len(ids) == 1 else False,
                "res_ids": ",".join(map(str, ids[:MAX_LOGGED_IDS])),
            }
        ]

    @api.model
    def _log(self, event, records, **extra):
        """Record ``event`` on ``records`` in the current transaction."""
        if not records and not extra.get("batch"):
            return self.browse()
        return self._insert(self._entry_vals(event, records.sudo(), **extra))

    @api.model
    def _insert(self, vals_list, batch_size=5000):
        """Write log lines set-based: a statement run logs thousands at once, and
        a log line has nothing for the ORM to compute or check."""
        ids = []
        columns = SQL(", ").join(SQL.identifier(column) for column in INSERT_COLUMNS)
        row = "(" + ", ".join(["%s"] * len(INSERT_COLUMNS)) + ")"
        for start in range(0, len(vals_list), batch_size):
            chunk = vals_list[start : start + batch_size]
            params = [
                None if vals.get(column) is False else vals.get(column)
                for vals in chunk
                for column in INSERT_COLUMNS
            ]
            # only placeholders are joined here: every value is a parameter
            rows = SQL(", ".join([row] * len(chunk)), *params)
            self.env.cr.execute(
                SQL("INSERT INTO patient_access_log (%s) VALUES %s RETURNING id", columns, rows)
            )
            ids.extend(row_id for (row_id,) in self.env.cr.fetchall())
        return self.sudo().browse(ids)

    @api.model
    def _log_denied(self, records, detail, **extra):
        """Record a refused access.  Written in the current transaction, for when
        the caller handles the refusal and goes on, and again on a cursor of its
        own if the transaction is rolled back, as it is when the refusal reaches
        the user: the record of the attempt outlives the attempt."""
        vals_list = self._entry_vals("denied", records.sudo(), detail=detail, batch=True, **extra)
        if not self.env.cr.readonly:  # a download route's replica: written after rollback
            self._insert(vals_list)
        registry = self.env.registry
        if modules.module.current_test and not registry.in_test_mode():
            # a transaction of its own could not see the test's uncommitted users
            return

        def write_after_rollback():
            try:
                with registry.cursor() as cr:
                    api.Environment(cr, SUPERUSER_ID, {})[self._name]._insert(vals_list)
            except Exception:  # a log failure must not hide the refusal
                _logger.exception("Could not record a refused access in the access log")

        self.env.cr.postrollback.add(write_after_rollback)

    @api.model
    def _patient_files(self, attachments):
        """{model: (files, the records they belong to)} of the patient-data files
        of ``attachments``."""
        files = attachments.sudo().filtered(
            lambda attachment: (
                attachment.res_id and is_patient_file_model(self.env, attachment.res_model)
            )
        )
        by_model = {}
        for res_model in {attachment.res_model for attachment in files}:
            of_model = files.filtered(lambda attachment, m=res_model: attachment.res_model == m)
            owners = self.env[res_model].sudo().browse(of_model.mapped("res_id"))
            by_model[res_model] = (of_model, owners)
        return by_model

    @api.model
    def _log_download_denied(self, attachments, how):
        """A 'denied' line per record whose files of ``attachments`` were refused."""
        for files, owners in self._patient_files(attachments).values():
            self._log_denied(
                owners.browse(list(dict.fromkeys(owners.ids))),
                detail=", ".join(f"ir.attachment,{file_id}" for file_id in files.ids[:20]),
                field_names=how,
            )

    @api.model
    def _log_download(self, attachments, how):
        """One 'download' line per file of ``attachments`` that belongs to patient
        data (a statement, a plan agreement, a run's merged statements), naming
        the record it belongs to; ``how``: the field read (``raw``, ``datas``)."""
        vals_list = []
        for of_model, owners in self._patient_files(attachments).values():
            for vals, attachment in zip(
                self._entry_vals("download", owners, field_names=how), of_model, strict=True
            ):
                vals["detail"] = f"ir.attachment,{attachment.id}"
                vals_list.append(vals)
        self._insert_now(vals_list)

    @api.model
    def _insert_now(self, vals_list):
        """Write these lines, in a read-only transaction too."""
        if not vals_list:
            return
        if not self.env.cr.readonly:
            self._insert(vals_list)
            return
        # Odoo streams files on a read-only transaction (a replica's, when there is
        # one): the line is written at once on a read/write cursor of its own, the
        # way Odoo's asset route writes its bundles (web/controllers/binary.py)
        self.env.cr.rollback()
        with self.env.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})[self._name]._insert(vals_list)

    # ------------------------------------------------------------------ retention

    @api.model
    def _cron_purge(self):
        """Delete entries older than each company's retention period, and log it."""
        companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        # the retention counts from today on each practice's calendar
        todays = companies._patient_todays()
        self.flush_model()
        purged = {}
        for company in companies:
            years = company.collections_access_log_years
            if years <= 0:  # never below six (see res.company); kept forever if unset
                continue
            cutoff = todays[company.id] - relativedelta(years=years)
            self.env.cr.execute(
                SQL(
                    "DELETE FROM patient_access_log WHERE company_id = %s AND date < %s",
                    company.id,
                    cutoff,
                )
            )
            purged[company] = (self.env.cr.rowcount, cutoff)
        longest = max(companies.mapped("collections_access_log_years") or [0])
        if longest:
            cutoff = min(todays.values()) - relativedelta(years=longest)
            self.env.cr.execute(
                SQL(
                    "DELETE FROM patient_access_log WHERE company_id IS NULL AND date < %s",
                    cutoff,
                )
            )
        self.invalidate_model()
        self.sudo().create(
            [
                {
                    "date": fields.Datetime.now(),
                    "user_id": self.env.uid,
                    "company_id": company.id,
                    "event": "purge",
                    "res_model": self._name,
                    "record_count": count,
                    "detail": self.env._(
                        "Entries before %(cutoff)s removed (retention: %(years)s years).",
                        cutoff=cutoff,
                        years=company.collections_access_log_years,
                    ),
                }
                for company, (count, cutoff) in purged.items()
            ]
        )
        return sum(count for count, _cutoff in purged.values())
