import base64
import io
from datetime import date, timedelta

import openpyxl
from freezegun import freeze_time
from pypdf import PdfReader

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import PatientCollectionsCommon

DAY = date(2026, 6, 1)
REPORT = "patient_collections.action_report_patient_aging"
EXPORT = "base.group_allow_export"
AMOUNTS = (
    "balance_due",
    "balance_insurance_pending",
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_91_120",
    "aging_over_120",
)


def pdf_text(pdf):
    return "".join(
        "" if page is None else page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages
    )


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01 12:00:00")
class TestReporting(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["patient.collection.snapshot"]
        cls.Run = cls.env["patient.collection.run"]
        cls.specialist = cls.company_user(
            "pc_rep_specialist", "patient_collections.group_collections_specialist"
        )
        cls.other_specialist = cls.company_user(
            "pc_rep_specialist2", "patient_collections.group_collections_specialist"
        )
        cls.manager = cls.company_user(
            "pc_rep_manager", f"patient_collections.group_collections_manager,{EXPORT}"
        )
        cls.invoices = (
            cls.make_invoice(cls.child, 120.37, DAY - timedelta(days=10))
            | cls.make_invoice(cls.child, 80.11, DAY - timedelta(days=75))
            | cls.make_invoice(cls.child_2, 45.5, DAY - timedelta(days=200))
            | cls.make_invoice(cls.other_guarantor, 310.02, DAY - timedelta(days=40))
        )
        cls.account = cls.invoices[0].patient_account_id
        cls.other_account = cls.invoices[3].patient_account_id
        cls.account.user_id = cls.specialist
        cls.other_account.user_id = cls.other_specialist

    def snapshot_totals(self, day, company=None):
        company = company or self.env.company
        [values] = self.Snapshot.sudo()._read_group(
            [("date", "=", day), ("company_id", "=", company.id)],
            [],
            ["account_count:sum", *(f"{name}:sum" for name in AMOUNTS)],
        )
        return values

    def account_totals(self, company=None):
        company = company or self.env.company
        [values] = self.Account.sudo()._read_group(
            [("company_id", "=", company.id), ("active", "=", True)],
            [],
            ["__count", *(f"{name}:sum" for name in AMOUNTS)],
        )
        return values

    def assert_totals_equal(self, first, second):
        self.assertEqual(first[0], second[0])
        for name, a, b in zip(AMOUNTS, first[1:], second[1:], strict=True):
            self.assertAlmostEqual(a or 0.0, b or 0.0, places=2, msg=name)

    def wizard(self, user=None, **vals):
        Wizard = self.env["patient.aging.report"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create({"as_of_date": DAY, **vals})

    # ------------------------------------------------------------------ snapshots

    def test_snapshot_totals_equal_accounts(self):
        runs = self.Run.run()
        self.assertTrue(runs.snapshot_count)
        snapshot = self.snapshot_totals(DAY)
        accounts = self.account_totals()
        self.assertGreater(accounts[1], 0)
        self.assert_totals_equal(snapshot, accounts)
        rows = self.Snapshot.sudo().search([("date", "=", DAY)])
        by_user = {row.user_id: row for row in rows}
        self.assertIn(self.specialist, by_user)
        self.assertIn(self.other_specialist, by_user)
        self.assertAlmostEqual(
            sum(rows.filtered(lambda r: r.user_id == self.specialist).mapped("balance_due")),
            self.account.balance_due,
            places=2,
        )

    def test_same_day_rerun_replaces_the_day(self):
        self.Run.run()
        first = self.Snapshot.sudo().search_count([("date", "=", DAY)])
        self.pay(self.invoices[3], 100.0, DAY)
        self.Run.run()
        self.assertEqual(self.Snapshot.sudo().search_count([("date", "=", DAY)]), first)
        self.assert_totals_equal(self.snapshot_totals(DAY), self.account_totals())
        self.assertAlmostEqual(
            sum(
                self.Snapshot.sudo()
                .search([("date", "=", DAY), ("user_id", "=", self.other_specialist.id)])
                .mapped("collected_amount")
            ),
            100.0,
            places=2,
        )

    def test_snapshot_cannot_be_forged(self):
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(self.manager).create(
                {"date": DAY, "company_id": self.env.company.id, "insurance_status": "none"}
            )
        self.Run.run()
        row = self.Snapshot.with_user(self.manager).search([], limit=1)
        with self.assertRaises(AccessError):
            row.write({"balance_due": 1.0})
        with self.assertRaises(AccessError):
            row.unlink()

    # ------------------------------------------------------------------ reports

    def test_past_day_reads_the_snapshot(self):
        self.Run.run()
        before = self.account_totals()
        with freeze_time(DAY + timedelta(days=7)):
            self.pay(self.invoices[3], 310.02, DAY + timedelta(days=7))
            self.Run.run()
            past = self.wizard(as_of_date=DAY)
            rows = past._group_rows("stage")
            count, totals = past._totals(rows)
            self.assertEqual(count, before[0])
            self.assertEqual(totals["balance_due"], round(before[1], 2))
            today = self.wizard(as_of_date=DAY + timedelta(days=7))
            count, totals = today._totals(today._group_rows("specialist"))
            self.assertEqual(totals["balance_due"], round(self.account_totals()[1], 2))
            self.assertAlmostEqual(before[1] - totals["balance_due"], 310.02, places=2)
            missing = self.wizard(as_of_date=DAY - timedelta(days=30))
            for action in (missing.action_print_pdf, missing.action_export_xlsx):
                with self.assertRaisesRegex(UserError, "There is no snapshot"):
                    action()

    def test_insurance_grouping_live_equals_snapshot(self):
        self.Run.run()
        live = self.wizard(group_by="insurance")
        count, totals = live._totals(live._group_rows("insurance"))
        snapshot = self.snapshot_totals(DAY)
        self.assertEqual(count, snapshot[0])
        self.assertEqual(totals["balance_due"], round(snapshot[1], 2))

    def test_pdf_totals_and_no_phi(self):
        self.Run.run()
        wizard = self.wizard(user=self.manager)
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_pdf(REPORT, wizard.ids)
        )
        self.assertEqual(kind, "pdf")
        text = pdf_text(pdf)
        total = self.account_totals()[1]
        self.assertIn("Aged Patient Balances", text)
        self.assertIn("Grand Total", text)
        self.assertIn(f"{total:,.2f}", text)
        for secret in ("Testparent", "Testchild", "Testperson", "MRN-T-"):
            self.assertNotIn(secret, text)
        action = wizard.action_print_pdf()
        self.assertEqual(action["report_name"], "patient_collections.report_patient_aging")

    def test_pdf_in_the_readers_language(self):
        """A manager who works in Spanish reads Spanish numbers and dates (the
        amounts were written 1,234.50 and the day 2026-04-15 in every language)."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.manager.lang = "es_ES"
        self.Run.run()
        wizard = self.wizard(user=self.manager)
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .with_context(lang="es_ES")  # as the web client sends it
            ._render_qweb_pdf(REPORT, wizard.ids)
        )
        text = pdf_text(pdf)
        total = self.account_totals()[1]
        self.assertIn(f"{total:.2f}".replace(".", ","), text)
        self.assertNotIn(f"{total:.2f}", text)
        self.assertIn(DAY.strftime("%d/%m/%Y"), text)
        self.assertNotIn(DAY.isoformat(), text)

    def test_xlsx_content(self):
        wizard = self.wizard(user=self.manager)
        action = wizard.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertTrue(action["url"].endswith("?download=true"))
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(attachment.datas)))
        self.assertEqual(len(book.sheetnames), 4)
        total = round(self.account_totals()[1], 2)
        for name in book.sheetnames[:3]:
            last = list(book[name].iter_rows(values_only=True))[-1]
            self.assertEqual(last[0], "Grand Total")
            self.assertAlmostEqual(last[2], total, places=2)
        detail = list(book["Detail"].iter_rows(values_only=True))
        numbers = {row[0] for row in detail[1:]}
        self.assertEqual(numbers, set((self.account | self.other_account).mapped("name")))
        self.assertAlmostEqual(sum(row[4] for row in detail[1:]), total, places=2)
        everything = " ".join(
            str(cell)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
        for secret in ("Testparent", "Testchild", "Testperson", "MRN-T-"):
            self.assertNotIn(secret, everything)

    def test_xlsx_detail_needs_the_export_right(self):
        """Without Odoo's export right the workbook has the grouped sheets and says
        why the Detail sheet is missing; running as superuser changes nothing."""
        manager = self.company_user(
            "pc_rep_manager_noexport", "patient_collections.group_collections_manager"
        )
        self.assertFalse(manager.has_group(EXPORT))
        total = round(self.account_totals()[1], 2)
        for wizard in (self.wizard(user=manager), self.wizard(user=manager).sudo()):
            book = openpyxl.load_workbook(io.BytesIO(wizard._xlsx_bytes()))
            self.assertEqual(len(book.sheetnames), 3)
            self.assertNotIn("Detail", book.sheetnames)
            for name in book.sheetnames:
                rows = list(book[name].iter_rows(values_only=True))
                self.assertTrue(any("export right" in str(row[0]) for row in rows))
                self.assertEqual(rows[-1][0], "Grand Total")
                self.assertAlmostEqual(rows[-1][2], total, places=2)
        book = openpyxl.load_workbook(io.BytesIO(self.wizard(user=self.manager)._xlsx_bytes()))
        self.assertIn("Detail", book.sheetnames)

    # ------------------------------------------------------------------ access

    def test_superuser_mode_keeps_the_reader_company(self):
        """Odoo's routes run code as superuser: the report still answers only for
        the companies the requesting user belongs to."""
        company_b = self.setup_other_company(name="PC Reporting Clinic Su")["company"]
        manager_b = self.company_user(
            "pc_rep_manager_su", f"patient_collections.group_collections_manager,{EXPORT}",
            company=company_b,
        )  # fmt: skip
        wizard = self.wizard()  # of the test company, which manager_b does not belong to
        as_b = wizard.with_user(manager_b).sudo()
        self.assertTrue(as_b.env.su)
        with self.assertRaises(AccessError):
            as_b._aging_pdfs()
        with self.assertRaises(AccessError):
            as_b.action_export_xlsx()
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(manager_b).sudo()._render_qweb_pdf(
                REPORT, wizard.ids
            )
        # the same call for a reader of the company answers
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            .sudo()
            ._render_qweb_pdf(REPORT, wizard.ids)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_access_by_role(self):
        self.Run.run()
        mine = self.Snapshot.with_user(self.specialist).search([])
        self.assertTrue(mine)
        self.assertEqual(mine.user_id, self.specialist)
        everyone = self.Snapshot.with_user(self.manager).search([])
        self.assertEqual(everyone, self.Snapshot.sudo().search([]))
        self.assertIn(self.other_specialist, everyone.user_id)
        past = self.wizard(user=self.specialist, as_of_date=DAY)
        with freeze_time(DAY + timedelta(days=1)):
            count, totals = past._totals(past._group_rows("stage"))
        self.assertEqual(count, 1)
        self.assertAlmostEqual(totals["balance_due"], self.account.balance_due, places=2)
        # accountants read every row of their companies (balances, read-only)
        accountant = self.company_user(
            "pc_rep_accountant", "patient_collections.group_collections_accountant"
        )
        self.assertEqual(self.Snapshot.with_user(accountant).search([]), everyone)
        outsider = self.company_user("pc_rep_outsider", "base.group_user")
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(outsider).search([])

    def test_access_by_company(self):
        company_b = self.setup_other_company(name="PC Reporting Clinic B")["company"]
        self.Run.run()
        manager_b = self.company_user(
            "pc_rep_manager_b", "patient_collections.group_collections_manager", company=company_b
        )
        self.assertFalse(self.Snapshot.with_user(manager_b).search([]))
        wizard = (
            self.env["patient.aging.report"]
            .with_user(manager_b)
            .create({"as_of_date": DAY, "company_id": company_b.id})
        )
        with self.assertRaises(AccessError):
            wizard.write({"company_id": self.env.company.id})
            wizard._aging_pdfs()

    # ------------------------------------------------------------------ weekly mail

    def test_weekly_mail_totals_and_account_numbers_only(self):
        self.env.company.with_user(self.manager).write(
            {"collections_aging_report_user_ids": [(6, 0, self.manager.ids)]}
        )
        with self.assertRaises(ValidationError):
            self.env.company.write(
                {"collections_aging_report_user_ids": [(4, self.env.ref("base.public_user").id)]}
            )
        # an internal user without a collections role reads no account: refused
        receptionist = self.company_user("pc_rep_receptionist", "base.group_user")
        with self.assertRaises(ValidationError):
            self.env.company.write({"collections_aging_report_user_ids": [(4, receptionist.id)]})
        # a recipient whose role was taken away since is left out of the mail
        former = self.company_user("pc_rep_former", "patient_collections.group_collections_manager")
        self.env.company.write({"collections_aging_report_user_ids": [(4, former.id)]})
        former.groups_id = [(6, 0, self.env.ref("base.group_user").ids)]
        self.env["patient.aging.report"]._cron_weekly_aging_report()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("subject", "like", "Weekly aged patient balances")], order="id desc", limit=1)
        )
        self.assertTrue(mail)
        self.assertEqual(mail.recipient_ids, self.manager.partner_id)
        total = self.account_totals()[1]
        self.assertIn(f"{total:,.2f}", mail.body_html)
        self.assertIn(self.account.name, mail.body_html)  # over 90 days: listed by number
        for secret in ("Testparent", "Testchild", "Testperson", "MRN-T-"):
            self.assertNotIn(secret, mail.body_html)
            self.assertNotIn(secret, mail.subject)

    # ------------------------------------------------------------------ dashboard

    def test_dashboard_data_by_role(self):
        with freeze_time(DAY - timedelta(days=35)):
            self.Run.run()
        self.Run.run()
        data = self.Snapshot.with_user(self.manager).get_dashboard_data()
        self.assertEqual(data["date"], str(DAY))
        self.assertEqual(data["date_label"], "06/01/2026")  # the reader's format (en_US)
        tiles = {tile["key"]: tile for tile in data["tiles"]}
        self.assertAlmostEqual(tiles["balance_due"]["value"], self.account_totals()[1], places=2)
        self.assertAlmostEqual(
            sum(bucket["value"] for bucket in data["buckets"]),
            self.account_totals()[1],
            places=2,
        )
        self.assertEqual(len(data["trend"]), 2)
        # the tile opens the accounts behind it
        action = tiles["balance_due"]["action"]
        self.assertEqual(action["res_model"], "patient.account")
        accounts = self.Account.with_user(self.manager).search(action["domain"])
        self.assertAlmostEqual(
            sum(accounts.mapped("balance_due")), tiles["balance_due"]["value"], 2
        )
        mine = self.Snapshot.with_user(self.specialist).get_dashboard_data()
        mine_tiles = {tile["key"]: tile for tile in mine["tiles"]}
        self.assertAlmostEqual(mine_tiles["balance_due"]["value"], self.account.balance_due, 2)


@tagged("post_install", "-at_install")
class TestReportingDownload(HttpCase):
    def test_xlsx_url_downloads_for_its_reader_only(self):
        manager = new_test_user(
            self.env,
            login="pc_dl_manager",
            password="pc_dl_manager",
            groups="base.group_user,patient_collections.group_collections_manager",
        )
        other = new_test_user(
            self.env,
            login="pc_dl_other",
            password="pc_dl_other",
            groups="base.group_user,patient_collections.group_collections_manager",
        )
        partner = self.env["res.partner"].create(
            {"name": "Tourperson Download", "is_patient": True}
        )
        self.env["patient.account"].create({"partner_id": partner.id})
        url = (
            self.env["patient.aging.report"]
            .with_user(manager)
            .create({})
            .action_export_xlsx()["url"]
        )
        self.authenticate("pc_dl_manager", "pc_dl_manager")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        self.authenticate("pc_dl_other", "pc_dl_other")
        self.assertNotEqual(self.url_open(url).status_code, 200)
        self.assertTrue(other)
