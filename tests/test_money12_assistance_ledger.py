"""Financial assistance on the ledger as it stands: credit notes and write-offs
are not discounted twice nor refunded, an unmatched payment is the guarantor's
money to refund, the discount takes back its share of sales tax, lock dates give
a clear error before anything is written, and every company has a sliding scale."""

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .test_writeoffs import DAY, WriteoffCommon

# HHS 2026, 48 contiguous states (data/patient_poverty_guideline_data.xml)
BASE = 15960
HALF = {"household_size": 1, "annual_income": 2.5 * BASE}  # 250 % FPL: 50 %
FULL = {"household_size": 1, "annual_income": 1000.0}  # 100 %


class Money12Common(WriteoffCommon):
    def approve(self, account, **vals):
        application = self.apply(account, **vals)
        application.with_user(self.manager).action_approve()
        return application

    def refund_activities(self, account):
        return account.activity_ids.filtered(lambda act: act.summary.startswith("Refund due"))

    def corrected_by_credit_note(self, amount=100.0, credited=40.0):
        """An invoice the practice corrected with Odoo's reversal wizard: the draft
        credit note edited to ``credited`` and posted."""
        account, invoice = self.account_owing(amount, days=60)
        self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {"journal_id": invoice.journal_id.id, "date": DAY, "reason": "Synthetic correction"}
        ).refund_moves()
        note = self.env["account.move"].search([("reversed_entry_id", "=", invoice.id)])
        note.invoice_line_ids[0].price_unit = credited
        note.action_post()
        self.assertEqual(account.balance_due, amount - credited)
        return account, invoice


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney12CreditNotes(Money12Common):
    """D1: the discount is on what was billed less what was credited."""

    def test_half_discount_is_on_what_is_left_after_the_credit_note(self):
        account, invoice = self.corrected_by_credit_note()
        application = self.approve(account, **HALF)
        self.assertRecordValues(application, [{"discount_amount": 30.0, "refund_due": 0.0}])
        self.assertEqual(invoice.amount_residual, 30.0)
        self.assertEqual(account.balance_due, 30.0)

    def test_full_discount_refunds_nothing_never_paid(self):
        account, invoice = self.corrected_by_credit_note()
        application = self.approve(account, **FULL)
        self.assertRecordValues(application, [{"discount_amount": 60.0, "refund_due": 0.0}])
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance_due, 0.0)
        self.assertFalse(self.refund_activities(account))
        self.assertFalse(any(application.credit_note_ids.mapped("amount_residual")))

    def test_paid_part_after_a_credit_note_is_refunded(self):
        account, invoice = self.corrected_by_credit_note()
        self.pay(invoice, 50.0, DAY)
        application = self.approve(account, **FULL)
        # owed 60, paid 50: the whole 60 off, the 50 paid back
        self.assertRecordValues(application, [{"discount_amount": 60.0, "refund_due": 50.0}])
        self.assertEqual(account.balance_due, -50.0)
        self.assertTrue(self.refund_activities(account))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney12UnappliedPayment(Money12Common):
    """D4: a payment not matched to the invoice is the guarantor's money too."""

    def unapplied_payment(self, account, amount):
        return self.received(account.partner_id, amount)

    def test_full_discount_refunds_the_unapplied_payment(self):
        account, invoice = self.account_owing(100.0, days=60)
        self.unapplied_payment(account, 40.0)
        self.assertEqual(account.balance_due, 60.0)
        application = self.approve(account, **FULL)
        self.assertRecordValues(application, [{"discount_amount": 100.0, "refund_due": 40.0}])
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(account.balance_due, -40.0)
        self.assertTrue(self.refund_activities(account))

    def test_half_discount_refunds_only_what_was_paid_beyond_it(self):
        account, _invoice = self.account_owing(100.0, days=60)
        self.unapplied_payment(account, 70.0)
        application = self.approve(account, **HALF)
        # owes 50 after the discount, paid 70: 20 back
        self.assertRecordValues(application, [{"discount_amount": 50.0, "refund_due": 20.0}])
        self.assertEqual(account.balance_due, -20.0)

    def test_a_payment_still_owed_elsewhere_is_not_refunded(self):
        account, _invoice = self.account_owing(100.0, days=60)
        # another charge outside the look-back: still owed, the payment goes to it
        self.make_invoice(
            account.partner_id,
            30.0,
            self.days_ago(DAY, 900),
            service_date=self.days_ago(DAY, 900),
        )
        self.unapplied_payment(account, 40.0)
        application = self.approve(account, **FULL)
        self.assertRecordValues(application, [{"discount_amount": 100.0, "refund_due": 10.0}])
        self.assertEqual(account.balance_due, -10.0)

    def test_an_earlier_refund_due_is_still_the_guarantors_money(self):
        account, invoice = self.account_owing(100.0, days=60)
        self.pay(invoice, 40.0, DAY)
        first = self.approve(account, **FULL)
        self.assertEqual(first.refund_due, 40.0)
        later = self.make_invoice(
            account.partner_id, 100.0, self.days_ago(DAY, 10), service_date=self.days_ago(DAY, 10)
        )
        second = self.approve(account, **HALF)
        # the 40 not yet refunded pays the later charge: 50 % of 100 off, 10 left to pay
        self.assertRecordValues(second, [{"discount_amount": 50.0, "refund_due": 0.0}])
        self.assertEqual(later.amount_residual, 10.0)
        self.assertEqual(account.balance_due, 10.0)

    def test_open_items_come_in_the_lines_order_from_one_query(self):
        # made oldest first: the lines' order (newest first) is not the ids'
        account, _invoice = self.account_owing(30.0, days=900)
        self.make_invoice(
            account.partner_id, 100.0, self.days_ago(DAY, 60), service_date=self.days_ago(DAY, 60)
        )
        self.unapplied_payment(account, 40.0)
        with self.assertQueryCount(1):  # the SELECT; nothing searched again
            lines = account._open_item_lines()
        self.assertEqual(len(lines), 3, "two invoices and the unmatched payment")
        Line = self.env["account.move.line"].sudo()
        self.assertEqual(lines.ids, Line.search([("id", "in", lines.ids)]).ids)
        self.assertEqual(lines.mapped("date"), sorted(lines.mapped("date"), reverse=True))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney12Taxes(Money12Common):
    """D8: the discount credit note takes back its share of the sales tax."""

    def taxed_invoice(self, lines):
        """An invoice of (price, taxes) lines."""
        type(self).counter += 1
        partner = self.env["res.partner"].create(
            {"name": f"Testtax Person {self.counter}", "is_patient": True}
        )
        when = self.days_ago(DAY, 60)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "patient_id": partner.id,
                "invoice_date": when,
                "date": when,
                "invoice_date_due": when,
                "service_date": when,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Synthetic service",
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.set(taxes.ids)],
                        }
                    )
                    for price, taxes in lines
                ],
            }
        )
        invoice.action_post()
        return invoice.patient_account_id, invoice

    def test_half_discount_reverses_half_the_tax(self):
        tax = self.tax_sale_a  # 15 %, on its own tax account
        self.assertEqual(tax.amount, 15.0)
        account, invoice = self.taxed_invoice([(100.0, tax)])
        self.assertEqual(invoice.amount_total, 115.0)
        application = self.approve(account, **HALF)
        note = application.credit_note_ids
        self.assertRecordValues(
            note, [{"amount_untaxed": 50.0, "amount_tax": 7.5, "amount_total": 57.5}]
        )
        charity = note.line_ids.filtered(lambda line: line.account_id == self.charity)
        self.assertEqual(sum(charity.mapped("balance")), 50.0)
        tax_line = note.line_ids.filtered("tax_line_id")
        self.assertRecordValues(tax_line, [{"tax_line_id": tax.id, "balance": 7.5}])
        self.assertEqual(invoice.amount_residual, 57.5)
        self.assertEqual(application.discount_amount, 57.5)

    def test_mixed_taxes_stay_exact_to_the_cent(self):
        Tax = self.env["account.tax"]
        high = Tax.create({"name": "Synthetic tax 7.25", "amount": 7.25, "type_tax_use": "sale"})
        low = Tax.create({"name": "Synthetic tax 3", "amount": 3.0, "type_tax_use": "sale"})
        account, invoice = self.taxed_invoice(
            [(33.33, high), (19.99, low), (10.01, Tax.browse()), (7.77, high | low)]
        )
        total = invoice.amount_total
        for vals in (HALF, {"household_size": 1, "annual_income": 3.5 * BASE}):
            with self.subTest(vals=vals):
                application = self.approve(account, **vals)
                percent = application.applied_discount_percent
                expected = invoice.currency_id.round(total * percent / 100.0)
                note = application.credit_note_ids
                self.assertEqual(note.amount_total, expected)
                self.assertEqual(application.discount_amount, expected)
                self.assertEqual(set(note.line_ids.tax_line_id.ids), {high.id, low.id})
                self.assertAlmostEqual(invoice.amount_residual, total - expected, places=2)
                # undo for the next percent: a new account, a new invoice
                account, invoice = self.taxed_invoice(
                    [(33.33, high), (19.99, low), (10.01, Tax.browse()), (7.77, high | low)]
                )


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney12LockDates(Money12Common):
    """D10: lock dates, Odoo's own accounting-date rule, a clear error otherwise."""

    def test_a_lock_date_through_today_is_a_clear_error_and_nothing_is_written(self):
        Move = self.env["account.move"]
        # the hard lock date last: it cannot be lifted
        for field in ("fiscalyear_lock_date", "sale_lock_date", "hard_lock_date"):
            with self.subTest(field=field):
                account, invoice = self.account_owing(100.0, days=60)
                application = self.apply(account, **FULL)
                self.env.company.sudo().write({field: DAY})
                notes_before = Move.search_count([("move_type", "=", "out_refund")])
                with self.assertRaisesRegex(UserError, "locked .*Nothing was posted"):
                    application.with_user(self.manager).action_approve()
                self.assertEqual(application.state, "draft")
                self.assertEqual(invoice.amount_residual, 100.0)
                notes_after = Move.search_count([("move_type", "=", "out_refund")])
                self.assertEqual(notes_after, notes_before)
                self.assertEqual(account.hold_reason, "financial_assistance")
                if field != "hard_lock_date":
                    self.env.company.sudo().write({field: False})

    def test_a_lock_date_before_today_posts_today(self):
        account, invoice = self.account_owing(100.0, days=60)
        self.env.company.sudo().write({"fiscalyear_lock_date": self.days_ago(DAY, 1)})
        application = self.approve(account, **FULL)
        self.assertRecordValues(
            application.credit_note_ids, [{"date": DAY, "invoice_date": DAY, "state": "posted"}]
        )
        self.assertEqual(invoice.amount_residual, 0.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestMoney12SlidingScale(Money12Common):
    """D11: every company has a sliding scale; none at all is said as such."""

    def scale_of(self, company):
        return [
            (tier.max_fpl_percent, tier.discount_percent)
            for tier in self.env["patient.assistance.tier"].search(
                [("company_id", "=", company.id)]
            )
        ]

    def test_a_new_company_gets_the_default_scale(self):
        clinic = self.env["res.company"].create({"name": "Synthetic Clinic Scale"})
        self.assertEqual(self.scale_of(clinic), [(200.0, 100.0), (300.0, 50.0), (400.0, 25.0)])

    def test_the_update_gives_existing_companies_without_a_scale_the_default_once(self):
        clinic = self.env["res.company"].create({"name": "Synthetic Clinic Backfill"})
        Tier = self.env["patient.assistance.tier"]
        Tier.search([("company_id", "=", clinic.id)]).unlink()
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param("patient_collections.default_sliding_scales_given", False)
        self.env["res.company"]._give_default_sliding_scales_once()
        self.assertEqual(len(self.scale_of(clinic)), 3)
        Tier.search([("company_id", "=", clinic.id)]).unlink()
        self.env["res.company"]._give_default_sliding_scales_once()
        self.assertFalse(self.scale_of(clinic), "an emptied scale is not given back")

    def test_no_scale_at_all_says_where_to_set_it(self):
        account, invoice = self.account_owing(100.0, days=60)
        self.env["patient.assistance.tier"].search(
            [("company_id", "=", account.company_id.id)]
        ).unlink()
        application = self.apply(account, **FULL)
        with self.assertRaisesRegex(UserError, "no sliding scale.*Configuration > Sliding Scale"):
            application.with_user(self.manager).action_approve()
        self.assertEqual(invoice.amount_residual, 100.0)

    def test_entering_a_limit_the_scale_has_is_refused(self):
        clinic = self.env["res.company"].create({"name": "Synthetic Clinic Reentry"})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["patient.assistance.tier"].create(
                {"company_id": clinic.id, "max_fpl_percent": 300, "discount_percent": 60}
            )
            self.env.flush_all()
