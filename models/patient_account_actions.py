"""The buttons of a patient account (form, board and lists)."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .patient_protected import trusted


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _create_payment_plan(self, terms, channel="phone_in"):
        """Create and activate a payment plan for this account (the wizard's path,
        for imports and scripts); the total defaults to the balance due."""
        self.ensure_one()
        terms = {"total_amount": self.balance_due, "frequency": "monthly", **terms}
        return self.env["patient.payment.plan"]._create_plans([(self, terms)], channel=channel)

    def _owes_nothing(self):
        """Whether this account's balance due is nothing or a credit: the buttons that
        act on a balance refuse then (the form hides them; a form opened before the
        last payment, or an RPC call, still sends them)."""
        self.ensure_one()
        account = self.sudo()
        return account.currency_id.compare_amounts(account.balance_due, 0) <= 0

    def action_create_plan(self):
        self.ensure_one()
        self._check_owner()
        if self._owes_nothing():
            raise UserError(
                self.env._(
                    "Nothing is owed on %(account)s: there is no balance to put on a payment "
                    "plan. Reload the account to see its balances.",
                    account=self.name,
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment Plan"),
            "res_model": "patient.payment.plan.create",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_id": self.id, "active_ids": self.ids},
        }

    def action_log_interaction(self):
        self.ensure_one()
        self.check_access("read")
        self.env["patient.interaction"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Log Interaction"),
            "res_model": "patient.interaction",
            "view_mode": "form",
            "views": [
                (self.env.ref("patient_collections.patient_interaction_view_form_quick").id, "form")
            ],
            "target": "new",
            "context": {
                "default_account_id": self.id,
                "default_partner_id": self.partner_id.id,
            },
        }

    def action_record_sms_consent(self):
        # any specialist records what the guarantor says; the date is always now
        self._check_open_change()
        for account in self:
            if not account.sms_consent_method:
                raise UserError(
                    self.env._("Say how the guarantor gave consent to text messages first.")
                )
        trusted(self).write({"sms_consent": True, "sms_consent_date": fields.Datetime.now()})
        self._message_log_batch(
            bodies=dict.fromkeys(
                self.ids, Markup("<p>%s</p>") % self.env._("Consent to text messages recorded.")
            )
        )
        return True

    def action_revoke_sms_consent(self):
        self._check_open_change()
        self._withdraw_sms_consent(self.env._("Consent to text messages revoked."))
        return True

    def _withdraw_sms_consent(self, note):
        """Those of these accounts that have consent to texts lose it (its date and
        how it was given too); each says ``note`` in its chatter."""
        consenting = self.filtered("sms_consent")
        trusted(consenting).write(
            {"sms_consent": False, "sms_consent_date": False, "sms_consent_method": False}
        )
        consenting._message_log_batch(
            bodies=dict.fromkeys(consenting.ids, Markup("<p>%s</p>") % note)
        )
        return consenting

    def action_open_hold(self):
        self._check_owner()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hold"),
            "res_model": "patient.account.hold",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": self.ids,
                "default_action": "release" if all(self.mapped("hold_reason")) else "set",
            },
        }

    @api.model
    def action_open_board(self):
        """The board; specialists start on their own accounts.  An accountant (who
        moves no account: no Board menu) following a link to it gets the accounts list."""
        if not self.env.user.has_group("patient_collections.group_collections_specialist"):
            return self.env["ir.actions.act_window"]._for_xml_id(
                "patient_collections.patient_account_action"
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_account_board_action"
        )
        context = {}
        if not self.env.user.has_group("patient_collections.group_collections_manager"):
            context["search_default_my_accounts"] = 1
        action["context"] = context
        return action

    def action_refresh_balances(self):
        self.check_access("read")
        self._refresh_balances()
        return True

    def action_view_access_log(self):
        """Who opened, printed, emailed or exported this account, its plans and
        the like, or the contacts of its guarantor and patients (managers)."""
        self.ensure_one()
        self.check_access("read")
        self.env["patient.access.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "patient_collections.patient_access_log_action"
        )
        contacts = self.sudo().partner_id | self.sudo().patient_ids
        action["domain"] = [
            "|",
            "|",
            "&",
            ("res_model", "=", self._name),
            ("res_id", "=", self.id),
            ("record_ref", "ilike", self.name),
            "&",
            ("res_model", "=", "res.partner"),
            ("res_id", "in", contacts.ids),
        ]
        return action

    def action_view_invoices(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("patient_account_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action
