"""Where a statement can go: the one rule for "can receive a letter" and "can
receive a statement", used by the nightly run, the Send Statements dialog, the
accounts' "No mailing address" filter and the account form's warning.

A guarantor (the account's ``partner_id``) can receive a letter when their
address has a street and a city or a ZIP code: without a street nothing is
delivered, and the street with either the city or the ZIP is enough for the
mail house to route it.  A part of blanks only (spaces, a tab) is no part
(``logic/statement_address.py``).  The rule is a domain on
``statement_mailing_address``: searched in SQL (the same blanks trimmed by
``btrim``), or computed on records by ``filtered_domain``.  The statement PDF
prints the guarantor's address from these fields, so a letter never goes out
with a blank one.  A statement goes by email when
emailing, the account's delivery is email and the guarantor has a usable email;
otherwise it is a letter and needs that address.  An account that can receive
neither gets no statement at all: nothing produced, nothing logged, no dates
set (the 501(r) clock does not start)."""

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..logic import statement_address


class PatientAccount(models.Model):
    _inherit = "patient.account"

    statement_no_address = fields.Boolean(
        string="No Mailing Address",
        compute="_compute_statement_no_address",
        search="_search_statement_no_address",
        help="The guarantor has no mailing address (a street, and a city or a ZIP code) and "
        "does not get statements by email: no statement goes out until one is entered.",
    )

    statement_mailing_address = fields.Boolean(
        string="Has Mailing Address",
        compute="_compute_statement_mailing_address",
        search="_search_statement_mailing_address",
        help="The guarantor's address has a street, and a city or a ZIP code (blanks "
        "alone are no value): a statement can go to it by mail.",
    )

    @api.depends("partner_id.street", "partner_id.city", "partner_id.zip")
    def _compute_statement_mailing_address(self):
        mailable = self.sudo().filtered(
            lambda account: statement_address.mailable(
                account.partner_id.street, account.partner_id.city, account.partner_id.zip
            )
        )
        for account in self:
            account.statement_mailing_address = account in mailable

    def _search_statement_mailing_address(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on Has Mailing Address."))
        self.env["res.partner"].flush_model(["street", "city", "zip"])
        self.flush_model(["partner_id"])
        mailable = SQL(
            """(SELECT pa.id
                  FROM patient_account pa
                  JOIN res_partner p ON p.id = pa.partner_id
                 WHERE btrim(p.street, %(blanks)s) != ''
                   AND (btrim(p.city, %(blanks)s) != '' OR btrim(p.zip, %(blanks)s) != ''))""",
            blanks=statement_address.BLANKS,
        )
        return [("id", "in" if (operator == "=") == value else "not in", mailable)]

    @api.depends(
        "statement_delivery",
        "partner_id.street",
        "partner_id.city",
        "partner_id.zip",
        "partner_id.email_normalized",
    )
    def _compute_statement_no_address(self):
        reachable = self.sudo().filtered_domain(self._statement_reachable_domain(email=True))
        for account in self:
            account.statement_no_address = account not in reachable

    def _search_statement_no_address(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on No Mailing Address."))
        missing = (operator == "=") == value
        if missing:
            return self._statement_unreachable_domain(email=True)
        return self._statement_reachable_domain(email=True)

    @api.model
    def _statement_letter_domain(self):
        """The accounts whose guarantor can receive a letter (see the module)."""
        return [("statement_mailing_address", "=", True)]

    @api.model
    def _statement_email_domain(self):
        """The accounts whose statement goes by email, when emailing."""
        # a usable address (Odoo's normalized form): not "john.smith", not blanks
        return [("statement_delivery", "=", "email"), ("partner_id.email_normalized", "!=", False)]

    @api.model
    def _statement_reachable_domain(self, email):
        """The accounts a statement can reach: by letter, or (``email``) by email."""
        letter = self._statement_letter_domain()
        if not email:
            return letter
        return expression.OR([letter, self._statement_email_domain()])

    @api.model
    def _statement_unreachable_domain(self, email):
        """The accounts no statement can reach (``email``: when emailing)."""
        return ["!", *expression.normalize_domain(self._statement_reachable_domain(email))]
