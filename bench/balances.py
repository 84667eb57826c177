"""Benchmark: refresh of patient account balances and aging, against its SQL floor.

refresh: env["patient.account"].search([])._refresh_balances(today=D) and its flush, a new day D
each run; floor: one SQL aggregate of the same open receivable lines per guarantor (balances, six
buckets, days past due; no parallel workers, as an UPDATE; floor_parallel and the bare floor_sum
for reference); best of BENCH_REPEAT (3).  Also timed once: the first cron call, the cron again the
same day, a same-day second refresh.  Sizes: PC_BENCH_ACCOUNTS (PC_BENCH_SIZE, else 20000),
PC_BENCH_INVOICES (5 each).
"""

import datetime

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


def run_floor(env, sql, today, company_id, parallel=False):
    """Seconds of one floor query, rows fetched (no parallel workers unless told)."""
    settings = () if parallel else ("max_parallel_workers_per_gather = 0",)
    params = {"today": today, "company": company_id}
    return common.run_sql(env, sql, params, settings)[0]


def run_refresh(env, db, fn):
    """(seconds, queries) of ``fn(env)`` and its flush, committed; the table
    vacuumed first (as autovacuum between two daily crons), the cache empty."""
    cr = env.cr
    common.fresh(env, db, ["patient_account"])
    queries = cr.sql_log_count
    seconds, _r = common.timed(lambda: (fn(env), env.flush_all()))
    queries = cr.sql_log_count - queries
    cr.commit()
    return seconds, queries


def main():
    accounts, invoices = common.sizes(20_000)
    repeat = max(common.size("REPEAT", 3), 1)
    with common.session(__doc__) as (args, env):
        say(f"bench balances on {args.db}: {accounts} accounts, {invoices} invoices")
        env.cr.execute("SELECT count(*) FROM patient_account")
        others = env.cr.fetchone()[0]
        data = common.prepare(env, args.db, accounts, invoices, refresh=False)
        if others:
            say(f"note: {others} patient accounts not made by the benchmark are refreshed too")
        result = measure(env, args.db, data, repeat)
    ratio = result["refresh"] / result["floor"]
    print(
        f"bench balances: accounts={accounts} invoices={invoices} "
        f"generate={data.seconds:.1f}s refresh_queries={result['queries']} "
        f"cron_first={result['cron_first']:.2f}s cron_again={result['cron_again']:.3f}s "
        f"refresh_same_day={result['same_day']:.2f}s floor_sum={result['floor_sum']:.2f}s "
        f"floor_parallel={result['floor_parallel']:.2f}s "
        f"refresh={result['refresh']:.2f}s floor={result['floor']:.2f}s ratio={ratio:.2f}",
    )


def measure(env, db, data, repeat):
    def cron(e):
        return e["patient.account"]._cron_refresh_balances()

    def refresh_all(day):
        return lambda e: e["patient.account"].search([])._refresh_balances(today=day)

    result = {}
    result["cron_first"], queries = run_refresh(env, db, cron)
    say(f"first cron call (every account never aged): {result['cron_first']:.3f}s, {queries} q")
    result["cron_again"], queries = run_refresh(env, db, cron)
    say(f"cron again the same day (nothing to do): {result['cron_again']:.3f}s, {queries} q")
    runs = {"refresh": [], "floor": [], "floor_parallel": [], "floor_sum": []}
    day = data.today
    for run in range(1, repeat + 1):
        day = data.today + datetime.timedelta(days=run)
        runs["floor"].append(run_floor(env, FLOOR_SQL, day, data.company_id))
        runs["floor_parallel"].append(run_floor(env, FLOOR_SQL, day, data.company_id, True))
        runs["floor_sum"].append(run_floor(env, FLOOR_SUM_SQL, day, data.company_id))
        seconds, result["queries"] = run_refresh(env, db, refresh_all(day))
        runs["refresh"].append(seconds)
        say(
            f"run {run} (aged on {day}): refresh {seconds:.3f}s ({result['queries']} queries), "
            + ", ".join(f"{name} {values[-1]:.3f}s" for name, values in runs.items() if values)
        )
    result["same_day"], queries = run_refresh(env, db, refresh_all(day))
    say(f"same-day second refresh (nothing changed): {result['same_day']:.3f}s, {queries} q")
    result.update({name: min(values) for name, values in runs.items()})
    return result


if __name__ == "__main__":
    main()
