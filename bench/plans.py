"""Benchmark: payment plans created as the wizard creates them, and the daily sweep.

Generates, set-based (common.generate_receivables), guarantors with patient
accounts and open posted invoices (PLANS + 5 % accounts, 5 invoices each),
refreshes their balances and commits, then times

  create        PatientPaymentPlan._create_plans([(account, terms), ...]) for
                PLANS accounts, the code the wizard's action_confirm runs
                (validation of the terms, _prepare_plan_vals, one batched
                create, _activate: stage write, interactions, chatter), plus
                the flush and precommit hooks (the mail tracking's chatter
                lines) it leaves pending, all but the COMMIT; terms: the
                account's balance due in 12 monthly installments, the first
                due 1 to 28 days from today (BENCH_PLAN_BATCH > 0 splits the
                requests into calls of that many, the total being timed);
  create_floor  one SQL statement inserting the same rows (PLANS plans and
                12 * PLANS installments, every stored column as the ORM writes
                it: checked by a fingerprint of both sets of rows) with a
                data-modifying CTE over generate_series, in a savepoint rolled
                back, foreign key triggers on like the ORM's inserts;

then adds payments reconciled with the plans' invoices (set-based, see
`generate_plan_payments`: 45 % of the plans pay every installment due, 10 %
pay four installments at once, 15 % pay the first and half of the second,
15 % only the first, 15 % nothing; inserted in SQL, so the module's
reconciliation hook, which allocates when a payment is registered through
Odoo, does not run: the sweep finds and allocates them all, as it must for
payments reconciled outside that hook), refreshes the balances for the sweep day
(what the daily run's first step does) and commits; the sweep day is 75 days
after today, so two or three installments of every plan are past due and
beyond the 10 grace days: most paying plans move to paid/partial/missed
states, the plans with two misses default.  Then times

  sweep         PatientCollectionRun._step_payment_plans(companies, day,
                Counter()), the daily run's payment plan step (the plans in
                batches of 5,000: row lock, one SQL for the payments, the pure
                allocation, grouped installment writes, _close_if_done), plus
                the flush and precommit hooks, each run from the same
                committed state (the runs but the last are rolled back and
                the tables vacuumed);
  sweep_floor   one indexed range query: the installments due by the sweep day
                still open or partly paid, fetched to the client; the faster
                of the planner's plan and a scan of the due_date index (when
                a large share of the rows is due the planner reads the table
                instead; the EXPLAINs are printed);

each floor and the sweep the best of BENCH_REPEAT runs (default 3), the
create run once (it can only be done once on the same accounts).  Printed for
reference: create_floor_nofk, the create floor without PostgreSQL's per-row
foreign key checks (most of the floor's time; superuser only), sweep_again,
the same sweep run a second time the same day (nothing left to change: what
every later day costs when no payment came), and floor_payments, the sweep's
own payments query over all the plans.  The progress lines break both times
down by method (seconds/queries/calls; the methods are wrapped on the
registry class for this process only) and count the queries.

The results are checked: plans and installments created, the installments
of each plan adding up to its total, accounts in the payment plan stage, one
interaction per plan, the floor's rows equal to the ORM's; a sample of the
generated payments recomputed by Odoo (residuals, payment states, matching
numbers); after the sweep, every installment's paid amount, paid date, state
and payments and every plan's state and missed count against
logic.plan_schedule.allocate over the generated payments (the run's rules for
missed installments and defaults applied in Python).

The last line is the result; ``ratio=`` is the SWEEP ratio (sweep /
sweep_floor), the create ratio is ``create_ratio=``, e.g.
    bench plans: plans=10000 installments=120000 create=..s create_queries=..
    create_floor=..s create_ratio=.. create_floor_nofk=..s payments=..
    sweep=..s sweep_queries=.. sweep_again=..s floor_payments=..s
    sweep_floor=..s sweep_ratio=.. ratio=..
(one line).  The floors are what the data alone costs: create_floor inserts
the plans and installments only (the create also validates the terms,
numbers the plans, logs interactions and chatter, moves the accounts' stage),
sweep_floor only reads the installments to judge (the sweep also reads the
payments, allocates, writes, logs and opens activities).

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):

    .venv/bin/python bench/plans.py --rc .build/odoo.conf --db pc_bench
    BENCH_PLANS=500 .venv/bin/python bench/plans.py --rc .build/odoo.conf --db pc_bench

Variables: ODOO_DB (or BENCH_DB, or --db), ODOO_RC (or --rc), ODOO_PATH
(default /opt/odoo); sizes PC_BENCH_PLANS / BENCH_PLANS (default half of
PC_BENCH_SIZE, else 10000), PC_BENCH_PLAN_BATCH / BENCH_PLAN_BATCH (requests
per _create_plans call, default 0: all in one call), BENCH_REPEAT (3);
BENCH_PROFILE=1: cProfile of the create and of the first sweep, top functions
printed (BENCH_PROFILE_CALLERS=<regex> adds the callers of the matching ones);
BENCH_KEEP=1 (or --keep) leaves the generated data in the database (otherwise
it is deleted at the end; bench data left by an earlier run is always deleted
first).
"""

import cProfile
import datetime
import io
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from decimal import Decimal

import common
from common import say

INSTALLMENTS = 12
SWEEP_AFTER_DAYS = 75
PLAN_TABLES = (
    "patient_payment_plan",
    "patient_payment_plan_installment",
    "account_payment_patient_payment_plan_installment_rel",
    "patient_interaction",
    "patient_account",
    "mail_message",
    "mail_tracking_value",
    "mail_followers",
    "mail_activity",
)

SWEEP_FLOOR_SQL = """
    SELECT id, plan_id, due_date, amount, amount_paid, state
      FROM patient_payment_plan_installment
     WHERE due_date <= %(day)s AND state IN ('open', 'partial')
"""


# ---------------------------------------------------------------------------
# cleanup
# ---------------------------------------------------------------------------


