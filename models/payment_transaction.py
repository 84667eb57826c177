from odoo import fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    patient_account_id = fields.Many2one(
        "patient.account",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        help="The patient account a guarantor paid online from the portal.",
    )

    def _post_process(self):
        """A confirmed portal payment becomes Odoo's own payment, reconciled with the
        account's open invoices oldest first (the active plan's installments take
        the payments of the account's invoices, so they come first by themselves);
        the balances, aging, plan and board follow from the reconciliation.  A
        pending, cancelled or failed transaction changes nothing."""
        patient_done = self.filtered(
            lambda tx: (
                tx.patient_account_id
                and tx.state == "done"
                and tx.operation != "validation"
                and not tx.payment_id
            )
        )
        for tx in patient_done:
            # the invoices are chosen when the money arrives, not when the visitor
            # opened the form: another payment may have settled some since
            tx.invoice_ids = tx.patient_account_id._portal_invoices_to_pay()
        res = super()._post_process()
        for account in patient_done.patient_account_id:
            paid = patient_done.filtered(
                lambda tx, account=account: tx.patient_account_id == account and tx.payment_id
            )
            if paid:
                account._on_accounting_change()
                account._portal_payment_received(paid)
        return res

    def _create_payment(self, **extra_create_values):
        """A patient's payment is dated on its practice's calendar (README "Dates and
        time zones"), not by the time zone of whoever confirms it: a portal or
        public visitor without one would date it by UTC's day, in the Americas
        the next day after an evening payment.  It is the guarantor's payment."""
        accounts = self.patient_account_id or self.invoice_ids.patient_account_id
        if accounts:
            extra_create_values.setdefault("date", self.company_id._patient_today())
            guarantor = accounts.sudo().partner_id
            if len(guarantor) == 1:
                # booked to the guarantor whose debt it pays, as Odoo's Register
                # Payment books an invoice's, whoever paid (a relative signed in
                # with their own login): the plan counts the guarantor's payments
                extra_create_values.setdefault("partner_id", guarantor.id)
        return super()._create_payment(**extra_create_values)
