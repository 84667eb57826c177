"""Finding a patient account by what the caller says: a patient's name (not
only the guarantor's), a phone number as typed, an MRN or a date of birth (for
the roles that may read them) or an invoice number.

Search-only fields: their value is never shown (always empty); their search
methods find the people or invoices as superuser and return the accounts
through them, which the user's own rights then filter.  A patient counts
through the account's invoices in its company, never through another
practice's records.
"""

import re

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .res_partner import CLINICAL_ID_GROUPS

POSITIVE_OPERATORS = ("ilike", "like", "=", "=ilike")
# Fewer digits than this find too many people to mean anything.
MIN_PHONE_DIGITS = 4


class PatientAccount(models.Model):
    _inherit = "patient.account"

    patient_search = fields.Char(
        string="Patient", compute="_compute_search_fields", search="_search_patient"
    )
    phone_search = fields.Char(
        string="Any Phone", compute="_compute_search_fields", search="_search_phone"
    )
    mrn_search = fields.Char(
        string="MRN",
        compute="_compute_search_fields",
        search="_search_mrn",
        groups=CLINICAL_ID_GROUPS,
    )
    birthdate_search = fields.Date(
        string="Date of Birth",
        compute="_compute_search_fields",
        search="_search_birthdate",
        groups=CLINICAL_ID_GROUPS,
    )
    invoice_search = fields.Char(
        string="Invoice Number", compute="_compute_search_fields", search="_search_invoice"
    )

    def _compute_search_fields(self):
        for account in self:
            account.patient_search = False
            account.phone_search = False
            account.mrn_search = False
            account.birthdate_search = False
            account.invoice_search = False

    def _check_search_operator(self, operator):
        if operator not in POSITIVE_OPERATORS:
            raise UserError(
                self.env._("Search accounts for what the person says, not for what they lack.")
            )

    def _accounts_of_people(self, partner_domain):
        """The accounts whose guarantor, or a patient of whose invoices, matches."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        people = Partner._search(partner_domain)
        invoices = (
            self.env["account.move"]
            .sudo()
            ._search([("patient_id", "in", people), ("patient_account_id", "!=", False)])
        )
        return [
            "|",
            ("partner_id", "in", people),
            ("id", "in", invoices.subselect("patient_account_id")),
        ]

    def _search_patient(self, operator, value):
        self._check_search_operator(operator)
        return self._accounts_of_people([("name", operator, value)])

    def _search_phone(self, operator, value):
        """A number as typed ("(555) 010-4477", "555 0104477"): its digits anywhere
        in a phone or mobile number, whatever the punctuation stored."""
        self._check_search_operator(operator)
        digits = re.sub(r"\D", "", str(value or ""))
        if len(digits) < MIN_PHONE_DIGITS:
            raise UserError(
                self.env._(
                    "Type at least %(count)s digits of the phone number.", count=MIN_PHONE_DIGITS
                )
            )
        self.env["res.partner"].flush_model(["phone", "mobile"])
        pattern = f"%{digits}%"
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM res_partner
                 WHERE regexp_replace(phone, '\\D', '', 'g') LIKE %(pattern)s
                    OR regexp_replace(mobile, '\\D', '', 'g') LIKE %(pattern)s
                """,
                pattern=pattern,
            )
        )
        return self._accounts_of_people([("id", "in", [row[0] for row in self.env.cr.fetchall()])])

    def _check_clinical_id_search(self):
        """MRN and date of birth identify a patient: only the roles that read them
        search by them (the people are found as superuser)."""
        if not (self.env.su or self.env.user.has_groups(CLINICAL_ID_GROUPS)):
            raise AccessError(
                self.env._("Only collections specialists search accounts by MRN or birth date.")
            )

    def _search_mrn(self, operator, value):
        self._check_clinical_id_search()
        self._check_search_operator(operator)
        return self._accounts_of_people([("patient_mrn", operator, value)])

    def _search_birthdate(self, operator, value):
        self._check_clinical_id_search()
        if operator != "=":
            raise UserError(self.env._("Search accounts by a patient's exact date of birth."))
        return self._accounts_of_people([("patient_birthdate", operator, value)])

    def _search_invoice(self, operator, value):
        self._check_search_operator(operator)
        invoices = (
            self.env["account.move"]
            .sudo()
            ._search([("name", operator, value), ("patient_account_id", "!=", False)])
        )
        return [("id", "in", invoices.subselect("patient_account_id"))]
