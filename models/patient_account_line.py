from odoo import api, fields, models, tools
from odoo.osv import expression
from odoo.tools import SQL

from ..logic import aging
from .patient_account_balances import open_items_from


def _top_level_conjuncts(domain):
    """The terms ANDed at the top of ``domain`` (leaves or operators' subtrees
    aside): reading the normalized prefix notation, a term is a top-level
    conjunct when every operator above it is ``&``."""
    conjuncts = []
    # for each operand still to read: is it a top-level conjunct?
    pending = [True]
    for token in expression.normalize_domain(list(domain)):
        top = pending.pop()
        if token == expression.AND_OPERATOR:
            pending += [top, top]
        elif token == expression.OR_OPERATOR:
            pending += [False, False]
        elif token == expression.NOT_OPERATOR:
            pending.append(False)
        elif top:
            conjuncts.append(token)
    return conjuncts


class PatientAccountLine(models.Model):
    """One open invoice, credit note or unapplied payment of a patient account.

    A read-only SQL view over Odoo's own receivable lines, so specialists see
    what is owed and why (the EOB) without access to the accounting itself.
    """

    _name = "patient.account.line"
    _description = "Patient Account Open Item"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _auto = False
    _order = "date_due, id"
    # named and found by the invoice's or payment's number, never by a patient's name
    _rec_name = "move_name"

    account_id = fields.Many2one("patient.account", readonly=True, index=True)
    company_id = fields.Many2one("res.company", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Invoice Currency", readonly=True)
    move_id = fields.Many2one(
        "account.move",
        string="Journal Entry",
        readonly=True,
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    move_name = fields.Char(string="Number", readonly=True)
    move_type = fields.Selection(
        [
            ("out_invoice", "Invoice"),
            ("out_refund", "Credit Note"),
            ("entry", "Payment"),
        ],
        string="Type",
        readonly=True,
    )
    invoice_date = fields.Date(readonly=True)
    service_date = fields.Date(string="Date of Service", readonly=True)
    patient_id = fields.Many2one("res.partner", readonly=True)
    insurance_status = fields.Selection(
        [
            ("self_pay", "Self-pay"),
            ("pending", "Insurance Pending"),
            ("adjudicated", "Adjudicated"),
            ("denied", "Denied"),
        ],
        readonly=True,
    )
    insurance_claim_ref = fields.Char(string="Claim Reference", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    amount_residual = fields.Monetary(
        string="Open Amount", currency_field="company_currency_id", readonly=True
    )
    amount_charges = fields.Monetary(string="Charges", readonly=True)
    amount_insurance_paid = fields.Monetary(string="Insurance Paid", readonly=True)
    amount_adjustment = fields.Monetary(string="Adjustment", readonly=True)
    amount_deductible = fields.Monetary(string="Deductible", readonly=True)
    amount_copay = fields.Monetary(string="Copay", readonly=True)
    amount_coinsurance = fields.Monetary(string="Coinsurance", readonly=True)
    amount_noncovered = fields.Monetary(string="Non-covered", readonly=True)
    amount_total = fields.Monetary(string="Patient Responsibility", readonly=True)
    days_past_due = fields.Integer(compute="_compute_aging")
    aging_bucket = fields.Selection(
        [
            ("current", "Current"),
            ("1_30", "1-30"),
            ("31_60", "31-60"),
            ("61_90", "61-90"),
            ("91_120", "91-120"),
            ("over_120", "120+"),
        ],
        compute="_compute_aging",
    )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """Reading lines by id (a form's open items) stays on their invoices.

        The view's ``id`` is an aggregate (the first receivable line of each
        invoice), so PostgreSQL cannot filter on it before grouping every open
        item of the database.  The invoices those lines belong to are a grouping
        column: narrowing on them first makes the read an index lookup.
        """
        query = super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)
        ids = self._ids_required_by(domain)
        if ids and not query.is_empty():
            # a literal list (a subquery would not be pushed below the grouping)
            self.env["account.move.line"].flush_model(["move_id"])
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT move_id FROM account_move_line WHERE id = ANY(%s)",
                    sorted(set(ids)),
                )
            )
            move_ids = [row[0] for row in self.env.cr.fetchall()]
            query.add_where(SQL("%s = ANY(%s)", SQL.identifier(self._table, "move_id"), move_ids))
        return query

    @api.model
    def _ids_required_by(self, domain):
        """The ids every row found by ``domain`` must have: those of the ``id``
        conditions ANDed at the top of the normalized domain.  An id condition
        under ``|`` or ``!`` restricts nothing (other rows may match)."""
        ids = []
        for leaf in _top_level_conjuncts(domain):
            if not expression.is_leaf(leaf) or tuple(leaf[:2]) not in (("id", "="), ("id", "in")):
                continue
            value = leaf[2]
            values = [value] if isinstance(value, int) else value
            if isinstance(values, (list, tuple)):  # not a subquery
                ids.extend(v for v in values if isinstance(v, int) and not isinstance(v, bool))
        return ids

    @api.depends("date_due")
    def _compute_aging(self):
        # aged as of today on the practice's calendar, as the accounts are
        todays = self.company_id._patient_todays()
        for line in self:
            today = todays[line.company_id.id]
            days = aging.days_past_due(line.date_due, today)
            line.days_past_due = days
            line.aging_bucket = aging.bucket_for(days)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW patient_account_line AS (
                SELECT MIN(aml.id) AS id,
                       pa.id AS account_id,
                       pa.company_id,
                       pa.currency_id AS company_currency_id,
                       move.currency_id,
                       move.id AS move_id,
                       move.name AS move_name,
                       move.move_type,
                       COALESCE(move.invoice_date, move.date) AS invoice_date,
                       move.service_date,
                       move.patient_id,
                       move.insurance_status,
                       move.insurance_claim_ref,
                       MIN(COALESCE(aml.date_maturity, aml.date)) AS date_due,
                       SUM(aml.amount_residual) AS amount_residual,
                       move.amount_charges,
                       move.amount_insurance_paid,
                       move.amount_adjustment,
                       move.amount_deductible,
                       move.amount_copay,
                       move.amount_coinsurance,
                       move.amount_noncovered,
                       move.amount_total
                %s
              GROUP BY pa.id, move.id
            )
                """,
                open_items_from(SQL.identifier("patient_account")),
            )
        )
