from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..logic import priority


class ResCompany(models.Model):
    _inherit = "res.company"

    collections_501r_gating = fields.Boolean(
        string="501(r) Reasonable Efforts",
        default=True,
        help="No extraordinary collection action before the notification period has passed "
        "since the first statement, a final notice was sent, and while a financial "
        "assistance application is open.",
    )
    collections_dispute_gating = fields.Boolean(
        string="No Surprises Act Disputes",
        default=True,
        help="No extraordinary collection action while a billing dispute is open.",
    )
    collections_notification_days = fields.Integer(string="Notification Period (days)", default=120)
    collections_final_notice_days = fields.Integer(
        string="Final Notice Lead Time (days)", default=30
    )
    collections_max_calls = fields.Integer(
        string="Call Attempts Allowed",
        default=7,
        help="Outbound call attempts allowed per account in the rolling window (Regulation F: "
        "more than 7 in 7 days is presumed harassment).",
    )
    collections_call_window_days = fields.Integer(string="Call Window (days)", default=7)
    collections_plan_min_installment = fields.Float(
        string="Minimum Installment", default=25.0, digits="Account"
    )
    collections_plan_max_months = fields.Integer(string="Maximum Plan Term (months)", default=24)
    collections_plan_grace_days = fields.Integer(
        string="Grace Days",
        default=10,
        help="Days after its due date before an unpaid installment counts as missed.",
    )
    collections_plan_misses_default = fields.Integer(string="Misses Before Default", default=2)
    collections_statement_cycle_days = fields.Integer(
        string="Statement Cycle (days)",
        default=30,
        help="The daily run sends a statement to accounts in statement stages every this "
        "many days.",
    )
    collections_payment_instructions = fields.Text(
        string="How to Pay",
        translate=True,
        default="Pay online through the patient portal, by phone with a card, or by check "
        "made out to the practice with the slip below.",
    )
    collections_assistance_notice = fields.Text(
        string="Financial Assistance Notice",
        translate=True,
        default="If you cannot pay this bill in full, you may qualify for financial "
        "assistance or a payment plan. Call us or ask at the front desk for an "
        "application; it is free and will not hurt your credit.",
    )
    collections_weight_balance = fields.Integer(
        string="Weight: Balance", default=priority.DEFAULT_WEIGHTS["balance"]
    )
    collections_weight_days_past_due = fields.Integer(
        string="Weight: Days Past Due", default=priority.DEFAULT_WEIGHTS["days_past_due"]
    )
    collections_weight_broken_promises = fields.Integer(
        string="Weight: Broken Promises", default=priority.DEFAULT_WEIGHTS["broken_promises"]
    )
    collections_weight_days_since_contact = fields.Integer(
        string="Weight: Days Since Contact",
        default=priority.DEFAULT_WEIGHTS["days_since_contact"],
    )
    collections_weight_defaulted_plans = fields.Integer(
        string="Weight: Defaulted Plans", default=priority.DEFAULT_WEIGHTS["defaulted_plans"]
    )

    collections_access_log_years = fields.Integer(
        string="Keep Access Log (years)",
        default=6,
        help="How long who-saw-what entries are kept before the scheduled purge removes "
        "them. HIPAA asks for six years at least.",
    )

    @api.constrains("collections_access_log_years")
    def _check_access_log_years(self):
        for company in self:
            if company.collections_access_log_years < 6:
                raise ValidationError(
                    self.env._(
                        "The access log is kept six years at least (HIPAA documentation "
                        "retention): enter 6 or more."
                    )
                )

    def write(self, vals):
        """Collections managers configure the collections settings of their
        companies without Odoo's administration rights; nothing else."""
        if (
            vals
            and not self.env.su
            and all(name.startswith("collections_") for name in vals)
            and self.env.user.has_group("patient_collections.group_collections_manager")
            and not self.env["ir.model.access"].check("res.company", "write", False)
        ):
            if self - self.env.user.company_ids:
                raise AccessError(
                    self.env._("You can only configure collections for your own companies.")
                )
            return super(ResCompany, self.sudo()).write(vals)
        return super().write(vals)

    def action_open_collections_settings(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collections Settings"),
            "res_model": "res.company",
            "res_id": self.env.company.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("patient_collections.res_company_view_form_collections").id, "form")
            ],
            "target": "current",
        }

    def _collections_priority_weights(self):
        self.ensure_one()
        return {key: self["collections_weight_" + key] for key in priority.TERM_KEYS}
