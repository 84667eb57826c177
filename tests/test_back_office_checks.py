"""Back-office cases found by trying the product as a new user would: financial
assistance decided across several invoices, after the scale or the guidelines
changed, and withdrawn by someone else; settings given a choice that is not one."""

import io
from datetime import timedelta

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools.convert import convert_file

from .test_writeoffs import DAY, MANAGER, SPECIALIST, WriteoffCommon

# HHS 2026, 48 contiguous states (data/patient_poverty_guideline_data.xml)
BASE = 15960


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAssistanceDecisions(WriteoffCommon):
    def test_paid_invoice_credit_settles_the_other_invoices_first(self):
        """One invoice paid, another open: the paid invoice's discount goes to the
        open one; the guarantor paid less than the discounted total, so nothing
        is to refund (the letter says so too)."""
        account, paid = self.account_owing(27.60, days=60)
        open_invoice = self.make_invoice(
            account.partner_id, 282.0, DAY - timedelta(days=90), service_date=DAY
        )
        self.pay(paid, 27.60, DAY - timedelta(days=10))
        self.assertEqual(account.balance_due, 282.0)
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        self.assertEqual(application.discount_percent, 50.0)
        application.with_user(self.manager).action_approve()
        self.assertRecordValues(
            application, [{"state": "approved", "discount_amount": 154.8, "refund_due": 0.0}]
        )
        # owed after the discount: 154.80 - 27.60 paid
        self.assertEqual(open_invoice.amount_residual, 127.2)
        self.assertEqual(application.credit_note_ids.mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(account.balance_due, 127.2)
        self.assertFalse(
            account.activity_ids.filtered(lambda a: "Refund due" in (a.summary or "")),
            "no refund while the guarantor still owes",
        )
        letter = account.interaction_ids.filtered(lambda i: i.channel == "letter")
        self.assertNotIn("refunded", letter.note)

    def test_refund_due_is_what_was_paid_above_the_discounted_total(self):
        account, first = self.account_owing(100.0, days=60)
        second = self.make_invoice(
            account.partner_id, 100.0, DAY - timedelta(days=30), service_date=DAY
        )
        self.pay(first, 100.0, DAY - timedelta(days=10))
        self.pay(second, 40.0, DAY - timedelta(days=5))
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        application.with_user(self.manager).action_approve()
        # owed 100.00 after the 50 % discount, paid 140.00
        self.assertRecordValues(application, [{"discount_amount": 100.0, "refund_due": 40.0}])
        self.assertEqual((first | second).mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(account.balance_due, -40.0)

    def test_only_the_owner_withdraws_a_draft(self):
        owner = self.company_user("pc_qa_fa_owner", SPECIALIST)
        account, _invoice = self.account_owing(100.0)
        account.user_id = owner
        application = self.apply(account, owner, household_size=1, annual_income=1)
        self.assertEqual(account.hold_reason, "financial_assistance")
        with self.assertRaises(AccessError):
            application.with_user(self.specialist).unlink()
        self.assertTrue(application.exists())
        self.assertEqual(account.hold_reason, "financial_assistance")
        application.with_user(owner).unlink()
        self.assertFalse(account.hold_reason)

    def test_open_applications_follow_the_scale_decided_ones_keep_theirs(self):
        account, _invoice = self.account_owing(100.0)
        decided = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        decided.with_user(self.manager).action_deny("Synthetic reason")
        waiting = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        self.assertEqual((decided | waiting).mapped("discount_percent"), [50.0, 50.0])
        Tier = self.env["patient.assistance.tier"].with_user(self.manager)
        tier = Tier.search([("max_fpl_percent", "=", 300)])
        tier.write({"discount_percent": 75.0})
        self.assertEqual(waiting.discount_percent, 75.0)
        self.assertEqual(decided.discount_percent, 50.0)
        tier.unlink()
        self.assertEqual(waiting.discount_percent, 25.0, "the next tier, up to 400 %")
        Tier.create({"max_fpl_percent": 250, "discount_percent": 60.0})
        self.assertEqual(waiting.discount_percent, 60.0)


@tagged("post_install", "-at_install")
class TestSettingsChoices(WriteoffCommon):
    def test_practice_time_zone_must_be_a_listed_one(self):
        manager = self.company_user("pc_qa_tz_manager", MANAGER)
        company = self.env.company.with_user(manager)
        company.write({"collections_tz": "America/Chicago"})
        with self.assertRaisesRegex(ValidationError, "Practice Time Zone expects one of"):
            company.write({"collections_tz": "Mars/Olympus"})
        with self.assertRaisesRegex(ValidationError, "Practice Time Zone expects one of"):
            self.env["res.config.settings"].with_user(self.env.ref("base.user_admin")).create(
                {"collections_tz": "Mars/Olympus"}
            )
        self.assertEqual(self.env.company.collections_tz, "America/Chicago")
        self.assertEqual(self.env.company._patient_tz(), "America/Chicago")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestEmptyDateText(WriteoffCommon):
    def test_an_empty_text_for_a_date_is_a_clear_error(self):
        """Odoo hands an empty text given for a date to SQL as it is (a server
        error); it is refused like any other text that is not a date."""
        account, _invoice = self.account_owing(100.0)
        Hold = (
            self.env["patient.account.hold"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=account.ids)
        )
        with self.assertRaisesRegex(ValidationError, "expects a date"):
            Hold.create({"action": "set", "hold_reason": "dispute", "hold_until": ""})
        with self.assertRaisesRegex(ValidationError, "expects a date"):
            self.apply(account, self.specialist, household_size=1, application_date="")
        self.assertFalse(account.hold_reason)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestReversedWriteoffReport(WriteoffCommon):
    def test_a_reversed_writeoff_leaves_the_report(self):
        """An accountant reverses a write-off's entry (a write-off cannot be
        deleted): the report follows the ledger, the reversal dated as it is
        posted, and a later payment is no recovery."""
        account, invoice = self.account_owing(60.0)
        writeoff = self.writeoff(account, self.manager, reason="bad_debt")
        self.assertEqual(account.balance_due, 0.0)
        self.reverse_entry(writeoff)
        self.assertEqual(account.balance_due, 60.0)
        self.pay(invoice, 25.0, DAY)
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        rows = Report.search([("account_id", "=", account.id)])
        self.assertEqual(
            sorted(rows.mapped(lambda r: (r.kind, str(r.date), r.amount))),
            [("writeoff", "2026-03-31", -60.0), ("writeoff", "2026-03-31", 60.0)],
        )
        [group] = Report.read_group(
            [("account_id", "=", account.id)], ["amount:sum"], ["reason"], lazy=False
        )
        self.assertEqual(group["amount"], 0.0)
        self.assertEqual(account.balance_due, 35.0)

    def test_a_reversed_writeoff_says_so(self):
        """The write-off follows its entry: Reversed once the accountant's
        reversal is posted (its chatter and the account's say by which entry),
        Posted again when that reversal goes back to draft."""
        account, _invoice = self.account_owing(40.0)
        writeoff = self.writeoff(account, self.manager, reason="administrative")
        self.assertEqual(writeoff.state, "posted")
        entry = self.reverse_entry(writeoff)
        self.assertEqual(entry.state, "posted")
        self.assertEqual(writeoff.state, "reversed")
        self.assertTrue(
            any(f"reversed by {entry.name}" in (m.body or "") for m in writeoff.message_ids)
        )
        self.assertIn(f"Write-off {writeoff.name} reversed.", account.message_ids[0].body)
        self.assertEqual(account.balance_due, 40.0)
        Writeoff = self.env["patient.writeoff"].with_user(self.manager)
        self.assertIn(writeoff, Writeoff.search([("state", "=", "reversed")]))
        entry.with_user(self.accountant).button_draft()
        self.assertEqual(writeoff.state, "posted")
        self.assertIn(f"Write-off {writeoff.name} stands again.", account.message_ids[0].body)
        self.assertEqual(account.balance_due, 0.0)


@tagged("post_install", "-at_install")
class TestDemoHistoryCalendar(WriteoffCommon):
    @freeze_time("2026-12-01 03:00:00")
    def test_demo_snapshots_are_dated_by_the_company_calendar(self):
        """At 03:00 UTC it is still November 30 in Los Angeles: the demo's
        snapshots end that day, the day the company's runs write, so that a run
        replaces the demo's last day instead of hiding behind a day to come."""
        self.env.company.collections_tz = "America/Los_Angeles"
        self.account_owing(100.0, today=DAY.replace(month=11, day=30))
        Snapshot = self.env["patient.collection.snapshot"]
        Snapshot.sudo()._demo_history(2)
        days = sorted({str(day) for [day] in Snapshot._read_group([], ["date:day"])})
        self.assertEqual(days, ["2026-11-16", "2026-11-23", "2026-11-30"])


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestAgingReportScope(WriteoffCommon):
    def test_specialist_reads_their_own_accounts_today_as_on_past_days(self):
        """A specialist's aged balances are their own accounts', live as from a
        snapshot (the dashboard's and the snapshots' scope): the live report
        listed every account of the company."""
        other = self.company_user("pc_qa_aging_other", SPECIALIST)
        mine, _i = self.account_owing(120.0, days=45)
        theirs, _j = self.account_owing(300.0, days=10)
        mine.user_id, theirs.user_id = self.specialist, other
        self.env["patient.collection.run"].run()
        Report = self.env["patient.aging.report"].with_user(self.specialist)
        for now in (DAY, DAY + timedelta(days=1)):  # live, then the day's snapshot
            with freeze_time(f"{now} 12:00:00"):
                wizard = Report.create({"as_of_date": DAY})
                for report in (wizard, wizard.sudo()):
                    count, totals = report._totals(report._group_rows("specialist"))
                    self.assertEqual((count, totals["balance_due"]), (1, 120.0))
        live = Report.create({"as_of_date": DAY})
        self.assertEqual(live.sudo()._detail_accounts(), mine)
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_user(self.specialist)
            ._render_qweb_pdf("patient_collections.action_report_patient_aging", live.ids)
        )
        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
        self.assertIn("120.00", text)
        self.assertNotIn("420.00", text)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestSettledAccountPlans(WriteoffCommon):
    """A balance forgiven or written off leaves nothing for its payment plan to
    collect: the plan is cancelled, not left to miss its installments and default."""

    def assert_plan_ended(self, account, plan):
        self.assertEqual(plan.state, "cancelled")
        self.assertIn(
            f"Payment plan {plan.name} cancelled: nothing is left to pay.",
            " ".join(account.message_ids.mapped("body")),
        )
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_resolved"))
        with freeze_time("2026-07-31 12:00:00"):
            self.env["patient.collection.run"].run()
        self.assertEqual(plan.state, "cancelled")
        self.assertFalse(plan.installment_ids.filtered(lambda i: i.state == "missed"))
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_resolved"))

    def test_assistance_forgiving_everything_cancels_the_plan(self):
        account, _invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10))
        self.assertEqual(plan.state, "active")
        application = self.apply(account, household_size=1, annual_income=BASE)
        application.with_user(self.manager).action_approve()
        self.assertEqual(account.balance_due, 0.0)
        self.assert_plan_ended(account, plan)

    def test_writing_off_everything_cancels_the_plan_a_part_does_not(self):
        account, _invoice = self.account_owing(300.0, days=60)
        plan = self.confirm_plan(account, DAY + timedelta(days=10))
        self.writeoff(account, self.manager, amount=100.0, reason="bad_debt")
        self.assertEqual(plan.state, "active")
        self.writeoff(account, self.manager, reason="administrative")
        self.assertEqual(account.balance_due, 0.0)
        self.assert_plan_ended(account, plan)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestDashboardCompanies(WriteoffCommon):
    def test_each_company_read_on_its_own_latest_day(self):
        """A manager of two practices whose calendars are a day apart (or one of
        whose runs has not run yet today) sees both: each company's latest day."""
        clinic_b = self.setup_other_company(name="Synthetic Clinic Dashboard B")["company"]
        ours, _i = self.account_owing(100.0, days=40)
        theirs = self.make_invoice(
            self.child, 250.0, DAY - timedelta(days=40), company=clinic_b
        ).patient_account_id
        self.assertEqual(theirs.company_id, clinic_b)
        Snapshot = self.env["patient.collection.snapshot"].sudo()
        Snapshot._take(clinic_b, DAY - timedelta(days=1))
        Snapshot._take(self.env.company, DAY)
        manager = self.company_user("pc_qa_dash_both", MANAGER)
        manager.company_ids |= clinic_b
        data = (
            self.env["patient.collection.snapshot"]
            .with_user(manager)
            .with_context(allowed_company_ids=[self.env.company.id, clinic_b.id])
            .get_dashboard_data()
        )
        tiles = {tile["key"]: tile["value"] for tile in data["tiles"]}
        expected = sum((ours | theirs).mapped("balance_due"))
        self.assertEqual(tiles["balance_due"], expected)
        self.assertEqual(sum(stage["value"] for stage in data["stages"]), expected)
        self.assertEqual(sum(bucket["value"] for bucket in data["buckets"]), expected)
        self.assertEqual(data["trend"][-1]["balance_due"], expected, "March: each one's last day")


