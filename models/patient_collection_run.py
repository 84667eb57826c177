from collections import Counter
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..logic import escalation

SKIP_REASONS = [
    (escalation.SKIP_ON_HOLD, "On hold"),
    (escalation.SKIP_MANUAL_STAGE, "In a manual stage"),
    (escalation.SKIP_NOT_FORWARD, "Already in its stage"),
    (escalation.SKIP_NO_STAGE, "No stage qualifies"),
    (escalation.GATE_NOTIFICATION_PERIOD, "501(r): notification period not over"),
    (escalation.GATE_FINAL_NOTICE, "501(r): final notice too recent or missing"),
    (escalation.GATE_FINANCIAL_ASSISTANCE, "501(r): financial assistance open"),
    (escalation.GATE_DISPUTE, "No Surprises Act: dispute open"),
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
]
BATCH_SIZE = 5000


class PatientCollectionRun(models.Model):
    _name = "patient.collection.run"
    _description = "Daily Collections Run"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Run now")], readonly=True, required=True
    )
    company_ids = fields.Many2many("res.company", string="Companies", readonly=True)
    line_ids = fields.One2many("patient.collection.run.line", "run_id", readonly=True)
    moved_count = fields.Integer(readonly=True)
    skipped_count = fields.Integer(readonly=True)
    summary = fields.Text(readonly=True)

    def write(self, vals):
        if not (self.env.su and self.env.context.get("collections_run_writing")):
            self._refuse_change()
        return super().write(vals)

    def _refuse_change(self):
        raise AccessError(
            self.env._("A collections run record documents what happened: it cannot be changed.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A collections run record cannot be deleted."))

    # ------------------------------------------------------------------ the run

    @api.model
    def _cron_collection_run(self):
        return self.run(trigger="cron")

    def action_run_now(self):
        run = self.run(companies=self.env.companies, trigger="manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.model
    def run(self, companies=None, trigger="manual"):
        """Perform the daily collections run and return the record documenting it.

        The scheduled action runs it for every company; a manager's "Run now"
        for the companies they are working in.
        """
        if not self.env.su and not self.env.user.has_group(
            "patient_collections.group_collections_manager"
        ):
            raise AccessError(
                self.env._("Only collections managers can start the collections run.")
            )
        if companies is None:
            # the scheduled run covers every company (a handful of records)
            companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
        today = fields.Date.context_today(self)
        run = (
            self.sudo()
            .with_context(collections_run_writing=True)
            .create(
                {
                    "name": self.env._("Collections run of %(date)s", date=today),
                    "date": today,
                    "started_at": fields.Datetime.now(),
                    "user_id": self.env.user.id,
                    "trigger": trigger,
                    "company_ids": [fields.Command.set(companies.ids)],
                }
            )
        )
        stats = Counter()
        for step in run._collection_steps():
            getattr(run, step)(companies, today, stats)
        run._record(stats)
        return run.with_env(self.env)

    def _collection_steps(self):
        """Names of the run's steps, in order; later capabilities add theirs."""
        return [
            "_step_refresh_aging",
            "_step_promises",
            "_step_lift_expired_holds",
            "_step_insurance_holds",
            "_step_payment_plans",
            "_step_escalate",
            "_step_statements",
        ]

    def _accounts(self, companies, domain=()):
        return (
            self.env["patient.account"]
            .sudo()
            .with_context(active_test=True)
            .search([("company_id", "in", companies.ids), *domain], order="id")
        )

    def _step_refresh_aging(self, companies, today, stats):
        done = (
            self.env["patient.account"]
            .sudo()
            ._cron_refresh_balances(extra_domain=[("company_id", "in", companies.ids)])
        )
        stats[("refreshed", False, False)] += done

    def _step_lift_expired_holds(self, companies, today, stats):
        expired = self._accounts(
            companies,
            [("hold_reason", "!=", False), ("hold_until", "!=", False), ("hold_until", "<", today)],
        )
        expired._release_hold(why=self.env._("The hold date has passed."))
        stats[("hold_expired", False, False)] += len(expired)

    def _step_insurance_holds(self, companies, today, stats):
        """Hold accounts whose whole open balance waits for insurance; release them
        when the claims are adjudicated (or part of the balance is due)."""
        to_hold = self._accounts(
            companies,
            [
                ("hold_reason", "=", False),
                ("balance_due", "<=", 0),
                ("balance_insurance_pending", ">", 0),
            ],
        )
        to_hold._set_hold("insurance_pending", auto=True)
        stats[("hold_applied", False, False)] += len(to_hold)
        auto_held = self._accounts(
            companies, [("hold_reason", "=", "insurance_pending"), ("hold_auto", "=", True)]
        )
        to_release = auto_held.filtered(
            lambda a: not (a.balance_due <= 0 and a.balance_insurance_pending > 0)
        )
        to_release._release_hold(why=self.env._("The insurance claims were adjudicated."))
        stats[("hold_released", False, False)] += len(to_release)

    def _step_promises(self, companies, today, stats):
        """Judge the promises whose date has passed (before their holds expire)."""
        result = self.env["patient.interaction"]._check_due_promises(companies, today)
        stats[("promise_kept", False, False)] += result["kept"]
        stats[("promise_broken", False, False)] += result["broken"]

    def _step_payment_plans(self, companies, today, stats):
        """Allocate payments, mark missed installments, complete and default plans."""
        plans = (
            self.env["patient.payment.plan"]
            .sudo()
            .search([("state", "=", "active"), ("company_id", "in", companies.ids)], order="id")
        )
        before = dict(zip(plans.ids, plans.mapped("state"), strict=True))
        for start in range(0, len(plans), BATCH_SIZE):
            plans[start : start + BATCH_SIZE]._allocate_payments(today)
        for plan in plans:
            if plan.state != before[plan.id]:
                stats[("plan_" + plan.state, False, False)] += 1

    def _step_statements(self, companies, today, stats):
        """The statement cycle: accounts in statement stages whose last statement is
        a cycle old (or who never had one), not on hold, not asking to cease."""
        Account = self.env["patient.account"].sudo()
        accounts = Account
        for company in companies:
            cycle = max(company.collections_statement_cycle_days, 1)
            accounts |= Account.search(
                [
                    ("company_id", "=", company.id),
                    ("stage_id.send_statement", "=", True),
                    ("hold_reason", "=", False),
                    *Account._statement_eligible_domain(today),
                    "|",
                    ("last_statement_date", "=", False),
                    ("last_statement_date", "<=", today - timedelta(days=cycle)),
                ]
            )
        for start in range(0, len(accounts), BATCH_SIZE):
            merged = accounts[start : start + BATCH_SIZE]._send_statements(email=True)
            if merged:
                merged.write({"res_model": self._name, "res_id": self.id})
        stats[("statement_sent", False, False)] += len(accounts)

    def _step_escalate(self, companies, today, stats):
        """Move accounts forward: classification in one query per batch of accounts,
        then one write per target stage, chatter and activities in batches."""
        stages = self.env["patient.account.stage"].sudo().with_context(active_test=False)
        for stage_id, account_ids in self._escalation_plan(companies, today, stats).items():
            stage = stages.browse(stage_id)
            for start in range(0, len(account_ids), BATCH_SIZE):
                accounts = (
                    self.env["patient.account"]
                    .sudo()
                    .browse(account_ids[start : start + BATCH_SIZE])
                )
                self._move_accounts(accounts, stage)
            stats[("moved", stage_id, False)] += len(account_ids)

    def _escalation_plan(self, companies, today, stats):
        """Where the run moves each account: ``{stage id: [account ids]}``.

        The accounts are read in batches, one query each; the pure escalation
        rules decide; accounts bound for an extraordinary-action stage go
        through the 501(r) and dispute gates.  Accounts that stay are counted
        in ``stats`` under their reason.
        """
        Account = self.env["patient.account"].sudo()
        # the active stages, a handful of configuration records
        stages = self.env["patient.account.stage"].sudo().search([])  # pylint: disable=no-search-all
        rules = {stage.id: stage._as_rule() for stage in stages}
        stage_rules = list(rules.values())
        Account.flush_model(
            [
                "stage_id",
                "days_past_due",
                "balance_due",
                "balance_insurance_pending",
                "hold_reason",
                "active",
                "company_id",
            ]
        )
        total = Account.search_count([("company_id", "in", companies.ids)])
        plan = {}
        last_id = done = 0
        while True:
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id, stage_id, days_past_due, balance_due,
                           balance_insurance_pending, hold_reason
                      FROM patient_account
                     WHERE company_id = ANY(%s) AND active AND id > %s
                  ORDER BY id
                     LIMIT %s
                    """,
                    companies.ids,
                    last_id,
                    BATCH_SIZE,
                )
            )
            rows = self.env.cr.fetchall()
            if not rows:
                break
            last_id = rows[-1][0]
            gated = []
            for account_id, stage_id, dpd, balance, pending, hold in rows:
                target, reason = escalation.decide_move(
                    stage_rules, rules.get(stage_id), dpd, balance, pending, bool(hold)
                )
                if target is None:
                    stats[("skipped", False, reason)] += 1
                elif target.is_extraordinary:
                    gated.append((account_id, target.id))
                else:
                    plan.setdefault(target.id, []).append(account_id)
            accounts = Account.browse([account_id for account_id, _stage in gated])
            for account, (_account_id, stage_id) in zip(accounts, gated, strict=True):
                blocks = account._extraordinary_blocks(today)
                for block in blocks:
                    stats[("skipped", False, block)] += 1
                if not blocks:
                    plan.setdefault(stage_id, []).append(account.id)
            done += len(rows)
            self.env["ir.cron"]._notify_progress(done=done, remaining=max(total - done, 0))
        return plan

    def _move_accounts(self, accounts, stage):
        """Move accounts to a stage: one write, one batch of chatter lines, one of
        activities for their specialists."""
        previous = {account.id: account.stage_id.name or "" for account in accounts}
        accounts._write_stage(stage)
        bodies = {
            account_id: Markup("<p>%s</p>")
            % self.env._(
                "Stage: %(old)s → %(new)s (daily collections run).",
                old=old or self.env._("none"),
                new=stage.name,
            )
            for account_id, old in previous.items()
        }
        accounts._message_log_batch(bodies=bodies)
        accounts._schedule_stage_activities(stage)

    def _record(self, stats):
        """Write the counts of the run on its record."""
        lines = [
            {"kind": kind, "stage_id": stage_id, "reason": reason, "count": count}
            for (kind, stage_id, reason), count in sorted(
                stats.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or "")
            )
            if count
        ]
        moved = sum(count for (kind, _s, _r), count in stats.items() if kind == "moved")
        skipped_accounts = sum(
            count for (kind, _s, reason), count in stats.items() if kind == "skipped"
        )
        self.with_context(collections_run_writing=True).write(
            {
                "ended_at": fields.Datetime.now(),
                "line_ids": [fields.Command.create(vals) for vals in lines],
                "moved_count": moved,
                "skipped_count": skipped_accounts,
            }
        )
        self.with_context(collections_run_writing=True).write({"summary": self._summary_text()})

    def _summary_text(self):
        self.ensure_one()
        return "\n".join(f"{line.display_name}: {line.count}" for line in self.line_ids)


class PatientCollectionRunLine(models.Model):
    _name = "patient.collection.run.line"
    _description = "Collections Run Count"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "run_id, kind, stage_id, reason"

    run_id = fields.Many2one(
        "patient.collection.run", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(EVENT_KINDS, required=True)
    stage_id = fields.Many2one("patient.account.stage")
    reason = fields.Selection(SKIP_REASONS)
    count = fields.Integer()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Collections run counts are written by the run only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            self.run_id._refuse_change()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        self.run_id._unlink_never()

    @api.depends("kind", "stage_id", "reason")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        for line in self:
            parts = [kinds.get(line.kind, "")]
            if line.stage_id:
                parts.append(line.stage_id.name)
            if line.reason:
                parts.append(reasons[line.reason])
            line.display_name = " – ".join(parts)