def clear_plan_data(env):
    """Delete the plans, installments and interactions of the bench accounts (and
    their chatter), which common.clear_bench_data does not know about and whose
    foreign keys (ondelete restrict) would stop it.  Returns the plans deleted."""
    cr = env.cr
    env.flush_all()
    cr.execute(
        """
        CREATE TEMP TABLE pcb_del_plan_account ON COMMIT DROP AS
            SELECT pa.id FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
             WHERE p.ref = %s;
        CREATE TEMP TABLE pcb_del_plan ON COMMIT DROP AS
            SELECT id FROM patient_payment_plan
             WHERE account_id IN (SELECT id FROM pcb_del_plan_account);
        ANALYZE pcb_del_plan_account; ANALYZE pcb_del_plan;
        SELECT count(*) FROM pcb_del_plan;
        """,
        [common.BENCH_REF],
    )
    plans = cr.fetchone()[0]
    cr.execute(
        """
        DELETE FROM account_payment_patient_payment_plan_installment_rel
         WHERE patient_payment_plan_installment_id IN (
               SELECT id FROM patient_payment_plan_installment
                WHERE plan_id IN (SELECT id FROM pcb_del_plan));
        DELETE FROM patient_payment_plan_installment
         WHERE plan_id IN (SELECT id FROM pcb_del_plan);
        DELETE FROM mail_message
         WHERE model = 'patient.payment.plan' AND res_id IN (SELECT id FROM pcb_del_plan);
        DELETE FROM mail_followers
         WHERE res_model = 'patient.payment.plan' AND res_id IN (SELECT id FROM pcb_del_plan);
        DELETE FROM mail_activity
         WHERE res_model = 'patient.payment.plan' AND res_id IN (SELECT id FROM pcb_del_plan);
        DELETE FROM patient_payment_plan WHERE id IN (SELECT id FROM pcb_del_plan);
        DELETE FROM patient_interaction
         WHERE account_id IN (SELECT id FROM pcb_del_plan_account);
        DROP TABLE pcb_del_plan, pcb_del_plan_account;
        """
    )
    env.invalidate_all()
    return plans


def clear_all(env, db):
    plans = clear_plan_data(env)
    partners = common.clear_bench_data(env)
    env.cr.commit()
    common.vacuum_analyze(db, (*common.BENCH_TABLES, *PLAN_TABLES))
    return plans, partners


# ---------------------------------------------------------------------------
# timing helpers
# ---------------------------------------------------------------------------


class PhaseTimer:
    """Time (and count the queries of) some methods of a model class while active.

    The methods are wrapped on the registry's class for this process only: the
    code that runs is the module's, the wrapper only reads the clock.  Nested
    calls of a timed method are counted once (the outermost).
    """

    def __init__(self, env, model, names):
        self.cls = type(env[model])
        self.cr = env.cr
        self.names = names
        self.seconds = Counter()
        self.queries = Counter()
        self.calls = Counter()
        self._depth = Counter()
        self._saved = {}

    def __enter__(self):
        for name in self.names:
            original = getattr(self.cls, name)
            self._saved[name] = self.cls.__dict__.get(name)
            setattr(self.cls, name, self._wrap(name, original))
        return self

    def _wrap(self, name, original):
        timer = self

        def wrapper(*args, **kwargs):
            timer.calls[name] += 1
            timer._depth[name] += 1
            if timer._depth[name] > 1:
                try:
                    return original(*args, **kwargs)
                finally:
                    timer._depth[name] -= 1
            start, queries = time.perf_counter(), timer.cr.sql_log_count
            try:
                return original(*args, **kwargs)
            finally:
                timer._depth[name] -= 1
                timer.seconds[name] += time.perf_counter() - start
                timer.queries[name] += timer.cr.sql_log_count - queries

        wrapper.__name__ = name
        return wrapper

    def __exit__(self, *exc):
        for name, saved in self._saved.items():
            if saved is None:
                delattr(self.cls, name)
            else:
                setattr(self.cls, name, saved)

    def block(self, name, fn):
        """Run fn() and count it as phase ``name``."""
        if name not in self.names:
            self.names = [*self.names, name]
        start, queries = time.perf_counter(), self.cr.sql_log_count
        try:
            return fn()
        finally:
            self.calls[name] += 1
            self.seconds[name] += time.perf_counter() - start
            self.queries[name] += self.cr.sql_log_count - queries

    def describe(self, total):
        parts = [
            f"{name} {self.seconds[name]:.2f}s/{self.queries[name]}q/{self.calls[name]}x"
            for name in self.names
        ]
        return ", ".join(parts) + f" (of {total:.2f}s)"


def flush_pending(env):
    """What the end of the request does before its COMMIT: flush, then the
    precommit hooks (mail tracking: the chatter lines of tracked fields are
    written there), then flush what those wrote."""
    env.cr.flush()
    env.flush_all()


def profiled(enabled, fn):
    """Run fn() under cProfile when enabled; print the top functions."""
    if not enabled:
        return fn()
    profile = cProfile.Profile()
    try:
        return profile.runcall(fn)
    finally:
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        callers = os.environ.get("BENCH_PROFILE_CALLERS")
        if callers:  # e.g. "mail_message.py.*create": who calls it, for how long
            stats.print_callers(callers)
        print(out.getvalue(), flush=True)


def explain(cr, sql, params):
    cr.execute("EXPLAIN " + sql, params)
    return [row[0] for row in cr.fetchall()]


# ---------------------------------------------------------------------------
# plans: requests, floor
# ---------------------------------------------------------------------------


def plan_requests(env, count, today):
    """(accounts, terms): ``count`` bench accounts whose balance due allows 12
    installments at the company's minimum, the terms the wizard would pass."""
    cr = env.cr
    company = env.company
    minimum = company.collections_plan_min_installment
    cr.execute(
        """
        SELECT pa.id, pa.balance_due
          FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
         WHERE p.ref = %s AND pa.balance_due >= %s AND pa.company_id = %s
      ORDER BY pa.id LIMIT %s
        """,
        [common.BENCH_REF, INSTALLMENTS * minimum + 1, company.id, count],
    )
    rows = cr.fetchall()
    common.require(
        len(rows) == count,
        f"only {len(rows)} bench accounts owe {INSTALLMENTS} x the minimum installment "
        f"({minimum}); {count} plans wanted",
    )
    accounts = env["patient.account"].browse([row[0] for row in rows])
    terms = [
        {
            "total_amount": float(balance),
            "down_payment": 0.0,
            "frequency": "monthly",
            "first_due_date": today + datetime.timedelta(days=1 + n % 28),
            "installment_count": INSTALLMENTS,
            "installment_amount": None,
        }
        for n, (_id, balance) in enumerate(rows)
    ]
    return accounts, terms


def stage_requests(cr, accounts, terms):
    cr.execute(
        """
        DROP TABLE IF EXISTS pcb_plan_req;
        CREATE TEMP TABLE pcb_plan_req (n int, account_id int, total numeric, first_due date)
        """
    )
    cr.execute_values(
        "INSERT INTO pcb_plan_req VALUES %s",
        [
            (n, account.id, t["total_amount"], t["first_due_date"])
            for n, (account, t) in enumerate(zip(accounts, terms, strict=True))
        ],
        page_size=5000,
    )
    cr.execute("ANALYZE pcb_plan_req")


