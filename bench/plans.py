"""Benchmark: payment plans created as the wizard creates them, and the daily sweep.

create: PatientPaymentPlan._create_plans([(account, terms)]) for PLANS accounts (12 monthly
installments of the balance due), flushed with the precommit hooks; create_floor: one statement
inserting the same rows (checked by a fingerprint of every column), rolled back; create_floor_nofk
without per-row FK checks. Then payments in SQL (45 % pay every installment due, 10 % four at once,
15 % one and a half, 15 % the first late, 15 % nothing): catchup: 75 days of them at once, then
PatientCollectionRun._step_payment_plans() flushed, best of BENCH_REPEAT (3) from the same committed
state (the first sweep: every plan's payments looked at; ~85 % reallocated); catchup_floor: the due
open installments fetched (planner's plan or due_date index, the faster); sweep_again: the same
sweep again; floor_payments: the plans' payments query. Then PLAN_DAYS (7) days, each with that
day's payments and that day's sweep, best of BENCH_REPEAT from one state, the last committed:
sweep / sweep_floor / sweep_ratio are the worst day's (the same floor query on that day). Checked
(issue 15): after the catch-up and the last day every installment and plan equals allocate() of
logic.plan_schedule over the payments with the run's rules; the second sweep changes nothing.
Sizes: PC_BENCH_PLANS / BENCH_PLANS (half of PC_BENCH_SIZE, else 10000), BENCH_PLAN_BATCH (per
call of _create_plans; 0: one call), BENCH_REPEAT; BENCH_PROFILE=1 profiles create and sweeps.
"""

import contextlib
import cProfile
import os
import pstats
import sys
import time
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import common
from common import say

INSTALLMENTS = 12
TERMS = {"down_payment": 0.0, "frequency": "monthly", "installment_count": INSTALLMENTS}
TERMS["installment_amount"] = None  # (by count)
SWEEP_AFTER_DAYS = 75
PLAN_TABLES = ("patient_payment_plan", "patient_payment_plan_installment",
    "account_payment_patient_payment_plan_installment_rel", "patient_interaction", "mail_message",
    "mail_tracking_value", "mail_followers", "mail_activity")  # fmt: skip
SWEEP_FLOOR_SQL = """
    SELECT id, plan_id, due_date, amount, amount_paid, state
      FROM patient_payment_plan_installment
     WHERE due_date <= %(day)s AND state IN ('open', 'partial')
"""


def profiled(enabled, fn):
    """Run fn() under cProfile when enabled; print the top functions."""
    if not enabled:
        return fn()
    profile = cProfile.Profile()
    try:
        return profile.runcall(fn)
    finally:
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        sys.stdout.flush()


def plan_requests(env, count, today):
    """(accounts, terms): ``count`` bench accounts owing at least 12 minimum
    installments, the terms the wizard would pass; staged in pcb_plan_req."""
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
    common.require(len(rows) == count, f"only {len(rows)} bench accounts owe enough for a plan")
    terms = [
        dict(TERMS, total_amount=float(balance), first_due_date=today + timedelta(days=1 + n % 28))
        for n, (_id, balance) in enumerate(rows)
    ]
    cr.execute(
        "DROP TABLE IF EXISTS pcb_plan_req;"
        " CREATE TEMP TABLE pcb_plan_req (n int, account_id int, total numeric, first_due date)"
    )
    cr.execute_values(
        "INSERT INTO pcb_plan_req VALUES %s",
        [
            (n, row[0], t["total_amount"], t["first_due_date"])
            for n, (row, t) in enumerate(zip(rows, terms, strict=True))
        ],
        page_size=5000,
    )
    cr.execute("ANALYZE pcb_plan_req")
    return env["patient.account"].browse([row[0] for row in rows]), terms


