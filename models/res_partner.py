"""Contacts as patients and guarantors: the patient fields, their checks, the
balance owed as guarantor.  Who may see those fields (the companies the contact
is a patient of) is in ``res_partner_patient_scope.py``."""

import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .patient_phi_mixin import audit_phi_export
from .patient_protected import trusted

COLLECTIONS_GROUPS = (
    "patient_collections.group_collections_accountant,"
    "patient_collections.group_collections_specialist"
)
CLINICAL_ID_GROUPS = "patient_collections.group_collections_specialist"
CLINICAL_ID_FIELDS = ("patient_mrn", "patient_birthdate")
PATIENT_FIELDS = (
    "is_patient",
    "patient_mrn",
    "patient_birthdate",
    "guarantor_id",
    "patient_dependent_ids",
    "patient_account_ids",
    "patient_balance",
    "patient_account_count",
)
# What decides whose charges a contact's are (_patient_guarantor): their guarantor,
# their company
GUARANTOR_SHAPE_FIELDS = frozenset({"guarantor_id", "parent_id", "is_company"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    is_patient = fields.Boolean(
        string="Is a Patient", groups=COLLECTIONS_GROUPS, index="btree_not_null", copy=False
    )
    patient_mrn = fields.Char(
        string="Medical Record Number",
        groups=CLINICAL_ID_GROUPS,
        copy=False,
        index="btree_not_null",
        help="Unique within the company. Never printed on statements.",
    )
    patient_birthdate = fields.Date(string="Date of Birth", groups=CLINICAL_ID_GROUPS, copy=False)
    guarantor_id = fields.Many2one(
        "res.partner",
        groups=COLLECTIONS_GROUPS,
        index="btree_not_null",
        copy=False,
        help="The person financially responsible for this patient's bills (a parent for a "
        "child). Left empty, the patient is their own guarantor.",
    )
    patient_dependent_ids = fields.One2many(
        "res.partner", "guarantor_id", string="Dependents", groups=COLLECTIONS_GROUPS
    )
    patient_account_ids = fields.One2many(
        "patient.account", "partner_id", string="Patient Accounts", groups=COLLECTIONS_GROUPS
    )
    patient_balance = fields.Monetary(
        compute="_compute_patient_balance",
        groups=COLLECTIONS_GROUPS,
        help="What this partner owes as guarantor, across their patient accounts "
        "(in the current company's currency).",
    )
    patient_account_count = fields.Integer(
        compute="_compute_patient_balance", groups=COLLECTIONS_GROUPS
    )
    patient_company_ids = fields.Many2many(
        "res.company",
        "res_partner_patient_company_rel",
        "partner_id",
        "company_id",
        string="Patient Of",
        groups="base.group_system",
        readonly=True,
        copy=False,
        help="Companies whose users entered this contact's patient data. With the "
        "companies of the patient's accounts and posted patient invoices, they are the "
        "companies whose users see the patient fields.",
    )
    patient_scope_editable = fields.Boolean(
        compute="_compute_patient_scope_editable",
        groups=COLLECTIONS_GROUPS,
        help="The patient fields may be changed from the user's companies: the contact "
        "is their patient, or nobody's yet.",
    )

    # ------------------------------------------------------------------ patient data

    def export_data(self, fields_to_export):
        audit_phi_export(self, fields_to_export, PATIENT_FIELDS)
        return super().export_data(fields_to_export)

    @api.depends_context("allowed_company_ids")
    def _compute_patient_balance(self):
        groups = self.env["patient.account"]._read_group(
            [("partner_id", "in", self.ids), ("company_id", "in", self.env.companies.ids)],
            ["partner_id"],
            ["balance_due:sum", "__count"],
        )
        totals = {partner: (balance, count) for partner, balance, count in groups}
        for partner in self:
            partner.patient_balance, partner.patient_account_count = totals.get(
                partner._origin, (0.0, 0)
            )

    @api.constrains("patient_mrn", "company_id")
    def _check_patient_mrn_unique(self):
        partners = self.sudo().filtered("patient_mrn")
        if not partners:
            return
        clashes = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("patient_mrn", "in", partners.mapped("patient_mrn"))],
                ["patient_mrn", "company_id"],
                ["__count"],
            )
        )
        for mrn, company, count in clashes:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "Medical record number %(mrn)s is already used by another patient of "
                        "%(company)s: each patient has their own number.",
                        mrn=mrn,
                        company=company.name or self.env._("the shared contacts"),
                    )
                )

    @api.constrains("guarantor_id")
    def _check_guarantor(self):
        for partner in self.sudo():
            if partner.guarantor_id == partner:
                raise ValidationError(
                    self.env._(
                        "A patient cannot be their own guarantor: leave Guarantor empty instead."
                    )
                )

    @api.constrains("patient_birthdate")
    def _check_patient_birthdate(self):
        # the practice's calendar: the contact's company, else the one worked in
        partners = self.sudo()
        todays = (partners.company_id | self.env.company)._patient_todays()
        for partner in partners:
            today = todays[(partner.company_id or self.env.company).id]
            if partner.patient_birthdate and partner.patient_birthdate > today:
                raise ValidationError(self.env._("A date of birth cannot be in the future."))

    @api.model
    def _add_missing_default_values(self, values):
        """A new contact's MRN or date of birth, given or defaulted (``default_*``):
        only for who may write them, as a write of them is (the fields' groups);
        judged before anything is stored or checked (the MRN's uniqueness)."""
        values = super()._add_missing_default_values(values)
        given = [name for name in CLINICAL_ID_FIELDS if values.get(name)]
        if given:
            self.check_field_access_rights("create", given)
        return values

    @api.model_create_multi
    def create(self, vals_list):
        """A patient's time zone is their own: Odoo gives a new contact the time zone
        of the user who types it in, by which the contact rules would then judge
        calls.  Unless one is given, a patient's stays unset (the practice's
        applies) until theirs is recorded; other contacts keep Odoo's default."""
        context = self.env.context
        if "default_tz" not in context:
            vals_list = [
                {**vals, "tz": False}
                if "tz" not in vals and vals.get("is_patient", context.get("default_is_patient"))
                else vals
                for vals in vals_list
            ]
        return super().create(vals_list)

    def write(self, vals):
        numbers = self._patient_numbers() if {"phone", "mobile"} & set(vals) else None
        held = self._patient_held_accounts() if GUARANTOR_SHAPE_FIELDS & set(vals) else None
        if held:
            # judged on the stored values; refused, nothing of the write stays (Odoo's
            # merge catches a refused parent and goes on).  A person's account is
            # refused a company (made one, or under one): those companies held
            # before (the superuser's data) are left out.
            persons = held - held._held_by_company_side()
            with self.env.cr.savepoint():
                res = super().write(vals)
                self._patient_check_holders_still_guarantors(held, persons)
        else:
            res = super().write(vals)
        if numbers:
            # a number changed, not one saved again as it was (the same number in
            # another format included): a wrong-number flag is a manager's to lift
            changed = self.filtered(
                lambda partner: partner._patient_numbers()[partner.id] != numbers[partner.id]
            )
            if vals.get("phone") or vals.get("mobile"):
                changed._patient_clear_wrong_number()
            changed._patient_withdraw_text_consent()
        return res

    def _patient_held_accounts(self):
        """The active patient accounts (any company, as superuser: a user cannot
        dodge the rule by not seeing them) of these contacts who are their own
        guarantor: one search.  (An archived account does not hold its contact: a
        former guarantor may become a dependent.)"""
        accounts = (
            self.env["patient.account"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("active", "=", True)])
        )
        return accounts - accounts._not_their_own_guarantors()

    def _patient_check_holders_still_guarantors(self, accounts, persons=None):
        """After a write of these contacts: refused when a contact holding one of
        ``accounts`` became someone's dependent or a company's contact, or when one
        of ``persons`` (those accounts a person held) became a company (the stored
        values judge, whatever wrote them: a form, an import, a merge).  The
        account, its invoices and the guarantor rule would disagree."""
        wrong = accounts._not_their_own_guarantors()
        if persons:
            wrong |= persons._held_by_company_side()
        if not wrong:
            return
        user = self.env.user
        readable = wrong._filtered_access_for(user) if user.active else wrong.browse()
        if readable:
            raise ValidationError(
                self.env._(
                    "The contact holds patient account %(accounts)s: an account is its "
                    "guarantor's, so while it is active the contact cannot become another "
                    "guarantor's patient, a company or a company's contact. Archive that "
                    "account first (a collections manager can), then change the contact.",
                    accounts=", ".join(readable.mapped("name")),
                )
            )
        raise ValidationError(
            self.env._(
                "The contact holds an active patient account: an account is its guarantor's, "
                "so the contact cannot become another guarantor's patient, a company or a "
                "company's contact. Ask a collections manager to archive that account first, "
                "then change the contact."
            )
        )

    def _patient_numbers(self):
        """{contact id: their phone numbers, in international form in the
        contact's country, else by their digits} (a number written again in
        another format is the same number)."""
        return {
            partner.id: frozenset(
                partner._phone_format(number=number, force_format="E164")
                or re.sub(r"\D", "", number)
                for number in (partner.phone, partner.mobile)
                if number
            )
            - {""}
            for partner in self.sudo()
        }

    def _patient_withdraw_text_consent(self):
        """A guarantor's numbers changed: the consent to texts they gave was for
        the number they had (a new one may be someone else's).  Their accounts'
        consent is withdrawn until given again (said in each account's chatter)."""
        accounts = (
            self.env["patient.account"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("sms_consent", "=", True)])
        )
        accounts._withdraw_sms_consent(
            self.env._(
                "The guarantor's phone number changed: their consent to text messages was for "
                "the former number. Record it again once they give it for the new one."
            )
        )

    def _patient_clear_wrong_number(self):
        """A new number recorded for a guarantor: their accounts' Wrong Number flag
        was about the old one (said in each account's chatter)."""
        accounts = (
            self.env["patient.account"]
            .sudo()
            .search([("partner_id", "in", self.ids), ("phone_invalid", "=", True)])
        )
        if accounts:
            trusted(accounts).write({"phone_invalid": False})
            note = self.env._("A new phone number was recorded: Wrong Number is cleared.")
            accounts._message_log_batch(bodies=dict.fromkeys(accounts.ids, note))

    def copy_data(self, default=None):
        """Duplicating a patient keeps them a patient of the same guarantor.

        Read as superuser: the fields are restricted to the collections groups,
        and contacts are duplicated by users outside them too.
        """
        vals_list = super().copy_data(default)
        default = default or {}
        inside = self._patient_in_scope()
        for partner, vals in zip(self.sudo(), vals_list, strict=False):
            if partner.is_patient and partner in inside.sudo():
                vals.setdefault("is_patient", default.get("is_patient", True))
                vals.setdefault(
                    "guarantor_id", default.get("guarantor_id", partner.guarantor_id.id)
                )
        return vals_list

    def _patient_guarantor(self):
        """The partner financially responsible for this patient: the guarantor, else
        the patient themselves."""
        self.ensure_one()
        partner = self.sudo()
        return (partner.guarantor_id or partner).commercial_partner_id.with_env(self.env)

    def _patient_is_company_side(self):
        """A company, or one of a company's contacts (an employee filed under their
        employer): never a patient, nor a guarantor (a patient account is a
        person's)."""
        self.ensure_one()
        partner = self.sudo()
        return partner.is_company or partner.commercial_partner_id.is_company

    def action_view_patient_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_account_action"
        )
        accounts = self.patient_account_ids
        if len(accounts) == 1:
            action.update({"view_mode": "form", "views": [(False, "form")], "res_id": accounts.id})
        else:
            action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