# One statement: the plans (a data-modifying CTE), then their installments.
# Every column the ORM stores gets the value the ORM gives it (the stored
# computed fields included); plan_fingerprint() compares the two sets of rows.
CREATE_FLOOR_SQL = """
    WITH plans AS (
        INSERT INTO patient_payment_plan (
            name, account_id, partner_id, company_id, currency_id, total_amount,
            down_payment, installment_count, installment_amount, frequency, first_due_date,
            state, activation_date, amount_paid, amount_remaining, next_due_date,
            next_due_amount, missed_count, create_uid, write_uid, create_date, write_date)
        SELECT 'PF' || lpad(r.n::text, 6, '0'), r.account_id, a.partner_id, a.company_id,
               a.currency_id, r.total, 0, %(count)s, trunc(r.total / %(count)s, 2),
               'monthly', r.first_due, 'active', %(today)s, 0, r.total, r.first_due,
               trunc(r.total / %(count)s, 2), 0, %(uid)s, %(uid)s,
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM pcb_plan_req r JOIN patient_account a ON a.id = r.account_id
        RETURNING id, account_id, partner_id, company_id, total_amount, installment_amount,
                  first_due_date
    )
    INSERT INTO patient_payment_plan_installment (
        plan_id, account_id, partner_id, company_id, plan_state, sequence, due_date, amount,
        amount_due, state, create_uid, write_uid, create_date, write_date)
    SELECT p.id, p.account_id, p.partner_id, p.company_id, 'active', k,
           (p.first_due_date + (k - 1) * interval '1 month')::date, amt.amount, amt.amount,
           'open', %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
      FROM plans p
     CROSS JOIN generate_series(1, %(count)s) k
     CROSS JOIN LATERAL (
           SELECT CASE WHEN k = %(count)s
                       THEN p.total_amount - p.installment_amount * (%(count)s - 1)
                       ELSE p.installment_amount END AS amount) amt
"""


def plan_fingerprint(cr, plan_where, params):
    """md5 of every stored column but ids, names and timestamps of the plans and
    installments selected by ``plan_where`` (SQL on patient_payment_plan p)."""
    result = []
    for table, order, alias_filter in (
        (
            "patient_payment_plan",
            "t.account_id",
            f"t.id IN (SELECT p.id FROM patient_payment_plan p WHERE {plan_where})",  # noqa: S608
        ),
        (
            "patient_payment_plan_installment",
            "t.account_id, t.sequence",
            f"t.plan_id IN (SELECT p.id FROM patient_payment_plan p WHERE {plan_where})",  # noqa: S608
        ),
    ):
        types = common._column_types(cr, table)
        exprs = [
            f"round(t.{col}, 6)" if sql_type == "numeric" else f"t.{col}"
            for col, sql_type in types.items()
            if col not in ("id", "name", "plan_id", "create_date", "write_date")
        ]
        cr.execute(
            f"""
            SELECT count(*), md5(string_agg(row({", ".join(exprs)})::text, '|' ORDER BY {order}))
              FROM {table} t WHERE {alias_filter}
            """,  # noqa: S608
            params,
        )
        result.append(cr.fetchone())
    return result


def run_create_floor(env, today, count, fk_triggers=True):
    """(seconds, rows, fingerprint) of the one-statement insert, rolled back.

    With ``fk_triggers`` False (superuser only; None is returned otherwise)
    the per-row foreign key checks are skipped: for reference, how much of the
    floor they are (the ORM's inserts always pay them)."""
    cr = env.cr
    savepoint = cr.savepoint(flush=False)
    try:
        if not fk_triggers and not common.foreign_key_triggers(cr, enabled=False):
            return None, 0, None
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM patient_payment_plan")
        last_id = cr.fetchone()[0]
        start = time.perf_counter()
        cr.execute(CREATE_FLOOR_SQL, {"count": count, "today": today, "uid": env.uid})
        seconds = time.perf_counter() - start
        rows = cr.rowcount
        fingerprint = plan_fingerprint(cr, "p.id > %(last)s", {"last": last_id})
    finally:
        savepoint.close(rollback=True)  # (also ends SET LOCAL session_replication_role)
    return seconds, rows, fingerprint


