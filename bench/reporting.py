"""Benchmark: the daily snapshot and the aged patient balances report, against
their SQL floors.

Generates, set-based (common.generate_receivables), guarantors with patient
accounts and open posted invoices (default 10,000 accounts and 50,000 invoices;
the issue's 50,000 / 250,000 with PC_BENCH_REPORTING_ACCOUNTS=50000: several
minutes of generation on a small machine), ages them, then times
  snapshot  PatientCollectionSnapshot._take(): flush, delete the day's rows,
            one INSERT ... SELECT of the day's balances, buckets and KPI inputs;
  floor     the bare aggregation of the same account columns by company, stage,
            specialist and insurance status into a temporary table;
  report    the report wizard's XLSX export of today (live accounts): three
            groupings through the ORM's grouped reads, a detail sheet of every
            account (fields the reader may read), the workbook stored as an
            attachment, the export logged;
  floor     the same three GROUP BY queries and the detail SELECT in plain SQL,
            and the same workbook written with xlsxwriter from those rows;
  dashboard get_dashboard_data() (server time, target under 300 ms).
Each the best of BENCH_REPEAT runs (default 3), rolled back between runs.  The
snapshot's totals are checked against the accounts', and a second snapshot of
the same day against the first.

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):
    .venv/bin/python bench/reporting.py --rc .build/odoo.conf --db pc_bench
Variables: PC_BENCH_REPORTING_ACCOUNTS / BENCH_REPORTING_ACCOUNTS (10000),
PC_BENCH_REPORTING_INVOICES (5 per account), BENCH_REPEAT (3); BENCH_KEEP=1.
The last line is the result, e.g.
    bench reporting: accounts=10000 snapshot=0.20s floor=0.10s ratio=2.00 ...
"""

import io
import sys
import time

import common
from common import say

GROUPINGS = ("stage_id", "user_id", "insurance")
AMOUNTS = (
    "balance_due",
    "balance_insurance_pending",
    "aging_current",
    "aging_1_30",
    "aging_31_60",
    "aging_61_90",
    "aging_91_120",
    "aging_over_120",
)


def sql():
    from odoo.tools import SQL  # noqa: PLC0415 (Odoo is on sys.path once open_env ran)

    return SQL


def sums(template="SUM(%s)"):
    SQL = sql()
    return SQL(", ").join(SQL(template, SQL.identifier(name)) for name in AMOUNTS)


def rolled_back(env, fn):
    """Seconds of ``fn()`` (flushed), its changes rolled back."""
    savepoint = env.cr.savepoint(flush=False)
    start = time.perf_counter()
    result = fn()
    env.flush_all()
    seconds = time.perf_counter() - start
    savepoint.rollback()
    savepoint.close(rollback=False)
    env.invalidate_all()
    return seconds, result


def snapshot_floor(env, company):
    SQL = sql()
    env.cr.execute(
        SQL(
            """
            CREATE TEMP TABLE pcr_floor ON COMMIT DROP AS
            SELECT company_id, stage_id, user_id, balance_insurance_pending > 0 AS pending,
                   COUNT(*) AS account_count, %s,
                   COUNT(*) FILTER (WHERE last_payment_date = CURRENT_DATE) AS paid,
                   COUNT(*) FILTER (WHERE stage_date = CURRENT_DATE) AS moved
              FROM patient_account
             WHERE company_id = %s AND active
          GROUP BY company_id, stage_id, user_id, balance_insurance_pending > 0
            """,
            SQL(", ").join(
                SQL("SUM(%s) AS %s", SQL.identifier(name), SQL.identifier(name)) for name in AMOUNTS
            ),
            company.id,
        )
    )
    env.cr.execute("DROP TABLE pcr_floor")


def report_floor(env, company):
    import xlsxwriter  # noqa: PLC0415

    SQL = sql()
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    for grouping in GROUPINGS:
        key = (
            SQL("balance_insurance_pending > 0")
            if grouping == "insurance"
            else SQL.identifier(grouping)
        )
        env.cr.execute(
            SQL(
                "SELECT %s, COUNT(*), %s FROM patient_account"
                " WHERE company_id = %s AND active GROUP BY %s",
                key,
                sums(),
                company.id,
                key,
            )
        )
        sheet = book.add_worksheet(grouping)
        for row, values in enumerate(env.cr.fetchall()):
            sheet.write_row(row, 0, [str(values[0]), *values[1:]])
    env.cr.execute(
        SQL(
            "SELECT name, stage_id, user_id, days_past_due, %s FROM patient_account"
            " WHERE company_id = %s AND active ORDER BY name, id",
            sums("%s"),
            company.id,
        )
    )
    sheet = book.add_worksheet("detail")
    for row, values in enumerate(env.cr.fetchall()):
        sheet.write_row(row, 0, [v if v is not None else "" for v in values])
    book.close()
    return output.getvalue()