@tagged("post_install", "-at_install")
class TestShippedScaleOnUpdate(WriteoffCommon):
    def test_a_deleted_or_reentered_tier_or_guideline_survives_a_module_update(self):
        """The shipped sliding scale and guidelines are examples to edit: a tier the
        manager deleted does not come back with the next module update, and one
        entered again by hand (the same limit, the same year and region) does not
        make the update fail on the unique constraint."""
        env = self.env(su=True)  # the shipped data is the main company's
        Tier = env["patient.assistance.tier"]
        Guideline = env["patient.poverty.guideline"]
        shipped = env.ref("patient_collections.assistance_tier_main_200")
        company = shipped.company_id
        shipped.unlink()
        env.ref("patient_collections.assistance_tier_main_400").unlink()
        Tier.create({"company_id": company.id, "max_fpl_percent": 200, "discount_percent": 90})
        env.ref("patient_collections.poverty_guideline_2025_hawaii").unlink()
        Guideline.create(
            {"year": 2025, "region": "hawaii", "base_amount": 18000, "per_person_amount": 6400}
        )
        convert_file(
            env,
            "patient_collections",
            "data/patient_poverty_guideline_data.xml",
            {},
            mode="update",
            noupdate=False,
        )
        scale = Tier.search([("company_id", "=", company.id)])
        self.assertEqual(
            scale.mapped(lambda tier: (tier.max_fpl_percent, tier.discount_percent)),
            [(200.0, 90.0), (300.0, 50.0)],
        )
        hawaii = Guideline.search([("year", "=", 2025), ("region", "=", "hawaii")])
        self.assertEqual(hawaii.base_amount, 18000)
