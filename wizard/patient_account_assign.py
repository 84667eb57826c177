from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..logic import assignment
from ..models.client_actions import sticky_warning
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
    _inherit = ["patient.wizard.mixin"]
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
    preview_html = fields.Html(
        string="Preview",
        compute="_compute_preview_html",
        sanitize=False,  # built here from escaped values only
        help="Who gets how many accounts and what they owe, before anything is assigned.",
    )

    @api.depends("account_ids")
    def _compute_account_count(self):
        for wizard in self:
            wizard.account_count = len(wizard.account_ids)

    @api.depends("account_ids", "mode", "user_id", "user_ids")
    def _compute_preview_html(self):
        for wizard in self:
            wizard.preview_html = wizard._preview()

    def _preview(self):
        """A table of who would get what: each specialist's accounts, their total
        balance, and how many change hands (False until a specialist is chosen)."""
        users = self._users()
        accounts = self.account_ids._origin
        if not accounts or not users:
            return False
        by_id = dict(zip(accounts.ids, accounts, strict=True))
        names = dict(zip(users.ids, users.sudo().mapped("name"), strict=True))
        rows = {user_id: [0, {}, 0] for user_id in users.ids}
        for account_id, user_id in self._mapping().items():
            account = by_id[account_id]
            row = rows[user_id]
            row[0] += 1
            row[1][account.currency_id] = row[1].get(account.currency_id, 0.0) + account.balance_due
            row[2] += account.user_id.id != user_id
        header = Markup(
            "<tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr>"
        ) % (
            self.env._("Specialist"),
            self.env._("Accounts"),
            self.env._("Balance"),
            self.env._("Changing hands"),
        )
        lines = [
            Markup(
                "<tr><td>%s</td><td class='text-end'>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td></tr>"
            )
            % (
                names[user_id],
                count,
                ", ".join(currency.format(total) for currency, total in totals.items()) or "-",
                changing,
            )
            for user_id, (count, totals, changing) in rows.items()
        ]
        return Markup("<table class='table table-sm o_patient_assign_preview'>%s%s</table>") % (
            header,
            Markup().join(lines),
        )

    def _users(self):
        """The chosen specialists, as stored records (in the dialog's onchange the
        wizard's relations are new records, whose ids neither sort nor match)."""
        return (self.user_id if self.mode == "single" else self.user_ids)._origin

    def _mapping(self):
        """{account id: user id} of the accounts as the mode spreads them."""
        accounts = self.account_ids._origin
        users = self._users()
        if self.mode == "single":
            if not users:
                raise UserError(self.env._("Choose the specialist who gets the accounts."))
            return assignment.assign_single(accounts.ids, users.id)
        if not users:
            raise UserError(self.env._("Choose the specialists to share the accounts between."))
        if self.mode == "round_robin":
            ordered = accounts.sorted(lambda a: (-a.priority_score, a.id))
            return assignment.assign_round_robin(ordered.ids, users.ids)
        mapping, _totals = assignment.assign_balanced(
            [(account.id, account.balance_due) for account in accounts], users.ids
        )
        return mapping

    def action_assign(self):
        self.ensure_one()
        if not self.account_ids:
            raise UserError(self.env._("Select at least one patient account."))
        self.account_ids.check_access("write")
        self._check_assignees(self._users())
        by_user = {}
        for account_id, user_id in self._mapping().items():
            by_user.setdefault(user_id, []).append(account_id)
        Account = self.env["patient.account"]
        for user_id, account_ids in by_user.items():
            Account.browse(account_ids).write({"user_id": user_id})
        close = {"type": "ir.actions.act_window_close"}
        if self.env.user.email:
            return close
        # Odoo's assignment email goes from the assigning user's address
        # (patient.account._message_auto_subscribe_notify)
        return sticky_warning(
            self.env._(
                "Accounts assigned. The specialists were not emailed about them: your "
                "user has no email address. Set one in My Preferences to notify them."
            ),
            close,
        )

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
