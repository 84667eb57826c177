from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.patient_collections.logic import aging

from .common import TODAY, PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestPatientAccountBalances(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        cls.split_term = cls.env["account.payment.term"].create(
            {
                "name": "30% now, 70% in 60 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 30.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 70.0, "nb_days": 60}),
                ],
            }
        )

    def assertBalances(self, account, **expected):
        account.invalidate_recordset()
        self.assertRecordValues(account, [expected])

    # ------------------------------------------------------------- the account

    def test_account_created_on_post_for_guarantor(self):
        draft = self.make_invoice(self.child, 100.0, "2026-01-05", post=False)
        self.assertFalse(self.account_of(self.guarantor), "no account for a draft invoice")
        draft.action_post()
        account = self.account_of(self.guarantor)
        self.assertEqual(len(account), 1)
        self.assertEqual(draft.patient_account_id, account)
        self.assertTrue(account.name.startswith("PA"))
        self.assertNotIn("Alpha", account.name)
        self.assertNotIn("MRN", account.display_name)
        second = self.make_invoice(self.child_2, 40.0, "2026-01-06")
        self.assertEqual(second.patient_account_id, account, "one account per guarantor")
        self.assertEqual(account.balance_due, 140.0)
        self.assertIn(self.child, account.patient_ids)
        self.assertEqual(account.invoice_ids, draft | second)

    def test_second_account_for_same_guarantor_refused(self):
        self.Account.create({"partner_id": self.other_guarantor.id})
        # a clear refusal before the database's unique constraint (its backstop)
        with self.assertRaisesRegex(ValidationError, "already has patient account"):
            self.Account.create({"partner_id": self.other_guarantor.id})

    def test_one_account_per_company(self):
        other_company = self.setup_other_company(name="Second Clinic Test")["company"]
        self.env.user.company_ids |= other_company
        self.make_invoice(self.child, 10.0, "2026-01-05")
        self.make_invoice(self.child, 20.0, "2026-01-05", company=other_company)
        accounts = self.Account.search([("partner_id", "=", self.guarantor.id)])
        self.assertEqual(accounts.company_id, self.env.company | other_company)
        self.assertEqual(sorted(accounts.mapped("balance_due")), [10.0, 20.0])

    def test_non_patient_invoice_has_no_account(self):
        self.init_invoice("out_invoice", partner=self.partner_a, amounts=[50.0], post=True)
        self.assertFalse(self.Account.search([("partner_id", "=", self.partner_a.id)]))

    def test_balances_cannot_be_edited(self):
        self.make_invoice(self.child, 10.0, "2026-01-05")
        account = self.account_of(self.guarantor)
        with self.assertRaisesRegex(UserError, "Balance Due"):
            account.write({"balance_due": 0.0})
        self.assertEqual(account.balance_due, 10.0)

    # ------------------------------------------------------------- balances

    def test_partial_payment(self):
        invoice = self.make_invoice(self.child, 100.0, "2026-01-05")
        self.pay(invoice, 40.0, "2026-02-01")
        account = invoice.patient_account_id
        self.assertBalances(
            account,
            balance_due=60.0,
            last_payment_date=fields.Date.to_date("2026-02-01"),
            last_payment_amount=40.0,
        )
        self.pay(invoice, 60.0, "2026-02-10")
        self.assertBalances(account, balance_due=0.0, last_payment_amount=60.0)
        self.assertFalse(account.invoice_ids, "paid invoices are no longer open")

    def test_last_payment_is_one_payment_not_its_days_total(self):
        invoice = self.make_invoice(self.child, 300.0, "2026-01-05")
        account = invoice.patient_account_id
        self.pay(invoice, 50.0, "2026-02-01")
        self.pay(invoice, 155.80, "2026-02-01")
        day = fields.Date.to_date("2026-02-01")
        self.assertBalances(
            account, balance_due=94.20, last_payment_date=day, last_payment_amount=155.80
        )
        # one dated earlier, entered after: the last is still the latest dated
        self.pay(invoice, 20.0, "2026-01-20")
        self.assertBalances(account, last_payment_date=day, last_payment_amount=155.80)

    def test_credit_note_lowers_balance(self):
        invoice = self.make_invoice(self.child, 100.0, "2026-01-05")
        self.make_invoice(self.child, 25.0, "2026-01-20", move_type="out_refund")
        self.assertBalances(invoice.patient_account_id, balance_due=75.0)

    def test_foreign_currency_invoice_in_company_currency(self):
        invoice = self.make_invoice(self.child, 200.0, "2026-01-05", currency=self.eur)
        account = invoice.patient_account_id
        self.assertBalances(account, balance_due=100.0)
        self.pay(invoice, 50.0, "2026-01-15", currency=self.eur)
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        self.assertBalances(account, balance_due=sum(receivable.mapped("amount_residual")))
        self.assertAlmostEqual(account.balance_due, 75.0)

    @freeze_time("2026-03-31")
    def test_several_due_dates_aged_separately(self):
        invoice = self.make_invoice(self.child, 1000.0, "2025-12-01", payment_term=self.split_term)
        # 300 due 2025-12-01 (120 days ago), 700 due 2026-01-30 (60 days ago)
        self.assertBalances(
            invoice.patient_account_id,
            balance_due=1000.0,
            aging_91_120=300.0,
            aging_31_60=700.0,
            days_past_due=120,
        )

    def test_unreconcile_and_cancel_payment(self):
        invoice = self.make_invoice(self.child, 100.0, "2026-01-05")
        payment = self.pay(invoice, 100.0, "2026-01-20")
        account = invoice.patient_account_id
        self.assertBalances(account, balance_due=0.0)
        invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).remove_move_reconcile()
        self.assertEqual(invoice.amount_residual, 100.0)
        # the unapplied payment still counts: the guarantor owes nothing
        self.assertBalances(account, balance_due=0.0)
        self.assertEqual(len(account.open_item_ids), 2)
        payment.action_draft()
        payment.action_cancel()
        self.assertBalances(account, balance_due=100.0, last_payment_amount=0.0)

    def test_open_items_read_by_id(self):
        """Open items read by id (as a form does) are the ones found by account:
        split invoices, unapplied payments and other guarantors' items alike."""
        split = self.make_invoice(self.child, 1000.0, "2025-12-01", payment_term=self.split_term)
        plain = self.make_invoice(self.child, 80.0, "2026-01-05")
        self.pay(plain, 80.0, "2026-01-20")
        plain.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).remove_move_reconcile()
        self.make_invoice(self.other_guarantor, 55.0, "2026-01-06")
        Line = self.env["patient.account.line"]
        found = Line.search([("account_id", "in", (split | plain).patient_account_id.ids)])
        self.assertEqual(len(found), 3)  # the split invoice, the other one, the payment
        expected = {line.id: line.amount_residual for line in found}
        self.env.invalidate_all()
        read = {
            row["id"]: row["amount_residual"]
            for row in Line.browse(found.ids).read(["amount_residual"])
        }
        self.assertEqual(read, expected)
        self.assertEqual(sorted(read.values()), [-80.0, 80.0, 1000.0])

    def test_reset_to_draft_and_cancel_invoice(self):
        invoice = self.make_invoice(self.child, 100.0, "2026-01-05")
        account = invoice.patient_account_id
        invoice.button_draft()
        self.assertBalances(account, balance_due=0.0)
        invoice.action_post()
        self.assertBalances(account, balance_due=100.0)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertBalances(account, balance_due=0.0)

    def test_insurance_pending_is_not_chased(self):
        invoice = self.make_invoice(self.child, 100.0, "2026-01-05", insurance_status="pending")
        self.make_invoice(self.child, 30.0, "2026-01-05", insurance_status="denied")
        account = invoice.patient_account_id
        self.assertBalances(account, balance_due=30.0, balance_insurance_pending=100.0)
        invoice.insurance_status = "adjudicated"
        self.assertBalances(account, balance_due=130.0, balance_insurance_pending=0.0)

    # ------------------------------------------------------------- aging

    @freeze_time("2026-03-31")
    def test_aging_buckets_at_their_boundaries(self):
        for days, amount in ((0, 1.0), (1, 2.0), (30, 4.0), (31, 8.0), (120, 16.0), (121, 32.0)):
            due = TODAY - timedelta(days=days)
            self.make_invoice(self.child, amount, due, due_date=due)
        self.assertBalances(
            self.account_of(self.guarantor),
            balance_due=63.0,
            aging_current=1.0,
            aging_1_30=6.0,
            aging_31_60=8.0,
            aging_61_90=0.0,
            aging_91_120=16.0,
            aging_over_120=32.0,
            days_past_due=121,
        )

    def test_sql_refresh_agrees_with_pure_aging(self):
        with freeze_time("2026-03-31"):
            self.make_invoice(self.child, 90.0, "2025-10-01", payment_term=self.split_term)
            inv = self.make_invoice(self.child_2, 55.5, "2026-02-14")
            self.make_invoice(self.child, 12.25, "2026-03-01", move_type="out_refund")
            self.make_invoice(self.child, 70.0, "2025-12-24", insurance_status="pending")
            self.pay(inv, 20.0, "2026-03-02")
            account = self.account_of(self.guarantor)
            account._refresh_balances()
            lines = self.env["account.move.line"].search(
                [
                    ("partner_id", "=", self.guarantor.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("amount_residual", "!=", 0),
                ]
            )
            expected = aging.summarize(
                [
                    aging.OpenItem(
                        line.amount_residual,
                        line.date_maturity,
                        line.move_id.insurance_status == "pending",
                    )
                    for line in lines
                ],
                TODAY,
            )
        account.invalidate_recordset()
        for name, value in expected.items():
            self.assertAlmostEqual(account[name], float(value), msg=name)

    def test_daily_refresh_moves_aging_with_the_calendar(self):
        with freeze_time("2026-03-01"):
            self.make_invoice(self.child, 80.0, "2026-03-01")
            account = self.account_of(self.guarantor)
            self.assertBalances(account, aging_current=80.0, days_past_due=0)
            self.assertEqual(self.Account._cron_refresh_balances(), 0, "already aged today")
        with freeze_time("2026-04-15"):
            self.assertEqual(self.Account._cron_refresh_balances(), 1)
            self.assertBalances(
                account,
                aging_current=0.0,
                aging_31_60=80.0,
                days_past_due=45,
                aging_date=fields.Date.to_date("2026-04-15"),
            )
            self.assertEqual(self.Account._cron_refresh_balances(), 0, "idempotent")

    def test_scheduled_action_runs(self):
        self.make_invoice(self.child, 80.0, "2026-03-01")
        cron = self.env.ref("patient_collections.ir_cron_collection_run")
        with freeze_time(fields.Date.today() + timedelta(days=3)):
            cron.method_direct_trigger()
            account = self.account_of(self.guarantor)
            account.invalidate_recordset()
            self.assertEqual(account.aging_date, fields.Date.today())

    def test_refresh_is_set_based(self):
        guarantors = self.env["res.partner"].create(
            [{"name": f"Testbatch {i}", "is_patient": True} for i in range(20)]
        )
        for partner in guarantors:
            self.make_invoice(partner, 10.0, "2026-01-05")
        accounts = self.Account.search([("partner_id", "in", guarantors.ids)])
        self.assertEqual(len(accounts), 20)
        self.env.flush_all()

        def queries(records):
            before = self.env.cr.sql_log_count
            records._refresh_balances()
            return self.env.cr.sql_log_count - before

        self.assertEqual(queries(accounts), queries(accounts[:1]), "no query per account")
        # the aggregate UPDATE, and the planner setting around it (two SET LOCAL)
        self.assertLessEqual(queries(accounts), 4)
