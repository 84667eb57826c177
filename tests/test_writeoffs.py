from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import TEST_ADDRESS, PatientCollectionsCommon

DAY = date(2026, 3, 31)
SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)


class WriteoffCommon(PatientCollectionsCommon):
    """A practice whose write-offs and charity care post on expense accounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        Account = cls.env["account.account"]
        cls.bad_debt = Account.create(
            {"name": "Test bad debt expense", "code": "688100", "account_type": "expense"}
        )
        cls.small = Account.create(
            {"name": "Test small balance expense", "code": "688200", "account_type": "expense"}
        )
        cls.charity = Account.create(
            {"name": "Test charity care", "code": "688300", "account_type": "expense"}
        )
        company.write(
            {
                "collections_charity_account_id": cls.charity.id,
                "collections_writeoff_account_bad_debt_id": cls.bad_debt.id,
                "collections_writeoff_account_small_balance_id": cls.small.id,
                "collections_writeoff_account_administrative_id": cls.bad_debt.id,
            }
        )
        # the scale these tests count on (a new company has the default one: the same)
        Tier = cls.env["patient.assistance.tier"]
        Tier.search([("company_id", "=", company.id)]).unlink()
        Tier.create(
            [
                {"company_id": company.id, "max_fpl_percent": 200, "discount_percent": 100},
                {"company_id": company.id, "max_fpl_percent": 300, "discount_percent": 50},
                {"company_id": company.id, "max_fpl_percent": 400, "discount_percent": 25},
            ]
        )
        cls.specialist = cls.company_user("pc_wo_specialist", SPECIALIST)
        cls.manager = cls.company_user("pc_wo_manager", MANAGER)
        cls.accountant = cls.company_user("pc_wo_accountant", ACCOUNTANT)
        cls.counter = 0

    def account_owing(self, amount=100.0, days=120, service_date=None, today=DAY):
        """A new guarantor owing ``amount`` on one invoice ``days`` past due."""
        type(self).counter += 1
        partner = self.env["res.partner"].create(
            {"name": f"Testwriteoff Person {self.counter}", "is_patient": True, **TEST_ADDRESS}
        )
        when = today - timedelta(days=days)
        invoice = self.make_invoice(
            partner, amount, when, due_date=when, service_date=service_date or when
        )
        return invoice.patient_account_id, invoice

    def received(self, partner, amount):
        """A payment of ``amount`` from ``partner`` on DAY, posted and left
        unapplied (the accountant has not matched it to an invoice yet)."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": DAY,
                "journal_id": self.company_data["default_journal_bank"].id,
            }
        )
        payment.action_post()
        return payment

    def reverse_entry(self, writeoff):
        """The accountant reverses the write-off's journal entry (Odoo's wizard);
        returns the reversing entry."""
        self.env["account.move.reversal"].with_user(self.accountant).with_context(
            active_model="account.move", active_ids=writeoff.move_id.ids
        ).create({"journal_id": writeoff.move_id.journal_id.id, "date": DAY}).reverse_moves()
        return writeoff.move_id.reversal_move_ids

    def writeoff(self, account, user, amount=None, reason="bad_debt", note=False):
        vals = {"reason": reason, "note": note}
        if amount is not None:
            vals["amount"] = amount
        wizard = (
            self.env["patient.account.writeoff"]
            .with_user(user)
            .with_context(active_model="patient.account", active_id=account.id)
            .create(vals)
        )
        wizard.action_confirm()
        return self.env["patient.writeoff"].search([("account_id", "=", account.id)], limit=1)

    def apply(self, account, user=None, **vals):
        """A financial-assistance application for ``account`` (by ``user``)."""
        Application = self.env["patient.financial.assistance"]
        if user:
            Application = Application.with_user(user)
        return Application.create({"account_id": account.id, **vals})

    def assert_nothing_posted(self, account):
        self.assertFalse(self.env["patient.writeoff"].search([("account_id", "=", account.id)]))
        self.assertFalse(
            self.env["account.move.line"].search(
                [("account_id", "in", (self.bad_debt | self.small).ids)]
            )
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestWriteoffs(WriteoffCommon):
    def test_specialist_writeoff_posts_and_reconciles(self):
        account, invoice = self.account_owing(100.0)
        writeoff = self.writeoff(account, self.specialist, amount=30.0, note="Billing error")
        self.assertRecordValues(
            writeoff,
            [{"state": "posted", "amount": 30.0, "reason": "bad_debt", "date": DAY}],
        )
        move = writeoff.move_id
        self.assertEqual(move.state, "posted")
        expense = move.line_ids.filtered(lambda line: line.account_id == self.bad_debt)
        self.assertEqual(expense.debit, 30.0)
        self.assertFalse(
            move.line_ids.filtered(lambda line: line.account_id.account_type.startswith("income")),
            "never back on revenue",
        )
        receivable = move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertTrue(receivable.reconciled)
        self.assertEqual(invoice.amount_residual, 70.0)
        self.assertEqual(account.balance_due, 70.0)
        self.assertNotEqual(account.stage_id, self.env.ref("patient_collections.stage_resolved"))

    def test_full_writeoff_resolves_the_account(self):
        account, invoice = self.account_owing(40.0)
        writeoff = self.writeoff(account, self.specialist)  # amount defaults to the balance
        self.assertEqual(writeoff.amount, 40.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(account.balance_due, 0.0)
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_resolved"))
        self.assertIn("Written off", "".join(account.message_ids.mapped("body")))

    def test_oldest_items_first(self):
        account, old = self.account_owing(30.0, days=200)
        newer = self.make_invoice(
            account.partner_id, 30.0, DAY - timedelta(days=100), due_date=DAY - timedelta(days=100)
        )
        self.writeoff(account, self.specialist, amount=40.0)
        self.assertEqual(old.amount_residual, 0.0)
        self.assertEqual(newer.amount_residual, 20.0)
        self.assertEqual(account.balance_due, 20.0)

    def test_bounds_refused_and_nothing_posted(self):
        account, _invoice = self.account_owing(20.0)
        for amount, message in ((0.0, "above zero"), (-5.0, "above zero"), (20.01, "exceed")):
            with self.subTest(amount=amount), self.assertRaisesRegex(UserError, message):
                self.writeoff(account, self.specialist, amount=amount)
        with self.assertRaises(ValidationError):
            self.writeoff(account, self.specialist, amount="ten")
        with self.assertRaises(ValidationError):
            self.writeoff(account, self.specialist, amount=1e300)
        self.assert_nothing_posted(account)
        self.assertEqual(account.balance_due, 20.0)

    def test_missing_account_refused_and_nothing_posted(self):
        account, _invoice = self.account_owing(20.0)
        with self.assertRaisesRegex(UserError, "No write-off account for Deceased"):
            self.writeoff(account, self.specialist, reason="deceased")
        self.assertFalse(self.env["patient.writeoff"].search([("account_id", "=", account.id)]))
        self.assertEqual(account.balance_due, 20.0)

    def test_revenue_account_refused_in_settings(self):
        income = self.company_data["default_account_revenue"]
        with self.assertRaisesRegex(ValidationError, "revenue"):
            self.env.company.collections_writeoff_account_deceased_id = income

    def test_equity_account_refused_in_settings(self):
        """Nor equity: the year's earnings are not where a write-off goes."""
        equity = self.env["account.account"].create(
            {"name": "Test owner equity", "code": "101900", "account_type": "equity"}
        )
        with self.assertRaises(ValidationError) as caught:
            self.env.company.collections_writeoff_account_deceased_id = equity
        self.assertIn("equity", str(caught.exception))
        self.env.company.invalidate_recordset()
        self.assertFalse(self.env.company.collections_writeoff_account_deceased_id)

    def test_deprecated_account_refused_in_settings_and_at_posting(self):
        old = self.env["account.account"].create(
            {"name": "Test retired expense", "code": "688950", "account_type": "expense"}
        )
        old.deprecated = True
        with self.assertRaises(ValidationError) as caught:
            self.env.company.collections_writeoff_account_deceased_id = old
        self.assertIn("deprecated", str(caught.exception))
        # deprecated after it was chosen: refused at posting, nothing posted
        account, _invoice = self.account_owing(20.0)
        self.bad_debt.deprecated = True
        with self.assertRaisesRegex(UserError, "is deprecated. Choose an account in use"):
            self.writeoff(account, self.manager, reason="bad_debt")
        self.assert_nothing_posted(account)
        self.assertEqual(account.balance_due, 20.0)

    def test_settings_offer_no_revenue_account(self):
        """The settings and the company form offer only accounts the check accepts:
        no revenue, receivable, equity or deprecated account, and only the
        company's own (the domain as the web client evaluates it)."""
        company = self.env.company
        Account = self.env["account.account"]
        equity = Account.create(
            {"name": "Test retained equity", "code": "101800", "account_type": "equity"}
        )
        old = Account.create(
            {"name": "Test old expense", "code": "688900", "account_type": "expense"}
        )
        old.deprecated = True
        other = self.setup_other_company(name="Synthetic Other Clinic WO")["company"]
        foreign = Account.with_company(other).create(
            {"name": "Test other bad debt", "code": "688150", "account_type": "expense"}
        )
        names = ("collections_writeoff_account_bad_debt_id", "collections_charity_account_id")
        refused = (
            self.company_data["default_account_revenue"],
            self.company_data["default_account_receivable"],
            equity,
            old,
            foreign,
        )
        for model in ("res.company", "res.config.settings"):
            for name in names:
                domain = self.env[model].fields_get([name])[name]["domain"]
                if isinstance(domain, str):  # check_company: evaluated by the web client
                    domain = safe_eval(domain, {"id": company.id, "company_id": company.id})
                offered = Account.search(domain)
                self.assertIn(self.bad_debt, offered, (model, name))
                for account in refused:
                    self.assertNotIn(account, offered, (model, name, account.name))
        with self.assertRaises(UserError):
            company.collections_writeoff_account_bad_debt_id = foreign

    def test_account_turned_revenue_since_refused_at_posting(self):
        """The type of a write-off account changed after it was chosen: the
        write-off and the assistance discount are refused, nothing is posted."""
        self.bad_debt.account_type = "income"
        self.charity.account_type = "income_other"
        account, invoice = self.account_owing(40.0)
        with self.assertRaisesRegex(UserError, "Write-off Account: Bad Debt.*revenue"):
            self.writeoff(account, self.specialist)
        self.assert_nothing_posted(account)
        application = self.apply(account, self.specialist, household_size=1, annual_income=1)
        with self.assertRaisesRegex(UserError, "Charity Care Account.*revenue"):
            application.with_user(self.manager).action_approve()
        self.assertIn(application.state, ("draft", "submitted"), "not approved")
        self.assertEqual(invoice.amount_residual, 40.0)

    def test_above_limit_waits_for_a_manager(self):
        self.assertEqual(self.env.company.collections_writeoff_limit, 50.0)
        account, invoice = self.account_owing(80.0)
        writeoff = self.writeoff(account, self.specialist)
        self.assertEqual(writeoff.state, "to_approve")
        self.assertFalse(writeoff.move_id, "nothing posted before approval")
        self.assertEqual(invoice.amount_residual, 80.0)
        activity = writeoff.activity_ids
        self.assertEqual(activity.user_id, account._collections_manager())
        with self.assertRaises(AccessError):
            writeoff.with_user(self.specialist).action_approve()
        with self.assertRaisesRegex(UserError, "already waiting"):
            self.writeoff(account, self.specialist, amount=10.0)
        writeoff.with_user(self.manager).action_approve()
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(writeoff.approved_by_id, self.manager)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance_due, 0.0)
        self.assertFalse(writeoff.activity_ids)

    def test_approval_goes_to_a_manager_not_the_administrator(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("patient_collections.group_collections_manager"))
        # the administrator works for the practice, as in a practice's own database
        admin.sudo().company_ids |= self.env.company
        account, _invoice = self.account_owing(80.0)
        writeoff = self.writeoff(account, self.specialist)
        self.assertTrue(writeoff.activity_ids.user_id)
        self.assertNotEqual(writeoff.activity_ids.user_id, admin)

    def test_write_offs_approved_together_take_from_one_balance(self):
        account, invoice = self.account_owing(100.0)
        other = new_test_user(
            self.env,
            login="pc_wo_specialist_b",
            groups="patient_collections.group_collections_specialist",
        )
        # two specialists at once: each waiting write-off fits the balance alone
        first = (
            self.env["patient.writeoff"]
            .with_user(self.specialist)
            ._propose(account, 60.0, "bad_debt")
        )
        second = self.env["patient.writeoff"].with_user(other)._propose(account, 60.0, "bad_debt")
        self.assertEqual((first | second).mapped("state"), ["to_approve"] * 2)
        with self.assertRaisesRegex(UserError, "less than the write-off"):
            (first | second).with_user(self.manager).action_approve()
        self.assertEqual(invoice.amount_residual, 100.0)
        self.assertEqual((first | second).mapped("state"), ["to_approve"] * 2)
        # one at a time: the first posts, the second no longer fits
        first.with_user(self.manager).action_approve()
        self.assertEqual(account.balance_due, 40.0)
        with self.assertRaisesRegex(UserError, "less than the write-off"):
            second.with_user(self.manager).action_approve()

    def test_a_branch_writes_off_on_its_parents_chart(self):
        branch = self.env["res.company"].create(
            {"name": "Testbranch Clinic", "parent_id": self.env.company.id}
        )
        self.assertNotIn(branch, self.bad_debt.company_ids)
        branch.collections_writeoff_account_bad_debt_id = self.bad_debt
        self.assertEqual(
            branch._collections_posting_account("collections_writeoff_account_bad_debt_id"),
            self.bad_debt,
        )
        # another practice's account stays refused
        stranger = self.env["res.company"].create({"name": "Teststranger Clinic"})
        with self.assertRaisesRegex(ValidationError, "belongs to another company"):
            stranger.collections_writeoff_account_bad_debt_id = self.bad_debt

    def test_manager_refuses(self):
        account, invoice = self.account_owing(80.0)
        writeoff = self.writeoff(account, self.specialist)
        writeoff.with_user(self.manager).action_refuse("Call the guarantor first")
        self.assertEqual(writeoff.state, "refused")
        self.assertFalse(writeoff.move_id)
        self.assertEqual(invoice.amount_residual, 80.0)

    def test_manager_writes_off_any_amount(self):
        account, _invoice = self.account_owing(500.0)
        writeoff = self.writeoff(account, self.manager)
        self.assertEqual(writeoff.state, "posted")
        self.assertEqual(account.balance_due, 0.0)

    def test_access_by_role_and_company(self):
        account, _invoice = self.account_owing(20.0)
        with self.assertRaises(AccessError):
            account.with_user(self.accountant).action_open_writeoff()
        other = self.setup_other_company()["company"]
        foreign = self.company_user("pc_wo_foreign", SPECIALIST, company=other)
        with self.assertRaises(AccessError):
            account.with_user(foreign).action_open_writeoff()
        owner = self.company_user("pc_wo_owner", SPECIALIST)
        account.user_id = owner
        with self.assertRaises(AccessError):
            self.writeoff(account, self.specialist, amount=5.0)
        self.assert_nothing_posted(account)
        with self.assertRaises(AccessError):
            self.env["patient.writeoff"].with_user(self.manager).create(
                {"account_id": account.id, "amount": 5.0, "reason": "bad_debt"}
            )
        posted = self.writeoff(account, owner, amount=5.0)
        with self.assertRaises(AccessError):
            posted.with_user(self.manager).write({"amount": 1.0})
        self.assertTrue(posted.with_user(self.accountant).read(["amount"]))
        with self.assertRaises(AccessError):
            posted.with_user(foreign).read(["amount"])

    def test_recovery_after_bad_debt(self):
        account, _invoice = self.account_owing(60.0)
        self.writeoff(account, self.manager, reason="bad_debt")
        self.assertEqual(account.balance_due, 0.0)
        self.received(account.partner_id, 25.0)
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        rows = Report.search([("account_id", "=", account.id)])
        self.assertEqual(
            sorted(rows.mapped(lambda r: (r.kind, r.reason, r.amount))),
            [("recovery", "bad_debt", 25.0), ("writeoff", "bad_debt", 60.0)],
        )
        self.assertEqual(account.balance_due, -25.0)

    # ------------------------------------------------------------------ the run

    def test_small_balance_step_idempotent(self):
        company = self.env.company
        company.write(
            {
                "collections_small_balance_writeoff": True,
                "collections_small_balance_threshold": 10.0,
                "collections_small_balance_min_days": 90,
            }
        )
        small, small_invoice = self.account_owing(7.5, days=120)
        young, _i = self.account_owing(7.5, days=30)
        big, _i = self.account_owing(12.0, days=120)
        held, _i = self.account_owing(5.0, days=120)
        held._set_hold("dispute")
        run = self.env["patient.collection.run"].run(companies=company)
        self.assertEqual(run.writeoff_count, 1)
        self.assertEqual(run.writeoff_total, 7.5)
        self.assertEqual(small.balance_due, 0.0)
        self.assertEqual(small_invoice.payment_state, "paid")
        self.assertEqual(small.stage_id, self.env.ref("patient_collections.stage_resolved"))
        writeoff = small.writeoff_ids
        self.assertRecordValues(
            writeoff, [{"reason": "small_balance", "origin": "run", "state": "posted"}]
        )
        self.assertEqual(young.balance_due, 7.5)
        self.assertEqual(big.balance_due, 12.0)
        self.assertEqual(held.balance_due, 5.0)
        self.assertIn("written_off", run.line_ids.mapped("kind"))
        again = self.env["patient.collection.run"].run(companies=company)
        self.assertEqual(again.writeoff_count, 0)
        self.assertEqual(len(small.writeoff_ids), 1, "nothing written off twice")
        # the accountant reverses it: the practice collects it, the run leaves it
        self.reverse_entry(writeoff)
        self.assertEqual(writeoff.state, "reversed")
        self.assertEqual(small.balance_due, 7.5)
        later = self.env["patient.collection.run"].run(companies=company)
        self.assertEqual(later.writeoff_count, 0)
        self.assertEqual(small.balance_due, 7.5)
        self.assertEqual(len(small.writeoff_ids), 1)

    def test_small_balance_step_stops_on_a_wrong_account_setting(self):
        """The small-balance account was turned into a revenue account since it was
        chosen: the run writes nothing off and records one failure of the step
        (not one per account): a collections setting must be corrected."""
        company = self.env.company
        company.write(
            {
                "collections_small_balance_writeoff": True,
                "collections_small_balance_threshold": 10.0,
                "collections_small_balance_min_days": 90,
            }
        )
        self.small.account_type = "income"
        first, _i = self.account_owing(7.5, days=120)
        second, _i = self.account_owing(6.0, days=120)
        isolation = "odoo.addons.patient_collections.models.patient_collection_run_isolation"
        with self.assertLogs(isolation, "WARNING") as logged:
            run = self.env["patient.collection.run"].run(companies=company)
        self.assertIn("SettingsError", logged.output[0])
        self.assertEqual(run.writeoff_count, 0)
        self.assertEqual((first.balance_due, second.balance_due), (7.5, 6.0))
        failed = run.line_ids.filtered(lambda line: line.step == "_step_small_balance_writeoffs")
        self.assertEqual(len(failed), 1)
        self.assertFalse(failed.account_id, "the whole step, not each account")
        self.assertEqual(failed.failure_reason, "settings")

    def test_small_balance_step_off_by_default(self):
        self.assertFalse(self.env.company.collections_small_balance_writeoff)
        small, _invoice = self.account_owing(1.0, days=400)
        run = self.env["patient.collection.run"].run(companies=self.env.company)
        self.assertEqual(run.writeoff_count, 0)
        self.assertEqual(small.balance_due, 1.0)


@tagged("post_install", "-at_install")
class TestWriteoffTour(WriteoffCommon, HttpCase):
    def test_writeoff_tour(self):
        """A specialist writes off within the limit, proposes above it; a manager
        approves in the browser; a manager approves an application."""
        today = date.today()
        within, _i = self.account_owing(30.0, days=100, today=today)
        within.partner_id.name = "Tourwriteoff Within"
        above, _i = self.account_owing(90.0, days=100, today=today)
        above.partner_id.name = "Tourwriteoff Above"
        self.start_tour(
            f"/odoo/action-patient_collections.patient_account_action/{within.id}",
            "patient_collections_writeoff_specialist_tour",
            login="pc_wo_specialist",
        )
        self.assertEqual(within.balance_due, 0.0)
        self.assertEqual(within.writeoff_ids.state, "posted")
        self.start_tour(
            f"/odoo/action-patient_collections.patient_account_action/{above.id}",
            "patient_collections_writeoff_propose_tour",
            login="pc_wo_specialist",
        )
        proposed = above.writeoff_ids
        self.assertEqual(proposed.state, "to_approve")
        self.assertEqual(above.balance_due, 90.0)
        self.start_tour(
            f"/odoo/action-patient_collections.patient_writeoff_action/{proposed.id}",
            "patient_collections_writeoff_approve_tour",
            login="pc_wo_manager",
        )
        self.assertEqual(proposed.state, "posted")
        self.assertEqual(above.balance_due, 0.0)
        applicant, _i = self.account_owing(200.0, days=20, today=today)
        application = self.env["patient.financial.assistance"].create(
            {"account_id": applicant.id, "household_size": 2, "annual_income": 20000}
        )
        self.start_tour(
            f"/odoo/action-patient_collections.patient_financial_assistance_action/{application.id}",
            "patient_collections_assistance_approve_tour",
            login="pc_wo_manager",
        )
        self.assertEqual(application.state, "approved")
        self.assertEqual(applicant.balance_due, 0.0)
        denied, _i = self.account_owing(200.0, days=20, today=today)
        application = self.env["patient.financial.assistance"].create(
            {"account_id": denied.id, "household_size": 1, "annual_income": 90000}
        )
        self.start_tour(
            f"/odoo/action-patient_collections.patient_financial_assistance_action/{application.id}",
            "patient_collections_assistance_deny_tour",
            login="pc_wo_manager",
        )
        self.assertEqual(application.state, "denied")
        self.assertIn("Income above", application.deny_reason)
