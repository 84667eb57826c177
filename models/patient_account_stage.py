import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..logic import escalation
from .patient_protected import check_value_types, trusted
from .res_company import type_problems

# (minimum, maximum) of a stage's numbers: no practice means more, and the run's
# date arithmetic and SQL comparisons stay far from overflowing.
STAGE_BOUNDS = {
    "sequence": (0, 1_000_000),
    "days_past_due_min": (0, 3650),
    "balance_min": (0, 1_000_000_000),
}
_logger = logging.getLogger(__name__)

# The shipped stages folded on the board by default: (xml id, shipped name, shipped
# sequence); a database installed before they were folded gets the fold once.
FOLDED_BY_DEFAULT = [("patient_collections.stage_agency", "Agency placement", 70)]
FOLD_DONE_PARAM = "patient_collections.default_folds_applied"
# what makes a stage the run's resolved stage or one new accounts start in
ROLE_FIELDS = {"active", "is_closed", "is_manual", "is_final_notice", "is_extraordinary_action"}
# What makes the notice sequence (escalation.notice_sequence): checked when changed.
NOTICE_FIELDS = {"sequence", "send_statement", "is_final_notice", "is_manual", "is_closed"}
# A stage new accounts may start in: never the resolved stage, a manual one, a final
# notice or an extraordinary action (501(r) gates), however the stages are ordered.
START_STAGE_DOMAIN = [
    ("is_closed", "=", False),
    ("is_manual", "=", False),
    ("is_final_notice", "=", False),
    ("is_extraordinary_action", "=", False),
]

# Texts shown on the board and printed on statements.
STAGE_TEXT_LIMITS = {"name": 100, "activity_summary": 200, "statement_message": 1000}


