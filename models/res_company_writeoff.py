"""The ledger accounts financial-assistance discounts and write-offs post to
(issue 18): never revenue, receivables or cash, and the company's own."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

WRITEOFF_ACCOUNT_FIELDS = (
    "collections_charity_account_id",
    "collections_writeoff_account_small_balance_id",
    "collections_writeoff_account_bad_debt_id",
    "collections_writeoff_account_charity_id",
    "collections_writeoff_account_administrative_id",
    "collections_writeoff_account_deceased_id",
    "collections_writeoff_account_bankruptcy_id",
)
# never back on revenue, equity (the year's earnings included), receivables,
# payables or cash
REFUSED_ACCOUNT_TYPES = (
    "income",
    "income_other",
    "equity",
    "equity_unaffected",
    "asset_receivable",
    "liability_payable",
    "asset_cash",
    "liability_credit_card",
    "off_balance",
)
# the accounts offered in the settings and on the company form (a list: the
# settings' related fields take it too; the company's own: check_company)
WRITEOFF_ACCOUNT_DOMAIN = [
    ("deprecated", "=", False),
    ("account_type", "not in", REFUSED_ACCOUNT_TYPES),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    # Financial assistance and write-offs (issue 18): the accounts they post to.
    collections_charity_account_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Charity Care Account",
        help="Financial-assistance discounts are credited to patients against this account "
        "(an expense or contra account, never revenue).",
    )
    collections_writeoff_account_small_balance_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Small Balance",
        help="Small balances the daily run or a specialist writes off post here "
        "(an expense account).",
    )
    collections_writeoff_account_bad_debt_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Bad Debt",
        help="Balances judged uncollectible post here (bad-debt expense or allowance).",
    )
    collections_writeoff_account_charity_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Charity",
        help="Charity write-offs post here; left empty, on the charity care account.",
    )
    collections_writeoff_account_administrative_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Administrative",
        help="Administrative adjustments (billing errors, goodwill) post here.",
    )
    collections_writeoff_account_deceased_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Deceased",
        help="Balances of deceased patients without an estate to bill post here.",
    )
    collections_writeoff_account_bankruptcy_id = fields.Many2one(
        "account.account",
        domain=WRITEOFF_ACCOUNT_DOMAIN,
        check_company=True,
        string="Write-off Account: Bankruptcy",
        help="Balances discharged in bankruptcy post here.",
    )

    @api.constrains(*WRITEOFF_ACCOUNT_FIELDS)
    def _check_writeoff_accounts(self):
        """Write-offs and discounts never go back on revenue, receivables or cash."""
        for company in self.sudo():
            for name in WRITEOFF_ACCOUNT_FIELDS:
                problem = company._writeoff_account_problem(name, company[name])
                if problem:
                    raise ValidationError(problem)

    def _writeoff_account_problem(self, name, account):
        """Why ``account`` cannot take the postings of setting ``name`` of this
        company (the text shown to whoever set it or posts on it), or None."""
        self.ensure_one()
        if not account:
            return None
        label = self._fields[name].get_description(self.env)["string"]
        if account.account_type in REFUSED_ACCOUNT_TYPES:
            return self.env._(
                "%(setting)s: %(account)s is a revenue, equity, receivable, payable "
                "or cash account. Choose an expense or contra account.",
                setting=label,
                account=account.display_name,
            )
        if account.deprecated:
            return self.env._(
                "%(setting)s: %(account)s is deprecated. Choose an account in use.",
                setting=label,
                account=account.display_name,
            )
        # a branch posts on its parent's chart of accounts
        if account.company_ids and not account.company_ids & self.sudo().parent_ids:
            return self.env._(
                "%(setting)s: %(account)s belongs to another company.",
                setting=label,
                account=account.display_name,
            )
        return None

    def _collections_posting_account(self, name):
        """The account of setting ``name`` to post on now, or False; a UserError
        when it can no longer take the postings (its type was changed since it
        was chosen: the settings' check ran only then)."""
        self.ensure_one()
        company = self.sudo()
        account = company[name]
        problem = company._writeoff_account_problem(name, account)
        if problem:
            raise UserError(
                self.env._(
                    "%(problem)s A collections manager changes it in the collections settings "
                    "of %(company)s before anything is posted.",
                    problem=problem,
                    company=company.name,
                )
            )
        return account

    def _collections_writeoff_account(self, reason):
        """The account a write-off of ``reason`` posts to, or False."""
        self.ensure_one()
        account = self._collections_posting_account(f"collections_writeoff_account_{reason}_id")
        if not account and reason == "charity":
            account = self._collections_posting_account("collections_charity_account_id")
        return account
