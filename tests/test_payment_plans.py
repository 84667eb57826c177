import base64
import io
from datetime import date, timedelta

from freezegun import freeze_time
from pypdf import PdfReader

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PatientCollectionsCommon

TODAY = date(2026, 3, 2)


class PaymentPlanCase(PatientCollectionsCommon):
    """An account owing 600 (and 200 insurance-pending) to its specialist, and the
    company's plan policy: the setting of every payment plan test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company.write(
            {
                "collections_plan_min_installment": 25.0,
                "collections_plan_max_months": 12,
                "collections_plan_grace_days": 5,
                "collections_plan_misses_default": 2,
            }
        )
        cls.specialist = new_test_user(
            cls.env,
            login="pc_plan_specialist",
            groups="patient_collections.group_collections_specialist",
            company_id=company.id,
            company_ids=[company.id],
        )
        cls.invoice = cls.make_invoice(
            cls.child, 600.0, TODAY - timedelta(days=45), due_date=TODAY - timedelta(days=45)
        )
        cls.pending = cls.make_invoice(
            cls.child, 200.0, TODAY - timedelta(days=10), insurance_status="pending"
        )
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist

    def wizard(self, **values):
        Wizard = (
            self.env["patient.payment.plan.create"]
            .with_user(self.specialist)
            .with_context(
                active_model="patient.account",
                active_id=self.account.id,
                active_ids=self.account.ids,
            )
        )
        return Wizard.create(values)

    def make_plan(self, **values):
        defaults = {
            "installment_count": 6,
            "frequency": "monthly",
            "first_due_date": date(2026, 3, 31),
        }
        defaults.update(values)
        action = self.wizard(**defaults).action_confirm()
        return self.env["patient.payment.plan"].browse(action["res_id"])


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPaymentPlans(PaymentPlanCase):
    # ----------------------------------------------------------- the wizard

    def test_evening_call_agreement_refused_before_anything_is_written(self):
        """A plan agreed on a call the practice made after its calling hours is
        refused by the contact rules before a plan, stage or line is written; the
        guarantor calling in at that hour agrees to it."""
        Plan = self.env["patient.payment.plan"]
        stage = self.account.stage_id
        messages = len(self.account.message_ids)
        with freeze_time("2026-03-02 22:30:00"):
            with self.assertRaisesRegex(UserError, "Contact hours"):
                self.make_plan(channel="phone_out")
            self.assertFalse(Plan.search([("account_id", "=", self.account.id)]))
            self.assertEqual(self.account.stage_id, stage)
            self.assertEqual(len(self.account.message_ids), messages)
            plan = self.make_plan(channel="phone_in")
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.account_id.interaction_ids.channel, "phone_in")

    def test_wizard_defaults_to_balance_due_without_pending(self):
        wizard = self.wizard(installment_count=6)
        self.assertEqual(wizard.total_amount, 600.0)
        self.assertEqual(wizard.account_id, self.account)
        self.assertIn("100.00", wizard.preview_html)
        self.assertFalse(wizard.problems)

    def test_refusals_create_nothing(self):
        cases = [
            ({"installment_count": 0}, "at least one"),
            ({"installment_count": -3}, "at least one"),
            (
                {"schedule_by": "amount", "installment_count": 0, "installment_amount": 0},
                "more than zero",
            ),
            (
                {"schedule_by": "amount", "installment_count": 0, "installment_amount": -10},
                "more than zero",
            ),
            ({"installment_count": 6, "down_payment": 700}, "less than the plan's total"),
            ({"installment_count": 6, "total_amount": 750}, "balance due"),
            ({"installment_count": 6, "first_due_date": TODAY - timedelta(days=1)}, "past"),
            ({"installment_count": 30}, "at least"),
            ({"installment_count": 20, "frequency": "monthly"}, "12 months"),
        ]
        for values, message in cases:
            wizard = self.wizard(**{"first_due_date": TODAY, **values})
            with self.assertRaisesRegex(UserError, message, msg=str(values)):
                wizard.action_confirm()
        self.assertFalse(self.env["patient.payment.plan"].search([]))
        self.assertFalse(self.account.interaction_ids)

    def test_second_active_plan_refused(self):
        self.make_plan()
        with self.assertRaises(UserError) as refusal:
            self.make_plan()
        self.assertEqual(
            str(refusal.exception),
            f"{self.account.name}: The account already has an active payment plan: "
            "complete or cancel it first.",
            "the account named once",
        )
        self.assertEqual(len(self.account.plan_ids), 1)

    def test_schedule_by_amount_and_month_ends(self):
        plan = self.make_plan(
            installment_count=0,
            installment_amount=250.0,
            first_due_date=date(2026, 3, 31),
            down_payment=50.0,
        )
        self.assertEqual(plan.installment_ids.mapped("amount"), [50.0, 250.0, 250.0, 50.0])
        self.assertEqual(
            plan.installment_ids.mapped("due_date"),
            [TODAY, date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)],
        )

    # ----------------------------------------------------------- activation

    def test_activation(self):
        plan = self.make_plan()
        self.assertRecordValues(
            plan,
            [
                {
                    "state": "active",
                    "total_amount": 600.0,
                    "installment_count": 6,
                    "installment_amount": 100.0,
                    "activation_date": TODAY,
                    "next_due_date": date(2026, 3, 31),
                    "amount_remaining": 600.0,
                }
            ],
        )
        self.assertEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )
        self.assertEqual(self.account.interaction_ids.note, f"Payment plan {plan.name} agreed.")
        self.account.invalidate_recordset(["message_ids"])
        self.assertTrue(any(plan.name in (m.body or "") for m in self.account.message_ids))
        run = self.env["patient.collection.run"].run()
        self.assertEqual(
            self.account.stage_id,
            self.env.ref("patient_collections.stage_payment_plan"),
            "escalation leaves plan accounts alone",
        )
        self.assertFalse(run.line_ids.filtered(lambda line: line.kind == "moved"))

    def test_agreement_pdf(self):
        plan = self.make_plan()
        pdf, kind = self.env["ir.actions.report"]._render_qweb_pdf(
            "patient_collections.action_report_payment_plan_agreement", plan.ids
        )
        self.assertEqual(kind, "pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        self.assertIn(plan.name, text)
        self.assertIn(self.account.name, text)
        self.assertIn("Testparent Alpha", text)
        self.assertNotIn("MRN-T", text)

    # ----------------------------------------------------------- payments

    def test_allocation_partial_over_and_reversed(self):
        plan = self.make_plan(down_payment=60.0, installment_count=6)
        down, first, second = plan.installment_ids[:3]
        self.pay(self.invoice, 40.0, TODAY)
        self.assertRecordValues(down, [{"amount_paid": 40.0, "state": "partial"}])
        payment = self.pay(self.invoice, 110.0, TODAY)
        self.assertRecordValues(
            down | first | second,
            [
                {"amount_paid": 60.0, "state": "paid", "paid_date": TODAY},
                {"amount_paid": 90.0, "state": "paid", "paid_date": TODAY},
                {"amount_paid": 0.0, "state": "open", "paid_date": False},
            ],
        )
        self.assertEqual(plan.amount_paid, 150.0)
        self.assertIn(payment, first.payment_ids)
        # the accountant unreconciles the second payment: the plan follows
        payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).remove_move_reconcile()
        self.assertRecordValues(
            down | first,
            [{"amount_paid": 40.0, "state": "partial"}, {"amount_paid": 0.0, "state": "open"}],
        )
        payment.move_id.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        # a cancelled payment no longer counts either
        first_payment = self.env["account.payment"].search(
            [("partner_id", "=", self.guarantor.id), ("amount", "=", 40.0)]
        )
        first_payment.action_draft()
        first_payment.action_cancel()
        self.assertEqual(plan.amount_paid, 0.0)

    def test_payments_before_activation_do_not_count(self):
        self.pay(self.invoice, 100.0, TODAY - timedelta(days=3))
        plan = self.make_plan(installment_count=5, total_amount=500.0)
        self.assertEqual(plan.amount_paid, 0.0)

    def test_payment_of_the_same_day_registered_before_the_plan_does_not_count(self):
        """Paid at the desk this morning, the plan agreed this afternoon: the plan's
        total was taken from a balance that payment had already lowered."""
        today = self.env.company._patient_today()
        payment = self.pay(self.invoice, 100.0, today)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_move SET create_date = create_date - interval '1 hour' WHERE id = %s",
            [payment.move_id.id],
        )
        self.env.invalidate_all()
        plan = self.make_plan(installment_count=5, total_amount=500.0)
        self.assertEqual(plan.activation_date, today)
        self.assertEqual(plan.amount_paid, 0.0)
        self.assertEqual(plan.installment_ids[0].state, "open")
        # paid again after the plan was agreed, on the same day: the plan's
        later = self.pay(self.invoice, 100.0, today)
        self.assertEqual(plan.amount_paid, 100.0)
        self.assertIn(later, plan.installment_ids[0].payment_ids)

    def test_register_payment_action(self):
        plan = self.make_plan()
        action = plan.action_register_payment()
        self.assertEqual(action["res_model"], "account.payment.register")
        self.assertEqual(action["context"]["default_amount"], 100.0)
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.amount, 100.0)
        self.assertEqual(wizard.payment_date, self.env.company._patient_today())

    def test_register_payment_dated_on_the_practice_calendar(self):
        """15:00 UTC is already tomorrow at the practice (UTC+14), still today for
        an accountant in Los Angeles: the payment's date of record is the practice's."""
        plan = self.make_plan()
        self.env.company.collections_tz = "Pacific/Kiritimati"
        accountant = self.env.user.with_context(tz="America/Los_Angeles")
        action = plan.with_env(accountant.env).action_register_payment()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.payment_date, date(2026, 3, 3))
        wizard._create_payments()
        self.assertEqual(plan.installment_ids[0].state, "paid")

    # ----------------------------------------------------------- missed, default, completion

    def test_missed_and_default_on_frozen_dates(self):
        plan = self.make_plan(installment_count=6, first_due_date=date(2026, 3, 10))
        with freeze_time("2026-03-15"):
            self.env["patient.collection.run"].run()
            self.assertEqual(plan.installment_ids[0].state, "open", "within the grace days")
        with freeze_time("2026-03-16"):
            self.env["patient.collection.run"].run()
            self.assertEqual(plan.installment_ids[0].state, "missed")
            self.assertEqual(plan.state, "active")
        with freeze_time("2026-04-16"):
            run = self.env["patient.collection.run"].run()
            self.assertEqual(plan.missed_count, 2)
            self.assertEqual(plan.state, "defaulted")
            self.assertEqual(
                run.line_ids.filtered(lambda line: line.kind == "plan_defaulted").count, 1
            )
            self.assertEqual(self.account.plan_default_count, 1)
            # back on the notice sequence after the one statement it received while on
            # the plan: the next letter, never a jump to the stage its age alone gives
            self.assertEqual(
                self.account.stage_id, self.env.ref("patient_collections.stage_second_statement")
            )
            follow_up = self.account.activity_ids.filtered(lambda a: "defaulted" in a.summary)
            self.assertEqual(follow_up.user_id, self.specialist)
            self.assertIn("Defaulted payment plans: 1", self.account.priority_explanation)
            again = self.env["patient.collection.run"].run()
            self.assertFalse(again.line_ids.filtered(lambda line: line.kind.startswith("plan_")))

    def test_completion_resolves_the_account(self):
        plan = self.make_plan(installment_count=2, first_due_date=date(2026, 3, 10))
        self.pay(self.invoice, 300.0, TODAY)
        self.assertEqual(plan.state, "active")
        self.pay(self.invoice, 300.0, TODAY + timedelta(days=1))
        self.assertEqual(plan.state, "completed")
        self.assertEqual(plan.amount_remaining, 0.0)
        # the insurance-pending invoice is still open: not resolved yet
        self.assertNotEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_resolved")
        )

    def test_cancel_returns_to_escalation(self):
        plan = self.make_plan()
        plan.with_user(self.specialist).action_cancel()
        self.assertEqual(plan.state, "cancelled")
        # no statement received yet: the notice sequence starts with the first
        self.assertEqual(
            self.account.stage_id, self.env.ref("patient_collections.stage_first_statement")
        )

    # ----------------------------------------------------------- access

    def test_an_installment_is_not_duplicated(self):
        """Duplicate on an installment: the module's refusal for every role (not
        Odoo's on a field the role may not read)."""
        installment = self.make_plan().installment_ids[:1]
        for user in (self.specialist, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                installment.with_user(user).copy()
            self.assertIn("Installments follow the plan's schedule", str(caught.exception))
        self.assertEqual(len(installment.plan_id.installment_ids), 6)

    def test_accountant_sees_plans_not_notes_and_plain_user_nothing(self):
        plan = self.make_plan()
        accountant = new_test_user(
            self.env,
            login="pc_plan_accountant",
            groups="account.group_account_invoice,patient_collections.group_collections_accountant",
        )
        self.assertEqual(plan.with_user(accountant).amount_remaining, 600.0)
        self.assertEqual(len(plan.with_user(accountant).installment_ids), 6)
        with self.assertRaises(AccessError):
            self.env["patient.interaction"].with_user(accountant).search([]).mapped("note")
        with self.assertRaises(AccessError):
            plan.with_user(accountant).action_cancel()
        plain = new_test_user(self.env, login="pc_plan_plain", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["patient.payment.plan"].with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.env["patient.payment.plan.installment"].with_user(plain).search([])
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(plain)._render_qweb_pdf(
                "patient_collections.action_report_payment_plan_agreement", plan.ids
            )

    def test_signed_agreement_attachment(self):
        plan = self.make_plan()
        plan.write(
            {"agreement": base64.b64encode(b"%PDF-1.4 signed"), "agreement_filename": "signed.pdf"}
        )
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "patient.payment.plan"),
                ("res_id", "=", plan.id),
                ("res_field", "=", "agreement"),
            ]
        )
        self.assertTrue(attachment)
