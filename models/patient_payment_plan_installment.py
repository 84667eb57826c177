from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .patient_protected import is_trusted


class PatientPaymentPlanInstallment(models.Model):
    _name = "patient.payment.plan.installment"
    _description = "Payment Plan Installment"
    _order = "plan_id, sequence, due_date, id"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _rec_name = "plan_id"
    _protected_immutable = True

    plan_id = fields.Many2one("patient.payment.plan", required=True, ondelete="cascade", index=True)
    account_id = fields.Many2one(related="plan_id.account_id", store=True, index=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Guarantor")
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id", compute_sudo=False)
    # not stored: a copy on every installment would be rewritten each time a plan ends
    plan_state = fields.Selection(related="plan_id.state", string="Plan Status", compute_sudo=False)
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

    def init(self):
        res = super().init()
        # earlier versions stored a copy of the plan's state on each installment
        self.env.cr.execute(
            SQL("ALTER TABLE patient_payment_plan_installment DROP COLUMN IF EXISTS plan_state")
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        self._check_system_write()
        return super().create(vals_list)

    def write(self, vals):
        self._check_system_write()
        return super().write(vals)

    def unlink(self):
        self._check_system_write()
        return super().unlink()

    def copy_data(self, default=None):
        # refused before the copy reads fields a role may not (the payments)
        self._check_system_write()
        return super().copy_data(default=default)

    def _check_system_write(self):
        """Installments and what was paid on them follow the plan and the payments:
        nobody edits them by hand."""
        if not is_trusted(self.env):
            raise UserError(
                self.env._(
                    "Installments follow the plan's schedule and the payments received: "
                    "register a payment, or cancel the plan and make a new one."
                )
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

    @api.model
    def _write_allocation(self, changes, payment_links):
        """Store a new allocation set-based: one UPDATE for all changed installments
        (``changes``: {(paid, paid date, state): [ids]}, their amount due with them)
        and one DELETE plus one INSERT for their links to payments (``payment_links``:
        {id: [payment ids]}).  Their plans' progress is the caller's (the plan's
        ``_write_progress``)."""
        self.flush_model(["amount_paid", "amount_due", "paid_date", "state", "payment_ids"])
        rows = [
            (installment_id, paid, paid_date or None, state)
            for (paid, paid_date, state), ids in changes.items()
            for installment_id in ids
        ]
        if rows:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE patient_payment_plan_installment installment
                       SET amount_paid = new.paid,
                           amount_due = installment.amount - new.paid,
                           paid_date = new.paid_date,
                           state = new.state
                      FROM (VALUES %s) AS new (id, paid, paid_date, state)
                     WHERE installment.id = new.id
                    """,
                    SQL(", ").join(SQL("(%s, %s::numeric, %s::date, %s)", *row) for row in rows),
                )
            )
            self.browse([row[0] for row in rows]).invalidate_recordset(
                ["amount_paid", "amount_due", "paid_date", "state"]
            )
        if payment_links:
            field = self._fields["payment_ids"]
            table = SQL.identifier(field.relation)
            column1, column2 = SQL.identifier(field.column1), SQL.identifier(field.column2)
            self.env.cr.execute(
                SQL("DELETE FROM %s WHERE %s = ANY(%s)", table, column1, list(payment_links))
            )
            pairs = [
                (installment_id, payment_id)
                for installment_id, payment_ids in payment_links.items()
                for payment_id in payment_ids
            ]
            if pairs:
                self.env.cr.execute(
                    SQL(
                        "INSERT INTO %s (%s, %s) VALUES %s ON CONFLICT DO NOTHING",
                        table,
                        column1,
                        column2,
                        SQL(", ").join(SQL("(%s, %s)", *pair) for pair in pairs),
                    )
                )
            linked = self.browse(list(payment_links))
            linked.invalidate_recordset(["payment_ids"])