class PatientAccountStage(models.Model):
    _name = "patient.account.stage"
    _description = "Collection Stage"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _audit_files = False  # configuration, not patient data
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
        "any extraordinary collection action by the configured number of days. It is the "
        "last letter of the notice sequence; a final-notice date set by import counts as "
        "the whole sequence sent.",
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
        help="Gated: entered only after the financial-assistance notification period since "
        "the first statement and a final notice sent early enough, and never while a "
        "dispute or financial-assistance application is open; the daily run keeps an "
        "account in the furthest stage before it and counts it as waiting for 501(r). "
        "Under 501(r), selling the debt, credit reporting and legal action are "
        "extraordinary actions; referring an account to a collection agency is not in "
        "itself one, but what the agency then does counts as the practice's own action. "
        "The default Agency placement stage is gated as the conservative choice: a practice "
        "whose agency agreement rules out such actions may untick it.",
    )
    send_statement = fields.Boolean(
        help="Accounts in this stage receive the statement cycle. Statement stages up to "
        "the final notice are the notice sequence: the daily run moves an account through "
        "them one after the other, never skipping one, each at least the minimum interval "
        "between letters after the previous letter."
    )
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

    @api.constrains("is_closed", "is_manual")
    def _check_closed_not_manual(self):
        """The run moves paid accounts into the Resolved stage and reopens them from
        it; it never moves an account into or out of a Manual stage: one stage
        cannot be both."""
        for stage in self.filtered(lambda stage: stage.is_closed and stage.is_manual):
            raise ValidationError(
                self.env._(
                    "Stage %(stage)s cannot be both Resolved and Manual: the daily run moves "
                    "paid accounts into the Resolved stage, and never into a Manual one. "
                    "Untick one of them.",
                    stage=stage.name,
                )
            )

    @api.constrains(*STAGE_BOUNDS)
    def _check_bounds(self):
        problems = [
            problem
            for stage in self
            for problem in stage._bounds_problems({name: stage[name] for name in STAGE_BOUNDS})
        ]
        if problems:
            raise ValidationError("\n".join(problems))

    def _bounds_problems(self, values, stage_name=None):
        """What is out of bounds in ``values`` ({field: number}) of the stage
        ``stage_name`` (default: this stage's; a stage being created has none yet)."""
        if not (isinstance(stage_name, str) and stage_name):
            stage_name = self[:1].name or self.env._("(no name)")
        return [
            self.env._(
                "Stage %(stage)s: %(field)s must be between %(low)s and %(high)s.",
                stage=stage_name[:40],
                field=self._fields[name].get_description(self.env)["string"],
                low=STAGE_BOUNDS[name][0],
                high=STAGE_BOUNDS[name][1],
            )
            for name, value in values.items()
            if not STAGE_BOUNDS[name][0] <= value <= STAGE_BOUNDS[name][1]
        ]

    def _check_vals(self, vals_list, creating=False):
        """Numbers within bounds, a name, texts of a sane length without NUL
        characters (which PostgreSQL refuses): checked before anything is written."""
        problems = [problem for vals in vals_list for problem in type_problems(self, vals)]
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))
        check_value_types(self, vals_list)
        for vals in vals_list:
            stage_name = vals.get(
                "name", self.env.context.get("default_name") if creating else None
            )
            if (creating or "name" in vals) and not stage_name:
                problems.append(self.env._("A stage needs a name."))
            problems += self._bounds_problems(
                {
                    name: self._fields[name].convert_to_cache(vals[name], self.browse())
                    for name in STAGE_BOUNDS
                    if name in vals
                },
                stage_name=stage_name,
            )
            for name, limit in STAGE_TEXT_LIMITS.items():
                text = vals.get(name)
                if text is False or text is None:
                    continue
                if not isinstance(text, str) or len(text) > limit or "\x00" in text:
                    problems.append(
                        self.env._(
                            "%(field)s must be a text of %(limit)s characters at most, "
                            "without NUL characters.",
                            field=self._fields[name].get_description(self.env)["string"],
                            limit=limit,
                        )
                    )
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))

    def _compute_account_count(self):
        counts = dict(
            self.env["patient.account"]._read_group(
                [("stage_id", "in", self.ids)], ["stage_id"], ["__count"]
            )
        )
        for stage in self:
            stage.account_count = counts.get(stage, 0)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_vals(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_vals([vals])
        if "active" in vals and not vals["active"]:
            self._check_empty_before_archive()
        installing = self.env.context.get("install_mode")
        letters = None
        if NOTICE_FIELDS & set(vals) and not installing:
            letters = self._notice_sequence_ids()
        res = super().write(vals)
        if ROLE_FIELDS & set(vals) and not installing:
            self._check_sequence_kept(self.browse())
        if letters is not None:
            self._check_notice_sequence_kept(letters)
        return res

    @api.model
    def _notice_sequence_ids(self):
        """The ids of the notice sequence's stages, in order (the active stages)."""
        # the active stages, a handful of configuration records
        stages = self.sudo().search([])  # pylint: disable=no-search-all
        return [rule.id for rule in escalation.notice_sequence([s._as_rule() for s in stages])]

    @api.model
    def _check_notice_sequence_kept(self, before):
        """Reordering the stages, or changing which send a statement or are the
        final notice, may lengthen the notice sequence, never drop or reorder its
        letters while accounts are in it: an account counts the letters up to
        its stage as received, and would count letters it was never sent."""
        after = self._notice_sequence_ids()
        remaining = iter(after)
        if all(stage_id in remaining for stage_id in before):
            return
        Account = self.env["patient.account"].sudo()
        count = Account.search_count([("stage_id", "in", list(set(before) | set(after)))])
        if count:
            names = self.sudo().browse(before).mapped("name")
            raise UserError(
                self.env._(
                    "The notice sequence (%(letters)s) would lose or reorder letters while "
                    "%(count)s open accounts are in its stages: they would count letters "
                    "never sent as received. Keep the order of the statement stages and the "
                    "final notice; add a stage to lengthen the sequence instead.",
                    letters=" → ".join(names),
                    count=count,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_unused(self):
        """A stage accounts or runs refer to is archived, not deleted: the run
        records (permanent) would lose the stage they name."""
        used = {
            stage
            for [stage] in self.env["patient.account"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([("stage_id", "in", self.ids)], ["stage_id"])
        } | {
            stage
            for [stage] in self.env["patient.collection.run.line"]
            .sudo()
            ._read_group([("stage_id", "in", self.ids)], ["stage_id"])
        }
        if used:
            raise UserError(
                self.env._(
                    "Stage %(stages)s is named by accounts or collections runs: archive it "
                    "instead of deleting it.",
                    stages=", ".join(sorted(stage.name for stage in used)),
                )
            )
        self._check_sequence_kept(self)

    @api.model
    def _check_sequence_kept(self, leaving):
        """The run needs, among the active stages (``leaving`` set apart), a
        resolved one to close paid accounts in and one new accounts start in."""
        active = self.sudo().search([("id", "not in", leaving.ids)])
        if not active.filtered("is_closed"):
            raise ValidationError(
                self.env._(
                    "Keep one active resolved stage: paid accounts are closed in it. Mark "
                    "another stage Resolved first."
                )
            )
        if not active.filtered_domain(START_STAGE_DOMAIN):
            raise ValidationError(
                self.env._(
                    "Keep one active stage new accounts can start in (not resolved, manual, "
                    "final notice or extraordinary action): add or reactivate one first."
                )
            )

    def _check_empty_before_archive(self):
        """An archived stage leaves the board and the run's rules: the accounts in
        it would sit where nobody sees or moves them. Refused while any open
        (unarchived) account of any practice is in it, saying how many."""
        stages = self.filtered("active")
        if not stages:
            return
        # stages are shared by the practices: count every company's accounts
        counts = (
            self.env["patient.account"]
            .sudo()
            ._read_group([("stage_id", "in", stages.ids)], ["stage_id"], ["__count"])
        )
        if counts:
            raise ValidationError(
                "\n".join(
                    self.env._(
                        "Stage %(stage)s still holds %(count)s account(s): move them to "
                        "another stage first (select them in Collections > Patient Accounts "
                        "and change their stage), then archive it.",
                        stage=stage.name,
                        count=count,
                    )
                    for stage, count in counts
                )
            )

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
            self.send_statement,
            self.is_final_notice,
        )

    @api.model
    def _apply_default_folds(self):
        """Fold the shipped stages meant to be folded (Agency placement), once per
        database: on install, or on the first update after the fold was shipped.
        A stage a practice renamed, moved or already folded is left as it is, and a
        practice that unfolds it later keeps its choice (the data file is noupdate,
        this runs once: a marker parameter records it)."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(FOLD_DONE_PARAM):
            return
        for xmlid, name, sequence in FOLDED_BY_DEFAULT:
            stage = self.env.ref(xmlid, raise_if_not_found=False)
            if not stage or stage.fold:
                continue
            # the shipped values, read in English (the name is translatable)
            shipped = stage.with_context(lang="en_US")
            if shipped.name != name or shipped.sequence != sequence:
                _logger.info("Stage %s was changed by the practice: not folded", xmlid)
                continue
            trusted(stage.sudo()).fold = True  # the module's own write (see _check_stage_editor)
            _logger.info("Stage %s folded on the board (shipped default)", xmlid)
        params.set_param(FOLD_DONE_PARAM, "1")
