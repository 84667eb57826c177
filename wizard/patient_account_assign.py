from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import assignment
from .common import active_records_default


class PatientAccountAssign(models.TransientModel):
    _name = "patient.account.assign"
    _description = "Assign Patient Accounts to Specialists"

    account_ids = fields.Many2many(
        "patient.account",
        string="Accounts",
        required=True,
        default=active_records_default("patient.account"),
    )
    mode = fields.Selection(
        [
            ("single", "To one specialist"),
            ("round_robin", "Round-robin"),
            ("balanced", "Balanced by total balance"),
        ],
        required=True,
        default="single",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Specialist",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("patient_collections.group_collections_specialist").id)
        ],
    )
    user_ids = fields.Many2many(
        "res.users",
        string="Specialists",
        domain=lambda self: [
            ("groups_id", "in", self.env.ref("patient_collections.group_collections_specialist").id)
        ],
    )
    account_count = fields.Integer(compute="_compute_account_count")

    @api.depends("account_ids")
    def _compute_account_count(self):
        for wizard in self:
            wizard.account_count = len(wizard.account_ids)

    def _mapping(self):
        accounts = self.account_ids
        if self.mode == "single":
            if not self.user_id:
                raise UserError(self.env._("Choose the specialist who gets the accounts."))
            return assignment.assign_single(accounts.ids, self.user_id.id)
        if not self.user_ids:
            raise UserError(self.env._("Choose the specialists to share the accounts between."))
        if self.mode == "round_robin":
            ordered = accounts.sorted(lambda a: (-a.priority_score, a.id))
            return assignment.assign_round_robin(ordered.ids, self.user_ids.ids)
        mapping, _totals = assignment.assign_balanced(
            [(account.id, account.balance_due) for account in accounts], self.user_ids.ids
        )
        return mapping

    def action_assign(self):
        self.ensure_one()
        if not self.account_ids:
            raise UserError(self.env._("Select at least one patient account."))
        users = self.user_id | self.user_ids
        not_specialists = users.filtered(
            lambda u: not u.has_group("patient_collections.group_collections_specialist")
        )
        if not_specialists:
            raise UserError(
                self.env._(
                    "%(users)s cannot work patient accounts: add them to the collections "
                    "specialists first.",
                    users=", ".join(not_specialists.mapped("name")),
                )
            )
        by_user = {}
        for account_id, user_id in self._mapping().items():
            by_user.setdefault(user_id, []).append(account_id)
        Account = self.env["patient.account"]
        for user_id, account_ids in by_user.items():
            Account.browse(account_ids).write({"user_id": user_id})
        return {"type": "ir.actions.act_window_close"}
