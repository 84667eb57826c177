"""Benchmark: refresh of patient account balances and aging, against its SQL floor.

Generates, set-based, guarantors with patient accounts and open posted
invoices (default 20,000 accounts and 100,000 invoices, 30 % of them partly
paid by real payments and partial reconciliations, 10 % insurance-pending,
2 % of the accounts with an unapplied payment; see common.generate_receivables),
then times

  refresh  PatientAccount._refresh_balances() on every account, as the daily
           cron would run it: env["patient.account"].search([])._refresh_balances(
           today=D) plus the flush of whatever it marks, each run for a new day D
           (so every row's aging_date changes, as it does day after day);
  floor    one SQL aggregate over the same open receivable lines (posted,
           receivable account, amount_residual != 0): per guarantor the balance
           due, the insurance-pending amount, the six aging buckets and the days
           past due, i.e. everything the refresh derives from open items (the
           honest floor: a bare SUM could not tell pending from due, nor age).
           The last-payment lookup and the UPDATE are not in it: they are the
           refresh's own overhead.  Run without parallel workers, like the
           refresh (PostgreSQL never parallelises a query that writes); the
           same query with parallel workers allowed is printed as
           floor_parallel, and the bare SUM(amount_residual) GROUP BY partner_id
           as floor_sum, for reference only.

each the best of BENCH_REPEAT runs (default 3, interleaved), and prints the
ratio refresh/floor (target: 3 or less).  Also timed once: the first cron call
_cron_refresh_balances() (accounts never aged), the same cron called again
(every account already aged today: nothing to do), and a same-day second
refresh of every account (steady state: nothing changed).  The results are
checked: totals against the generated data and the floor, and a sample of
accounts against logic.aging.summarize() over their open items read by the ORM.

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):

    .venv/bin/python bench/balances.py --rc .build/odoo.conf --db pc_bench
    BENCH_ACCOUNTS=2000 BENCH_INVOICES=10000 .venv/bin/python bench/balances.py ...

Variables: ODOO_DB (or BENCH_DB, or --db), ODOO_RC (or --rc), ODOO_PATH
(default /opt/odoo); sizes PC_BENCH_ACCOUNTS / BENCH_ACCOUNTS (default
PC_BENCH_SIZE, else 20000), PC_BENCH_INVOICES / BENCH_INVOICES (default 5 per
account), BENCH_REPEAT (3); BENCH_KEEP=1 (or --keep) leaves the generated data
in the database (otherwise it is deleted at the end; bench data left by an
earlier run is always deleted first).  The data is committed: the refresh
must update real, vacuumed and analyzed rows, as in production.

The last line is the result, e.g.
    bench balances: accounts=20000 invoices=100000 refresh=1.23s floor=0.51s ratio=2.41
"""

import datetime
import random
import sys
import time

import common
from common import say

FLOOR_SQL = """
    SELECT aml.partner_id,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending) AS balance_due,
           SUM(aml.amount_residual) FILTER (WHERE items.pending) AS balance_insurance_pending,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending AND items.days <= 0)
               AS aging_current,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending
                                             AND items.days BETWEEN 1 AND 30) AS aging_1_30,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending
                                             AND items.days BETWEEN 31 AND 60) AS aging_31_60,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending
                                             AND items.days BETWEEN 61 AND 90) AS aging_61_90,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending
                                             AND items.days BETWEEN 91 AND 120) AS aging_91_120,
           SUM(aml.amount_residual) FILTER (WHERE NOT items.pending AND items.days > 120)
               AS aging_over_120,
           COALESCE(MAX(items.days) FILTER (WHERE NOT items.pending
                                              AND aml.amount_residual > 0), 0) AS days_past_due
      FROM account_move_line aml
      JOIN account_account account ON account.id = aml.account_id
      JOIN account_move move ON move.id = aml.move_id
     CROSS JOIN LATERAL (
           SELECT GREATEST(%(today)s::date - COALESCE(aml.date_maturity, aml.date), 0) AS days,
                  COALESCE(move.insurance_status = 'pending', FALSE) AS pending
     ) items
     WHERE aml.parent_state = 'posted'
       AND account.account_type = 'asset_receivable'
       AND aml.amount_residual != 0
       AND aml.company_id = %(company)s
  GROUP BY aml.partner_id
"""

FLOOR_SUM_SQL = """
    SELECT aml.partner_id, SUM(aml.amount_residual)
      FROM account_move_line aml
      JOIN account_account account ON account.id = aml.account_id
     WHERE aml.parent_state = 'posted'
       AND account.account_type = 'asset_receivable'
       AND aml.amount_residual != 0
       AND aml.company_id = %(company)s
  GROUP BY aml.partner_id
"""

