from odoo import fields, models, tools
from odoo.tools import SQL

from .patient_account_balances import money_in_sql, open_items_from
from .patient_writeoff import WRITEOFF_REASONS


def reverses_writeoff_sql(move, writeoff):
    """SQL: the journal entry ``move`` (an alias) is a posted reversal of the
    write-off ``writeoff`` (an alias): its own (the Reverse button,
    ``reversal_move_id``) or its whole entry's (Odoo's Reverse Entry,
    ``reversed_entry_id``)."""
    return SQL(
        """%(move)s.state = 'posted'
           AND (%(move)s.id = %(writeoff)s.reversal_move_id
                OR %(move)s.reversed_entry_id = %(writeoff)s.move_id)""",
        move=SQL.identifier(move),
        writeoff=SQL.identifier(writeoff),
    )


class PatientWriteoffReport(models.Model):
    """What left the receivables other than by payment, and what came back: posted
    write-offs (and, negative on its own day, the first posted reversal of each,
    of the write-off alone or of its whole entry), approved financial-assistance
    discounts, and recoveries (what of the payments received after a bad-debt
    write-off of the account not reversed no debt of the account took or will
    take: what was written off coming back; a payment of what was not written off,
    or of a new visit, is none, matched to that visit's invoice yet or not:
    unapplied money counts only beyond what the account still owes, once), for
    accountants."""

    _name = "patient.writeoff.report"
    _description = "Write-offs, Assistance Discounts and Recoveries"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _auto = False
    _order = "date desc, id desc"

    kind = fields.Selection(
        [
            ("writeoff", "Write-off"),
            ("assistance", "Financial assistance"),
            ("recovery", "Recovery"),
        ],
        readonly=True,
    )
    reason = fields.Selection(
        [*WRITEOFF_REASONS, ("assistance", "Financial assistance")], readonly=True
    )
    date = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    account_id = fields.Many2one("patient.account", string="Patient Account", readonly=True)
    amount = fields.Monetary(readonly=True)
    writeoff_id = fields.Many2one("patient.writeoff", readonly=True)
    assistance_id = fields.Many2one(
        "patient.financial.assistance",
        string="Application",
        readonly=True,
        groups="patient_collections.group_collections_specialist",
    )
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %(table)s AS (
                    SELECT w.id * 4 AS id,
                           'writeoff' AS kind,
                           w.reason AS reason,
                           w.date AS date,
                           w.company_id AS company_id,
                           company.currency_id AS currency_id,
                           w.account_id AS account_id,
                           w.amount AS amount,
                           w.id AS writeoff_id,
                           NULL::integer AS assistance_id,
                           w.move_id AS move_id
                      FROM patient_writeoff w
                      JOIN res_company company ON company.id = w.company_id
                     WHERE w.state IN ('posted', 'reversed')
                    UNION ALL
                    SELECT w.id * 4 + 3,
                           'writeoff',
                           w.reason,
                           reversal.date,
                           w.company_id,
                           company.currency_id,
                           w.account_id,
                           -w.amount,
                           w.id,
                           NULL::integer,
                           reversal.id
                      FROM patient_writeoff w
                      -- one row however many entries reverse it: the first posted
                      JOIN LATERAL (
                           SELECT reversal.id, reversal.date
                             FROM account_move reversal
                            WHERE %(reverses)s
                         ORDER BY reversal.date, reversal.id
                            LIMIT 1
                      ) reversal ON TRUE
                      JOIN res_company company ON company.id = w.company_id
                     WHERE w.state IN ('posted', 'reversed')
                    UNION ALL
                    SELECT fa.id * 4 + 1,
                           'assistance',
                           'assistance',
                           fa.decision_date,
                           fa.company_id,
                           company.currency_id,
                           fa.account_id,
                           fa.discount_amount,
                           NULL::integer,
                           fa.id,
                           (SELECT MIN(rel.move_id)
                              FROM patient_financial_assistance_credit_note_rel rel
                             WHERE rel.assistance_id = fa.id)
                      FROM patient_financial_assistance fa
                      JOIN res_company company ON company.id = fa.company_id
                     WHERE fa.state = 'approved'
                    UNION ALL
                    SELECT rec.id * 4 + 2,
                           'recovery',
                           'bad_debt',
                           rec.date,
                           rec.company_id,
                           rec.currency_id,
                           rec.account_id,
                           rec.amount,
                           first_wo.id,
                           NULL::integer,
                           rec.move_id
                      FROM (
                           -- of the account's unapplied money, what its open debts
                           -- will not take (they take the oldest money first): a
                           -- payment not matched yet to the visit it pays is none
                           SELECT credit.id, credit.date, credit.company_id,
                                  credit.currency_id, credit.account_id, credit.move_id,
                                  LEAST(credit.unapplied, GREATEST(0,
                                      SUM(credit.unapplied) OVER (
                                          PARTITION BY credit.account_id
                                          ORDER BY credit.date, credit.id)
                                      - GREATEST(COALESCE(owed.amount, 0), 0))) AS amount
                             FROM (
                                  SELECT aml.id, aml.date, aml.company_id,
                                         aml.company_currency_id AS currency_id,
                                         rpa.id AS account_id, aml.move_id,
                                         -aml.amount_residual AS unapplied
                                    FROM account_move_line aml
                                    JOIN account_move move ON move.id = aml.move_id
                                    JOIN account_account acc ON acc.id = aml.account_id
                                    JOIN res_partner party ON party.id = aml.partner_id
                                    JOIN patient_account rpa
                                      ON rpa.partner_id = party.commercial_partner_id
                                     AND rpa.company_id = aml.company_id
                                   WHERE aml.parent_state = 'posted'
                                     AND acc.account_type = 'asset_receivable'
                                     AND aml.amount_residual < 0
                                     AND %(money_in)s
                             ) credit
                        LEFT JOIN LATERAL (
                                  -- what the account owes but for its unapplied money
                                  SELECT SUM(aml.amount_residual) AS amount
                                  %(open_items)s
                                     AND NOT (aml.amount_residual < 0 AND %(money_in)s)
                             ) owed ON TRUE
                      ) rec
                      JOIN LATERAL (
                           SELECT w.id FROM patient_writeoff w
                            WHERE w.account_id = rec.account_id
                              AND w.state = 'posted'
                              AND w.reason = 'bad_debt'
                              AND w.date <= rec.date
                              AND NOT EXISTS (
                                  SELECT 1 FROM account_move reversal
                                   WHERE %(reverses)s)
                         ORDER BY w.date, w.id
                            LIMIT 1
                      ) first_wo ON TRUE
                     WHERE rec.amount > 0
                )
                """,
                table=SQL.identifier(self._table),
                reverses=reverses_writeoff_sql("reversal", "w"),
                money_in=money_in_sql("move"),
                open_items=open_items_from(
                    SQL(
                        "(SELECT id, partner_id, company_id FROM patient_account"
                        " WHERE id = credit.account_id)"
                    )
                ),
            )
        )
