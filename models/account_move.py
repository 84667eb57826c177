from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..logic import eob
from .patient_phi_mixin import audit_phi_export
from .patient_protected import is_trusted, trusted
from .patient_relation_access import check_all_relations_readable, check_relations_readable

PHI_GROUPS = (
    "patient_collections.group_collections_accountant,"
    "patient_collections.group_collections_specialist"
)
EOB_FIELDS = eob.FIELDS
PATIENT_MOVE_TYPES = ("out_invoice", "out_refund")
PATIENT_MOVE_FIELDS = (
    "patient_id",
    "patient_account_id",
    "service_date",
    "insurance_status",
    "insurance_claim_ref",
    *EOB_FIELDS,
)


class AccountMove(models.Model):
    _inherit = "account.move"

    patient_id = fields.Many2one(
        "res.partner",
        index="btree_not_null",
        groups=PHI_GROUPS,
        tracking=True,
        copy=False,  # carried over by copy_data, which may read it
        help="The patient treated. The customer of the invoice stays the guarantor billed.",
    )
    patient_account_id = fields.Many2one(
        "patient.account",
        index="btree_not_null",
        copy=False,
        readonly=True,
        groups=PHI_GROUPS,
    )
    service_date = fields.Date(string="Date of Service", groups=PHI_GROUPS, copy=False)
    insurance_status = fields.Selection(
        [
            ("self_pay", "Self-pay"),
            ("pending", "Insurance Pending"),
            ("adjudicated", "Adjudicated"),
            ("denied", "Denied"),
        ],
        groups=PHI_GROUPS,
        tracking=True,
        copy=False,
        help="Insurance pending: the claim is not adjudicated yet, so the patient is not "
        "chased for this invoice.",
    )
    insurance_claim_ref = fields.Char(string="Claim Reference", groups=PHI_GROUPS, copy=False)
    amount_charges = fields.Monetary(string="Charges", groups=PHI_GROUPS, copy=False)
    amount_insurance_paid = fields.Monetary(string="Insurance Paid", groups=PHI_GROUPS, copy=False)
    amount_adjustment = fields.Monetary(
        string="Contractual Adjustment", groups=PHI_GROUPS, copy=False
    )
    amount_deductible = fields.Monetary(string="Deductible", groups=PHI_GROUPS, copy=False)
    amount_copay = fields.Monetary(string="Copay", groups=PHI_GROUPS, copy=False)
    amount_coinsurance = fields.Monetary(string="Coinsurance", groups=PHI_GROUPS, copy=False)
    amount_noncovered = fields.Monetary(string="Non-covered", groups=PHI_GROUPS, copy=False)

    def export_data(self, fields_to_export):
        audit_phi_export(self, fields_to_export, PATIENT_MOVE_FIELDS)
        return super().export_data(fields_to_export)

    @api.constrains(*EOB_FIELDS)
    def _check_eob_amounts_positive(self):
        for move in self.sudo():
            if any(move[name] < 0 for name in EOB_FIELDS):
                raise ValidationError(
                    self.env._(
                        "The amounts of an explanation of benefits cannot be negative "
                        "(invoice %(invoice)s).",
                        invoice=move.name or self.env._("draft"),
                    )
                )

    @api.onchange("patient_id")
    def _onchange_patient_id(self):
        if self.patient_id and self.is_sale_document():
            self.partner_id = self.patient_id._patient_guarantor()

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("patient_account_id") for vals in vals_list) or self.env.context.get(
            "default_patient_account_id"
        ):
            self._patient_refuse_account_link()
        # a patient the user may not read is refused before anything is worked
        # out from it (its guarantor, an error naming them)
        check_all_relations_readable(
            self.browse(), [{"patient_id": vals.get("patient_id")} for vals in vals_list]
        )
        unbilled = [
            vals for vals in vals_list if vals.get("patient_id") and not vals.get("partner_id")
        ]
        # the guarantors of all the patients read at once (one prefetch)
        patients = self.env["res.partner"].sudo().browse([vals["patient_id"] for vals in unbilled])
        for vals, patient in zip(unbilled, patients, strict=True):
            vals["partner_id"] = patient._patient_guarantor().id
        moves = super().create(vals_list)
        moves._patient_mark_patients()
        return moves

    def copy_data(self, default=None):
        """A copy or a reversal of a patient invoice is about the same patient.

        The patient fields are restricted to the collections groups and not
        copied by the ORM (it would read them as the current user): they are
        read here as superuser, so duplicating and reversing keep working for
        accounting users outside those groups.
        """
        vals_list = super().copy_data(default)
        default = default or {}
        for move, vals in zip(self.sudo(), vals_list, strict=False):
            if move.patient_id and "patient_id" not in default:
                vals["patient_id"] = move.patient_id.id
        return vals_list

    def write(self, vals):
        if "patient_account_id" in vals:
            self._patient_refuse_account_link()
        if "patient_id" in vals and not vals["patient_id"]:
            self._patient_check_patient_kept()
        if "patient_id" in vals:
            check_relations_readable(self, {"patient_id": vals["patient_id"]})
            self._patient_check_not_cancelled(vals["patient_id"])
        if vals.get("patient_id") and "partner_id" not in vals:
            self._patient_refresh_commercial_partners()
        res = super().write(vals)
        if vals.get("patient_id"):
            self._patient_mark_patients()
        if "patient_id" in vals:
            # an invoice posted before the module (or without its patient) becomes a
            # patient invoice when the accountant names the patient
            posted = self.filtered(lambda move: move.state == "posted")
            posted._patient_link_accounts()
            posted._patient_refresh_accounts()
        if "insurance_status" in vals:
            self._patient_refresh_accounts()
        if any(name in vals for name in EOB_FIELDS):
            # an EOB entered after posting (an invoice from before the module) adds
            # up like one entered before
            self.filtered(lambda move: move.state == "posted")._patient_check_eob()
        return res

    def _patient_refuse_account_link(self):
        """The patient account of an invoice is the module's: it follows the
        invoice's customer and company when it is posted (``_patient_link_accounts``)."""
        if not is_trusted(self.env):
            raise AccessError(
                self.env._(
                    "The patient account of an invoice is set by the module from its customer "
                    "and company when it is posted: leave it out."
                )
            )

    def _patient_mark_patients(self):
        """The contacts these invoices name as their patient are patients, of the
        invoice's company: a customer the practice invoiced before installing the
        module becomes one when the accountant names them on an invoice (a
        patient of another practice becomes one of this practice too)."""
        moves = self.sudo().filtered("patient_id")
        for company, group in moves.grouped("company_id").items():
            patients = group.patient_id.with_company(company)
            newcomers = patients.filtered(lambda partner: not partner.is_patient)
            # marking the newcomers registers them (res.partner's write): the
            # others are registered here, each patient once
            newcomers.write({"is_patient": True})
            (patients - newcomers)._patient_register()

    # ------------------------------------------------------------------ posting

    def _post(self, soft=True):
        patient_moves = self._patient_moves().with_env(self.env)
        patient_moves._patient_refresh_commercial_partners()
        patient_moves._patient_check_billed_to_person()
        self._patient_check_eob()
        posted = super()._post(soft)
        posted._patient_link_accounts()
        posted._patient_refresh_accounts()
        posted._patient_sync_writeoffs()
        return posted

    def button_draft(self):
        self._patient_check_not_decided()
        res = super().button_draft()
        self._patient_refresh_accounts()
        self._patient_sync_writeoffs()
        return res

    def button_cancel(self):
        self._patient_check_not_decided()
        res = super().button_cancel()
        self._patient_refresh_accounts()
        self._patient_sync_writeoffs()
        return res

    def _patient_check_not_decided(self):
        """A write-off's own entry and an approved assistance discount's credit
        note record a decision: reset to draft or cancelled, the ledger would say
        one thing and the write-off or the application another.  A reversal undoes
        a write-off (the write-off follows it)."""
        posted = self.sudo().filtered(lambda move: move.state == "posted")
        if not posted:
            return
        writeoffs = (
            self.env["patient.writeoff"]
            .sudo()
            .search([("move_id", "in", posted.ids), ("state", "in", ("posted", "reversed"))])
        )
        if writeoffs:
            raise UserError(
                self.env._(
                    "Journal entry %(entry)s records write-off %(writeoffs)s: it cannot be "
                    "reset to draft or cancelled. To undo one write-off, a collections "
                    "manager clicks Reverse on the write-off; to undo the whole entry, reverse "
                    "it (Reverse Entry): its write-offs follow the reversal.",
                    entry=", ".join(writeoffs.move_id.mapped("name")),
                    writeoffs=", ".join(writeoffs.mapped("name")),
                )
            )
        posted._patient_check_assistance_kept()
        posted._patient_check_discounted_kept()

    def _patient_check_discounted_kept(self):
        """An invoice an approved application discounted stays posted: reset to
        draft or cancelled, its discount's credit note would be left open, a
        credit the next approval would count as money to refund."""
        applications, entries = self._patient_assistance_of("invoice_ids")
        if applications:
            raise UserError(
                self.env._(
                    "Invoice %(entry)s was discounted by financial assistance "
                    "%(applications)s: it cannot be reset to draft or cancelled. To correct "
                    "a charge, issue a credit note for it.",
                    entry=entries,
                    applications=", ".join(applications.mapped("name")),
                )
            )

    def _patient_check_assistance_kept(self):
        """An approved application's discount stays in the ledger: its credit notes
        are not reset to draft, cancelled or reversed (an approval is final)."""
        posted = self.sudo().filtered(lambda move: move.state == "posted")
        applications, entries = posted._patient_assistance_of("credit_note_ids")
        if applications:
            raise UserError(
                self.env._(
                    "Credit note %(entry)s is the financial assistance discount of application "
                    "%(applications)s: it cannot be reset to draft, cancelled or reversed, or "
                    "the guarantor would be asked again for what was forgiven.",
                    entry=entries,
                    applications=", ".join(applications.mapped("name")),
                )
            )

    def _patient_assistance_of(self, field):
        """(the approved applications whose ``field``, their invoices or their
        credit notes, holds any of these moves; the names of those moves)."""
        applications = (
            self.env["patient.financial.assistance"]
            .sudo()
            .search([(field, "in", self.ids), ("state", "=", "approved")])
        )
        return applications, ", ".join((applications[field] & self).mapped("name"))

    def _has_to_be_paid(self):
        """Not while the insurer has the claim (Odoo's invoice portal offered Pay
        Now): the patient owes it once it is adjudicated, as the account page and
        the statements say.  Nor while online payments of the account not booked
        yet (the patient portal's) leave less to pay than the invoice: the
        guarantor would pay twice.  Read as superuser: the portal's invoice list
        asks as the guarantor, who may not read the claim's status field."""
        if not super()._has_to_be_paid():
            return False
        move = self.sudo()
        if move.insurance_status == "pending":
            return False
        account = move.patient_account_id
        if not account:
            return True
        in_progress = account._portal_payments_in_progress()
        if not account._portal_has_payment_in_progress(in_progress):
            return True
        payable = account._portal_payable(in_progress)
        return account.currency_id.compare_amounts(move.amount_residual_signed, payable) <= 0

    def _patient_portal_payable(self):
        """The most an online payment may pay on this patient invoice now, in its
        currency: what is left to pay on it less the online payments of it not
        booked yet (Odoo's invoice portal's), and never more than its account
        leaves to pay (the patient portal's payments in progress pay the oldest
        invoices first: they are the account's, not this invoice's).  0.0 when
        it is not to be paid (``_has_to_be_paid``).  Read as superuser."""
        self.ensure_one()
        move = self.sudo()
        if not move._has_to_be_paid():
            return 0.0
        currency = move.currency_id
        account = move.patient_account_id
        if not account:
            return move.amount_residual
        today = fields.Date.context_today(self)
        payable = move.amount_residual
        for transaction in account._portal_transactions_in_progress():
            if move in transaction.invoice_ids:
                paying = transaction.currency_id._convert(
                    transaction.amount, currency, move.company_id, today, round=False
                )
                payable -= min(paying, move.amount_residual)
        left = account.currency_id._convert(
            account._portal_payable(), currency, move.company_id, today, round=False
        )
        return max(currency.round(min(payable, left)), 0.0)

    def _patient_moves(self):
        """Customer invoices and credit notes about a patient (read as superuser)."""
        return self.sudo().filtered(lambda m: m.move_type in PATIENT_MOVE_TYPES and m.patient_id)

    def _patient_check_eob(self):
        """Refuse to post an EOB breakdown that does not add up to the invoice
        (its total before tax: the EOB is about the services)."""
        for move in self._patient_moves():
            amounts = {name: move[name] for name in EOB_FIELDS}
            if not eob.has_breakdown(amounts):
                continue
            # the insurer's figures are the services' (a sales tax is on top of them)
            result = eob.reconcile(amounts, move.amount_untaxed, move.currency_id.rounding)
            if not result.adds_up:
                raise UserError(move._patient_eob_mismatch_message(amounts, result))

    def _patient_eob_mismatch_message(self, amounts, result):
        """What does not add up in this invoice's EOB, and what to correct."""
        self.ensure_one()

        def fmt(value):
            return self.currency_id.format(float(value))

        return self.env._(
            "The explanation of benefits of %(invoice)s does not add up.\n"
            "Charges %(charges)s - insurance paid %(paid)s - adjustment "
            "%(adjustment)s = %(allowed)s\n"
            "Deductible %(deductible)s + copay %(copay)s + coinsurance "
            "%(coinsurance)s + non-covered %(noncovered)s = %(responsibility)s\n"
            "Invoice total before tax: %(total)s\n"
            "All three must be equal: correct the breakdown or the invoice lines.",
            invoice=self.name if self.name and self.name != "/" else self.env._("the invoice"),
            charges=fmt(amounts["amount_charges"]),
            paid=fmt(amounts["amount_insurance_paid"]),
            adjustment=fmt(amounts["amount_adjustment"]),
            allowed=fmt(result.allowed),
            deductible=fmt(amounts["amount_deductible"]),
            copay=fmt(amounts["amount_copay"]),
            coinsurance=fmt(amounts["amount_coinsurance"]),
            noncovered=fmt(amounts["amount_noncovered"]),
            responsibility=fmt(result.responsibility),
            total=fmt(result.total),
        )

    def _patient_link_accounts(self):
        """Attach posted patient invoices to their guarantor's account (created if
        new): never a company's, nor a company contact's."""
        moves = self._patient_moves()
        if not moves:
            return
        moves._patient_check_billed_to_person()
        accounts = self.env["patient.account"]._get_or_create_for(
            (move.commercial_partner_id, move.company_id) for move in moves
        )
        by_account = {}
        for move in moves:
            account = accounts[(move.commercial_partner_id.id, move.company_id.id)]
            if move.patient_account_id != account:
                by_account.setdefault(account, moves.browse())
                by_account[account] |= move
        for account, account_moves in by_account.items():
            trusted(account_moves).write({"patient_account_id": account.id})

    def _patient_refresh_accounts(self):
        """Refresh the balances of the accounts whose receivables these moves touch."""
        lines = self.sudo().line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and line.partner_id
        )
        if lines:
            self.env["patient.account"]._refresh_for_partners(lines.partner_id, lines.company_id)
