"""The ledger accounts financial-assistance discounts and write-offs post to
(issue 18): never revenue, receivables or cash, and the company's own."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

WRITEOFF_ACCOUNT_FIELDS = (
    "collections_charity_account_id",
    "collections_writeoff_account_small_balance_id",
    "collections_writeoff_account_bad_debt_id",
    "collections_writeoff_account_charity_id",
    "collections_writeoff_account_administrative_id",
    "collections_writeoff_account_deceased_id",
    "collections_writeoff_account_bankruptcy_id",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    # Financial assistance and write-offs (issue 18): the accounts they post to.
    collections_charity_account_id = fields.Many2one(
        "account.account",
        string="Charity Care Account",
        help="Financial-assistance discounts are credited to patients against this account "
        "(an expense or contra account, never revenue).",
    )
    collections_writeoff_account_small_balance_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Small Balance",
        help="Small balances the daily run or a specialist writes off post here "
        "(an expense account).",
    )
    collections_writeoff_account_bad_debt_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Bad Debt",
        help="Balances judged uncollectible post here (bad-debt expense or allowance).",
    )
    collections_writeoff_account_charity_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Charity",
        help="Charity write-offs post here; left empty, on the charity care account.",
    )
    collections_writeoff_account_administrative_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Administrative",
        help="Administrative adjustments (billing errors, goodwill) post here.",
    )
    collections_writeoff_account_deceased_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Deceased",
        help="Balances of deceased patients without an estate to bill post here.",
    )
    collections_writeoff_account_bankruptcy_id = fields.Many2one(
        "account.account",
        string="Write-off Account: Bankruptcy",
        help="Balances discharged in bankruptcy post here.",
    )

    @api.constrains(*WRITEOFF_ACCOUNT_FIELDS)
    def _check_writeoff_accounts(self):
        """Write-offs and discounts never go back on revenue, receivables or cash."""
        refused = (
            "income",
            "income_other",
            "asset_receivable",
            "liability_payable",
            "asset_cash",
            "liability_credit_card",
            "off_balance",
        )
        for company in self.sudo():
            for name in WRITEOFF_ACCOUNT_FIELDS:
                account = company[name]
                if not account:
                    continue
                label = company._fields[name].get_description(self.env)["string"]
                if account.account_type in refused:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s: %(account)s is a revenue, receivable, payable or "
                            "cash account. Choose an expense or contra account.",
                            setting=label,
                            account=account.display_name,
                        )
                    )
                if account.company_ids and company not in account.company_ids:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s: %(account)s belongs to another company.",
                            setting=label,
                            account=account.display_name,
                        )
                    )

    def _collections_writeoff_account(self, reason):
        """The account a write-off of ``reason`` posts to, or False."""
        self.ensure_one()
        company = self.sudo()
        account = company[f"collections_writeoff_account_{reason}_id"]
        if not account and reason == "charity":
            account = company.collections_charity_account_id
        return account
