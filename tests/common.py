from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# A synthetic mailing address: a statement goes by letter only to a guarantor who
# has one (a street, and a city or a ZIP code).
TEST_ADDRESS = {"street": "1 Test Street", "city": "Testville", "zip": "00001"}


class PatientCollectionsCommon(AccountTestInvoicingCommon):
    """A practice with one family: a parent guarantor and two children.

    Names are synthetic.  The test user is an accounting manager who is also a
    collections manager and accountant, so invoices can carry patient fields.
    """

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.env.ref("patient_collections.group_collections_manager")
            | cls.env.ref("patient_collections.group_collections_accountant")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Account = cls.env["patient.account"]
        Partner = cls.env["res.partner"]
        cls.guarantor = Partner.create(
            {
                "name": "Testparent Alpha",
                "is_patient": True,
                "patient_mrn": "MRN-T-001",
                **TEST_ADDRESS,
            }
        )
        cls.child = Partner.create(
            {
                "name": "Testchild Alpha",
                "is_patient": True,
                "patient_mrn": "MRN-T-002",
                "patient_birthdate": "2015-06-01",
                "guarantor_id": cls.guarantor.id,
                **TEST_ADDRESS,
            }
        )
        cls.child_2 = Partner.create(
            {
                "name": "Testchild Beta",
                "is_patient": True,
                "patient_mrn": "MRN-T-003",
                "guarantor_id": cls.guarantor.id,
                **TEST_ADDRESS,
            }
        )
        cls.other_guarantor = Partner.create(
            {
                "name": "Testperson Gamma",
                "is_patient": True,
                "patient_mrn": "MRN-T-004",
                **TEST_ADDRESS,
            }
        )

    @classmethod
    def company_user(cls, login, groups, company=None, **extra):
        """A user of one company (the test company unless told; ``company_ids``:
        of these, ``company`` their default), password = login."""
        company = company or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            password=login,
            groups=groups,
            company_id=company.id,
            company_ids=extra.pop("company_ids", [company.id]),
            **extra,
        )

    @classmethod
    def posted_without_patient(cls, partner, amount, days_past_due=30, move_type="out_invoice"):
        """A customer invoice (or credit note) as the practice posted it before the
        module: no patient, due ``days_past_due`` days ago."""
        day = fields.Date.context_today(cls.env.user) - timedelta(days=days_past_due)
        line = {"name": "Office visit", "quantity": 1, "price_unit": amount, "tax_ids": []}
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": day,
                "invoice_date_due": day,
                "invoice_line_ids": [Command.create(line)],
            }
        )
        move.action_post()
        return move

    @classmethod
    def make_invoice(
        cls,
        patient,
        amount,
        invoice_date,
        due_date=None,
        post=True,
        move_type="out_invoice",
        currency=None,
        payment_term=None,
        company=None,
        **extra,
    ):
        """A patient invoice (or credit note) of one untaxed line."""
        invoice_date = fields.Date.to_date(invoice_date)
        vals = {
            "move_type": move_type,
            "patient_id": patient.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Office visit", "quantity": 1, "price_unit": amount, "tax_ids": []}
                )
            ],
            **extra,
        }
        if currency:
            vals["currency_id"] = currency.id
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        else:
            vals["invoice_date_due"] = fields.Date.to_date(due_date) if due_date else invoice_date
        Move = cls.env["account.move"]
        if company:
            Move = Move.with_company(company)
        move = Move.create(vals)
        if post:
            move.action_post()
        return move

    @classmethod
    def pay(cls, invoices, amount, payment_date, currency=None):
        """Register a payment on invoices the way an accountant does."""
        vals = {"amount": amount, "payment_date": fields.Date.to_date(payment_date)}
        if currency:
            vals["currency_id"] = currency.id
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    @staticmethod
    def days_ago(today, days):
        return today - timedelta(days=days)

    def assert_refused_and_kept(self, call):
        """``call`` raises AccessError; unlike ``assertRaises``, no savepoint is
        rolled back, so the access log line of the refusal stays readable."""
        try:
            call()
        except AccessError:
            return
        self.fail("the access was not refused")

    def account_of(self, guarantor, company=None):
        company = company or self.env.company
        return self.Account.search(
            [("partner_id", "=", guarantor.id), ("company_id", "=", company.id)]
        )

    @classmethod
    def confirm_plan(
        cls, account, first_due_date, installment_count=3, frequency="monthly", down_payment=0.0
    ):
        """A payment plan on ``account`` set up through the wizard, as a specialist does."""
        action = (
            cls.env["patient.payment.plan.create"]
            .with_context(
                active_model="patient.account", active_id=account.id, active_ids=account.ids
            )
            .create(
                {
                    "installment_count": installment_count,
                    "frequency": frequency,
                    "first_due_date": first_due_date,
                    "down_payment": down_payment,
                }
            )
            .action_confirm()
        )
        return cls.env["patient.payment.plan"].browse(action["res_id"])

    def agreed_an_hour_earlier(self, plan):
        """As if ``plan`` had been agreed an hour before what follows (a test is one
        transaction: its records share one create_date otherwise)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE patient_payment_plan SET create_date = create_date - interval '1 hour'"
            " WHERE id = %s",
            [plan.id],
        )
        self.env.invalidate_all()


TODAY = date(2026, 3, 31)
