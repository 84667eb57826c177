from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .test_writeoffs import DAY, SPECIALIST, WriteoffCommon

# HHS 2026, 48 contiguous states (data/patient_poverty_guideline_data.xml)
BASE, PER_PERSON = 15960, 5680


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestFinancialAssistance(WriteoffCommon):
    # ------------------------------------------------------------------ the scale

    def test_scale_boundaries_household_1_to_10(self):
        account, _invoice = self.account_owing(100.0)
        for size in range(1, 11):
            guideline = BASE + PER_PERSON * (size - 1)
            with self.subTest(size=size):
                application = self.apply(account, household_size=size, annual_income=2 * guideline)
                self.assertEqual(application.guideline_amount, guideline)
                self.assertEqual(application.fpl_percent, 200.0, "exactly 200 %")
                self.assertEqual(application.discount_percent, 100.0)
                application.write({"annual_income": 2.01 * guideline})
                self.assertEqual(application.fpl_percent, 201.0)
                self.assertEqual(application.discount_percent, 50.0)
                application.write({"annual_income": 4 * guideline})
                self.assertEqual(application.discount_percent, 25.0)
                application.write({"annual_income": 4.01 * guideline})
                self.assertEqual(application.discount_percent, 0.0)
                application.unlink()

    def test_no_discount_shown_for_a_household_of_nobody(self):
        """While the form has a household size out of range (0 before it is typed),
        the scale read an FPL of 0 % and showed the top discount."""
        account, _invoice = self.account_owing(100.0)
        form = Form(self.env["patient.financial.assistance"].with_user(self.specialist))
        form.account_id = account
        form.annual_income = 1000
        self.assertEqual(form.discount_percent, 100.0, "a household of 1 at 6 % FPL")
        for size in (0, 100):
            with self.subTest(size=size):
                form.household_size = size
                self.assertEqual(form.discount_percent, 0.0)
                self.assertEqual(form.fpl_percent, 0.0)

    def test_presumptive_eligibility_grants_the_top_tier(self):
        account, _invoice = self.account_owing(100.0)
        application = self.apply(
            account, household_size=1, annual_income=500000, presumptive_reason="medicaid"
        )
        self.assertEqual(application.discount_percent, 100.0)

    def test_missing_guideline_is_a_clear_error(self):
        # a year whose guideline nobody entered yet: applications dated in it
        with freeze_time(DAY.replace(year=2031)):
            account, invoice = self.account_owing(100.0, today=DAY.replace(year=2031))
            application = self.apply(
                account,
                household_size=3,
                annual_income=10000,
                application_date=DAY.replace(year=2031),
            )
            self.assertTrue(application.guideline_missing)
            with self.assertRaisesRegex(UserError, "No federal poverty guideline for 2031"):
                application.with_user(self.manager).action_approve()
            self.assertEqual(application.state, "draft")
            self.assertEqual(invoice.amount_residual, 100.0)
            # once the manager enters it, as the message says, the application is on the scale
            Guideline = self.env["patient.poverty.guideline"].with_user(self.manager)
            guideline = Guideline.create(
                {
                    "year": 2031,
                    "region": "contiguous",
                    "base_amount": 10000,
                    "per_person_amount": 5000,
                }
            )
            self.assertRecordValues(
                application,
                [{"guideline_missing": False, "guideline_amount": 20000.0, "fpl_percent": 50.0}],
            )
            guideline.write({"base_amount": 5000, "per_person_amount": 2500})  # 10,000: 100 %
            self.assertEqual(application.fpl_percent, 100.0)
            application.with_user(self.manager).action_approve()
            self.assertRecordValues(application, [{"state": "approved", "discount_amount": 100.0}])
            self.assertEqual(invoice.amount_residual, 0.0)

    def test_bad_input_refused(self):
        account, _invoice = self.account_owing(100.0)
        for vals, error in (
            ({"household_size": 0}, ValidationError),
            ({"household_size": 100}, ValidationError),
            ({"annual_income": -1.0}, ValidationError),
            ({"annual_income": 2e9}, ValidationError),
            ({"annual_income": "lots"}, ValidationError),
            ({"household_size": "two"}, ValidationError),
        ):
            with self.subTest(vals=vals), self.assertRaises(error):
                self.apply(account, self.specialist, **{"annual_income": 1000, **vals})
        self.assertFalse(
            self.env["patient.financial.assistance"].search([("account_id", "=", account.id)])
        )
        self.assertFalse(account.hold_reason)
        # the message says what is accepted, whichever way the income is wrong
        for income in (-1.0, 2e9):
            with self.assertRaisesRegex(ValidationError, r"from zero to under .{0,4}1,000,000,000"):
                self.apply(account, self.specialist, annual_income=income)

    # ------------------------------------------------------------------ decisions

    def test_open_application_holds_the_account(self):
        account, _invoice = self.account_owing(100.0)
        application = self.apply(account, self.specialist, household_size=1, annual_income=1)
        self.assertEqual(account.hold_reason, "financial_assistance")
        self.assertTrue(account._extraordinary_blocks())
        application.with_user(self.specialist).action_submit()
        self.assertEqual(application.state, "submitted")
        with self.assertRaisesRegex(ValidationError, "already has an open"):
            self.apply(account, household_size=1, annual_income=1)

    def test_approval_posts_the_discount(self):
        account, invoice = self.account_owing(300.0, days=60)
        application = self.apply(
            account, self.specialist, household_size=2, annual_income=BASE + PER_PERSON
        )  # 100 % FPL
        application.with_user(self.manager).action_approve()
        self.assertRecordValues(
            application,
            [
                {
                    "state": "approved",
                    "applied_discount_percent": 100.0,
                    "discount_amount": 300.0,
                    "refund_due": 0.0,
                    "decided_by_id": self.manager.id,
                }
            ],
        )
        note = application.credit_note_ids
        self.assertEqual(note.move_type, "out_refund")
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.invoice_line_ids.account_id, self.charity)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertTrue(
            note.line_ids.filtered(lambda line: line.account_type == "asset_receivable").reconciled
        )
        self.assertEqual(account.balance_due, 0.0)
        self.assertFalse(account.hold_reason, "the decision lifts the hold")
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_resolved"))
        letter = account.interaction_ids.filtered(lambda i: i.channel == "letter")
        self.assertIn("approved", letter.note)
        self.assertTrue(
            self.env["ir.attachment"].search(
                [
                    ("res_model", "=", "patient.account"),
                    ("res_id", "=", account.id),
                    ("mimetype", "=", "application/pdf"),
                ]
            )
        )
        report = self.env["patient.writeoff.report"].search([("account_id", "=", account.id)])
        self.assertEqual(report.mapped("kind"), ["assistance"])
        self.assertEqual(report.amount, 300.0)

    def test_partial_discount_and_lookback(self):
        account, recent = self.account_owing(400.0, days=60)
        old = self.make_invoice(
            account.partner_id,
            100.0,
            DAY - timedelta(days=500),
            due_date=DAY - timedelta(days=500),
            service_date=DAY - timedelta(days=500),
        )
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        self.assertEqual(application.discount_percent, 50.0)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.discount_amount, 200.0)
        self.assertEqual(recent.amount_residual, 200.0)
        self.assertEqual(old.amount_residual, 100.0, "outside the 365-day look-back")
        self.assertEqual(account.balance_due, 300.0)

    def test_overpayment_shows_as_refund_due(self):
        account, invoice = self.account_owing(1000.0, days=60)
        self.pay(invoice, 800.0, DAY - timedelta(days=10))
        self.assertEqual(account.balance_due, 200.0)
        application = self.apply(account, household_size=1, annual_income=BASE)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.discount_amount, 1000.0)
        self.assertEqual(application.refund_due, 800.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance_due, -800.0, "a credit to refund")
        activity = account.activity_ids.filtered(lambda a: "Refund due" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.accountant)

    def test_written_off_part_is_not_refunded(self):
        """Bad debt written off, then a 100 % discount approved: the guarantor gets
        back what they paid, not what the practice wrote off."""
        account, invoice = self.account_owing(945.5, days=60)
        self.pay(invoice, 150.0, DAY - timedelta(days=10))
        writeoff = self.writeoff(account, self.manager)
        self.assertEqual((writeoff.state, writeoff.amount), ("posted", 795.5))
        application = self.apply(account, household_size=1, annual_income=BASE)
        application.with_user(self.manager).action_approve()
        self.assertEqual(application.discount_amount, 150.0)
        self.assertEqual(application.refund_due, 150.0)
        self.assertEqual(account.balance_due, -150.0, "what was paid, to refund")
        activity = account.activity_ids.filtered(lambda a: "Refund due" in (a.summary or ""))
        self.assertIn("150.00", activity.summary)

    def test_write_off_above_the_discount_leaves_nothing_to_credit(self):
        account, invoice = self.account_owing(1000.0, days=60)
        self.pay(invoice, 100.0, DAY - timedelta(days=10))
        self.writeoff(account, self.manager)  # 900.00
        application = self.apply(account, household_size=1, annual_income=2.5 * BASE)
        self.assertEqual(application.discount_percent, 50.0)
        application.with_user(self.manager).action_approve()
        self.assertRecordValues(
            application,
            [{"state": "approved", "discount_amount": 0.0, "refund_due": 0.0}],
        )
        self.assertFalse(application.credit_note_ids)
        self.assertEqual(account.balance_due, 0.0)
        self.assertFalse(account.activity_ids.filtered(lambda a: "Refund" in (a.summary or "")))

    def test_denial(self):
        account, invoice = self.account_owing(100.0)
        application = self.apply(account, household_size=1, annual_income=10 * BASE)
        with self.assertRaisesRegex(UserError, "above the sliding scale"):
            application.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(UserError, "Say why"):
            application.with_user(self.manager).action_deny("  ")
        application.with_user(self.manager).action_deny("Income above the policy")
        self.assertRecordValues(
            application, [{"state": "denied", "deny_reason": "Income above the policy"}]
        )
        self.assertFalse(account.hold_reason)
        self.assertEqual(invoice.amount_residual, 100.0)
        letter = account.interaction_ids.filtered(lambda i: i.channel == "letter")
        self.assertIn("not approved", letter.note)
        with self.assertRaisesRegex(UserError, "decided"):
            application.with_user(self.manager).action_approve()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            application.with_user(self.manager).write({"annual_income": 1.0})

    # ------------------------------------------------------------------ access

    def test_access_by_role_and_company(self):
        account, invoice = self.account_owing(100.0)
        application = self.apply(account, self.specialist, household_size=1, annual_income=1)
        with self.assertRaises(AccessError):
            application.with_user(self.specialist).action_approve()
        with self.assertRaises(AccessError):
            application.with_user(self.specialist).write({"state": "approved"})
        with self.assertRaises(AccessError):
            application.with_user(self.accountant).read(["annual_income"])
        other = self.setup_other_company()["company"]
        foreign = self.company_user("pc_fa_foreign", SPECIALIST, company=other)
        with self.assertRaises(AccessError):
            application.with_user(foreign).read(["annual_income"])
        owner = self.company_user("pc_fa_owner", SPECIALIST)
        account2, _i = self.account_owing(50.0)
        account2.user_id = owner
        with self.assertRaises(AccessError):
            self.apply(account2, self.specialist, household_size=1, annual_income=1)
        self.assertEqual(application.state, "draft")
        self.assertEqual(invoice.amount_residual, 100.0)
