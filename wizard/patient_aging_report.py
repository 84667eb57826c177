import base64
import io

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_date, formatLang

from ..logic.pdf_aging_report import aging_report_pdf
from ..models.patient_collection_snapshot import AMOUNT_FIELDS
from ..models.patient_phi_mixin import EXPORT_GROUP

GROUP_BY = [
    ("stage", "Stage"),
    ("specialist", "Specialist"),
    ("insurance", "Insurance Status"),
]
# group_by -> field of the accounts (live) and of the snapshot rows
GROUP_FIELDS = {"stage": "stage_id", "specialist": "user_id", "insurance": "insurance_status"}
# Columns of the detail sheet: account numbers, never names nor MRNs.
DETAIL_FIELDS = ("name", "stage_id", "user_id", "days_past_due", *AMOUNT_FIELDS)


class PatientAgingReport(models.TransientModel):
    """The aged patient balances report: today from the live accounts, a past day
    from that day's snapshot; as a PDF (report action) or an XLSX workbook."""

    _name = "patient.aging.report"
    _description = "Aged Patient Balances Report"
    _inherit = ["patient.wizard.mixin"]
    _reportlab_reports = {"patient_collections.report_patient_aging": "_aging_pdfs"}

    # today on the practice's calendar, as the snapshots are dated (the user may change it)
    as_of_date = fields.Date(
        string="As of", required=True, default=lambda self: self.env.company._patient_today()
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    group_by = fields.Selection(GROUP_BY, required=True, default="stage")
    stage_ids = fields.Many2many("patient.account.stage", string="Stages")
    user_ids = fields.Many2many("res.users", string="Specialists")

    # ------------------------------------------------------------------ reading

    def _check_readable(self):
        """The requesting user's own companies, also when the code runs as
        superuser (Odoo's routes do): ``env.user`` is the real user, never a
        context key."""
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise AccessError(self.env._("You can only report on the companies you belong to."))
        today = self.company_id._patient_today()
        if self.as_of_date > today:
            raise UserError(
                self.env._("The report cannot be dated after today: choose today or a past day.")
            )

    def _is_live(self):
        return self.as_of_date >= self.company_id._patient_today()

    def _domain(self):
        domain = [("company_id", "=", self.company_id.id)]
        if self.env["patient.collection.snapshot"]._dashboard_scope() == "own":
            # a specialist's own accounts, live as in the snapshot rows (also as superuser)
            domain.append(("user_id", "=", self.env.uid))
        if self.stage_ids:
            domain.append(("stage_id", "in", self.stage_ids.ids))
        if self.user_ids:
            domain.append(("user_id", "in", self.user_ids.ids))
        return domain

    def _source(self):
        """(model, domain, count aggregate) the report reads."""
        if self._is_live():
            Account = self.env["patient.account"].with_company(self.company_id)
            domain = [*self._domain(), ("active", "=", True)]
            self._age_live_accounts(Account, domain)
            return Account, domain, "__count"
        Snapshot = self.env["patient.collection.snapshot"].with_company(self.company_id)
        domain = [*self._domain(), ("date", "=", self.as_of_date)]
        if not Snapshot.search_count(domain, limit=1):
            raise UserError(
                self.env._(
                    "There is no snapshot of %(date)s: the daily collections run stores one "
                    "each day. Choose a day the run ran, or today for the live balances.",
                    date=format_date(self.env, self.as_of_date),
                )
            )
        return Snapshot, domain, "account_count:sum"

    def _age_live_accounts(self, Account, domain):
        """Live balances are headed "As of <today>": the accounts the report reads
        that were aged on an earlier day (the nightly run ages them; a day passed
        since) are aged as of the report's day first, by the module's set-based
        refresh.  Found with the reader's rights (record rules, the report's
        company and scope), so only accounts they may read are refreshed."""
        stale = Account.search(
            [*domain, "|", ("aging_date", "=", False), ("aging_date", "<", self.as_of_date)]
        )
        if stale:
            stale.sudo()._refresh_balances(today=self.as_of_date)

    def _group_rows(self, group_by):
        """[(label, account count, {amount field: amount})], sorted by label."""
        Model, domain, count_agg = self._source()
        aggregates = [count_agg, *(f"{name}:sum" for name in AMOUNT_FIELDS)]
        labels = dict(
            self.env["patient.collection.snapshot"]
            ._fields["insurance_status"]
            ._description_selection(self.env)
        )
        if group_by == "insurance" and Model._name == "patient.account":
            groups = []
            for key, operator in (("pending", ">"), ("none", "<=")):
                [values] = Model._read_group(
                    [*domain, ("balance_insurance_pending", operator, 0)], [], aggregates
                )
                if values[0]:
                    groups.append((labels[key], values))
        else:
            field = GROUP_FIELDS[group_by]
            groups = []
            for key, *values in Model._read_group(domain, [field], aggregates):
                if group_by == "insurance":
                    label = labels.get(key, key)
                else:
                    label = key.sudo().display_name if key else self.env._("Unassigned")
                groups.append((label, values))
        rows = [
            (label, int(values[0] or 0), dict(zip(AMOUNT_FIELDS, values[1:], strict=True)))
            for label, values in groups
        ]
        return sorted(rows, key=lambda row: row[0] or "")

    def _totals(self, rows):
        currency = self.company_id.currency_id
        return (
            sum(row[1] for row in rows),
            {
                name: currency.round(sum(row[2][name] or 0.0 for row in rows))
                for name in AMOUNT_FIELDS
            },
        )

    def _detail_accounts(self):
        Account = self.env["patient.account"].with_company(self.company_id)
        return Account.search([*self._domain(), ("active", "=", True)], order="name, id")

    def _amount_labels(self):
        fields_ = self.env["patient.collection.snapshot"]._fields
        return [fields_[name].get_description(self.env)["string"] for name in AMOUNT_FIELDS]

    def _money_text(self, amount):
        """An amount of the report's company currency, without its symbol, written
        as the user's language writes numbers (1,234.50 or 1.234,50)."""
        currency = self.company_id.currency_id
        return formatLang(self.env, currency.round(amount or 0.0), digits=currency.decimal_places)

    def _meta_lines(self):
        source = (
            self.env._("Live balances")
            if self._is_live()
            else self.env._(
                "Snapshot of the daily run of %(date)s", date=format_date(self.env, self.as_of_date)
            )
        )
        group = dict(self._fields["group_by"]._description_selection(self.env))[self.group_by]
        return [
            self.env._("Company: %(company)s", company=self.company_id.name),
            self.env._(
                "As of: %(date)s — %(origin)s",
                date=format_date(self.env, self.as_of_date),
                origin=source,
            ),
            self.env._("Grouped by: %(group)s", group=group),
        ]

    # ------------------------------------------------------------------ PDF

    def _aging_pdfs(self):
        pdfs = []
        for report in self:
            report._check_readable()
            rows = report._group_rows(report.group_by)
            count, totals = report._totals(rows)
            money = report._money_text

            group_label = dict(report._fields["group_by"]._description_selection(report.env))[
                report.group_by
            ]
            headers = [group_label, report.env._("Accounts"), *report._amount_labels()]
            body = [
                [label, str(n), *(money(amounts[name]) for name in AMOUNT_FIELDS)]
                for label, n, amounts in rows
            ]
            total_row = [
                report.env._("Grand Total"),
                str(count),
                *(money(totals[name]) for name in AMOUNT_FIELDS),
            ]
            pdfs.append(
                aging_report_pdf(
                    report.env._("Aged Patient Balances"),
                    report._meta_lines(),
                    headers,
                    body,
                    total_row,
                    author=report.company_id.name,
                )
            )
        return pdfs

    def action_print_pdf(self):
        self.ensure_one()
        self._check_readable()
        self._source()  # a day without a snapshot refused at the button, as for the XLSX
        return self.env.ref("patient_collections.action_report_patient_aging").report_action(self)

    # ------------------------------------------------------------------ XLSX

    def _xlsx_bytes(self):
        self.ensure_one()
        self._check_readable()
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        money_bold = book.add_format({"num_format": "#,##0.00", "bold": True})
        amount_labels = self._amount_labels()
        group_labels = dict(self._fields["group_by"]._description_selection(self.env))
        detail = self._may_export_detail()
        meta = self._meta_lines()
        if not detail:
            meta.append(
                self.env._(
                    "No Detail sheet: listing the accounts one by one is an export, which "
                    "needs Odoo's export right. Ask an administrator for it."
                )
            )
        for key, _label in GROUP_BY:
            sheet = book.add_worksheet(self.env._("By %(group)s", group=group_labels[key])[:31])
            for line, text in enumerate(meta):
                sheet.write(line, 0, text)
            top = len(meta) + 1
            sheet.write_row(
                top, 0, [group_labels[key], self.env._("Accounts"), *amount_labels], bold
            )
            rows = self._group_rows(key)
            for offset, (label, count, amounts) in enumerate(rows, start=1):
                sheet.write(top + offset, 0, label)
                sheet.write_number(top + offset, 1, count)
                for col, name in enumerate(AMOUNT_FIELDS, start=2):
                    sheet.write_number(top + offset, col, amounts[name] or 0.0, money)
            count, totals = self._totals(rows)
            last = top + len(rows) + 1
            sheet.write(last, 0, self.env._("Grand Total"), bold)
            sheet.write_number(last, 1, count, bold)
            for col, name in enumerate(AMOUNT_FIELDS, start=2):
                sheet.write_number(last, col, totals[name], money_bold)
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, len(AMOUNT_FIELDS) + 1, 14)
        if detail:
            self._write_detail(book.add_worksheet(self.env._("Detail")[:31]), bold, money)
        book.close()
        return output.getvalue()

    def _may_export_detail(self):
        """The Detail sheet lists records line by line, as Odoo's export does:
        the requesting user needs Odoo's export right (``env.user`` is that user
        also as superuser); without it the workbook has the grouped sheets only."""
        return self.env.user.has_group(EXPORT_GROUP)

    def _write_detail(self, sheet, bold, money):
        """Live: one line per account (the fields the reader may read); a past
        day: the snapshot's rows."""
        if self._is_live():
            Account = self.env["patient.account"]
            readable = Account.fields_get(list(DETAIL_FIELDS), ["string", "type"])
            names = [name for name in DETAIL_FIELDS if name in readable]
            sheet.write_row(0, 0, [readable[name]["string"] for name in names], bold)
            accounts = self._detail_accounts()
            self.env["patient.access.log"]._log(
                "export", accounts, batch=True, field_names=", ".join(names)
            )
            values = accounts.sudo()._read_format(names) if accounts else []
            for row, record in enumerate(values, start=1):
                for col, name in enumerate(names):
                    value = record[name]
                    if readable[name]["type"] == "many2one":
                        value = value[1] if value else ""
                    if readable[name]["type"] == "monetary":
                        sheet.write_number(row, col, value or 0.0, money)
                    else:
                        sheet.write(row, col, value if value not in (False, None) else "")
            return
        Model, domain, _count = self._source()
        names = ["stage_id", "user_id", "insurance_status", "account_count", *AMOUNT_FIELDS]
        described = Model.fields_get(names, ["string", "type"])
        sheet.write_row(0, 0, [described[name]["string"] for name in names], bold)
        labels = dict(Model._fields["insurance_status"]._description_selection(self.env))
        for row, record in enumerate(Model.search(domain), start=1):
            sheet.write(row, 0, record.stage_id.sudo().display_name or "")
            sheet.write(row, 1, record.user_id.sudo().display_name or self.env._("Unassigned"))
            sheet.write(row, 2, labels.get(record.insurance_status, ""))
            sheet.write_number(row, 3, record.account_count)
            for col, name in enumerate(AMOUNT_FIELDS, start=4):
                sheet.write_number(row, col, record[name] or 0.0, money)

    def action_export_xlsx(self):
        self.ensure_one()
        data = self._xlsx_bytes()
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Aged Patient Balances %(date)s.xlsx", date=self.as_of_date),
                "datas": base64.b64encode(data),
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "res_model": self._name,
                "res_id": self.id,
                "company_id": self.company_id.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    @api.model
    def _weekly_summary(self, company):
        """(account count, totals) of ``company``'s live balances, for the weekly mail."""
        report = self.new({"company_id": company.id, "group_by": "stage"})
        rows = report._group_rows("stage")
        return rows, report._totals(rows)


