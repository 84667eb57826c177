from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestExplanationOfBenefits(PatientCollectionsCommon):
    def eob(self, **amounts):
        values = {
            "amount_charges": 250.0,
            "amount_insurance_paid": 150.0,
            "amount_adjustment": 40.0,
            "amount_deductible": 30.0,
            "amount_copay": 20.0,
            "amount_coinsurance": 10.0,
            "amount_noncovered": 0.0,
        }
        values.update(amounts)
        return values

    def test_consistent_breakdown_posts(self):
        move = self.make_invoice(self.child, 60.0, "2026-02-01", post=False, **self.eob())
        move.action_post()
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.amount_copay, 20.0)

    def test_breakdown_must_equal_invoice_total(self):
        move = self.make_invoice(self.child, 65.0, "2026-02-01", post=False, **self.eob())
        with self.assertRaises(UserError) as error:
            move.action_post()
        message = str(error.exception)
        self.assertIn("65.00", message)
        self.assertIn("60.00", message)
        self.assertEqual(move.state, "draft")
        self.assertFalse(move.patient_account_id, "nothing is half-written")

    def test_taxed_invoice_checked_before_tax(self):
        """The EOB prices the services: a sales tax on the line is on top of it."""
        tax = self.env["account.tax"].create(
            {"name": "Test sales tax 10%", "amount": 10.0, "type_tax_use": "sale"}
        )
        move = self.make_invoice(self.child, 60.0, "2026-02-01", post=False, **self.eob())
        move.invoice_line_ids.tax_ids = tax
        self.assertEqual(move.amount_total, 66.0)
        move.action_post()
        self.assertEqual(move.state, "posted")

    def test_charges_side_must_match_responsibility(self):
        move = self.make_invoice(
            self.child, 60.0, "2026-02-01", post=False, **self.eob(amount_adjustment=50.0)
        )
        with self.assertRaisesRegex(UserError, "does not add up"):
            move.action_post()

    def test_rounding_tolerated(self):
        move = self.make_invoice(
            self.child,
            60.0,
            "2026-02-01",
            post=False,
            **self.eob(amount_copay=20.004, amount_coinsurance=9.996),
        )
        move.action_post()
        self.assertEqual(move.state, "posted")

    def test_credit_note_checked_too(self):
        move = self.make_invoice(
            self.child,
            10.0,
            "2026-02-01",
            post=False,
            move_type="out_refund",
            amount_charges=10.0,
            amount_copay=5.0,
        )
        with self.assertRaisesRegex(UserError, "does not add up"):
            move.action_post()

    def test_no_breakdown_no_check(self):
        move = self.make_invoice(self.child, 77.0, "2026-02-01")
        self.assertEqual(move.state, "posted")

    def test_negative_amount_refused(self):
        with self.assertRaisesRegex(ValidationError, "negative"):
            self.make_invoice(self.child, 60.0, "2026-02-01", post=False, amount_copay=-5.0)
