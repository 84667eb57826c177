"""Who a patient account is about and how to reach them: the patients whose
charges it carries, the guarantor's phones, email, preferred channel, best time
and time zone, click-to-call and click-to-email through the contact rules, and
the company's manager."""

import re
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# The numbers a specialist may dial from the account form.
CALL_FIELDS = ("guarantor_phone", "guarantor_mobile")


class PatientAccount(models.Model):
    _inherit = "patient.account"

    guarantor_phone = fields.Char(string="Phone", related="partner_id.phone")
    guarantor_mobile = fields.Char(string="Mobile", related="partner_id.mobile")
    guarantor_email = fields.Char(string="Email", related="partner_id.email")
    preferred_channel = fields.Selection(
        [
            ("phone", "Phone call"),
            ("sms", "Text message"),
            ("email", "Email"),
            ("letter", "Letter"),
            ("portal", "Patient portal"),
        ],
        tracking=True,
        copy=False,
        help="How the guarantor prefers to be reached. The contact rules still apply.",
    )
    best_time = fields.Selection(
        [
            ("morning", "Morning (8:00-12:00)"),
            ("afternoon", "Afternoon (12:00-17:00)"),
            ("evening", "Evening (17:00-21:00)"),
        ],
        string="Best Time to Call",
        copy=False,
        help="In the guarantor's time zone.",
    )
    contact_tz = fields.Char(
        string="Time Zone",
        compute="_compute_contact_tz",
        help="The guarantor's time zone, or the company's when the guarantor has none: "
        "contact hours are judged and quoted in it.",
    )

    @api.depends("partner_id", "move_ids.patient_id")
    def _compute_patient_ids(self):
        """Patients on the account's invoices, plus the guarantor's dependents."""
        Move = self.env["account.move"].sudo()
        by_account = {
            account.id: set(patients.ids)
            for account, patients in Move._read_group(
                [("patient_account_id", "in", self.ids), ("patient_id", "!=", False)],
                ["patient_account_id"],
                ["patient_id:recordset"],
            )
        }
        dependents = {
            guarantor.id: set(patients.ids)
            for guarantor, patients in self.env["res.partner"]
            .sudo()
            ._read_group(
                [("guarantor_id", "in", self.partner_id.ids), ("is_patient", "=", True)],
                ["guarantor_id"],
                ["id:recordset"],
            )
        }
        # a dependent is the account's patient when the account's company knows them
        # as its patient: another practice's patients stay its own
        wanted = defaultdict(set)
        for account in self:
            wanted[account.company_id.id] |= dependents.get(account.partner_id.id, set())
        Partner = self.env["res.partner"].sudo()
        scoped = {
            company_id: set(Partner.browse(sorted(ids))._patient_select_scoped([company_id]).ids)
            for company_id, ids in wanted.items()
            if ids
        }
        for account in self:
            known = scoped.get(account.company_id.id, set())
            ids = by_account.get(account.id, set()) | (
                dependents.get(account.partner_id.id, set()) & known
            )
            if account.partner_id.sudo().is_patient:
                ids.add(account.partner_id.id)
            account.patient_ids = [fields.Command.set(sorted(ids))]

    @api.depends("partner_id.tz", "company_id")
    def _compute_contact_tz(self):
        company_tz = self.company_id._patient_tzs()  # one query for all the companies
        for account in self:
            if account.sudo().partner_id.tz:
                account.contact_tz = account.sudo().partner_id.tz
                continue
            account.contact_tz = self.env._(
                "%(tz)s (the practice's)", tz=company_tz.get(account.company_id.id, "UTC")
            )

    def _check_contact_person(self, person):
        """``person`` (when set) is one the account's contacts are made with: its
        guarantor, one of its patients or one of the guarantor's contacts; checked
        before anything of that person is read (their time zone, in the rules)."""
        self.ensure_one()
        account = self.sudo()
        if (
            person
            and person != account.partner_id
            and person not in (account.patient_ids | account.partner_id.child_ids)
        ):
            raise ValidationError(
                self.env._(
                    "The person contacted is the account's guarantor, one of its patients "
                    "or one of the guarantor's contacts."
                )
            )

    def _contact_tz(self, person=None):
        """The time zone of the person contacted (``person``: one of the guarantor's
        contacts or a patient, with their own), else the guarantor's, else the
        company's: the same whoever calls."""
        self.ensure_one()
        account = self.sudo()
        own = person.sudo().tz if person else False
        return own or account.partner_id.tz or account.company_id._patient_tz()

    def _collections_manager(self):
        """A collections manager of the account's company, for reviews and approvals:
        the administrator (a manager since the install) only when there is no other."""
        self.ensure_one()
        group = self.env.ref("patient_collections.group_collections_manager")
        managers = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("groups_id", "in", group.id),
                    ("share", "=", False),
                    ("active", "=", True),
                    ("id", "!=", self.env.ref("base.user_root").id),
                    ("company_ids", "in", self.company_id.id),
                ],
                order="id",
                limit=2,  # the administrator is the first user after the system's
            )
        )
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        return (managers - admin)[:1] or managers[:1] if admin else managers[:1]

    # ------------------------------------------------------------------ reaching out

    def _check_contact_allowed(self, channel):
        """Raise what the role rule and the contact rules (hours in the guarantor's
        time zone, call frequency, cease communication, wrong number) say against
        contacting the guarantor now by ``channel``; log nothing."""
        self.ensure_one()
        self._check_contact_role()
        self.env["patient.interaction"]._check_new_contacts(
            [{"account_id": self.id, "partner_id": self.sudo().partner_id.id, "channel": channel}]
        )

    def action_call_guarantor(self):
        """Dial the guarantor's phone (or mobile) once the contact rules allow a call."""
        self.ensure_one()
        field = self.env.context.get("patient_call_field", "guarantor_phone")
        if field not in CALL_FIELDS:
            field = "guarantor_phone"
        number = self.sudo()[field]
        if not number:
            raise UserError(self.env._("Record the guarantor's number first."))
        self._check_contact_allowed("phone_out")
        url = "tel:" + re.sub(r"[^0-9+]", "", number)
        # a client action dials (static/src/board/dial_client_action.js): Odoo's URL
        # action would open the path "/tel:..." of the site
        return {
            "type": "ir.actions.client",
            "tag": "patient_collections.dial",
            "params": {"url": url},
        }

    def action_email_guarantor(self):
        """Write to the guarantor from the account once the contact rules allow an
        email; sending it logs the interaction (the outbound-contact gate)."""
        self.ensure_one()
        if not self.sudo().partner_id.email:
            raise UserError(self.env._("Record the guarantor's email address first."))
        self._check_contact_allowed("email")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Email the Guarantor"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_partner_ids": self.sudo().partner_id.ids,
                "default_subtype_xmlid": "mail.mt_comment",
            },
        }
