import logging
from collections import Counter
from datetime import timedelta

from markupsafe import Markup
from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.pdf import merge_pdf

from ..logic import escalation
from .patient_protected import is_trusted, trusted

_logger = logging.getLogger(__name__)

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
    ("failed", "Could not be processed"),
]
# Why an account could not be processed: a category, never the error's text (which
# may quote a patient's data).
FAILURE_REASONS = [
    ("refused", "A business rule refused it"),
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
BATCH_SIZE = 5000
MANAGER_GROUP = "patient_collections.group_collections_manager"


def failure_reason(error):
    if isinstance(error, (UserError, ValidationError)) and not isinstance(error, AccessError):
        return "refused"
    if isinstance(error, (AccessError, AccessDenied)):
        return "access"
    if isinstance(error, (ValueError, TypeError, ArithmeticError, LookupError)):
        return "data"
    return "unexpected"


class RunStats(Counter):
    """The counts of one run, ``(kind, stage id, reason) -> count``, and what it
    could not process: ``failures``, a list of (step, account id, error)."""

    def __init__(self):
        super().__init__()
        self.failures = []


class PatientCollectionRun(models.Model):
    _name = "patient.collection.run"
    _description = "Daily Collections Run"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "id desc"
    # a record of what happened: written by the run only
    _protected_immutable = True

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Run now")], readonly=True, required=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    line_ids = fields.One2many("patient.collection.run.line", "run_id", readonly=True)
    moved_count = fields.Integer(readonly=True)
    skipped_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(
        readonly=True, help="Accounts the run could not process: they were left as they were."
    )
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Files",
        domain=[("res_model", "=", "patient.collection.run")],
        readonly=True,
    )
    summary = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise self._protected_immutable_refusal()
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return AccessError(
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
        runs = self.run(companies=self.env.companies, trigger="manual")
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": self.env._("Collections Runs"),
        }
        if len(runs) == 1:
            return {**action, "res_id": runs.id, "view_mode": "form", "views": [(False, "form")]}
        return {
            **action,
            "domain": [("id", "in", runs.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }

    @api.model
    def run(self, companies=None, trigger="manual"):
        """Perform the daily collections run and return the records documenting it,
        one per company.

        The scheduled action runs it for every company with patient accounts; a
        manager runs it for the companies they are working in (their active
        companies, among those they belong to).  An account that cannot be
        processed in a step is left as it was and recorded on its company's run;
        every other account is processed.
        """
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only collections managers can start the collections run.")
            )
        companies = self._run_companies(companies)
        if trigger not in dict(self._fields["trigger"].selection):
            raise UserError(self.env._("Unknown trigger of a collections run."))
        runs = self.browse()
        for company in companies.sorted("id"):
            runs |= self._run_company(company, trigger)
        return runs.with_env(self.env)

    @api.model
    def _run_companies(self, companies):
        """The companies to run: those asked (a manager's own companies only), else
        every company with patient accounts (the scheduled run) or the manager's
        active companies."""
        Company = self.env["res.company"].sudo()
        if companies is None:
            if not self.env.su:
                return self.env.companies
            with_accounts = self.env["patient.account"].sudo().with_context(active_test=False)
            return Company.browse(
                [company.id for [company] in with_accounts._read_group([], ["company_id"])]
            )
        if not isinstance(companies, models.BaseModel) or companies._name != "res.company":
            raise UserError(self.env._("The collections run takes companies (res.company)."))
        if not self.env.su:
            foreign = companies - self.env.user.company_ids
            if foreign:
                raise AccessError(
                    self.env._("You can only run collections for the companies you belong to.")
                )
        return companies

    @api.model
    def _run_company(self, company, trigger):
        """The run of one company: its record, each step isolated from the others,
        its counts."""
        today = fields.Date.context_today(self)
        run = trusted(self.sudo().with_company(company)).create(
            {
                "name": self.env._("Collections run of %(date)s", date=today),
                "date": today,
                "started_at": fields.Datetime.now(),
                "user_id": self.env.user.id,
                "trigger": trigger,
                "company_id": company.id,
            }
        )
        stats = RunStats()
        for step in run._collection_steps():
            run._run_step(step, company, today, stats)
        run._record(stats)
        return run

    def _run_step(self, step, company, today, stats):
        """One step for one company; a failure the step did not isolate itself
        leaves the step's changes out and is recorded on the run."""
        try:
            with self.env.cr.savepoint():
                getattr(self, step)(company, today, stats)
        except TransactionRollbackError:
            raise  # a concurrent update: the whole run is retried, never half-judged
        # whatever fails is isolated and recorded, never left to stop the run
        except Exception as error:  # pylint: disable=broad-exception-caught
            self._record_failure(stats, step, False, error)

    def _isolated(self, step, records, process, stats, account_of=None):
        """``process(records)`` in a savepoint; when it fails, each half again, down
        to the single records that fail alone: those are left as they were and
        recorded on the run (``account_of(record)``: its patient account).  Returns
        the records processed."""
        if not records:
            return records
        try:
            with self.env.cr.savepoint():
                process(records)
            return records
        except TransactionRollbackError:
            raise
        # whatever fails is isolated and recorded, never left to stop the run
        except Exception as error:  # pylint: disable=broad-exception-caught
            if len(records) == 1:
                account = account_of(records) if account_of else records
                self._record_failure(stats, step, account.id, error)
                return records.browse()
        middle = len(records) // 2
        first = self._isolated(step, records[:middle], process, stats, account_of)
        return first | self._isolated(step, records[middle:], process, stats, account_of)

    def _record_failure(self, stats, step, account_id, error):
        """Remember that ``account_id`` (False: the whole step) failed in ``step``;
        the log holds ids and the error's type only, never its text."""
        if not isinstance(stats, RunStats):
            raise error  # a step called on its own (benches): nowhere to record it
        known = dict(self.env["patient.collection.run.line"]._fields["step"].selection)
        stats.failures.append((step if step in known else False, account_id, failure_reason(error)))
        _logger.warning(
            "Collections run %s: %s failed for account id %s (%s)",
            self.id,
            step,
            account_id or "-",
            type(error).__name__,
        )

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

    def _batches(self, records):
        for start in range(0, len(records), BATCH_SIZE):
            yield records[start : start + BATCH_SIZE]

    def _step_refresh_aging(self, companies, today, stats):
        """Age the accounts not aged today, set-based, batch after batch."""
        Account = self.env["patient.account"].sudo().with_context(active_test=False)
        accounts = Account.search(
            [
                ("company_id", "in", companies.ids),
                "|",
                ("aging_date", "=", False),
                ("aging_date", "<", today),
            ],
            order="id",
        )
        done = 0
        for batch in self._batches(accounts):
            done += len(
                self._isolated(
                    "_step_refresh_aging",
                    batch,
                    lambda records: records._refresh_balances(today=today, batch_size=BATCH_SIZE),
                    stats,
                )
            )
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(accounts) - done)
        stats[("refreshed", False, False)] += done

    def _step_lift_expired_holds(self, companies, today, stats):
        expired = self._accounts(
            companies,
            [("hold_reason", "!=", False), ("hold_until", "!=", False), ("hold_until", "<", today)],
        )
        why = self.env._("The hold date has passed.")
        lifted = self._isolated(
            "_step_lift_expired_holds",
            expired,
            lambda records: records._release_hold(why=why),
            stats,
        )
        stats[("hold_expired", False, False)] += len(lifted)

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
        held = self._isolated(
            "_step_insurance_holds",
            to_hold,
            lambda records: records._set_hold("insurance_pending", auto=True),
            stats,
        )
        stats[("hold_applied", False, False)] += len(held)
        auto_held = self._accounts(
            companies, [("hold_reason", "=", "insurance_pending"), ("hold_auto", "=", True)]
        )
        to_release = auto_held.filtered(
            lambda a: not (a.balance_due <= 0 and a.balance_insurance_pending > 0)
        )
        why = self.env._("The insurance claims were adjudicated.")
        released = self._isolated(
            "_step_insurance_holds",
            to_release,
            lambda records: records._release_hold(why=why),
            stats,
        )
        stats[("hold_released", False, False)] += len(released)

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
        done = plans.browse()
        for batch in self._batches(plans):
            done |= self._isolated(
                "_step_payment_plans",
                batch,
                lambda records: records._allocate_payments(today),
                stats,
                account_of=lambda plan: plan.account_id,
            )
        for plan in done:
            if plan.state != before[plan.id]:
                stats[("plan_" + plan.state, False, False)] += 1

    def _step_statements(self, companies, today, stats):
        """The statement cycle: accounts in statement stages whose last statement is
        a cycle old (or who never had one), not on hold, not asking to cease.  The
        run's merged PDF is the company's: attached to its run."""
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
        sent = 0
        for batch in self._batches(accounts):
            merged = []

            def send(records, merged=merged):
                attachment = records._send_statements(email=True)
                merged.append(attachment)

            processed = self._isolated("_step_statements", batch, send, stats)
            self._attach_merged(merged, len(processed), today)
            sent += len(processed)
        stats[("statement_sent", False, False)] += sent

    def _attach_merged(self, attachments, count, today):
        """The merged statements of a batch: one file attached to the run (merged
        here when some accounts had to be sent apart), the run's company's, so that
        only those who read the run (its company's managers) read it."""
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.union(*attachments)
        if not attachments:
            return
        if len(attachments) > 1:
            parts = attachments
            attachments = Attachment.create(
                {
                    "name": self.env._(
                        "Statements %(date)s (%(count)s).pdf", date=today, count=count
                    ),
                    "raw": merge_pdf(parts.mapped("raw")),
                    "mimetype": "application/pdf",
                }
            )
            parts.unlink()
        attachments.write(
            {"res_model": self._name, "res_id": self.id, "company_id": self.company_id.id}
        )

    def _step_escalate(self, companies, today, stats):
        """Move accounts forward: classification in one query per batch of accounts,
        then one write per target stage, chatter and activities in batches."""
        stages = self.env["patient.account.stage"].sudo().with_context(active_test=False)
        Account = self.env["patient.account"].sudo()
        for stage_id, account_ids in self._escalation_plan(companies, today, stats).items():
            stage = stages.browse(stage_id)
            moved = 0
            for start in range(0, len(account_ids), BATCH_SIZE):
                moved += len(
                    self._isolated(
                        "_step_escalate",
                        Account.browse(account_ids[start : start + BATCH_SIZE]),
                        lambda records, stage=stage: self._move_accounts(records, stage),
                        stats,
                    )
                )
            stats[("moved", stage_id, False)] += moved

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
            gated = {}
            for account_id, stage_id, dpd, balance, pending, hold in rows:
                target, reason = escalation.decide_move(
                    stage_rules, rules.get(stage_id), dpd, balance, pending, bool(hold)
                )
                if target is None:
                    stats[("skipped", False, reason)] += 1
                elif target.is_extraordinary:
                    gated[account_id] = target.id
                else:
                    plan.setdefault(target.id, []).append(account_id)
            decided = []

            def judge(records, decided=decided):
                blocks = [(account, account._extraordinary_blocks(today)) for account in records]
                decided.extend(blocks)

            self._isolated("_step_escalate", Account.browse(list(gated)), judge, stats)
            for account, blocks in decided:
                for block in blocks:
                    stats[("skipped", False, block)] += 1
                if not blocks:
                    plan.setdefault(gated[account.id], []).append(account.id)
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
        """Write the counts of the run on its record, and a line per account it
        could not process."""
        lines = [
            {"kind": kind, "stage_id": stage_id, "reason": reason, "count": count}
            for (kind, stage_id, reason), count in sorted(
                stats.items(), key=lambda item: (item[0][0], item[0][1] or 0, item[0][2] or "")
            )
            if count
        ]
        lines += [
            {
                "kind": "failed",
                "step": step,
                "account_id": account_id,
                "failure_reason": reason,
                "count": 1,
            }
            for step, account_id, reason in stats.failures
        ]
        moved = sum(count for (kind, _s, _r), count in stats.items() if kind == "moved")
        skipped_accounts = sum(
            count for (kind, _s, reason), count in stats.items() if kind == "skipped"
        )
        failed = len({account_id for _step, account_id, _r in stats.failures if account_id})
        run = trusted(self)
        run.write(
            {
                "ended_at": fields.Datetime.now(),
                "line_ids": [fields.Command.create(vals) for vals in lines],
                "moved_count": moved,
                "skipped_count": skipped_accounts,
                "failed_count": failed,
            }
        )
        run.write({"summary": self._summary_text()})

    def _summary_text(self):
        self.ensure_one()
        return "\n".join(f"{line.display_name}: {line.count}" for line in self.line_ids)


class PatientCollectionRunLine(models.Model):
    _name = "patient.collection.run.line"
    _description = "Collections Run Count"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "run_id, kind, stage_id, reason, id"
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
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        failures = dict(self._fields["failure_reason"]._description_selection(self.env))
        steps = dict(self._fields["step"]._description_selection(self.env))
        for line in self:
            parts = [kinds.get(line.kind, "")]
            if line.stage_id:
                parts.append(line.stage_id.name)
            if line.reason:
                parts.append(reasons[line.reason])
            if line.kind == "failed":
                parts.append(steps.get(line.step, ""))
                parts.append(line.account_id.sudo().name or self.env._("whole step"))
                parts.append(failures.get(line.failure_reason, ""))
            line.display_name = " – ".join(part for part in parts if part)
