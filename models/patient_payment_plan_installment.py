from odoo import api, fields, models


class PatientPaymentPlanInstallment(models.Model):
    _name = "patient.payment.plan.installment"
    _description = "Payment Plan Installment"
    _order = "plan_id, sequence, due_date, id"
    _rec_name = "plan_id"

    plan_id = fields.Many2one("patient.payment.plan", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="plan_id.account_id", store=True, index=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Guarantor")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    plan_state = fields.Selection(related="plan_id.state", store=True, string="Plan Status")
    sequence = fields.Integer(help="0 is the down payment.")
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(readonly=True)
    amount_due = fields.Monetary(compute="_compute_amount_due", store=True)
    state = fields.Selection(
        [("open", "Open"), ("partial", "Partly paid"), ("paid", "Paid"), ("missed", "Missed")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    paid_date = fields.Date(readonly=True)
    payment_ids = fields.Many2many(
        "account.payment",
        string="Payments",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    @api.depends("amount", "amount_paid")
    def _compute_amount_due(self):
        for installment in self:
            installment.amount_due = installment.amount - installment.amount_paid

    @api.depends("plan_id", "sequence", "due_date")
    def _compute_display_name(self):
        for installment in self:
            label = (
                self.env._("Down payment")
                if installment.sequence == 0
                else self.env._("Installment %(number)s", number=installment.sequence)
            )
            installment.display_name = f"{installment.plan_id.name} – {label}"
