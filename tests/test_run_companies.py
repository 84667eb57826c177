"""The collections run per company: one record per company, its counts and files
its company's only, read by its company's managers only; an account that fails
is recorded and skipped while every other account is processed; run records are
permanent; accounts are assigned within their company."""

import io
from datetime import date, timedelta

from freezegun import freeze_time
from pypdf import PdfReader

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import TEST_ADDRESS, PatientCollectionsCommon

RUN_DAY = date(2026, 6, 1)
ROLES = {
    "accountant": "patient_collections.group_collections_accountant",
    "specialist": "patient_collections.group_collections_specialist",
    "manager": "patient_collections.group_collections_manager",
    "plain": "base.group_user",
    "portal": "base.group_portal",
}
RUN_LOGGER = "odoo.addons.patient_collections.models.patient_collection_run_isolation"


def pdf_pages(pdf):
    return len(PdfReader(io.BytesIO(pdf)).pages)


class RunCompaniesCommon(PatientCollectionsCommon):
    """Two companies with overdue patient accounts and a user of every role each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["patient.collection.run"]
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="PC Run Clinic B")["company"]
        cls.second = cls.env.ref("patient_collections.stage_second_statement")
        # 40 days past due and no letter yet: the notice sequence starts with the first
        cls.first = cls.env.ref("patient_collections.stage_first_statement")
        cls.users = {
            (company, role): cls.company_user(f"pc_run_{role}_{tag}", groups, company)
            for company, tag in ((cls.company_a, "a"), (cls.company_b, "b"))
            for role, groups in ROLES.items()
        }
        cls.counter = 0

    @classmethod
    def overdue(cls, company, days=40, amount=100.0, today=RUN_DAY):
        cls.counter += 1
        partner = (
            cls.env["res.partner"]
            .with_company(company)
            .create({"name": f"Testrun Scope {cls.counter}", "is_patient": True, **TEST_ADDRESS})
        )
        due = today - timedelta(days=days)
        return cls.make_invoice(
            partner, amount, due, due_date=due, company=company
        ).patient_account_id

    def role_user(self, company, role):
        return self.users[(company, role)]

    def as_user(self, records, user):
        return records.with_user(user).with_context(allowed_company_ids=[user.company_id.id])

    def scheduled_run(self):
        """The nightly run, read as superuser (the test user works in company A)."""
        return self.Run.sudo().run(trigger="cron")


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestRunCompanies(RunCompaniesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accounts_a = cls.overdue(cls.company_a) | cls.overdue(cls.company_a)
        cls.accounts_b = cls.overdue(cls.company_b)

    def run_of(self, runs, company):
        run = runs.filtered(lambda r: r.company_id == company)
        self.assertEqual(len(run), 1, f"one run of {company.name}")
        return run

    def test_scheduled_run_makes_one_run_per_company(self):
        runs = self.scheduled_run()
        self.assertEqual(runs.company_id, self.company_a | self.company_b)
        run_a, run_b = self.run_of(runs, self.company_a), self.run_of(runs, self.company_b)
        self.assertEqual(run_a.moved_count, 2)
        self.assertEqual(run_b.moved_count, 1)
        self.assertEqual(run_a.trigger, "cron")
        sent = {
            run: run.line_ids.filtered(lambda line: line.kind == "statement_sent") for run in runs
        }
        self.assertEqual(sent[run_a].count, 2)
        self.assertEqual(sent[run_b].count, 1)
        self.assertEqual((self.accounts_a | self.accounts_b).sudo().stage_id, self.first)
        # each run's merged statements are its company's
        for run, count in ((run_a, 2), (run_b, 1)):
            self.assertEqual(len(run.attachment_ids), 1)
            attachment = run.attachment_ids
            self.assertEqual(attachment.company_id, run.company_id)
            self.assertGreaterEqual(pdf_pages(attachment.raw), count)
        self.assertNotEqual(run_a.attachment_ids, run_b.attachment_ids)

    def test_scheduled_action(self):
        self.env.ref("patient_collections.ir_cron_collection_run").method_direct_trigger()
        runs = self.Run.sudo().search([("date", "=", RUN_DAY)])
        self.assertEqual(runs.company_id, self.company_a | self.company_b)
        self.assertEqual(set(runs.mapped("trigger")), {"cron"})

    def test_run_now_covers_the_manager_companies(self):
        manager_a = self.role_user(self.company_a, "manager")
        action = self.as_user(self.Run, manager_a).action_run_now()
        run = self.Run.sudo().browse(action["res_id"])
        self.assertEqual(run.company_id, self.company_a)
        self.assertEqual(run.user_id, manager_a)
        self.assertEqual(self.accounts_a.stage_id, self.first)
        new = self.env.ref("patient_collections.stage_new")
        self.assertEqual(self.accounts_b.sudo().stage_id, new, "company B's accounts untouched")
        # a manager of both companies working in both: one run each
        both = self.company_user("pc_run_manager_both", ROLES["manager"], self.company_a)
        both.company_ids = [Command.set((self.company_a | self.company_b).ids)]
        Run = self.Run.with_user(both).with_context(
            allowed_company_ids=[self.company_a.id, self.company_b.id]
        )
        action = Run.action_run_now()
        runs = self.Run.sudo().search(action["domain"])
        self.assertEqual(runs.company_id, self.company_a | self.company_b)
        self.assertEqual(self.accounts_b.sudo().stage_id, self.first)

    def test_run_for_a_company_not_theirs_is_refused(self):
        manager_a = self.role_user(self.company_a, "manager")
        with self.assertRaises(AccessError):
            self.as_user(self.Run, manager_a).run(companies=self.company_b)
        with self.assertRaises(AccessError):
            self.as_user(self.Run, manager_a).with_context(
                allowed_company_ids=[self.company_b.id]
            ).action_run_now()
        for role in ("accountant", "specialist", "plain", "portal"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.as_user(self.Run, self.role_user(self.company_a, role)).run()
        self.assertFalse(self.Run.sudo().search([]))

    def test_runs_and_files_readable_by_their_company_managers_only(self):
        runs = self.scheduled_run()
        run_a = self.run_of(runs, self.company_a)
        attachment = run_a.attachment_ids
        manager_a = self.role_user(self.company_a, "manager")
        manager_b = self.role_user(self.company_b, "manager")
        self.assertEqual(self.as_user(self.Run, manager_a).search([]), run_a)
        self.assertTrue(self.as_user(attachment, manager_a).raw.startswith(b"%PDF"))
        self.assertEqual(self.as_user(run_a, manager_a).read(["moved_count"])[0]["moved_count"], 2)
        # company B's manager: nothing of company A's run, its lines or its file
        Run_b = self.as_user(self.Run, manager_b)
        self.assertEqual(Run_b.search([]).company_id, self.company_b)
        self.assertFalse(Run_b.search([("id", "=", run_a.id)]))
        groups = Run_b.read_group([], ["moved_count:sum"], [])
        self.assertEqual(groups[0]["moved_count"], 1)
        with self.assertRaises(AccessError):
            self.as_user(run_a, manager_b).read(["moved_count"])
        Line_b = self.as_user(self.env["patient.collection.run.line"], manager_b)
        self.assertFalse(Line_b.search([("run_id", "=", run_a.id)]))
        with self.assertRaises(AccessError):
            self.as_user(run_a.line_ids, manager_b).read(["count"])
        with self.assertRaises(AccessError):
            self.as_user(attachment, manager_b).read(["datas"])
        Attachment_b = self.as_user(self.env["ir.attachment"], manager_b)
        self.assertNotIn(
            attachment, Attachment_b.search([("res_model", "=", "patient.collection.run")])
        )
        # and nobody else but managers, in either company
        for company in (self.company_a, self.company_b):
            for role in ("accountant", "specialist", "plain", "portal"):
                user = self.role_user(company, role)
                with self.subTest(role=role, company=company.name):
                    with self.assertRaises(AccessError):
                        self.as_user(self.Run, user).search([])
                    with self.assertRaises(AccessError):
                        self.as_user(attachment, user).read(["datas"])

    # ------------------------------------------------------------------ isolation

    @mute_logger(RUN_LOGGER)
    def test_failing_account_is_recorded_and_skipped(self):
        bad, good = self.accounts_a
        Account = type(self.env["patient.account"])
        write_stage = Account._write_stage

        def failing(records, stage, today=None):
            if bad.id in records.ids:
                raise ValueError(f"synthetic failure for {bad.partner_id.name}")
            return write_stage(records, stage, today)

        self.patch(Account, "_write_stage", failing)
        runs = self.scheduled_run()
        run_a = self.run_of(runs, self.company_a)
        self.assertEqual(good.stage_id, self.first, "the other account was moved")
        self.assertEqual(bad.stage_id.id, self.env.ref("patient_collections.stage_new").id)
        self.assertEqual(self.accounts_b.sudo().stage_id, self.first, "the other company too")
        self.assertEqual(run_a.moved_count, 1)
        self.assertEqual(run_a.failed_count, 1)
        failed = run_a.line_ids.filtered(lambda line: line.kind == "failed")
        self.assertRecordValues(
            failed,
            [{"step": "_step_escalate", "account_id": bad.id, "failure_reason": "data"}],
        )
        self.assertIn(bad.name, failed.display_name)
        self.assertNotIn(bad.partner_id.name, failed.display_name + run_a.summary)
        self.assertNotIn("synthetic", run_a.summary)
        # the statement step still sends what it should: the good account only
        self.assertEqual(good.last_statement_date, RUN_DAY)
        self.assertFalse(bad.last_statement_date)
        self.assertFalse(self.run_of(runs, self.company_b).failed_count)

    @mute_logger(RUN_LOGGER)
    def test_failing_statement_leaves_the_others_in_the_merged_file(self):
        bad, good = self.accounts_a
        Account = type(self.env["patient.account"])
        values = Account._statement_values

        def failing(records, today=None):
            if bad.id in records.ids:
                raise KeyError("layout")
            return values(records, today)

        self.patch(Account, "_statement_values", failing)
        run_a = self.run_of(self.scheduled_run(), self.company_a)
        self.assertEqual(good.last_statement_date, RUN_DAY)
        self.assertFalse(bad.last_statement_date)
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "patient.account"), ("res_id", "=", bad.id)]
            ),
            "nothing half-written for the failing account",
        )
        self.assertRecordValues(
            run_a.line_ids.filtered(lambda line: line.kind == "failed"),
            [{"step": "_step_statements", "account_id": bad.id, "failure_reason": "data"}],
        )
        self.assertEqual(len(run_a.attachment_ids), 1)
        self.assertEqual(run_a.attachment_ids.company_id, self.company_a)
        sent = run_a.line_ids.filtered(lambda line: line.kind == "statement_sent")
        self.assertEqual(sent.count, 1)
        # the next run sends it once the data is fixed
        self.patch(Account, "_statement_values", values)
        with freeze_time(RUN_DAY + timedelta(days=1)):
            self.Run.sudo().run(companies=self.company_a)
        self.assertTrue(bad.last_statement_date)

    @mute_logger(RUN_LOGGER)
    def test_failing_step_does_not_stop_the_run(self):
        Interaction = type(self.env["patient.interaction"])

        def failing(records, companies, today):
            raise UserError(records.env._("Synthetic refusal"))

        self.patch(Interaction, "_settle_due_promises", failing)
        run_a = self.run_of(self.scheduled_run(), self.company_a)
        self.assertRecordValues(
            run_a.line_ids.filtered(lambda line: line.kind == "failed"),
            [{"step": "_step_promises", "account_id": False, "failure_reason": "refused"}],
        )
        self.assertEqual(run_a.moved_count, 2, "the other steps ran")

    @mute_logger(RUN_LOGGER)
    def test_a_step_failing_late_counts_nothing_it_undid(self):
        """The statement step fails after its counts were added (merging the
        batch's file): its work is undone, so is every count of it (the run said
        "Statement sent: 2" while nothing was sent)."""

        def failing(records, attachments, count, today):
            raise ValueError("synthetic merge failure")

        self.patch(type(self.Run), "_attach_merged", failing)
        run_a = self.run_of(self.scheduled_run(), self.company_a)
        self.assertEqual(self.accounts_a.mapped("last_statement_date"), [False, False])
        self.assertFalse(run_a.line_ids.filtered(lambda line: line.kind == "statement_sent"))
        self.assertRecordValues(
            run_a.line_ids.filtered(lambda line: line.kind == "failed"),
            [{"step": "_step_statements", "account_id": False, "failure_reason": "data"}],
        )
        self.assertEqual(run_a.moved_count, 2, "the other steps' counts stay")

    # ------------------------------------------------------------------ integrity

    def test_run_records_are_permanent(self):
        run = self.run_of(self.scheduled_run(), self.company_a)
        line = run.line_ids[:1]
        manager = self.role_user(self.company_a, "manager")
        forged = {"collections_run_writing": True, "collections_run": True}
        for records in (run, run.sudo(), run.sudo().with_context(**forged)):
            with self.subTest(records=records.env.context), self.assertRaises(AccessError):
                records.write({"moved_count": 99})
        for records in (line, line.sudo().with_context(**forged)):
            with self.assertRaises(AccessError):
                records.write({"count": 99})
        with self.assertRaises(AccessError):
            self.as_user(run, manager).write({"summary": "x"})
        with self.assertRaises(AccessError):
            run.sudo().unlink()
        with self.assertRaises(AccessError):
            line.sudo().unlink()
        with self.assertRaises(AccessError):
            self.Run.sudo().with_context(**forged).create(
                {
                    "name": "Forged",
                    "date": RUN_DAY,
                    "trigger": "manual",
                    "company_id": self.company_a.id,
                }
            )
        with self.assertRaises(AccessError):
            self.env["patient.collection.run.line"].sudo().with_context(**forged).create(
                {"run_id": run.id, "kind": "moved", "count": 5}
            )
        self.assertEqual(run.moved_count, 2)

    # ------------------------------------------------------------------ assignment

    def test_assignment_within_the_account_company(self):
        Assign = self.env["patient.account.assign"].with_context(
            active_model="patient.account", active_ids=self.accounts_a.ids
        )
        specialist_a = self.role_user(self.company_a, "specialist")
        manager_a = self.role_user(self.company_a, "manager")
        for role in ("specialist", "manager", "accountant", "plain", "portal"):
            user = self.role_user(self.company_b, role)
            with self.subTest(role=role), self.assertRaises(UserError) as caught:
                Assign.create({"mode": "single", "user_id": user.id}).action_assign()
            if role in ("specialist", "manager"):
                self.assertIn(self.company_a.name, str(caught.exception))
        for role in ("accountant", "plain", "portal"):
            user = self.role_user(self.company_a, role)
            with self.subTest(role=role, company="A"), self.assertRaises(UserError):
                Assign.create({"mode": "single", "user_id": user.id}).action_assign()
        self.assertFalse(self.accounts_a.user_id)
        with self.assertRaises(UserError):
            Assign.create(
                {
                    "mode": "round_robin",
                    "user_ids": [
                        Command.set(
                            (specialist_a | self.role_user(self.company_b, "specialist")).ids
                        )
                    ],
                }
            ).action_assign()
        self.assertFalse(self.accounts_a.user_id, "nothing half-assigned")
        # accounts of both companies: only a user of both may take them all
        mixed = self.env["patient.account.assign"].with_context(
            active_model="patient.account", active_ids=(self.accounts_a | self.accounts_b).ids
        )
        with self.assertRaises(UserError):
            mixed.create({"mode": "single", "user_id": specialist_a.id}).action_assign()
        # the company's own specialists and managers take them, from a manager's hand
        Assign.with_user(manager_a).with_context(allowed_company_ids=[self.company_a.id]).create(
            {"mode": "round_robin", "user_ids": [Command.set((specialist_a | manager_a).ids)]}
        ).action_assign()
        self.assertEqual(self.accounts_a.user_id, specialist_a | manager_a)


@tagged("post_install", "-at_install")
class TestRunFilesHttp(RunCompaniesCommon, HttpCase):
    """The run's merged statements PDF over the web client's download routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = date.today()
        cls.account_a = cls.overdue(cls.company_a, today=today)
        cls.account_b = cls.overdue(cls.company_b, today=today)
        runs = cls.Run.sudo().run(trigger="cron")
        cls.run_a = runs.filtered(lambda run: run.company_id == cls.company_a)
        cls.pdf = cls.run_a.attachment_ids
        assert len(cls.pdf) == 1 and cls.pdf.raw.startswith(b"%PDF")

    def urls(self):
        return (
            f"/web/content/{self.pdf.id}",
            f"/web/content/{self.pdf.id}?download=true",
            f"/web/content/ir.attachment/{self.pdf.id}/datas",
            f"/web/content/ir.attachment/{self.pdf.id}/raw",
        )

    @mute_logger("odoo.http")
    def test_other_company_manager_cannot_download(self):
        for role in ROLES:
            user = self.role_user(self.company_b, role)
            self.authenticate(user.login, user.login)
            for url in self.urls():
                with self.subTest(role=role, url=url):
                    response = self.url_open(url)
                    self.assertIn(response.status_code, (403, 404))
                    self.assertFalse(response.content.startswith(b"%PDF"))
                    self.assertNotIn(self.account_a.name.encode(), response.content)
                    self.assertNotIn(self.account_a.partner_id.name.encode(), response.content)
        # nor does a forged company context open it
        user = self.role_user(self.company_b, "manager")
        self.authenticate(user.login, user.login)
        response = self.url_open(
            f"/web/content/{self.pdf.id}", headers={"Cookie": f"cids={self.company_a.id}"}
        )
        self.assertFalse(response.content.startswith(b"%PDF"))

    @mute_logger("odoo.http")
    def test_company_roles_other_than_manager_cannot_download(self):
        for role in ("accountant", "specialist", "plain", "portal"):
            user = self.role_user(self.company_a, role)
            self.authenticate(user.login, user.login)
            with self.subTest(role=role):
                response = self.url_open(f"/web/content/{self.pdf.id}")
                self.assertIn(response.status_code, (403, 404))
                self.assertFalse(response.content.startswith(b"%PDF"))

    def test_company_manager_downloads(self):
        user = self.role_user(self.company_a, "manager")
        self.authenticate(user.login, user.login)
        for url in self.urls():
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.content.startswith(b"%PDF"))
