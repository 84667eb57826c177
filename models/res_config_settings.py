from odoo import api, fields, models

from .res_company import check_setting_values


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    collections_501r_gating = fields.Boolean(
        related="company_id.collections_501r_gating", readonly=False
    )
    collections_dispute_gating = fields.Boolean(
        related="company_id.collections_dispute_gating", readonly=False
    )
    collections_notification_days = fields.Integer(
        related="company_id.collections_notification_days", readonly=False
    )
    collections_final_notice_days = fields.Integer(
        related="company_id.collections_final_notice_days", readonly=False
    )
    collections_tz = fields.Selection(related="company_id.collections_tz", readonly=False)
    collections_max_calls = fields.Integer(
        related="company_id.collections_max_calls", readonly=False
    )
    collections_call_window_days = fields.Integer(
        related="company_id.collections_call_window_days", readonly=False
    )
    collections_plan_min_installment = fields.Float(
        related="company_id.collections_plan_min_installment", readonly=False
    )
    collections_portal_min_payment = fields.Float(
        related="company_id.collections_portal_min_payment", readonly=False
    )
    collections_plan_max_months = fields.Integer(
        related="company_id.collections_plan_max_months", readonly=False
    )
    collections_plan_max_installments = fields.Integer(
        related="company_id.collections_plan_max_installments", readonly=False
    )
    collections_plan_grace_days = fields.Integer(
        related="company_id.collections_plan_grace_days", readonly=False
    )
    collections_plan_misses_default = fields.Integer(
        related="company_id.collections_plan_misses_default", readonly=False
    )
    collections_statement_cycle_days = fields.Integer(
        related="company_id.collections_statement_cycle_days", readonly=False
    )
    collections_promise_horizon_days = fields.Integer(
        related="company_id.collections_promise_horizon_days", readonly=False
    )
    collections_letter_interval_days = fields.Integer(
        related="company_id.collections_letter_interval_days", readonly=False
    )
    collections_payment_instructions = fields.Text(
        related="company_id.collections_payment_instructions", readonly=False
    )
    collections_assistance_notice = fields.Text(
        related="company_id.collections_assistance_notice", readonly=False
    )
    collections_weight_balance = fields.Integer(
        related="company_id.collections_weight_balance", readonly=False
    )
    collections_weight_days_past_due = fields.Integer(
        related="company_id.collections_weight_days_past_due", readonly=False
    )
    collections_weight_broken_promises = fields.Integer(
        related="company_id.collections_weight_broken_promises", readonly=False
    )
    collections_weight_days_since_contact = fields.Integer(
        related="company_id.collections_weight_days_since_contact", readonly=False
    )
    collections_weight_defaulted_plans = fields.Integer(
        related="company_id.collections_weight_defaulted_plans", readonly=False
    )
    collections_access_log_years = fields.Integer(
        related="company_id.collections_access_log_years", readonly=False
    )
    collections_charity_account_id = fields.Many2one(
        related="company_id.collections_charity_account_id", readonly=False, check_company=True
    )
    collections_writeoff_account_small_balance_id = fields.Many2one(
        related="company_id.collections_writeoff_account_small_balance_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_account_bad_debt_id = fields.Many2one(
        related="company_id.collections_writeoff_account_bad_debt_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_account_charity_id = fields.Many2one(
        related="company_id.collections_writeoff_account_charity_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_account_administrative_id = fields.Many2one(
        related="company_id.collections_writeoff_account_administrative_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_account_deceased_id = fields.Many2one(
        related="company_id.collections_writeoff_account_deceased_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_account_bankruptcy_id = fields.Many2one(
        related="company_id.collections_writeoff_account_bankruptcy_id",
        readonly=False,
        check_company=True,
    )
    collections_writeoff_limit = fields.Float(
        related="company_id.collections_writeoff_limit", readonly=False
    )
    collections_small_balance_writeoff = fields.Boolean(
        related="company_id.collections_small_balance_writeoff", readonly=False
    )
    collections_small_balance_threshold = fields.Float(
        related="company_id.collections_small_balance_threshold", readonly=False
    )
    collections_small_balance_min_days = fields.Integer(
        related="company_id.collections_small_balance_min_days", readonly=False
    )
    collections_assistance_lookback_days = fields.Integer(
        related="company_id.collections_assistance_lookback_days", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the same clear errors as on the company, before the settings are written
        for vals in vals_list:
            check_setting_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        check_setting_values(self, vals)
        return super().write(vals)
