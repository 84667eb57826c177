from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..logic import escalation


class PatientAccountStage(models.Model):
    _name = "patient.account.stage"
    _description = "Collection Stage"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(string="Folded in Board")
    is_closed = fields.Boolean(
        string="Resolved Stage", help="Accounts with nothing left to pay are moved here."
    )
    is_manual = fields.Boolean(
        string="Manual Stage",
        help="The daily run never moves accounts into or out of this stage.",
    )
    is_final_notice = fields.Boolean(
        string="Final Notice",
        help="Entering this stage records the date of the final notice, which must precede "
        "any extraordinary collection action by the configured number of days.",
    )
    days_past_due_min = fields.Integer(
        string="Minimum Days Past Due",
        help="An account qualifies when it is at least this many days past due...",
    )
    balance_min = fields.Float(
        string="Minimum Balance",
        digits="Account",
        help="...and owes at least this amount (in the company's currency).",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity",
        domain="['|', ('res_model', '=', False), ('res_model', '=', 'patient.account')]",
        help="Activity given to the assigned specialist when an account enters the stage.",
    )
    activity_summary = fields.Char(translate=True)
    is_extraordinary_action = fields.Boolean(
        string="Extraordinary Collection Action",
        help="Agency placement, credit reporting or legal action: allowed only after the "
        "financial-assistance notification period and a final notice, and never while a "
        "dispute or financial-assistance application is open.",
    )
    send_statement = fields.Boolean(help="Accounts in this stage receive the statement cycle.")
    statement_message = fields.Text(
        translate=True, help="Printed on statements of accounts in this stage."
    )
    account_count = fields.Integer(compute="_compute_account_count")

    @api.constrains("days_past_due_min", "balance_min")
    def _check_thresholds(self):
        for stage in self:
            if stage.days_past_due_min < 0 or stage.balance_min < 0:
                raise ValidationError(
                    self.env._("Stage %(stage)s: thresholds cannot be negative.", stage=stage.name)
                )

    def _compute_account_count(self):
        counts = dict(
            self.env["patient.account"]._read_group(
                [("stage_id", "in", self.ids)], ["stage_id"], ["__count"]
            )
        )
        for stage in self:
            stage.account_count = counts.get(stage, 0)

    def _as_rule(self):
        """The stage as the pure escalation rules see it."""
        self.ensure_one()
        return escalation.Stage(
            self.id,
            self.sequence,
            self.is_closed,
            self.is_manual,
            self.days_past_due_min,
            self.balance_min,
            self.is_extraordinary_action,
        )