FLOOR_COLUMNS = (
    "partner_id",
    "balance_due",
    "balance_insurance_pending",
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_91_120",
    "aging_over_120",
    "days_past_due",
)


def run_floor(env, sql, today, company_id, parallel=False):
    """(seconds, rows) of one floor query, rows fetched to the client."""
    cr = env.cr
    if not parallel:
        cr.execute("SET LOCAL max_parallel_workers_per_gather = 0")

    def query():
        cr.execute(sql, {"today": today, "company": company_id})
        return cr.fetchall()

    seconds, rows = common.timed(query)
    cr.rollback()
    return seconds, rows


def run_refresh(env, db, fn):
    """(seconds, queries) of ``fn(env)`` plus the flush of what it marked, then commit.

    The patient_account table is vacuumed first (as autovacuum would between
    two daily crons) and the ORM cache is empty, so every run starts alike.
    """
    cr = env.cr
    cr.commit()
    common.vacuum_analyze(db, ["patient_account"])
    env.invalidate_all()
    queries = cr.sql_log_count
    start = time.perf_counter()
    fn(env)
    env.flush_all()
    seconds = time.perf_counter() - start
    queries = cr.sql_log_count - queries
    cr.commit()
    return seconds, queries


def check_results(env, data, floor_rows, today, sample=60):
    """Compare the refreshed accounts with the generation totals, the floor and
    the pure-Python aging of a sample of accounts.  Raises AssertionError."""
    from odoo.addons.patient_collections.logic import aging  # noqa: PLC0415

    cr = env.cr
    partners = set(env["res.partner"].search([("ref", "=", common.BENCH_REF)]).ids)
    floor = [dict(zip(FLOOR_COLUMNS, row, strict=True)) for row in floor_rows]
    floor = [row for row in floor if row["partner_id"] in partners]
    cr.execute(
        """
        SELECT count(*), SUM(balance_due), SUM(balance_insurance_pending),
               SUM(aging_current), SUM(aging_1_30), SUM(aging_31_60), SUM(aging_61_90),
               SUM(aging_91_120), SUM(aging_over_120), MAX(days_past_due),
               count(*) FILTER (WHERE aging_date = %s)
          FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
         WHERE p.ref = %s
        """,
        [today, common.BENCH_REF],
    )
    count, *sums, max_days, aged = cr.fetchone()
    common.require(count == data.accounts, f"{count} bench accounts, {data.accounts} generated")
    common.require(aged == count, f"only {aged} of {count} accounts were aged on {today}")
    names = FLOOR_COLUMNS[1:-1]
    for name, value in zip(names, sums, strict=True):
        expected = sum(row[name] or 0 for row in floor)
        common.require(
            abs(float(value) - float(expected)) < 0.005,
            f"SUM({name}) of the accounts is {value}, the floor says {expected}",
        )
    common.require(
        max_days == max(row["days_past_due"] for row in floor), "max days_past_due differs"
    )
    for name in ("balance_due", "balance_insurance_pending"):
        got = sum(float(row[name] or 0) for row in floor)
        want = float(data.expected[name])
        common.require(abs(got - want) < 0.005, f"{name}: the floor sums {got}, generated {want}")
    buckets = sum(float(v) for v in sums[2:])
    common.require(
        abs(buckets - float(sums[0])) < 0.005, "aging buckets do not add up to balance due"
    )

    # A sample of accounts against the reference implementation, from the ORM.
    Account = env["patient.account"]
    Line = env["account.move.line"]
    rng = random.Random(7)
    cr.execute(
        "SELECT pa.id FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id"
        " WHERE p.ref = %s ORDER BY pa.id",
        [common.BENCH_REF],
    )
    ids = [r[0] for r in cr.fetchall()]
    for account in Account.browse(rng.sample(ids, min(sample, len(ids)))):
        lines = Line.search(
            [
                ("partner_id", "=", account.partner_id.id),
                ("company_id", "=", account.company_id.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("amount_residual", "!=", 0),
                "|",
                ("move_id.patient_account_id", "=", account.id),
                ("move_id.move_type", "=", "entry"),
            ]
        )
        items = [
            aging.OpenItem(
                line.amount_residual,
                line.date_maturity or line.date,
                line.move_id.insurance_status == "pending",
            )
            for line in lines
        ]
        want = aging.summarize(items, today)
        for name, value in want.items():
            got = account[name]
            ok = got == value if name == "days_past_due" else abs(float(got) - float(value)) < 0.005
            common.require(
                ok, f"account {account.name}: {name} is {got}, aging.summarize says {value}"
            )
    return len(floor)


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts = common.size("ACCOUNTS", common.size("SIZE", 20_000))
    invoices = common.size("INVOICES", 5 * accounts)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts or invoices < accounts:
        sys.exit(
            f"need at least one account and one invoice per account "
            f"(accounts={accounts}, invoices={invoices})"
        )
    say(
        f"bench balances on database {args.db}: {accounts} accounts, {invoices} invoices, "
        f"best of {repeat}"
    )
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env)
        cr.execute("SELECT count(*) FROM patient_account")
        others = cr.fetchone()[0]
        if others:
            say(f"note: {others} patient accounts not made by the benchmark are refreshed too")

        data = common.generate_receivables(env, accounts, invoices)
        say(
            f"generated in {data.seconds:.1f}s: {data.accounts} guarantors and accounts, "
            f"{data.invoices} invoices ({data.expected['partly_paid_invoices']} partly paid, "
            f"{data.expected['pending_invoices']} insurance-pending), {data.payments} payments "
            f"({data.unapplied} unapplied), {data.lines} journal items"
        )
        cr.commit()
        try:
            result = measure(env, args.db, data, repeat)
        finally:
            cr.rollback()
            if args.keep:
                say("--keep: the generated data stays in the database")
            else:
                seconds, _n = common.timed(lambda: common.clear_bench_data(env))
                cr.commit()
                common.vacuum_analyze(db=args.db, tables=common.BENCH_TABLES)
                say(f"generated data deleted in {seconds:.1f}s (and vacuumed)")

    ratio = result["refresh"] / result["floor"]
    say(f"refresh/floor = {ratio:.2f}: {'within' if ratio <= 3 else 'above'} the target of 3")
    print(
        f"bench balances: accounts={accounts} invoices={invoices} "
        f"generate={data.seconds:.1f}s refresh_queries={result['queries']} "
        f"cron_first={result['cron_first']:.2f}s cron_again={result['cron_again']:.3f}s "
        f"refresh_same_day={result['same_day']:.2f}s floor_sum={result['floor_sum']:.2f}s "
        f"floor_parallel={result['floor_parallel']:.2f}s "
        f"refresh={result['refresh']:.2f}s floor={result['floor']:.2f}s "
        f"ratio={ratio:.2f}",
        flush=True,
    )