def check_created(env, plans, accounts, terms, count):
    """Counts, totals, stage, interactions, chatter of the created plans."""
    cr = env.cr
    common.require(len(plans) == count, f"{len(plans)} plans created, {count} asked")
    cr.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE state = 'active'),
               count(*) FILTER (WHERE installment_count = %(n)s), count(DISTINCT name)
          FROM patient_payment_plan WHERE id = ANY(%(ids)s)
        """,
        {"ids": plans.ids, "n": INSTALLMENTS},
    )
    total, active, with_count, names = cr.fetchone()
    common.require(
        total == active == with_count == names == count,
        f"plans: {total} found, {active} active, {with_count} with {INSTALLMENTS} "
        f"installments, {names} distinct names; {count} expected",
    )
    cr.execute(
        """
        SELECT count(*), count(DISTINCT i.plan_id),
               count(*) FILTER (WHERE i.state = 'open' AND i.plan_state = 'active')
          FROM patient_payment_plan_installment i WHERE i.plan_id = ANY(%s)
        """,
        [plans.ids],
    )
    installments, with_installments, open_ = cr.fetchone()
    common.require(
        installments == open_ == INSTALLMENTS * count and with_installments == count,
        f"installments: {installments} ({open_} open) over {with_installments} plans, "
        f"{INSTALLMENTS * count} expected",
    )
    cr.execute(
        """
        SELECT count(*) FROM patient_payment_plan p
          JOIN (SELECT plan_id, SUM(amount) AS total, MIN(due_date) AS first,
                       count(DISTINCT due_date) AS dates
                  FROM patient_payment_plan_installment GROUP BY plan_id) i
            ON i.plan_id = p.id
         WHERE p.id = ANY(%s)
           AND (i.total != p.total_amount OR i.first != p.first_due_date
                OR i.dates != p.installment_count)
        """,
        [plans.ids],
    )
    bad = cr.fetchone()[0]
    common.require(not bad, f"{bad} plans whose installments do not add up to the total")
    by_account = {account.id: t for account, t in zip(accounts, terms, strict=True)}
    cr.execute(
        "SELECT account_id, total_amount, first_due_date FROM patient_payment_plan"
        " WHERE id = ANY(%s)",
        [plans.ids],
    )
    for account_id, total_amount, first_due in cr.fetchall():
        want = by_account[account_id]
        common.require(
            abs(float(total_amount) - want["total_amount"]) < 0.005
            and first_due == want["first_due_date"],
            f"plan of account {account_id} has other terms than requested",
        )
    stage = env.ref("patient_collections.stage_payment_plan")
    cr.execute(
        """
        SELECT count(*) FILTER (WHERE stage_id = %s),
               (SELECT count(*) FROM patient_interaction WHERE account_id = ANY(%s)),
               (SELECT count(*) FROM mail_message
                 WHERE model = 'patient.account' AND res_id = ANY(%s)
                   AND body LIKE '%%Payment plan PP%%installments%%')
          FROM patient_account WHERE id = ANY(%s)
        """,
        [stage.id, accounts.ids, accounts.ids, accounts.ids],
    )
    in_stage, interactions, logs = cr.fetchone()
    common.require(
        in_stage == interactions == logs == count,
        f"{in_stage} accounts in stage {stage.name}, {interactions} interactions, "
        f"{logs} chatter lines; {count} expected each",
    )


# ---------------------------------------------------------------------------
# payments reconciled with the plans' invoices
# ---------------------------------------------------------------------------


def generate_plan_payments(env, tpl, plan_ids, today, day):
    """Customer payments partially reconciled with the invoices of the plans'
    accounts, dated from ``today`` (the plans' activation) to ``day``, set-based.

    What each plan's guarantor pays (by the plan's rank n, n % 20):
      0-8   every installment due by ``day``, on its due date (0-2 days early);
      9-10  four installments at once, three days after activation;
      11-13 the first installment when due, half the second when due;
      14-16 the first installment, five days late (within the grace days);
      17-19 nothing.
    Each amount is spread over the account's invoices that are neither
    insurance-pending nor already partly paid, oldest due first, leaving at
    least 0.01 open on each (so every reconciliation stays partial, as in
    common.generate_receivables); one account.payment per (amount, invoice)
    piece, cloned from the template payment Odoo made (common.capture_templates)
    with its journal entry, lines, partial reconciliation and link to the
    invoice; the invoices' residuals, payment states and matching numbers
    follow, as Odoo's reconciliation would leave them (check_payments_with_orm).

    Returns {plan id: [(date, amount, payment id)]} and the number of payments.
    """
    cr = env.cr
    cr.execute(
        """
        DROP TABLE IF EXISTS pcb_want, pcb_cap, pcb_pay;
        CREATE TEMP TABLE pcb_want AS
        WITH pl AS (
            SELECT p.id AS plan_id, p.account_id, p.partner_id,
                   (row_number() OVER (ORDER BY p.id) - 1) %% 20 AS kind
              FROM patient_payment_plan p WHERE p.id = ANY(%(plans)s)
        ), inst AS (
            SELECT pl.*, i.sequence, i.due_date, i.amount
              FROM pl JOIN patient_payment_plan_installment i ON i.plan_id = pl.plan_id
        ), wanted AS (
            SELECT plan_id, account_id, partner_id, sequence,
                   GREATEST(%(today)s::date, due_date - (plan_id %% 3)) AS pay_date, amount
              FROM inst WHERE kind < 9 AND due_date <= %(day)s
            UNION ALL
            SELECT plan_id, account_id, partner_id, sequence, %(today)s::date + 3, amount * 4
              FROM inst WHERE kind IN (9, 10) AND sequence = 1
            UNION ALL
            SELECT plan_id, account_id, partner_id, sequence, due_date,
                   CASE WHEN sequence = 1 THEN amount ELSE round(amount / 2, 2) END
              FROM inst WHERE kind BETWEEN 11 AND 13 AND sequence IN (1, 2)
            UNION ALL
            SELECT plan_id, account_id, partner_id, sequence, due_date + 5, amount
              FROM inst WHERE kind BETWEEN 14 AND 16 AND sequence = 1
        )
        SELECT w.*, SUM(w.amount) OVER (PARTITION BY w.account_id ORDER BY w.pay_date, w.sequence
                                        ROWS UNBOUNDED PRECEDING) - w.amount AS lo
          FROM wanted w;

        CREATE TEMP TABLE pcb_cap AS
        SELECT c.*, SUM(c.cap) OVER (PARTITION BY c.account_id ORDER BY c.due, c.line_id
                                     ROWS UNBOUNDED PRECEDING) - c.cap AS lo
          FROM (
            SELECT inv.patient_account_id AS account_id, inv.id AS move_id, inv.name,
                   line.id AS line_id, line.amount_residual - 0.01 AS cap,
                   COALESCE(line.date_maturity, line.date) AS due
              FROM account_move inv
              JOIN account_move_line line ON line.move_id = inv.id
              JOIN account_account acc ON acc.id = line.account_id
             WHERE inv.patient_account_id IN (SELECT DISTINCT account_id FROM pcb_want)
               AND inv.move_type = 'out_invoice' AND inv.state = 'posted'
               AND inv.insurance_status IS DISTINCT FROM 'pending'
               AND acc.account_type = 'asset_receivable'
               AND line.amount_residual > 0.01
               AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile pr
                                WHERE pr.debit_move_id = line.id)
          ) c;

        CREATE TEMP TABLE pcb_pay AS
        SELECT w.plan_id, w.partner_id, c.move_id AS invoice_move_id,
               c.line_id AS invoice_line_id, c.name AS invoice_name, w.pay_date AS date,
               LEAST(w.lo + w.amount, c.lo + c.cap) - GREATEST(w.lo, c.lo) AS amount,
               nextval('account_payment_id_seq')::int AS payment_id,
               nextval('account_move_id_seq')::int AS move_id,
               nextval('account_move_line_id_seq')::int AS outstanding_line_id,
               nextval('account_move_line_id_seq')::int AS receivable_line_id,
               nextval('account_partial_reconcile_id_seq')::int AS partial_id,
               NULL::int AS group_partial_id,
               NULL::text AS name, NULL::text AS sequence_prefix, NULL::int AS sequence_number
          FROM pcb_want w
          JOIN pcb_cap c ON c.account_id = w.account_id
                        AND c.lo < w.lo + w.amount AND w.lo < c.lo + c.cap;
        DELETE FROM pcb_pay WHERE amount <= 0;
        UPDATE pcb_pay p SET group_partial_id = g.first
          FROM (SELECT invoice_line_id, MIN(partial_id) AS first FROM pcb_pay
                GROUP BY invoice_line_id) g
         WHERE g.invoice_line_id = p.invoice_line_id;
        CREATE UNIQUE INDEX ON pcb_pay (move_id);
        ANALYZE pcb_pay;
        """,
        {"plans": plan_ids, "today": today, "day": day},
    )
    # names as Odoo's sequence mixin would give them (as common.generate_receivables)
    tpl_move = tpl.payment_move
    prefix = tpl_move["sequence_prefix"]
    padding = max(len(tpl_move["name"]) - len(prefix), 1)
    cr.execute(
        """
        WITH numbered AS (
            SELECT move_id,
                   replace(%(prefix)s, %(year)s, extract(year FROM date)::int::text) AS prefix,
                   row_number() OVER (PARTITION BY extract(year FROM date)
                                      ORDER BY date, move_id) AS rank
              FROM pcb_pay
        ), offsets AS MATERIALIZED (
            SELECT prefix,
                   (SELECT COALESCE(MAX(m.sequence_number), 0) FROM account_move m
                     WHERE m.journal_id = %(journal)s AND m.sequence_prefix = p.prefix) AS last
              FROM (SELECT DISTINCT prefix FROM numbered) p
        )
        UPDATE pcb_pay t
           SET sequence_prefix = n.prefix,
               sequence_number = n.rank + o.last,
               name = n.prefix || lpad((n.rank + o.last)::text,
                                       GREATEST(%(padding)s, length((n.rank + o.last)::text)), '0')
          FROM numbered n JOIN offsets o ON o.prefix = n.prefix
         WHERE t.move_id = n.move_id
        """,
        {
            "prefix": prefix,
            "year": str(tpl_move["date"].year),
            "journal": tpl_move["journal_id"],
            "padding": padding,
        },
    )
    now = "now() at time zone 'UTC'"
    fk_off = common.foreign_key_triggers(cr, enabled=False)
    count = common.clone_insert(
        cr,
        "account_move",
        tpl_move,
        {
            "id": "p.move_id",
            "name": "p.name",
            "sequence_prefix": "p.sequence_prefix",
            "sequence_number": "p.sequence_number",
            "ref": "p.invoice_name",
            "partner_id": "p.partner_id",
            "commercial_partner_id": "p.partner_id",
            "invoice_partner_display_name": "r.complete_name",
            "date": "p.date",
            "invoice_date_due": "p.date",
            "amount_total": "p.amount",
            "amount_total_signed": "p.amount",
            "amount_total_in_currency_signed": "p.amount",
            "origin_payment_id": "p.payment_id" if fk_off else "NULL",
            "create_date": now,
            "write_date": now,
        },
        "pcb_pay p JOIN res_partner r ON r.id = p.partner_id",
        unchecked=("origin_payment_id",),
    )
    common.clone_insert(
        cr,
        "account_payment",
        tpl.payment,
        {
            "id": "p.payment_id",
            "move_id": "p.move_id",
            "name": "p.name",
            "partner_id": "p.partner_id",
            "memo": "p.invoice_name",
            "date": "p.date",
            "amount": "p.amount",
            "amount_company_currency_signed": "p.amount",
            "is_reconciled": "TRUE",
            "is_matched": "FALSE",
            "create_date": now,
            "write_date": now,
        },
        "pcb_pay p",
    )
    if not fk_off:
        cr.execute(
            "UPDATE account_move m SET origin_payment_id = p.payment_id"
            " FROM pcb_pay p WHERE m.id = p.move_id"
        )
    cr.execute(
        "INSERT INTO account_move__account_payment (invoice_id, payment_id)"
        " SELECT invoice_move_id, payment_id FROM pcb_pay"
    )
    common.check_foreign_keys(
        cr, "account_move", {"origin_payment_id": "p.payment_id"}, "pcb_pay p"
    )
    label = tpl.payment_receivable["name"].replace(tpl.invoice["name"], "")
    line = {
        "move_id": "p.move_id",
        "move_name": "p.name",
        "payment_id": "p.payment_id",
        "partner_id": "p.partner_id",
        "ref": "p.invoice_name",
        "name": "'" + label.replace("'", "''") + "' || p.invoice_name",
        "date": "p.date",
        "date_maturity": "p.date",
        "create_date": now,
        "write_date": now,
    }
    common.clone_insert(
        cr,
        "account_move_line",
        tpl.payment_outstanding,
        {
            **line,
            "id": "p.outstanding_line_id",
            "debit": "p.amount",
            "balance": "p.amount",
            "amount_currency": "p.amount",
            "amount_residual": "p.amount",
            "amount_residual_currency": "p.amount",
            "price_subtotal": "p.amount",
            "price_total": "p.amount",
        },
        "pcb_pay p",
    )
    common.clone_insert(
        cr,
        "account_move_line",
        tpl.payment_receivable,
        {
            **line,
            "id": "p.receivable_line_id",
            "credit": "p.amount",
            "balance": "-p.amount",
            "amount_currency": "-p.amount",
            "amount_residual": "0",
            "amount_residual_currency": "0",
            "price_subtotal": "-p.amount",
            "price_total": "-p.amount",
            "reconciled": "TRUE",
            "matching_number": "'P' || p.group_partial_id",
        },
        "pcb_pay p",
    )
    common.clone_insert(
        cr,
        "account_partial_reconcile",
        tpl.partial,
        {
            "id": "p.partial_id",
            "debit_move_id": "p.invoice_line_id",
            "credit_move_id": "p.receivable_line_id",
            "amount": "p.amount",
            "debit_amount_currency": "p.amount",
            "credit_amount_currency": "p.amount",
            "max_date": "p.date",
            "create_date": now,
            "write_date": now,
        },
        "pcb_pay p",
    )
    common.foreign_key_triggers(cr, enabled=True)
    cr.execute(
        """
        UPDATE account_move_line l
           SET amount_residual = l.amount_residual - s.paid,
               amount_residual_currency = l.amount_residual_currency - s.paid,
               matching_number = 'P' || s.first
          FROM (SELECT invoice_line_id, SUM(amount) AS paid, MIN(partial_id) AS first
                  FROM pcb_pay GROUP BY invoice_line_id) s
         WHERE l.id = s.invoice_line_id;
        UPDATE account_move m
           SET amount_residual = m.amount_residual - s.paid,
               amount_residual_signed = m.amount_residual_signed - s.paid,
               payment_state = 'partial'
          FROM (SELECT invoice_move_id, SUM(amount) AS paid FROM pcb_pay
                GROUP BY invoice_move_id) s
         WHERE m.id = s.invoice_move_id;
        """
    )
    cr.execute("SELECT plan_id, date, amount, payment_id FROM pcb_pay ORDER BY plan_id, date")
    payments = defaultdict(list)
    for plan_id, date, amount, payment_id in cr.fetchall():
        payments[plan_id].append((date, amount, payment_id))
    env.invalidate_all()
    return payments, count


def check_payments_with_orm(env, sample=40):
    """Odoo recomputes, on a sample of the touched invoices and the new payments,
    residuals, payment states, matching numbers: they must be what was inserted."""
    cr = env.cr
    cr.execute(
        """
        (SELECT invoice_move_id FROM (SELECT DISTINCT invoice_move_id FROM pcb_pay) s
          ORDER BY random() LIMIT %(n)s)
        UNION ALL (SELECT move_id FROM pcb_pay ORDER BY random() LIMIT %(n)s)
        """,
        {"n": sample},
    )
    Move, Line, Payment = env["account.move"], env["account.move.line"], env["account.payment"]
    moves = Move.browse([row[0] for row in cr.fetchall()])
    lines = moves.line_ids
    payments = moves.origin_payment_id
    checks = (
        (
            Move,
            moves,
            ["amount_total", "amount_residual", "amount_residual_signed", "payment_state"],
        ),
        (Line, lines, ["amount_residual", "amount_residual_currency", "reconciled"]),
        (Payment, payments, ["is_reconciled", "is_matched", "amount_company_currency_signed"]),
    )
    stored = {
        (model._name, rec.id): [rec[f] for f in names]
        for model, recs, names in checks
        for rec in recs
    }
    stored_numbers = {line.id: line.matching_number for line in lines}
    savepoint = cr.savepoint()
    try:
        for model, recs, names in checks:
            for name in names:
                field_ = model._fields[name]
                if field_.compute and field_.store:
                    env.add_to_compute(field_, recs)
        again = {
            (model._name, rec.id): [rec[f] for f in names]
            for model, recs, names in checks
            for rec in recs
        }
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        partials._update_matching_number(lines)
        lines.invalidate_recordset(["matching_number"])
        numbers = {line.id: line.matching_number for line in lines}
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    bad = [(key, stored[key], again[key]) for key in stored if stored[key] != again[key]]
    bad += [
        (("matching_number", lid), stored_numbers[lid], numbers[lid])
        for lid in stored_numbers
        if stored_numbers[lid] != numbers[lid]
    ]
    common.require(not bad, f"Odoo recomputes other values than generated, e.g. {bad[:3]}")
    return len(moves), len(lines), len(payments)


# ---------------------------------------------------------------------------
# sweep
# ---------------------------------------------------------------------------


def expected_sweep(env, plan_ids, payments, day):
    """What the sweep must leave, from logic.plan_schedule.allocate over the
    generated payments and the company's grace days and misses before default."""
    from odoo.addons.patient_collections.logic import plan_schedule  # noqa: PLC0415

    company = env.company
    grace = datetime.timedelta(days=company.collections_plan_grace_days)
    misses_default = max(company.collections_plan_misses_default, 1)
    cr = env.cr
    cr.execute(
        "SELECT plan_id, id, due_date, amount FROM patient_payment_plan_installment"
        " WHERE plan_id = ANY(%s)",
        [plan_ids],
    )
    installments = defaultdict(list)
    for plan_id, iid, due, amount in cr.fetchall():
        installments[plan_id].append((iid, due, amount))
    want_inst, want_plan = {}, {}
    for plan_id, rows in installments.items():
        allocation = plan_schedule.allocate(rows, payments.get(plan_id, []))
        missed = paid_all = 0
        for iid, due, amount in rows:
            result = allocation[iid]
            if result.paid >= Decimal(str(amount)):
                state = "paid"
            elif due + grace < day:
                state = "missed"
            elif result.paid > 0:
                state = "partial"
            else:
                state = "open"
            missed += state == "missed"
            paid_all += state == "paid"
            want_inst[iid] = (
                result.paid,
                result.paid_date if state == "paid" else None,
                state,
                sorted(result.payments),
            )
        if paid_all == len(rows):
            plan_state = "completed"
        elif missed >= misses_default:
            plan_state = "defaulted"
        else:
            plan_state = "active"
        want_plan[plan_id] = (plan_state, missed)
    return want_inst, want_plan