# One statement: the plans (a data-modifying CTE), then their installments, every
# stored column as the ORM writes it (plan_fingerprint() compares the rows).
CREATE_FLOOR_SQL = """
    WITH plans AS (
        INSERT INTO patient_payment_plan (
            name, account_id, partner_id, company_id, currency_id, total_amount,
            down_payment, installment_count, installment_amount, frequency, first_due_date,
            state, activation_date, amount_paid, amount_remaining, next_due_date, next_due_amount,
            missed_count, open_due_date, create_uid, write_uid, create_date, write_date)
        SELECT 'PF' || lpad(r.n::text, 6, '0'), r.account_id, a.partner_id, a.company_id,
               a.currency_id, r.total, 0, %(count)s, trunc(r.total / %(count)s, 2),
               'monthly', r.first_due, 'active', %(today)s, 0, r.total, r.first_due,
               trunc(r.total / %(count)s, 2), 0, r.first_due, %(uid)s, %(uid)s,
               now() at time zone 'UTC', now() at time zone 'UTC'
          FROM pcb_plan_req r JOIN patient_account a ON a.id = r.account_id
        RETURNING id, account_id, partner_id, company_id, total_amount, installment_amount,
                  first_due_date
    )
    INSERT INTO patient_payment_plan_installment (
        plan_id, account_id, partner_id, company_id, sequence, due_date, amount,
        amount_due, state, create_uid, write_uid, create_date, write_date)
    SELECT p.id, p.account_id, p.partner_id, p.company_id, k,
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
    plans = f"(SELECT p.id FROM patient_payment_plan p WHERE {plan_where})"  # noqa: S608
    for table, order, alias_filter in (
        ("patient_payment_plan", "t.account_id", f"t.id IN {plans}"),
        ("patient_payment_plan_installment", "t.account_id, t.sequence", f"t.plan_id IN {plans}"),
    ):
        types = common.column_types(cr, table)
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
    """(seconds, rows, fingerprint) of the one-statement insert, rolled back;
    without ``fk_triggers``: how much of it the per-row foreign key checks are
    (the ORM's inserts always pay them)."""
    cr = env.cr
    savepoint = cr.savepoint(flush=False)
    try:
        if not fk_triggers:
            common.foreign_key_triggers(cr, enabled=False)
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


def generate_plan_payments(env, tpl, plan_ids, today, day, since=None):
    """Payments of the plans' guarantors dated after ``since`` (default: from ``today``) to ``day``,
    by plan rank n % 20: 0-8 every installment due, on time (0-2 days early); 9-10 four at once,
    three days in; 11-13 the first and half the second; 14-16 the first, five days late; 17-19
    nothing.  Spread over the account's invoices neither pending nor partly paid, oldest first,
    0.01 left open on each (the reconciliations stay partial), one payment per piece
    (insert_payments). Returns ({plan id: [(date, amount, payment id)]}, number of payments)."""
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
          FROM wanted w WHERE w.pay_date > %(since)s AND w.pay_date <= %(day)s;

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
        {"plans": plan_ids, "today": today, "day": day, "since": since or today - timedelta(1)},
    )
    common.number_moves(cr, "pcb_pay", tpl.payment_move, "date")
    count = common.insert_payments(env, tpl, "pcb_pay", update_invoices=True)
    cr.execute("SELECT plan_id, date, amount, payment_id FROM pcb_pay ORDER BY plan_id, date")
    payments = defaultdict(list)
    for plan_id, date, amount, payment_id in cr.fetchall():
        payments[plan_id].append((date, amount, payment_id))
    say(f"{count} payments reconciled with the invoices of {len(payments)} plans")
    return payments, count


def expected_sweep(env, plan_ids, payments, day):
    """What the sweep must leave: logic.plan_schedule.allocate over the payments,
    the company's grace days and misses before default."""
    from odoo.addons.patient_collections.logic import plan_schedule, plan_status  # noqa: PLC0415

    company = env.company
    grace = timedelta(days=company.collections_plan_grace_days)
    misses_default = company.collections_plan_misses_default
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
        states = []
        for iid, due, amount in rows:
            paid, date, pays = (
                allocation[iid].paid,
                allocation[iid].paid_date,
                allocation[iid].payments,
            )
            state = (
                "paid" if paid >= Decimal(str(amount)) else "missed" if due + grace < day else None
            )
            state = state or ("partial" if paid > 0 else "open")
            states.append(state)
            want_inst[iid] = (paid, date if state == "paid" else None, state, sorted(pays))
        want_plan[plan_id] = (
            plan_status.plan_outcome(states, misses_default) or "active",
            states.count("missed"),
        )
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
        got, want = stats.get((f"plan_{state}", False, False), 0), plan_states[state]
        common.require(got == want, f"the run counted {got} plans {state}, {want} expected")
    return states, plan_states


def run_sweep(env, day, company_id, timer=None, profile=False):
    """(seconds, queries, stats) of the daily run's payment plan step plus flush."""
    env.invalidate_all()
    cr = env.cr
    companies = env["res.company"].browse(company_id)
    stats = common.run_counts()
    queries = cr.sql_log_count

    def sweep():
        env["patient.collection.run"]._step_payment_plans(companies, day, stats)
        common.flush_pending(env)

    with timer or contextlib.nullcontext():
        seconds, _r = common.timed(lambda: profiled(profile, sweep))
    return seconds, cr.sql_log_count - queries, stats


