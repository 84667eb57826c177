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
        is a customer invoice or credit note, and an invoice bills the patient's
        guarantor (the patient, when they have none): the customer whose patient
        account it joins.  A credit note credits whoever was billed (its
        guarantor may have changed since).  The invoice form's domain is the
        view's only; imports and the API come here."""
        for move in self.sudo().filtered("patient_id"):
            invoice = move.name if move.name and move.name != "/" else self.env._("the invoice")
            patient = move.patient_id
            if patient.is_company or patient.commercial_partner_id.is_company:
                raise ValidationError(
                    self.env._(
                        "The patient of %(invoice)s must be a person, not a company or one "
                        "of its contacts: choose the patient.",
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
            if (
                move.move_type != "out_refund"
                and move.commercial_partner_id != patient._patient_guarantor()
            ):
                raise ValidationError(
                    self.env._(
                        "The customer of %(invoice)s must be the patient's guarantor (the "
                        "patient themselves when they have none): choosing the patient fills "
                        "it in. Set that customer, or correct the patient's guarantor on the "
                        "contact.",
                        invoice=invoice,
                    )
                )

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