class PatientAgingReportWeekly(models.TransientModel):
    """The weekly aged balances mail of each company to its chosen recipients."""

    _inherit = "patient.aging.report"

    # the largest balances over 90 days the weekly mail lists, by account number
    _weekly_oldest_limit = 20

    @api.model
    def _cron_weekly_aging_report(self):
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("collections_aging_report_user_ids", "!=", False)])
        )
        template = self.env.ref("patient_collections.mail_template_weekly_aging_report")
        for company in companies:
            values = self.sudo()._weekly_values(company)
            # a recipient whose role was taken away since is left out
            partners = company._aging_report_recipients().partner_id
            if partners:
                # a mail about no record (not the company's: every internal user
                # reads the company's messages), to its recipients only
                template.sudo().with_context(**values).send_mail(
                    company.id,
                    email_values={
                        "recipient_ids": [fields.Command.set(partners.ids)],
                        "model": False,
                        "res_id": False,
                        "auto_delete": True,
                    },
                )

    @api.model
    def _weekly_values(self, company):
        """What the weekly mail of ``company`` shows: totals by stage, the grand
        total, the account numbers of the largest balances over 90 days."""
        report = self.with_company(company).create({"company_id": company.id})
        rows = report._group_rows("stage")
        count, totals = report._totals(rows)
        money = report._money_text

        body = [
            [label, str(n), *(money(amounts[name]) for name in AMOUNT_FIELDS)]
            for label, n, amounts in rows
        ]
        body.append(
            [self.env._("Grand Total"), str(count), *(money(totals[n]) for n in AMOUNT_FIELDS)]
        )
        oldest = (
            self.env["patient.account"]
            .with_company(company)
            .search(
                [
                    ("company_id", "=", company.id),
                    ("active", "=", True),
                    ("days_past_due", ">", 90),
                    ("balance_due", ">", 0),
                ],
                order="balance_due desc, id",
                limit=self._weekly_oldest_limit,
            )
        )
        return {
            "aging_date": format_date(self.env, report.as_of_date),
            "aging_headers": [
                self.env._("Stage"),
                self.env._("Accounts"),
                *report._amount_labels(),
            ],
            "aging_rows": body,
            "aging_oldest": [f"{account.name}: {money(account.balance_due)}" for account in oldest],
        }
