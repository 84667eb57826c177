from odoo import api, fields, models

from .patient_collection_snapshot import CALL_CHANNELS, UNWORKED_CHANNELS


class PatientCollectionSnapshotDrilldown(models.Model):
    """The lists behind the dashboard: each tile, bucket and stage opens the
    accounts, plans or interactions its number is made of, as they are now —
    every one of the user's companies for managers and accountants, the accounts
    assigned to them for specialists."""

    _inherit = "patient.collection.snapshot"

    @api.model
    def _drill_action(self, name, res_model, domain, group_by=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "views": [[False, "list"], [False, "form"]],
            "domain": domain,
            "context": {"group_by": group_by} if group_by else {},
            "target": "current",
        }

    @api.model
    def _drill_scope(self, account_path=""):
        """The company and, for specialists, assignment conditions of a list of
        accounts (``account_path`` empty) or of records with an ``account_id``."""
        prefix = f"{account_path}." if account_path else ""
        domain = [("company_id", "in", self.env.companies.ids)]
        if self._dashboard_scope() == "own":
            domain.append((f"{prefix}user_id", "=", self.env.uid))
        return domain

    @api.model
    def _drill_accounts(self, name, domain, group_by=None):
        return self._drill_action(
            name, "patient.account", [*self._drill_scope(), *domain], group_by
        )

    @api.model
    def _drill_interactions(self, name, domain, group_by=None):
        return self._drill_action(
            name,
            "patient.interaction",
            [*self._drill_scope("account_id"), ("state", "=", "logged"), *domain],
            group_by,
        )

    @api.model
    def _drill_plans(self, name, state):
        return self._drill_action(
            name,
            "patient.payment.plan",
            [*self._drill_scope("account_id"), ("state", "=", state)],
        )

    @api.model
    def _bucket_action(self, field_name, label):
        """The accounts with an amount in the bucket (credits included, so that
        their sum is the bucket's)."""
        return self._drill_accounts(label, [(field_name, "!=", 0)])

    @api.model
    def _stage_action(self, stage):
        label = stage.sudo().display_name if stage else self.env._("No stage")
        return self._drill_accounts(label, [("stage_id", "=", stage.id)])

    @api.model
    def _contacts_domain(self, first, last):
        """The interactions logged from ``first`` to ``last`` on their practice's
        calendar, as the snapshot counts them: one leaf per distinct UTC window,
        for its companies (the user's, as :meth:`_drill_scope`)."""
        return self.env.companies._patient_window_domain("date", first, last)

    @api.model
    def _dashboard_tile_actions(self, periods):
        """{tile key: window action of the list behind it}."""
        to_string = fields.Date.to_string
        latest = periods["latest"]
        month_start, start_30 = to_string(periods["month_start"]), to_string(periods["start_30"])
        end = to_string(latest)
        contacts_30 = self._contacts_domain(periods["start_30"], latest)
        return {
            "collection_rate": self._drill_accounts(
                self.env._("Accounts that paid this month"),
                [("last_payment_date", ">=", month_start), ("last_payment_date", "<=", end)],
            ),
            "balance_due": self._drill_accounts(
                self.env._("Balance Due"), [("balance_due", "!=", 0)], ["stage_id"]
            ),
            "roll_rate": self._drill_accounts(self.env._("31-60 Days"), [("aging_31_60", "!=", 0)]),
            "avg_days_to_pay": self._drill_accounts(
                self.env._("Accounts that paid in the last 30 days"),
                [("last_payment_date", ">=", start_30), ("last_payment_date", "<=", end)],
            ),
            "plans_active": self._drill_plans(self.env._("Active Plans"), "active"),
            "plans_defaulted": self._drill_plans(self.env._("Defaulted Plans"), "defaulted"),
            "promises_kept": self._drill_interactions(
                self.env._("Promises judged in the last 30 days"),
                [
                    ("promise_state", "in", ["kept", "broken"]),
                    ("promise_checked_on", ">=", start_30),
                    ("promise_checked_on", "<=", end),
                ],
                ["promise_state"],
            ),
            # the calls, as the snapshot counts them (the right-party rate's population)
            "right_party": self._drill_interactions(
                self.env._("Calls of the last 30 days"),
                [*contacts_30, ("channel", "in", list(CALL_CHANNELS))],
                ["outcome"],
            ),
            # the work on accounts assigned to a specialist (the statements the
            # module sends and the guarantor's portal contacts are nobody's work)
            "worked": self._drill_interactions(
                self.env._("Contacts of the last 30 days"),
                [
                    *contacts_30,
                    ("is_statement", "=", False),
                    ("channel", "not in", list(UNWORKED_CHANNELS)),
                    ("account_id.user_id", "!=", False),
                ],
                ["user_id", "date:day"],
            ),
        }
