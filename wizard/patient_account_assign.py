from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import assignment
from ..models.patient_protected import check_value_types
from .common import active_records_default

SPECIALIST_GROUP = "patient_collections.group_collections_specialist"


def _collections_users_domain(self):
    """Collections specialists and managers (internal users) of the active companies."""
    return [
        ("groups_id", "in", self.env.ref(SPECIALIST_GROUP).id),
        ("share", "=", False),
        ("company_ids", "in", self.env.companies.ids),
    ]


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
    user_id = fields.Many2one("res.users", string="Specialist", domain=_collections_users_domain)
    user_ids = fields.Many2many("res.users", string="Specialists", domain=_collections_users_domain)
    account_count = fields.Integer(compute="_compute_account_count")

    @api.model_create_multi
    def create(self, vals_list):
        check_value_types(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_value_types(self, [vals])
        return super().write(vals)

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
        self.account_ids.check_access("write")
        users = self.user_id if self.mode == "single" else self.user_ids
        self._check_assignees(users)
        by_user = {}
        for account_id, user_id in self._mapping().items():
            by_user.setdefault(user_id, []).append(account_id)
        Account = self.env["patient.account"]
        for user_id, account_ids in by_user.items():
            Account.browse(account_ids).write({"user_id": user_id})
        return {"type": "ir.actions.act_window_close"}

    def _check_assignees(self, users):
        """Accounts go only to collections specialists or managers (internal users)
        of each account's company: refuse, naming who and which company, otherwise."""
        specialists = self.env.ref(SPECIALIST_GROUP)
        users = users.sudo()
        not_specialists = users.filtered(
            lambda user: user.share or not user.active or specialists not in user.groups_id
        )
        if not_specialists:
            raise UserError(
                self.env._(
                    "%(users)s cannot work patient accounts: add them to the collections "
                    "specialists first.",
                    users=", ".join(not_specialists.mapped("name")),
                )
            )
        companies = self.account_ids.sudo().company_id
        for user in users:
            missing = companies - user.company_ids
            if missing:
                raise UserError(
                    self.env._(
                        "%(user)s does not work for %(companies)s: accounts of a company go "
                        "only to the collections specialists and managers of that company. "
                        "Choose another specialist, or give them access to the company first.",
                        user=user.name,
                        companies=", ".join(missing.mapped("name")),
                    )
                )
