"""The rules of naming a patient on an invoice: who may be named, on which
invoices, billed to whom; and when a named patient may change."""

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from .account_move import PATIENT_MOVE_TYPES


class AccountMove(models.Model):
    _inherit = "account.move"

    @api.constrains("patient_id", "partner_id", "move_type")
    def _check_patient(self):
        """A patient invoice names a person (no company, nor a company's contact),
        is a customer invoice or credit note, is billed to a person (a patient
        account is never a company's, credit notes included), and an invoice
        bills the patient's guarantor (the patient, when they have none): the
        customer whose patient account it joins.  A credit note credits whoever
        was billed (its guarantor may have changed since).  The invoice form's
        domain is the view's only; imports and the API come here."""
        for move in self.sudo().filtered("patient_id"):
            invoice = move._patient_label()
            patient = move.patient_id
            if patient._patient_is_company_side():
                raise ValidationError(
                    self.env._(
                        "The patient of %(invoice)s must be a person, not a company or one "
                        "of its contacts: choose the patient. A patient filed under a "
                        "company (their employer, say) is one of its contacts: remove the "
                        "company from their contact first.",
                        invoice=invoice,
                    )
                )
            if move.move_type not in PATIENT_MOVE_TYPES:
                raise ValidationError(
                    self.env._(
                        "Only customer invoices and credit notes name a patient: leave the "
                        "patient of %(invoice)s empty.",
                        invoice=invoice,
                    )
                )
            move._patient_check_billed_to_person()
            if (
                move.move_type != "out_refund"
                and move.commercial_partner_id != patient._patient_guarantor()
            ):
                raise ValidationError(move._patient_wrong_customer_message())

    def _patient_label(self):
        """The invoice's number, for a message (a draft has none yet)."""
        self.ensure_one()
        return self.name if self.name and self.name != "/" else self.env._("the invoice")

    def _patient_wrong_customer_message(self):
        self.ensure_one()
        if self.state == "posted":
            return self.env._(
                "The customer of %(invoice)s must be the patient's guarantor (the patient "
                "themselves when they have none). The invoice is posted: reset it to draft, "
                "choose the patient (their guarantor becomes the customer) and post it again; "
                "or, if the patient's guarantor is wrong, correct it on the patient's contact.",
                invoice=self._patient_label(),
            )
        return self.env._(
            "The customer of %(invoice)s must be the patient's guarantor (the patient "
            "themselves when they have none): choosing the patient fills it in. Set that "
            "customer, or correct the patient's guarantor on the contact.",
            invoice=self._patient_label(),
        )

    def _patient_check_billed_to_person(self):
        """A patient account is a person's: the partner the receivable is booked
        on (the move's commercial partner, the account's guarantor) is neither a
        company nor, since, one of a company's contacts.  Odoo freezes that
        partner when the customer is chosen: an invoice posted for a contact filed
        under their employer stays booked on the employer after the contact leaves
        it, and only a reset to draft and a new posting moves it."""
        for move in self.sudo():
            if not move.commercial_partner_id._patient_is_company_side():
                continue
            if move.state == "draft":
                raise ValidationError(
                    self.env._(
                        "%(invoice)s is billed to a company (its customer is a company or one "
                        "of its contacts), and a patient account is a person's: bill the "
                        "patient's guarantor. Choose the patient again to fill them in as the "
                        "customer; if the guarantor is a company or filed under one, correct "
                        "the patient's guarantor, or remove the company from the guarantor's "
                        "contact.",
                        invoice=move._patient_label(),
                    )
                )
            raise ValidationError(
                self.env._(
                    "%(invoice)s is booked on a company in the ledger (its customer is, or was "
                    "when it was posted, a company or one of its contacts), and a patient "
                    "account is a person's: it cannot join one as it is. If its customer is "
                    "filed under a company (their employer, say), remove the company from "
                    "their contact; then reset it to draft, choose the patient (their "
                    "guarantor becomes the customer) and post it again, so that its "
                    "receivable is booked on the guarantor. The reset unreconciles its "
                    "payments: reset each to draft, set its customer to the guarantor, post "
                    "it, and add it to the invoice again.",
                    invoice=move._patient_label(),
                )
            )

    def _patient_refresh_commercial_partners(self):
        """Drafts naming a patient book their receivable on their customer's
        commercial partner of today.  Odoo computes it when the customer is
        chosen and keeps it: a contact that has left (or joined) a company since
        would be posted on the old one.  Written like a change of customer, so
        the draft's lines follow."""
        stale = self.sudo().filtered(
            lambda move: (
                move.state == "draft"
                and move.is_invoice()
                and move.commercial_partner_id != move.partner_id.commercial_partner_id
            )
        )
        by_partner = stale.grouped(lambda move: move.partner_id.commercial_partner_id)
        for partner, moves in by_partner.items():
            moves.with_env(self.env).write({"commercial_partner_id": partner.id})

    def _patient_check_patient_kept(self):
        """A posted invoice on a patient account keeps a patient: the account's
        balance, statements and plans count it."""
        linked = self.sudo().filtered(
            lambda move: move.state == "posted" and move.patient_account_id
        )
        if linked:
            raise UserError(
                self.env._(
                    "The patient of a posted invoice on a patient account cannot be removed "
                    "(%(invoices)s): choose the right patient, or reset the invoice to draft "
                    "first.",
                    invoices=", ".join(linked.mapped("name")),
                )
            )

    def _patient_check_not_cancelled(self, patient_id):
        """A cancelled invoice keeps the patient it had (the form shows it read-only)."""
        changed = self.sudo().filtered(
            lambda move: move.state == "cancel" and move.patient_id.id != (patient_id or False)
        )
        if changed:
            raise UserError(
                self.env._(
                    "The patient of a cancelled invoice cannot be changed (%(invoices)s): "
                    "reset it to draft first.",
                    invoices=", ".join(changed.mapped("name")),
                )
            )
