"""The open receivable items of accounts, read outside the nightly refresh: what
they still owe (the plans' ceiling) and the lines themselves (assistance)."""

from odoo import models
from odoo.tools import SQL

from .patient_account_balances import open_items_from


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _flush_for_open_items(self):
        """What ``open_items_from`` reads (and the claims' status), to the database."""
        self.flush_model(["partner_id", "company_id"])
        self.env["account.move.line"].flush_model(
            ["amount_residual", "parent_state", "account_id", "partner_id", "company_id"]
        )
        self.env["account.move"].flush_model(
            ["patient_account_id", "move_type", "insurance_status"]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    def _open_debts(self):
        """{account id: what its open items owe}: the open receivable items the
        balance counts (``open_items_from``) that are debts (not the unapplied
        credits that lower the balance due), claims the insurer has left out; in
        company currency."""
        self._flush_for_open_items()
        self.env.cr.execute(
            SQL(
                """
                WITH acc AS (
                    SELECT id, partner_id, company_id FROM patient_account WHERE id = ANY(%s)
                )
                SELECT pa.id, SUM(aml.amount_residual) %s
                   AND aml.amount_residual > 0
                   AND move.insurance_status IS DISTINCT FROM 'pending'
              GROUP BY pa.id
                """,
                self.ids,
                open_items_from(SQL.identifier("acc")),
            )
        )
        return dict(self.env.cr.fetchall())

    def _open_item_lines(self):
        """The open receivable lines the balances of these accounts count
        (``open_items_from``), as a sudo recordset in the lines' own order."""
        Line = self.env["account.move.line"].sudo()
        if not self:
            return Line
        self._flush_for_open_items()
        # ordered as account.move.line's _order (date desc, move_name desc, id); one
        # line per row: an account's (partner, company) is unique
        self.env.cr.execute(
            SQL(
                "SELECT aml.id %s ORDER BY aml.date DESC, aml.move_name DESC, aml.id",
                open_items_from(
                    SQL(
                        "(SELECT id, partner_id, company_id FROM patient_account"
                        " WHERE id = ANY(%s))",
                        self.ids,
                    )
                ),
            )
        )
        return Line.browse(line_id for (line_id,) in self.env.cr.fetchall())