def measure(env, db, data, repeat):
    """Time the refreshes and floors on committed bench data; check the results."""
    seconds, _r = common.timed(lambda: common.vacuum_analyze(db, common.BENCH_TABLES))
    say(f"committed; VACUUM ANALYZE in {seconds:.1f}s")
    moves, lines = common.check_with_orm(env, data)
    say(
        f"ORM check: {data.open_receivable_lines} open receivable lines seen by the ORM; "
        f"{moves} moves / {lines} lines recomputed by Odoo as generated"
    )
    today = data.today

    def cron(e):
        return e["patient.account"]._cron_refresh_balances()

    def refresh_all(day):
        return lambda e: e["patient.account"].search([])._refresh_balances(today=day)

    cron_first, queries = run_refresh(env, db, cron)
    say(f"first cron call (every account never aged): {cron_first:.3f}s, {queries} queries")
    cron_again, queries = run_refresh(env, db, cron)
    say(f"cron called again the same day (nothing to do): {cron_again:.3f}s, {queries} queries")

    runs = {"refresh": [], "floor": [], "floor_parallel": [], "floor_sum": []}
    floor_rows = None
    day = today
    for run in range(1, repeat + 1):
        day = today + datetime.timedelta(days=run)
        seconds, floor_rows = run_floor(env, FLOOR_SQL, day, data.company_id)
        runs["floor"].append(seconds)
        seconds, _rows = run_floor(env, FLOOR_SQL, day, data.company_id, parallel=True)
        runs["floor_parallel"].append(seconds)
        seconds, _rows = run_floor(env, FLOOR_SUM_SQL, day, data.company_id)
        runs["floor_sum"].append(seconds)
        seconds, queries = run_refresh(env, db, refresh_all(day))
        runs["refresh"].append(seconds)
        say(
            f"run {run} (aged on {day}): refresh {seconds:.3f}s ({queries} queries), "
            f"floor {runs['floor'][-1]:.3f}s ({len(floor_rows)} guarantors), "
            f"floor_parallel {runs['floor_parallel'][-1]:.3f}s, "
            f"floor_sum {runs['floor_sum'][-1]:.3f}s"
        )
    same_day, same_day_q = run_refresh(env, db, refresh_all(day))
    say(
        f"same-day second refresh (steady state, nothing changed): {same_day:.3f}s, "
        f"{same_day_q} queries"
    )
    checked = check_results(env, data, floor_rows, day)
    say(
        f"results check passed: totals of {checked} guarantors match the floor and the "
        f"generated data; a sample of accounts matches logic.aging.summarize"
    )
    result = {name: min(values) for name, values in runs.items()}
    result.update(cron_first=cron_first, cron_again=cron_again, same_day=same_day, queries=queries)
    return result


if __name__ == "__main__":
    main()
