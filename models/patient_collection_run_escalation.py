"""The run's escalation walks the notice sequence.

Letters in order (the statement stages up to the final notice are entered one
after the other, each the minimum interval after the previous letter), never
stuck behind a gate (the furthest stage before a refused extraordinary action),
history honoured (letters logged, an imported final-notice date).  The rules are
``logic.escalation.decide_escalation``; here the accounts are read in batches,
one query each (their letters logged included), and the run record gets, per
stage, how many accounts wait for a letter or the 501(r) gate and from when.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_date

from ..logic import escalation
from ..logic.run_counts import CountKey
from .patient_collection_run import BATCH_SIZE
from .patient_collection_run_batches import StepBatch
from .patient_protected import trusted

WAITING = "waiting"


def waiting_dates(counts):
    """``{(stage id, wait): earliest date or None}`` of a run's waiting accounts,
    kept next to its counts."""
    dates = getattr(counts, "escalation_waiting_dates", None)
    if dates is None:
        dates = counts.escalation_waiting_dates = {}
    return dates


def _earliest(first, second):
    """The earlier of two dates; None (not known yet) only when both are."""
    if first is None or second is None:
        return first or second
    return min(first, second)


class PatientCollectionRun(models.Model):
    """``_step_escalate`` moves, batched and isolated per account, the accounts of
    :meth:`_escalation_plan`."""

    _inherit = "patient.collection.run"

    def _step_escalate(self, companies, today, counts):
        """Move accounts forward: classification in one query per batch of accounts,
        then one write per target stage, chatter and activities in batches."""
        limit = self._batch_limit("_step_escalate")
        plan, last_id = self._escalation_batch_plan(
            companies, today, counts, self.step_cursor, limit
        )
        stages = self.env["patient.account.stage"].sudo().with_context(active_test=False)
        Account = self.env["patient.account"].sudo()
        moved = {}
        for stage_id, account_ids in plan.items():
            stage = stages.browse(stage_id)
            moved[stage_id] = Account
            for start in range(0, len(account_ids), BATCH_SIZE):
                done = self._isolated(
                    "_step_escalate",
                    Account.browse(account_ids[start : start + BATCH_SIZE]),
                    lambda records, stage=stage: self._move_accounts(records, stage, today),
                    counts,
                )
                counts[CountKey("moved", stage_id)] += len(done)
                moved[stage_id] |= done
        # the list behind each "Moved to stage" count
        self.env["patient.collection.run.line"]._link_moved(self, moved)
        remaining = limit and last_id and self._escalation_remaining(companies, last_id)
        return StepBatch(last_id, remaining) if remaining else None

    def _escalation_remaining(self, companies, last_id):
        return (
            self.env["patient.account"]
            .sudo()
            .search_count([("company_id", "in", companies.ids), ("id", ">", last_id)])
        )

    def _move_accounts(self, accounts, stage, today=None):
        """Move accounts to a stage on ``today`` (the run's day): one write, one
        batch of chatter lines, one of activities for their specialists."""
        previous = {account.id: account.stage_id.display_name or "" for account in accounts}
        accounts._write_stage(stage, today)
        bodies = {
            account_id: Markup("<p>%s</p>")
            % self.env._(
                "Stage: %(old)s → %(new)s (daily collections run).",
                old=old or self.env._("none"),
                new=stage.display_name,
            )
            for account_id, old in previous.items()
        }
        accounts._message_log_batch(bodies=bodies)
        accounts._schedule_stage_activities(stage)

    def _escalation_context(self, companies):
        """The stages as rules and each company's settings, read once."""
        # the active stages, a handful of configuration records
        stages = self.env["patient.account.stage"].sudo().search([])  # pylint: disable=no-search-all
        rules = {stage.id: stage._as_rule() for stage in stages}
        settings = {
            company.id: (
                company._collections_letter_interval(),
                company.collections_notification_days,
                company.collections_final_notice_days,
                company.collections_501r_gating,
                company.collections_dispute_gating,
            )
            for company in companies.sudo()
        }
        return rules, sorted(rules.values(), key=escalation.stage_order), settings

    def _flush_for_escalation(self):
        self.env["patient.account"].flush_model(
            [
                "stage_id",
                "stage_date",
                "days_past_due",
                "balance_due",
                "balance_insurance_pending",
                "hold_reason",
                "active",
                "company_id",
                "first_statement_date",
                "first_open_date",
                "final_notice_date",
                "last_statement_date",
                "cease_communication",
            ]
        )
        self.env["patient.interaction"].flush_model(
            ["account_id", "channel", "state", "date", "is_statement"]
        )

    @api.model
    def _decide_rows(self, rows, context, today, from_scratch=False):
        """``(account id, decision)`` for rows of :meth:`_escalation_rows`;
        ``from_scratch``: as if the account were in no stage (leaving a manual
        stage such as a payment plan), its history only."""
        rules, stage_rules, settings = context
        for (
            account_id,
            company_id,
            stage_id,
            dpd,
            balance,
            pending,
            hold,
            stage_date,
            first_statement,
            final_notice,
            letters,
            last_letter,
            stage_letter,
            stage_letter_pending,
        ) in rows:
            interval, notification, final_days, check_501r, check_disputes = settings[company_id]
            current = None if from_scratch else rules.get(stage_id)
            yield (
                account_id,
                escalation.decide_escalation(
                    stage_rules,
                    current,
                    dpd,
                    balance,
                    pending,
                    # leaving a manual stage, a hold does not change where it belongs
                    bool(hold) and not from_scratch,
                    today,
                    escalation.History(
                        letters,
                        last_letter,
                        final_notice,
                        None if from_scratch else stage_date,
                        None if from_scratch else stage_letter,
                        False if from_scratch else stage_letter_pending,
                    ),
                    escalation.Gate(
                        first_statement,
                        final_notice,
                        hold,
                        notification,
                        final_days,
                        check_501r,
                        check_disputes,
                    ),
                    interval,
                ),
            )

    def _escalation_plan(self, companies, today, counts):
        """Where the run moves each account: ``{stage id: [account ids]}``.

        The accounts are read in batches, one query each, with the letters
        logged on them; ``logic.escalation.decide_escalation`` decides.  Accounts
        that stay are counted in ``counts`` under their reason; accounts held
        back by a letter interval or the 501(r) gate are counted as waiting for
        the stage they cannot enter yet, with the earliest date of each group.
        """
        return self._escalation_batch_plan(companies, today, counts)[0]

    def _escalation_batch_plan(self, companies, today, counts, after_id=0, limit=None):
        """:meth:`_escalation_plan` of the accounts after ``after_id``, ``limit`` of
        them at most (None: all); and the last account read (0: none)."""
        context = self._escalation_context(companies)
        self._flush_for_escalation()
        plan = {}
        last_id = after_id
        read = 0
        zones = self._company_tz_values(companies)
        while rows := self._escalation_rows(
            companies,
            last_id,
            size=min(BATCH_SIZE, limit - read) if limit else BATCH_SIZE,
            zones=zones,
        ):
            last_id = rows[-1][0]
            self._plan_rows(rows, context, today, counts, plan)
            read += len(rows)
            if limit and read >= limit:
                break
        return plan, (last_id if read else 0)

    def _plan_rows(self, rows, context, today, counts, plan):
        """Decide a batch of rows: their targets into ``plan``, the accounts that
        stay and those waiting into ``counts``."""
        dates = waiting_dates(counts)
        for account_id, decision in self._decide_rows(rows, context, today):
            if decision.target is None:
                counts[CountKey("skipped", False, decision.reason)] += 1
            else:
                plan.setdefault(decision.target.id, []).append(account_id)
            if decision.wait:
                key = (decision.wait_stage.id, decision.wait)
                counts[CountKey(WAITING, *key)] += 1
                dates[key] = (
                    _earliest(dates[key], decision.wait_date)
                    if key in dates
                    else decision.wait_date
                )

    @api.model
    def _resume_targets(self, accounts, today):
        """``{account id: stage id or None}``: where accounts leaving a manual stage
        (a payment plan that ended) go on with the notice sequence, from their
        history (None: no stage they may enter yet)."""
        accounts = accounts.sudo()
        if not accounts:
            return {}
        context = self._escalation_context(accounts.company_id)
        self._flush_for_escalation()
        rows = self._escalation_rows(accounts.company_id, 0, account_ids=accounts.ids)
        return {
            account_id: decision.target.id if decision.target else None
            for account_id, decision in self._decide_rows(rows, context, today, from_scratch=True)
        }

    @api.model
    def _company_tz_values(self, companies):
        """``VALUES (company id, time zone), …`` of these companies' calendars, to
        join as ``tz(company_id, name)``: a UTC datetime ``d`` is on the day
        ``(d AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date`` of the practice
        (``res.company._patient_tz_rows``)."""
        return companies._patient_tz_rows()

    def _escalation_rows(self, companies, last_id, account_ids=None, size=BATCH_SIZE, zones=None):
        """The next batch of accounts after ``last_id``, as the rules read them,
        with the statements mailed to each (count, day of the last one, or of the
        last statement when later), the day its stage's statement went out (the
        first one mailed or emailed since it entered; other letters and emails are
        no notice) and whether that letter is still
        to go out.  The days of the letters (UTC datetimes) are read on each
        account's practice calendar, like the stage and statement dates
        (``zones``: :meth:`_company_tz_values` of ``companies``, read once for
        the batches of a plan)."""
        self.env.cr.execute(
            SQL(
                """
                SELECT pa.id, pa.company_id, pa.stage_id, pa.days_past_due, pa.balance_due,
                       pa.balance_insurance_pending, pa.hold_reason, pa.stage_date,
                       COALESCE(pa.first_statement_date, pa.first_open_date),
                       pa.final_notice_date,
                       COALESCE(l.letters, 0),
                       GREATEST(l.last_letter, pa.last_statement_date),
                       l.stage_letter,
                       COALESCE(cur.send_statement IS TRUE
                                AND pa.cease_communication IS NOT TRUE
                                AND pa.balance_due > 0
                                AND (pa.last_statement_date IS NULL
                                     OR pa.last_statement_date < pa.stage_date), FALSE)
                  FROM patient_account pa
                  JOIN (%s) AS tz(company_id, name) ON tz.company_id = pa.company_id
             LEFT JOIN patient_account_stage cur ON cur.id = pa.stage_id
             LEFT JOIN LATERAL (
                       SELECT count(*) FILTER (WHERE i.channel = 'letter') AS letters,
                              (max(i.date) FILTER (WHERE i.channel = 'letter')
                                  AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date
                                  AS last_letter,
                              (min(i.date) FILTER (
                                  WHERE i.date >= pa.stage_date::timestamp
                                                  AT TIME ZONE tz.name AT TIME ZONE 'UTC')
                                  AT TIME ZONE 'UTC' AT TIME ZONE tz.name)::date
                                  AS stage_letter
                         FROM patient_interaction i
                        WHERE i.account_id = pa.id
                          AND i.channel IN ('letter', 'email')
                          AND i.state = 'logged'
                          AND i.is_statement
                       ) l ON TRUE
                 WHERE pa.company_id = ANY(%s) AND pa.active AND pa.id > %s %s
              ORDER BY pa.id
                 LIMIT %s
                """,
                zones or self._company_tz_values(companies),
                companies.ids,
                last_id,
                SQL("AND pa.id = ANY(%s)", list(account_ids)) if account_ids else SQL(),
                len(account_ids) if account_ids else size,
            )
        )
        return self.env.cr.fetchall()

    def _record(self, counts):
        """The waiting accounts of a batch added to the run's lines, with the
        earliest date of each group, then the batch's other counts."""
        self.ensure_one()
        dates = waiting_dates(counts)
        existing = {
            (line.stage_id.id, line.reason): line for line in self.line_ids if line.kind == WAITING
        }
        new_lines = []
        for key in sorted((key for key in counts if key[0] == WAITING), key=str):
            _kind, stage_id, wait = key
            count = counts.pop(key)
            wait_date = dates.get((stage_id, wait))
            line = existing.get((stage_id, wait))
            if line:
                trusted(line).write(
                    {
                        "count": line.count + count,
                        "wait_date": _earliest(line.wait_date or None, wait_date) or False,
                    }
                )
            elif count:
                new_lines.append(
                    {
                        "run_id": self.id,
                        "kind": WAITING,
                        "stage_id": stage_id,
                        "reason": wait,
                        "count": count,
                        "wait_date": wait_date or False,
                    }
                )
        if new_lines:
            trusted(self.env["patient.collection.run.line"].sudo()).create(new_lines)
            self.invalidate_recordset(["line_ids"])
        return super()._record(counts)


class PatientCollectionRunLine(models.Model):
    _inherit = "patient.collection.run.line"

    kind = fields.Selection(
        selection_add=[(WAITING, "Waiting to move")], ondelete={WAITING: "cascade"}
    )
    reason = fields.Selection(
        selection_add=[
            (escalation.WAIT_LETTER, "Letters in order: previous letter too recent"),
            (escalation.WAIT_501R, "Waiting for 501(r)"),
        ]
    )
    wait_date = fields.Date(
        string="Can Move On",
        help="Waiting accounts: the earliest day one of them can move (empty: a letter or "
        "date is still missing, e.g. a final notice never sent).",
    )

    @api.depends("wait_date")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        for line in self:
            if line.kind == WAITING:
                line.display_name = " – ".join(
                    [
                        line.display_name,
                        self.env._("from %(date)s", date=format_date(self.env, line.wait_date))
                        if line.wait_date
                        else self.env._("date not known yet"),
                    ]
                )
        return res