def check_sweep(env, plan_ids, want_inst, want_plan, stats):
    cr = env.cr
    cr.execute(
        """
        SELECT i.id, i.amount_paid, i.paid_date, i.state,
               COALESCE(array_agg(r.account_payment_id ORDER BY r.account_payment_id)
                        FILTER (WHERE r.account_payment_id IS NOT NULL), '{}')
          FROM patient_payment_plan_installment i
          LEFT JOIN account_payment_patient_payment_plan_installment_rel r
                 ON r.patient_payment_plan_installment_id = i.id
         WHERE i.plan_id = ANY(%s)
      GROUP BY i.id
        """,
        [plan_ids],
    )
    bad = []
    states = Counter()
    for iid, paid, paid_date, state, payment_ids in cr.fetchall():
        want = want_inst[iid]
        got = (Decimal(str(paid or 0)).quantize(Decimal("0.01")), paid_date, state, payment_ids)
        if got != want:
            bad.append((iid, got, want))
        states[state] += 1
    common.require(not bad, f"{len(bad)} installments differ from allocate(), e.g. {bad[:3]}")
    cr.execute(
        "SELECT id, state, missed_count FROM patient_payment_plan WHERE id = ANY(%s)", [plan_ids]
    )
    bad = [(pid, (s, m), want_plan[pid]) for pid, s, m in cr.fetchall() if (s, m) != want_plan[pid]]
    common.require(not bad, f"{len(bad)} plans differ from allocate(), e.g. {bad[:3]}")
    plan_states = Counter(state for state, _m in want_plan.values())
    for state in ("completed", "defaulted"):
        got = stats.get((f"plan_{state}", False, False), 0)
        common.require(
            got == plan_states[state],
            f"the run counted {got} plans {state}, {plan_states[state]} expected",
        )
    return states, plan_states