def totals(env, query):
    env.cr.execute(query)
    return env.cr.fetchone()


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts = common.size("REPORTING_ACCOUNTS", 10000)
    invoices = common.size("REPORTING_INVOICES", 5 * accounts)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts:
        sys.exit("need at least one account")
    say(f"bench reporting on {args.db}: {accounts} accounts, {invoices} invoices, best of {repeat}")
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env)
        data = common.generate_receivables(env, accounts, invoices)
        company = env["res.company"].browse(data.company_id)
        today = data.today
        # committed and analyzed first: the refresh's plan needs statistics
        cr.commit()
        common.vacuum_analyze(args.db, common.BENCH_TABLES)
        env["patient.account"].search(
            [("partner_id.ref", "=", common.BENCH_REF)]
        )._refresh_balances(today=today)
        cr.commit()
        common.vacuum_analyze(args.db, common.BENCH_TABLES)
        say(f"generated in {data.seconds:.1f}s: {data.accounts} accounts, {data.invoices} invoices")
        Snapshot = env["patient.collection.snapshot"].with_company(company)
        try:
            snaps, snap_floors, reports, report_floors = [], [], [], []
            for _ in range(repeat):
                snap_floors.append(rolled_back(env, lambda: snapshot_floor(env, company))[0])
                snaps.append(rolled_back(env, lambda: Snapshot._take(company, today))[0])
                report_floors.append(rolled_back(env, lambda: report_floor(env, company))[0])

                def export():
                    wizard = (
                        env["patient.aging.report"]
                        .with_company(company)
                        .create({"company_id": company.id, "as_of_date": today})
                    )
                    return wizard.action_export_xlsx()

                reports.append(rolled_back(env, export)[0])
            # checked for real: totals, the same-day rerun, the dashboard's time
            Snapshot._take(company, today)
            SQL = sql()
            snap = totals(
                env,
                SQL(
                    "SELECT SUM(account_count), %s FROM patient_collection_snapshot"
                    " WHERE company_id = %s AND date = %s",
                    sums("COALESCE(SUM(%s), 0)"),
                    company.id,
                    today,
                ),
            )
            live = totals(
                env,
                SQL(
                    "SELECT COUNT(*), %s FROM patient_account WHERE company_id = %s AND active",
                    sums("COALESCE(SUM(%s), 0)"),
                    company.id,
                ),
            )
            common.require(
                snap[0] == live[0]
                and all(abs(a - b) < 0.005 for a, b in zip(snap[1:], live[1:], strict=True)),
                f"snapshot totals {snap} differ from the accounts' {live}",
            )
            rows = Snapshot.search_count([("date", "=", today)])
            Snapshot._take(company, today)
            common.require(
                Snapshot.search_count([("date", "=", today)]) == rows,
                "a second snapshot of the day did not replace the first",
            )
            dashboards = [
                common.timed(lambda: Snapshot.get_dashboard_data())[0] for _ in range(repeat)
            ]
            say("checked: snapshot totals equal the accounts', a rerun replaces the day")
            say(
                f"measured: snapshot {min(snaps):.3f}s floor {min(snap_floors):.3f}s, report "
                f"{min(reports):.2f}s floor {min(report_floors):.2f}s, dashboard "
                f"{min(dashboards) * 1000:.0f} ms (cleaning up next)"
            )
        finally:
            cr.rollback()
            cr.execute(
                "DELETE FROM patient_collection_snapshot WHERE company_id = %s", [company.id]
            )
            cr.commit()
            if not args.keep:
                common.clear_bench_data(env)
                cr.commit()
    snap, snap_floor = min(snaps), min(snap_floors)
    report, report_floor_s = min(reports), min(report_floors)
    dashboard = min(dashboards)
    ratio = snap / snap_floor
    report_ratio = report / report_floor_s
    say(
        f"snapshot/floor = {ratio:.2f}, report/floor = {report_ratio:.2f} (target 3), "
        f"dashboard {dashboard * 1000:.0f} ms (target 300)"
    )
    print(
        f"bench reporting: accounts={accounts} invoices={invoices} snapshot={snap:.3f}s "
        f"floor={snap_floor:.3f}s ratio={ratio:.2f} report={report:.2f}s "
        f"report_floor={report_floor_s:.2f}s report_ratio={report_ratio:.2f} "
        f"dashboard={dashboard * 1000:.0f}ms"
    )


if __name__ == "__main__":
    main()
