"""Money from a contact of the guarantor (an invoice address under them) is the
guarantor's: Odoo books the invoice's receivable on the commercial entity, but a
payment registered for the contact carries the contact on its receivable line.
The balance, the open items, the last payment, the snapshot's Collected and the
recoveries count it as the plan rules do."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PatientCollectionsCommon
from .test_writeoffs import DAY, WriteoffCommon


def contact_of(guarantor):
    return guarantor.env["res.partner"].create(
        {"name": f"{guarantor.name} billing", "parent_id": guarantor.id, "type": "invoice"}
    )


def received(env, partner, amount, day, journal):
    """A payment of ``amount`` from ``partner`` dated ``day``, posted, not matched."""
    payment = env["account.payment"].create(
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": amount,
            "date": day,
            "journal_id": journal.id,
        }
    )
    payment.action_post()
    return payment


@tagged("post_install", "-at_install")
@freeze_time("2026-06-02 12:00:00")
class TestContactPayments(PatientCollectionsCommon):
    def test_balance_and_last_payment_count_a_contacts_payment(self):
        day = date(2026, 6, 1)
        invoice = self.make_invoice(self.child, 100.0, day - timedelta(days=20))
        account = invoice.patient_account_id
        contact = contact_of(self.guarantor)
        self.assertEqual(contact.commercial_partner_id, self.guarantor)
        payment = received(self.env, contact, 40.0, day, self.company_data["default_journal_bank"])
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.partner_id, contact, "the contact's own line")
        account.invalidate_recordset()
        self.assertRecordValues(
            account,
            [{"balance_due": 60.0, "last_payment_date": day, "last_payment_amount": 40.0}],
        )
        self.assertIn(receivable, account.sudo()._open_item_lines())
        # matched with the invoice: the same balance, the payment still the last
        (receivable | invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.amount_residual, 60.0)
        account.invalidate_recordset()
        self.assertRecordValues(
            account,
            [{"balance_due": 60.0, "last_payment_date": day, "last_payment_amount": 40.0}],
        )
        self.assertEqual(
            account.sudo()._open_item_lines(),
            invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable"),
        )

    def test_snapshot_collected_counts_a_contacts_payment(self):
        self.make_invoice(self.child, 300.0, date(2026, 5, 13))
        contact = contact_of(self.guarantor)
        received(
            self.env, contact, 70.0, date(2026, 6, 2), self.company_data["default_journal_bank"]
        )
        self.env["patient.collection.run"].run()
        snapshots = (
            self.env["patient.collection.snapshot"]
            .sudo()
            .search([("date", "=", date(2026, 6, 2)), ("company_id", "=", self.env.company.id)])
        )
        self.assertEqual(sum(snapshots.mapped("collected_amount")), 70.0)
        self.assertEqual(sum(snapshots.mapped("balance_due")), 230.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31 12:00:00")
class TestContactRecovery(WriteoffCommon):
    def test_a_contacts_payment_after_bad_debt_is_a_recovery(self):
        account, _invoice = self.account_owing(60.0)
        self.writeoff(account, self.manager, reason="bad_debt")
        self.received(contact_of(account.partner_id), 25.0)
        Report = self.env["patient.writeoff.report"].with_user(self.accountant)
        rows = Report.search([("account_id", "=", account.id), ("kind", "=", "recovery")])
        self.assertEqual(rows.mapped(lambda row: (row.date, row.amount)), [(DAY, 25.0)])
        self.assertEqual(account.balance_due, -25.0)