def run_sweep(env, day, company_ids, phases=None, profile=False):
    """(seconds, queries, stats) of the daily run's payment plan step plus flush."""
    env.invalidate_all()
    cr = env.cr
    Run = env["patient.collection.run"]
    companies = env["res.company"].browse(company_ids)
    stats = Counter()
    queries = cr.sql_log_count

    def sweep():
        Run._step_payment_plans(companies, day, stats)
        if phases:
            phases.block("flush+tracking", lambda: flush_pending(env))
        else:
            flush_pending(env)

    start = time.perf_counter()
    if phases:
        with phases:
            profiled(profile, sweep)
    else:
        profiled(profile, sweep)
    seconds = time.perf_counter() - start
    return seconds, cr.sql_log_count - queries, stats


# ---------------------------------------------------------------------------


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    count = common.size("PLANS", common.size("SIZE", 20_000) // 2)
    batch = common.size("PLAN_BATCH", 0) or count
    repeat = max(common.size("REPEAT", 3), 1)
    profile = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
    if count < 20:
        sys.exit(f"need at least 20 plans (one of each payment pattern), not {count}")
    accounts_n = count + count // 20 + 20
    say(
        f"bench plans on database {args.db}: {count} plans of {INSTALLMENTS} installments "
        f"({accounts_n} accounts generated), create in calls of {batch}, best of {repeat}"
    )
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        if common.bench_partner_count(env):
            seconds, (plans, partners) = common.timed(lambda: clear_all(env, args.db))
            say(
                f"deleted the bench data of an earlier run ({plans} plans, {partners} guarantors) "
                f"in {seconds:.1f}s"
            )
        # everything dated before today: the plans start today and count the
        # payments from their activation day on, only the ones made for them
        Plan = env["patient.payment.plan"]
        today = Plan._fields["first_due_date"].context_today(Plan)  # as _create_plans
        data = common.generate_receivables(
            env, accounts_n, 5 * accounts_n, today=today - datetime.timedelta(days=1)
        )
        say(
            f"generated in {data.seconds:.1f}s: {data.accounts} guarantors and accounts, "
            f"{data.invoices} invoices, {data.payments} payments"
        )
        cr.commit()
        try:
            result = measure(env, args.db, data, count, batch, repeat, profile)
        finally:
            cr.rollback()
            if args.keep:
                say("--keep: the generated data stays in the database")
            else:
                seconds, (plans, partners) = common.timed(lambda: clear_all(env, args.db))
                say(
                    f"generated data deleted in {seconds:.1f}s ({plans} plans, {partners} "
                    "guarantors) and vacuumed"
                )

    create_ratio = result["create"] / result["create_floor"]
    sweep_ratio = result["sweep"] / result["sweep_floor"]
    print(
        f"bench plans: plans={count} installments={INSTALLMENTS * count} "
        f"create={result['create']:.2f}s create_queries={result['create_queries']} "
        f"create_floor={result['create_floor']:.3f}s create_ratio={create_ratio:.1f} "
        + (
            f"create_floor_nofk={result['create_floor_nofk']:.3f}s "
            if result["create_floor_nofk"] is not None
            else ""
        )
        + f"payments={result['payments']} sweep={result['sweep']:.2f}s "
        f"sweep_queries={result['sweep_queries']} sweep_again={result['sweep_again']:.2f}s "
        f"floor_payments={result['floor_payments']:.3f}s "
        f"sweep_floor={result['sweep_floor']:.4f}s sweep_ratio={sweep_ratio:.1f} "
        f"ratio={sweep_ratio:.1f}",
        flush=True,
    )


def measure(env, db, data, count, batch, repeat, profile):
    cr = env.cr
    Plan = env["patient.payment.plan"]
    today = Plan._fields["first_due_date"].context_today(Plan)  # what _create_plans uses
    day = today + datetime.timedelta(days=SWEEP_AFTER_DAYS)
    say("refreshing balances of the generated accounts (not timed)")
    env["patient.account"].search([("partner_id.ref", "=", common.BENCH_REF)])._refresh_balances(
        today=today
    )
    env.flush_all()
    cr.commit()
    seconds, _r = common.timed(lambda: common.vacuum_analyze(db, common.BENCH_TABLES))
    say(f"committed; VACUUM ANALYZE in {seconds:.1f}s")
    moves, lines = common.check_with_orm(env, data)
    say(f"ORM check of the generated receivables: {moves} moves / {lines} lines as Odoo computes")

    accounts, terms = plan_requests(env, count, today)
    stage_requests(cr, accounts, terms)
    cr.commit()

    # ---- floor A: one statement inserting the same rows, in a savepoint
    floors, floors_nofk = [], []
    for run in range(repeat):
        seconds, rows, floor_print = run_create_floor(env, today, INSTALLMENTS)
        floors.append(seconds)
        nofk, _rows, _print = run_create_floor(env, today, INSTALLMENTS, fk_triggers=False)
        if nofk is not None:
            floors_nofk.append(nofk)
        say(
            f"create floor run {run + 1}: {seconds:.3f}s ({count} plans, {rows} installments "
            "in one INSERT ... WITH ... RETURNING, rolled back); without the per-row foreign "
            "key checks: " + (f"{nofk:.3f}s" if nofk is not None else "n/a (not superuser)")
        )
    cr.commit()
    common.vacuum_analyze(db, ["patient_payment_plan", "patient_payment_plan_installment"])

    # ---- create through the wizard's code
    env.invalidate_all()
    accounts = env["patient.account"].browse(accounts.ids)  # cold cache, one prefetch set
    requests = list(zip(accounts, terms, strict=True))
    phases = PhaseTimer(
        env,
        "patient.payment.plan",
        ["_terms_problems", "_prepare_plan_vals", "create", "_activate"],
    )
    queries = cr.sql_log_count

    def create_all():
        created = Plan.browse()
        for start in range(0, len(requests), batch):
            created |= Plan._create_plans(requests[start : start + batch])
        phases.block("flush+tracking", lambda: flush_pending(env))
        return created

    start = time.perf_counter()
    with phases:
        plans = profiled(profile, create_all)
    create_seconds = time.perf_counter() - start
    create_queries = cr.sql_log_count - queries
    cr.commit()
    say(
        f"create: {create_seconds:.2f}s, {create_queries} queries for {count} plans "
        f"({create_seconds / count * 1000:.2f} ms a plan); " + phases.describe(create_seconds)
    )
    check_created(env, plans, accounts, terms, count)
    orm_print = plan_fingerprint(cr, "p.id = ANY(%(ids)s)", {"ids": plans.ids})
    common.require(
        orm_print == floor_print,
        f"the floor's rows are not the ORM's: floor {floor_print}, ORM {orm_print}",
    )
    say(
        f"create checks passed: {count} active plans, {INSTALLMENTS * count} installments "
        "adding up to the totals, accounts in the payment plan stage, one interaction and "
        "chatter line each; the floor inserted the same rows (fingerprint of every column)"
    )

    # ---- payments for the sweep
    say("making a template payment through the ORM (rolled back)")
    company = env["res.company"].browse(data.company_id)
    tpl = common.capture_templates(env, company)
    seconds, (payments, n_payments) = common.timed(
        lambda: generate_plan_payments(env, tpl, plans.ids, today, day)
    )
    paying = len(payments)
    say(f"{n_payments} payments reconciled with invoices of {paying} plans in {seconds:.1f}s")
    moves, lines, pays = check_payments_with_orm(env)
    say(
        f"ORM check of the payments: {moves} moves, {lines} lines, {pays} payments as Odoo "
        "computes them (residuals, payment states, matching numbers)"
    )
    cr.commit()
    env["patient.account"].browse(accounts.ids)._refresh_balances(today=day)
    env.flush_all()
    cr.commit()
    want_inst, want_plan = expected_sweep(env, plans.ids, payments, day)
    cr.execute("DROP TABLE IF EXISTS pcb_want, pcb_cap, pcb_pay, pcb_plan_req")
    cr.commit()
    common.vacuum_analyze(db, (*common.BENCH_TABLES, *PLAN_TABLES))
    say(f"balances refreshed for the sweep day {day}; committed, vacuumed")

    # ---- floor B: one indexed range query
    cr.execute(
        "SELECT indexname, indexdef FROM pg_indexes"
        " WHERE tablename = 'patient_payment_plan_installment' AND indexdef LIKE '%%(due_date)%%'"
    )
    indexes = cr.fetchall()
    common.require(indexes, "patient_payment_plan_installment has no index on due_date")
    say(f"due_date index: {indexes[0][1]}")
    index_name = indexes[0][0]
    plan_lines = explain(cr, SWEEP_FLOOR_SQL, {"day": day})
    say("EXPLAIN of the sweep floor:\n    " + "\n    ".join(plan_lines))
    if not any(index_name in line for line in plan_lines):
        # a large share of the rows is due: the planner prefers reading the
        # table; the floor is then the better of its plan and the index's
        cr.execute("SET LOCAL enable_seqscan = off")
        forced = explain(cr, SWEEP_FLOOR_SQL, {"day": day})
        cr.rollback()
        common.require(
            any(index_name in line for line in forced), f"{index_name} cannot serve the range"
        )
        say(
            f"the planner reads the table rather than {index_name} for this range; also timed "
            "with the index (enable_seqscan off), the floor is the faster of the two:\n    "
            + "\n    ".join(forced)
        )
    cr.execute("SELECT count(*) FROM patient_payment_plan_installment WHERE due_date <= %s", [day])
    due_rows = cr.fetchone()[0]

    # the sweep's own payment query over all the plans (reference)
    payments_sql = """
        SELECT plan.id, credit_line.date, partial.amount, pay_move.origin_payment_id, partial.id
          FROM patient_payment_plan plan
          JOIN account_move invoice ON invoice.patient_account_id = plan.account_id
          JOIN account_move_line debit_line ON debit_line.move_id = invoice.id
          JOIN account_partial_reconcile partial ON partial.debit_move_id = debit_line.id
          JOIN account_move_line credit_line ON credit_line.id = partial.credit_move_id
          JOIN account_move pay_move ON pay_move.id = credit_line.move_id
         WHERE plan.state = 'active' AND invoice.state = 'posted' AND pay_move.state = 'posted'
           AND (pay_move.origin_payment_id IS NOT NULL OR pay_move.statement_line_id IS NOT NULL)
           AND credit_line.date >= plan.activation_date
    """

    def floor_query(sql, params):
        def run():
            cr.execute(sql, params)
            return cr.fetchall()

        return common.timed(run)

    sweep_floors, pay_floors, sweeps = [], [], []
    phases = PhaseTimer(
        env,
        "patient.payment.plan",
        [
            "_lock_for_allocation",
            "_payments_since_activation",
            "_allocate_payments",
            "_close_if_done",
        ],
    )
    sweep_q = stats = None
    for run in range(1, repeat + 1):
        seconds_plan, rows = floor_query(SWEEP_FLOOR_SQL, {"day": day})
        floor_rows = len(rows)
        cr.execute("SET LOCAL enable_seqscan = off")
        by_index, rows = floor_query(SWEEP_FLOOR_SQL, {"day": day})
        common.require(len(rows) == floor_rows, "the index gives other rows")
        cr.rollback()
        sweep_floors.append(min(seconds_plan, by_index))
        seconds, rows = floor_query(payments_sql, {})
        pay_floors.append(seconds)
        pay_rows = len(rows)
        cr.rollback()
        last = run == repeat
        seconds, sweep_q, stats = run_sweep(
            env, day, [data.company_id], phases if last else None, profile and run == 1
        )
        sweeps.append(seconds)
        say(
            f"sweep run {run}: {seconds:.2f}s, {sweep_q} queries "
            f"({ {k[0]: v for k, v in stats.items()} }); sweep floor "
            f"{sweep_floors[-1]:.4f}s (planner's plan {seconds_plan:.4f}s, by index "
            f"{by_index:.4f}s; {floor_rows} installments due and open of {due_rows} "
            f"due); floor_payments {pay_floors[-1]:.3f}s ({pay_rows} rows)"
        )
        if last:
            say("last sweep run, committed: " + phases.describe(seconds))
            cr.commit()
        else:
            cr.rollback()
            common.vacuum_analyze(db, PLAN_TABLES)
    inst_states, plan_states = check_sweep(env, plans.ids, want_inst, want_plan, stats)
    say(
        f"sweep checks passed: installments {dict(inst_states)}, plans {dict(plan_states)} "
        "as plan_schedule.allocate and the run's rules say"
    )
    common.vacuum_analyze(db, PLAN_TABLES)
    again, again_q, again_stats = run_sweep(env, day, [data.company_id])
    cr.commit()
    say(f"sweep again the same day (nothing left to change): {again:.2f}s, {again_q} queries")
    common.require(not again_stats, f"the second sweep changed plans: {again_stats}")
    return {
        "create": create_seconds,
        "create_queries": create_queries,
        "create_floor": min(floors),
        "create_floor_nofk": min(floors_nofk) if floors_nofk else None,
        "payments": n_payments,
        "sweep": min(sweeps),
        "sweep_queries": sweep_q,
        "sweep_floor": min(sweep_floors),
        "floor_payments": min(pay_floors),
        "sweep_again": again,
    }


if __name__ == "__main__":
    main()
