"""An account's open items in one currency, the account's (its company's).

The EOB amounts of an open item are its invoice's, in the invoice's currency;
the open amount is Odoo's residual in the company's currency.  The form shows
them side by side, so the EOB amounts are also given in the company's currency,
at the rate the invoice was booked at (its total in the company's currency over
its total), so a converted line adds up exactly like the journal entry."""

from odoo import api, fields, models

EOB_AMOUNTS = (
    "amount_charges",
    "amount_insurance_paid",
    "amount_adjustment",
    "amount_deductible",
    "amount_copay",
    "amount_coinsurance",
    "amount_noncovered",
    "amount_total",
)


def _in_account_currency(string):
    """The EOB amount in the account's currency (its own label: Odoo warns of two
    fields of a model with one label; the form's columns keep the short one)."""
    return fields.Monetary(
        string=string,
        currency_field="company_currency_id",
        compute="_compute_account_currency_amounts",
    )


class PatientAccountLine(models.Model):
    _inherit = "patient.account.line"

    amount_charges_account = _in_account_currency("Charges (Account Currency)")
    amount_insurance_paid_account = _in_account_currency("Insurance Paid (Account Currency)")
    amount_adjustment_account = _in_account_currency("Adjustment (Account Currency)")
    amount_deductible_account = _in_account_currency("Deductible (Account Currency)")
    amount_copay_account = _in_account_currency("Copay (Account Currency)")
    amount_coinsurance_account = _in_account_currency("Coinsurance (Account Currency)")
    amount_noncovered_account = _in_account_currency("Non-covered (Account Currency)")
    amount_total_account = _in_account_currency("Patient Responsibility (Account Currency)")

    @api.depends("currency_id", "company_currency_id", *EOB_AMOUNTS)
    def _compute_account_currency_amounts(self):
        rates = self._account_currency_rates()
        for line in self:
            rate = rates.get(line.id, 1.0)
            currency = line.company_currency_id
            for name in EOB_AMOUNTS:
                amount = line[name] * rate
                line[f"{name}_account"] = currency.round(amount) if currency else amount

    def _account_currency_rates(self):
        """{line id: rate} of the lines whose invoice is in another currency: the
        invoice's own booked rate, else the company's rate of the invoice date."""
        foreign = self.filtered(
            lambda line: (
                line.currency_id
                and line.company_currency_id
                and line.currency_id != line.company_currency_id
            )
        )
        rates = {}
        # the journal entry is the accountants' (the field's groups): read for the rate only
        for line in foreign.sudo():
            move = line.move_id
            if move.amount_total:
                rates[line.id] = abs(move.amount_total_signed / move.amount_total)
            else:
                rates[line.id] = line.currency_id._get_conversion_rate(
                    line.currency_id,
                    line.company_currency_id,
                    line.company_id,
                    line.invoice_date or fields.Date.context_today(line),
                )
        return rates
