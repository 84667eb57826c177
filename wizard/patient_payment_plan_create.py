import math

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..models.patient_interaction import CHANNELS
from ..models.patient_payment_plan import FREQUENCIES
from .common import latest_date


class PatientPaymentPlanCreate(models.TransientModel):
    _name = "patient.payment.plan.create"
    _inherit = ["patient.wizard.mixin"]
    _description = "Create a Payment Plan"

    account_id = fields.Many2one("patient.account", required=True, readonly=True)
    # read as the user: another company's account is refused, not shown
    currency_id = fields.Many2one(related="account_id.currency_id", compute_sudo=False)
    balance_due = fields.Monetary(
        related="account_id.balance_due", string="Balance Due", compute_sudo=False
    )
    total_amount = fields.Monetary(required=True)
    down_payment = fields.Monetary()
    schedule_by = fields.Selection(
        [("count", "Number of installments"), ("amount", "Installment amount")],
        required=True,
        default="count",
    )
    installment_count = fields.Integer(default=6)
    installment_amount = fields.Monetary()
    frequency = fields.Selection(FREQUENCIES, required=True, default="monthly")
    first_due_date = fields.Date(required=True, default=lambda self: self._default_first_due_date())
    channel = fields.Selection(
        CHANNELS,
        string="Agreed By",
        required=True,
        default="phone_in",
        help="How the guarantor agreed to the plan: logged as an interaction.",
    )
    preview_html = fields.Html(compute="_compute_preview", sanitize=False)
    problems = fields.Text(compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "patient.account" and context.get("active_id"):
            account = self.env["patient.account"].browse(context["active_id"])
            values["account_id"] = account.id
            if "total_amount" in fields_list and not values.get("total_amount"):
                values["total_amount"] = max(account.balance_due, 0.0)
        return values

    @api.model
    def _default_first_due_date(self):
        """Today on the calendar of the account's practice (never the user's, who
        may be a day ahead or behind it), as the plan's dates are."""
        context = self.env.context
        account = self.env["patient.account"]
        if context.get("active_model") == "patient.account" and context.get("active_id"):
            account = account.browse(context["active_id"]).exists()
        return self.env["patient.payment.plan"]._company_today(account.company_id)

    @api.onchange("installment_amount")
    def _onchange_installment_amount(self):
        if self.installment_amount and self.schedule_by == "count" and not self.installment_count:
            self.schedule_by = "amount"

    def _terms(self):
        """The plan's terms: only the chosen one of count and amount is passed."""
        self.ensure_one()
        by_amount = self.schedule_by == "amount" or (
            self.installment_amount and not self.installment_count
        )
        return {
            "total_amount": self.total_amount,
            "down_payment": self.down_payment,
            "frequency": self.frequency,
            "first_due_date": self.first_due_date,
            "installment_count": None if by_amount else self.installment_count,
            "installment_amount": self.installment_amount if by_amount else None,
        }

    def _bounds_problems(self):
        """What is out of bounds in the wizard's values, checked before the plan's
        terms (so the schedule is never built from absurd numbers)."""
        self.ensure_one()
        company = self.account_id.company_id
        today = self.env["patient.payment.plan"]._company_today(company)
        problems = []
        if self.total_amount <= 0:
            problems.append(self.env._("The plan's total must be more than zero."))
        if self.down_payment < 0:
            problems.append(self.env._("The down payment cannot be negative."))
        elif self.total_amount > 0 and self.down_payment >= self.total_amount:
            problems.append(self.env._("The down payment must be less than the plan's total."))
        if self.first_due_date and self.first_due_date > latest_date(today):
            problems.append(
                self.env._(
                    "The first installment must be due within ten years (before %(date)s).",
                    date=format_date(self.env, latest_date(today)),
                )
            )
        maximum = company.collections_plan_max_installments
        terms = self._terms()
        count = terms["installment_count"]
        amount = terms["installment_amount"]
        remainder = self.total_amount - self.down_payment
        if amount is not None:
            if amount < (self.currency_id.rounding or 0.01):
                problems.append(self.env._("The installment amount must be more than zero."))
            elif remainder > 0:
                count = math.ceil(round(remainder / amount, 6))
        if count is not None and count < 1:
            problems.append(self.env._("The number of installments must be at least one."))
        elif count is not None and count > maximum:
            problems.append(
                self.env._(
                    "A plan has %(maximum)s installments at most (the maximum in the "
                    "collections settings): choose fewer, larger installments.",
                    maximum=maximum,
                )
            )
        return problems

    @api.depends(
        "account_id",
        "total_amount",
        "down_payment",
        "schedule_by",
        "installment_count",
        "installment_amount",
        "frequency",
        "first_due_date",
    )
    def _compute_preview(self):
        Plan = self.env["patient.payment.plan"]
        for wizard in self:
            today = Plan._company_today(wizard.account_id.company_id)
            wizard.preview_html = False
            wizard.problems = False
            if not wizard.account_id or not wizard.first_due_date:
                continue
            problems = wizard._bounds_problems() or Plan._terms_problems(
                wizard.account_id, wizard._terms(), today
            )
            if problems:
                wizard.problems = "\n".join(problems)
                continue
            vals = Plan._prepare_plan_vals(wizard.account_id, wizard._terms(), today)
            fmt = wizard.currency_id.format
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    self.env._("Down payment")
                    if line["sequence"] == 0
                    else self.env._("Installment %(number)s", number=line["sequence"]),
                    format_date(self.env, line["due_date"]),
                    fmt(line["amount"]),
                )
                for _command, _id, line in vals["installment_ids"]
            )
            wizard.preview_html = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
                "<th class='text-end'>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                escape(self.env._("Installment")),
                escape(self.env._("Due date")),
                escape(self.env._("Amount")),
                rows,
            )

    def action_confirm(self):
        """Create and activate the plan; refuse with what to change otherwise."""
        self.ensure_one()
        account = self.account_id
        if not account:
            raise UserError(self.env._("Open the wizard from a patient account."))
        account.check_access("write")
        problems = self._bounds_problems()
        if problems:
            raise UserError("\n".join(problems))
        plan = self.env["patient.payment.plan"]._create_plans(
            [(account, self._terms())], channel=self.channel
        )
        if not plan:
            raise UserError(self.env._("No plan was created."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "patient.payment.plan",
            "res_id": plan.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
