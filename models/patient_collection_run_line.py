"""The lines of a collections run: its counts, and the accounts it could not
process."""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..logic import escalation
from .patient_protected import is_trusted

SKIP_REASONS = [
    (escalation.SKIP_ON_HOLD, "On hold"),
    (escalation.SKIP_MANUAL_STAGE, "In a manual stage"),
    (escalation.SKIP_NOT_FORWARD, "Already in its stage"),
    (escalation.SKIP_NO_STAGE, "No stage qualifies"),
    (escalation.GATE_NOTIFICATION_PERIOD, "501(r): notification period not over"),
    (escalation.GATE_FINAL_NOTICE, "501(r): final notice too recent or missing"),
    (escalation.GATE_FINANCIAL_ASSISTANCE, "501(r): financial assistance open"),
    (escalation.GATE_DISPUTE, "No Surprises Act: dispute open"),
    (escalation.GATE_ON_HOLD, "On hold: no extraordinary action"),
]
EVENT_KINDS = [
    ("moved", "Moved to stage"),
    ("skipped", "Not moved"),
    ("hold_expired", "Expired hold lifted"),
    ("hold_applied", "Insurance hold applied"),
    ("hold_released", "Insurance hold released"),
    ("refreshed", "Balances aged"),
    ("promise_kept", "Promise kept"),
    ("promise_broken", "Promise broken"),
    ("plan_completed", "Payment plan completed"),
    ("plan_defaulted", "Payment plan defaulted"),
    ("statement_sent", "Statement sent"),
    ("statement_no_address", "Statements not sent: no mailing address"),
    ("failed", "Could not be processed"),
]
# Why an account could not be processed: a category, never the error's text (which
# may quote a patient's data).
FAILURE_REASONS = [
    ("refused", "A business rule refused it"),
    ("settings", "A collections setting must be corrected"),
    ("access", "Access refused"),
    ("data", "Invalid or inconsistent data"),
    ("unexpected", "Unexpected error"),
]
# The steps, for the lines of what failed (later capabilities add theirs with
# selection_add).
RUN_STEPS = [
    ("_step_refresh_aging", "Aging balances"),
    ("_step_promises", "Judging promises"),
    ("_step_lift_expired_holds", "Lifting expired holds"),
    ("_step_insurance_holds", "Insurance holds"),
    ("_step_payment_plans", "Payment plans"),
    ("_step_escalate", "Escalation"),
    ("_step_statements", "Statements"),
]


class PatientCollectionRunLine(models.Model):
    _name = "patient.collection.run.line"
    _description = "Collections Run Count"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "run_id, kind, stage_id, reason, id"
    # found by their run's reference or their stage (no account, no guarantor)
    _rec_names_search = ["run_id", "stage_id"]
    _protected_immutable = True

    run_id = fields.Many2one(
        "patient.collection.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    kind = fields.Selection(EVENT_KINDS, required=True)
    stage_id = fields.Many2one("patient.account.stage")
    reason = fields.Selection(SKIP_REASONS)
    count = fields.Integer()
    step = fields.Selection(RUN_STEPS, help="The step of the run that could not process it.")
    account_id = fields.Many2one(
        "patient.account",
        ondelete="set null",
        index="btree_not_null",
        help="The account the run could not process (empty: the whole step).",
    )
    failure_reason = fields.Selection(FAILURE_REASONS, string="Why")
    moved_account_ids = fields.Many2many(
        "patient.account",
        "patient_collection_run_line_moved_rel",
        "line_id",
        "account_id",
        string="Accounts Moved",
        readonly=True,
        help="The accounts this run moved into the stage (the list behind the count).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise AccessError(self.env._("Collections run counts are written by the run only."))
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return self.env["patient.collection.run"]._protected_immutable_refusal()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        self.env["patient.collection.run"]._unlink_never()

    @api.depends("kind", "stage_id", "reason", "step", "account_id", "failure_reason")
    @api.depends_context("lang")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        failures = dict(self._fields["failure_reason"]._description_selection(self.env))
        steps = dict(self._fields["step"]._description_selection(self.env))
        for line in self:
            parts = [kinds.get(line.kind, "")]
            if line.stage_id:
                parts.append(line.stage_id.display_name)
            if line.reason:
                parts.append(reasons[line.reason])
            if line.kind == "failed":
                parts.append(steps.get(line.step, ""))
                parts.append(line.account_id.sudo().name or self.env._("whole step"))
                parts.append(failures.get(line.failure_reason, ""))
            line.display_name = " – ".join(part for part in parts if part)