def main():
    count = common.size("PLANS", common.size("SIZE", 20_000) // 2)
    batch = common.size("PLAN_BATCH", 0) or count
    repeat = max(common.size("REPEAT", 3), 1)
    profile = os.environ.get("BENCH_PROFILE", "") not in ("", "0")
    if count < 20:
        sys.exit(f"need at least 20 plans (one of each payment pattern), not {count}")
    accounts_n = count + count // 20 + 20
    with common.session(__doc__, (*common.BENCH_TABLES, *PLAN_TABLES)) as (args, env):
        say(f"bench plans on {args.db}: {count} plans ({accounts_n} accounts), batch {batch}")
        Plan = env["patient.payment.plan"]
        today = Plan._fields["first_due_date"].context_today(Plan)  # as _create_plans
        # everything dated before today: the plans count the payments made from today
        yesterday = today - timedelta(days=1)
        data = common.prepare(env, args.db, accounts_n, 5 * accounts_n, False, today=yesterday)
        common.refresh_bench(env, args.db, today)
        result = measure_create(env, args.db, count, batch, repeat, profile, today)
        result.update(
            measure_sweep(env, args.db, data, result.pop("plans"), repeat, profile, today)
        )
    create_ratio = result["create"] / result["create_floor"]
    sweep_ratio = result["sweep"] / result["sweep_floor"]
    r = result
    print(
        f"bench plans: plans={count} installments={INSTALLMENTS * count} "
        f"create={r['create']:.2f}s create_queries={r['create_queries']} "
        f"create_floor={r['create_floor']:.3f}s create_ratio={create_ratio:.1f} "
        f"create_floor_nofk={r['create_floor_nofk']:.3f}s payments={r['payments']} "
        f"catchup={r['catchup']:.2f}s catchup_queries={r['catchup_queries']} "
        f"catchup_floor={r['catchup_floor']:.4f}s "
        f"catchup_ratio={r['catchup'] / r['catchup_floor']:.1f} "
        f"sweep_again={r['sweep_again']:.2f}s floor_payments={r['floor_payments']:.3f}s "
        f"sweep={r['sweep']:.3f}s sweep_queries={r['sweep_queries']} "
        f"sweep_floor={r['sweep_floor']:.4f}s "
        f"sweep_ratio={sweep_ratio:.1f} ratio={sweep_ratio:.1f}",
    )


def measure_create(env, db, count, batch, repeat, profile, today):
    cr = env.cr
    Plan = env["patient.payment.plan"]
    accounts, terms = plan_requests(env, count, today)
    cr.commit()
    floors, floors_nofk = [], []
    for run in range(1, repeat + 1):
        seconds, rows, floor_print = run_create_floor(env, today, INSTALLMENTS)
        nofk = run_create_floor(env, today, INSTALLMENTS, fk_triggers=False)[0]
        floors.append(seconds)
        floors_nofk.append(nofk)
        say(f"create floor run {run}: {seconds:.3f}s ({rows} installments), {nofk:.3f}s without FK")
    cr.commit()
    common.vacuum_analyze(db, ["patient_payment_plan", "patient_payment_plan_installment"])
    env.invalidate_all()
    requests = list(zip(env["patient.account"].browse(accounts.ids), terms, strict=True))
    methods = ["_terms_problems", "_prepare_plan_vals", "create", "_activate"]
    timer = common.MethodTimer(env, [("patient.payment.plan", name, False) for name in methods])
    queries = cr.sql_log_count

    def create_all():
        created = Plan.browse()
        for start in range(0, len(requests), batch):
            created |= Plan._create_plans(requests[start : start + batch])
        timer.block("flush+tracking", lambda: common.flush_pending(env))
        return created

    with timer:
        seconds, plans = common.timed(lambda: profiled(profile, create_all))
    create_queries = cr.sql_log_count - queries
    cr.commit()
    say(f"create: {seconds:.2f}s, {create_queries} queries; " + timer.describe(seconds))
    common.require(len(plans) == count, f"{len(plans)} plans created, {count} asked")
    orm_print = plan_fingerprint(cr, "p.id = ANY(%(ids)s)", {"ids": plans.ids})
    common.require(orm_print == floor_print, f"floor rows {floor_print} != ORM rows {orm_print}")
    say("checked: the floor inserted the same rows as the ORM (fingerprint of every column)")
    return {
        "plans": plans, "create": seconds, "create_queries": create_queries,
        "create_floor": min(floors), "create_floor_nofk": min(floors_nofk),
    }  # fmt: skip


def measure_sweep(env, db, data, plans, repeat, profile, today):
    cr = env.cr
    day = today + timedelta(days=SWEEP_AFTER_DAYS)
    tpl = common.capture_templates(env, env["res.company"].browse(data.company_id))
    payments, n_payments = generate_plan_payments(env, tpl, plans.ids, today, day)
    cr.commit()
    plans.account_id._refresh_balances(today=day)
    env.flush_all()
    cr.commit()
    want_inst, want_plan = expected_sweep(env, plans.ids, payments, day)
    cr.execute(  # and the first sweep: no mark of a previous day's (patient_payment_plan_sweep.py)
        "DROP TABLE IF EXISTS pcb_want, pcb_cap, pcb_pay, pcb_plan_req; UPDATE res_company"
        " SET patient_plan_sweep_date = NULL, patient_plan_sweep_seen = NULL"
    )
    cr.commit()
    common.vacuum_analyze(db, (*common.BENCH_TABLES, *PLAN_TABLES))
    say(f"balances refreshed for the sweep day {day}; committed, vacuumed")

    def floor(day):
        """The due open installments fetched: the planner's plan or the due_date index's."""
        runs = [common.run_sql(env, SWEEP_FLOOR_SQL, {"day": day}, settings)
                for settings in ((), ("enable_seqscan = off",))]  # fmt: skip
        common.require(len(runs[0][1]) == len(runs[1][1]), "the due_date index gives other rows")
        return min(runs[0][0], runs[1][0])

    names = "_lock_for_allocation _payment_rows _allocate_payments _write_progress _close"
    timer = common.MethodTimer(env, [("patient.payment.plan", n, False) for n in names.split()])
    floors, pay_floors, sweeps = [], [], []
    sweep_q = stats = None
    for run in range(1, repeat + 1):
        floors.append(floor(day))
        pay_floors.append(common.timed(plans.sudo()._payments_since_activation)[0])
        last = run == repeat
        seconds, sweep_q, stats = run_sweep(
            env, day, data.company_id, timer if last else None, profile and run == 1
        )
        sweeps.append(seconds)
        say(
            f"sweep run {run}: {seconds:.2f}s, {sweep_q} queries ({dict(stats)});"
            f" floor {floors[-1]:.4f}s; floor_payments {pay_floors[-1]:.3f}s"
        )
        if last:
            say("last sweep, committed: " + timer.describe(seconds))
            cr.commit()
        else:
            cr.rollback()
            common.vacuum_analyze(db, PLAN_TABLES)
    inst_states, plan_states = check_sweep(env, plans.ids, want_inst, want_plan, stats)
    say(f"checked: installments {dict(inst_states)}, plans {dict(plan_states)} as allocate() says")
    common.vacuum_analyze(db, PLAN_TABLES)
    again, again_q, again_stats = run_sweep(env, day, data.company_id)
    cr.commit()
    say(f"sweep again the same day: {again:.2f}s, {again_q} queries")
    common.require(not again_stats, f"the second sweep changed plans: {again_stats}")
    return daily_sweeps(env, data, plans, payments, tpl, (today, day, repeat), floor, profile) | {
        "payments": n_payments, "catchup": min(sweeps), "catchup_queries": sweep_q,
        "sweep_again": again, "catchup_floor": min(floors), "floor_payments": min(pay_floors),
    }  # fmt: skip


def daily_sweeps(env, data, plans, payments, tpl, days, floor_of, profile):
    """PLAN_DAYS (7) more days: each day its payments (SQL), its sweep (best of ``repeat``, the
    last committed) against its floor (the worst ratio is the sweep's); the plans active before
    it checked against allocate() on that day (a plan that ended stays as it ended)."""
    (today, day, repeat), worst, last = days, (0.0, 1.0, 0), common.size("PLAN_DAYS", 7) - 1
    for n in range(last + 1):
        day += timedelta(days=1)
        more, count = generate_plan_payments(env, tpl, plans.ids, today, day, day - timedelta(1))
        for plan_id, rows in more.items():
            payments[plan_id] = payments.get(plan_id, []) + rows
        env.cr.commit()
        common.vacuum_analyze(env.cr.dbname, PLAN_TABLES)
        env.cr.execute("SELECT id FROM patient_payment_plan WHERE state = 'active'")
        active = [row[0] for row in env.cr.fetchall()]
        floor = floor_of(day)
        runs, profile_day = [], profile and n == last
        for run in range(repeat):
            runs.append(run_sweep(env, day, data.company_id, None, profile_day and not run))
            (env.cr.commit if run == repeat - 1 else env.cr.rollback)()
        seconds, queries, stats = min(runs, key=lambda run: run[0])
        say(f"day {day}: {count} payments, sweep {seconds:.3f}s/{queries}q, floor {floor:.4f}s")
        worst = max(worst, (seconds, floor, queries), key=lambda w: w[0] / w[1])
        check_sweep(env, active, *expected_sweep(env, active, payments, day), stats)
    say("checked each day: the plans active before its sweep as allocate() says")
    return {"sweep": worst[0], "sweep_floor": worst[1], "sweep_queries": worst[2]}


if __name__ == "__main__":
    main()
