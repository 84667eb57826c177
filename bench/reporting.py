"""Benchmark: the daily snapshot and the aged balances report, against SQL floors.

snapshot: PatientCollectionSnapshot._take(); floor: the bare aggregation of the same columns into a
temporary table.  report: the report wizard's XLSX export of today; floor: the same GROUP BY
queries and detail SELECT in plain SQL written with xlsxwriter.  dashboard: get_dashboard_data()
(target under 300 ms).  Best of BENCH_REPEAT (3), rolled back.  Sizes: PC_BENCH_REPORTING_ACCOUNTS
(10000), PC_BENCH_REPORTING_INVOICES (5 each).
"""

import io
import sys

import common
from common import say

GROUPINGS = {
    "stage_id": "stage_id",
    "user_id": "user_id",
    "insurance": "balance_insurance_pending > 0",
}
AMOUNTS = ["balance_due", "balance_insurance_pending", "aging_current", "aging_1_30",
           "aging_31_60", "aging_61_90", "aging_91_120", "aging_over_120"]  # fmt: skip
SUMS = ", ".join(f"SUM({name}) AS {name}" for name in AMOUNTS)


def snapshot_floor(env, company):
    env.cr.execute(
        f"""
        CREATE TEMP TABLE pcr_floor ON COMMIT DROP AS
        SELECT company_id, stage_id, user_id, balance_insurance_pending > 0 AS pending,
               COUNT(*) AS account_count, {SUMS},
               COUNT(*) FILTER (WHERE last_payment_date = CURRENT_DATE) AS paid,
               COUNT(*) FILTER (WHERE stage_date = CURRENT_DATE) AS moved
          FROM patient_account
         WHERE company_id = %s AND active
      GROUP BY company_id, stage_id, user_id, balance_insurance_pending > 0
        """,  # noqa: S608 (constants)
        [company.id],
    )
    env.cr.execute("DROP TABLE pcr_floor")


def report_floor(env, company):
    import xlsxwriter  # noqa: PLC0415

    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    where = "FROM patient_account WHERE company_id = %s AND active"
    for grouping, key in GROUPINGS.items():
        env.cr.execute(f"SELECT {key}, COUNT(*), {SUMS} {where} GROUP BY {key}", [company.id])
        sheet = book.add_worksheet(grouping)
        for row, values in enumerate(env.cr.fetchall()):
            sheet.write_row(row, 0, [str(values[0]), *values[1:]])
    columns = ", ".join(["name", "stage_id", "user_id", "days_past_due", *AMOUNTS])
    env.cr.execute(f"SELECT {columns} {where} ORDER BY name, id", [company.id])
    sheet = book.add_worksheet("detail")
    for row, values in enumerate(env.cr.fetchall()):
        sheet.write_row(row, 0, [v if v is not None else "" for v in values])
    book.close()
    return output.getvalue()


def main():
    accounts = common.size("REPORTING_ACCOUNTS", 10000)
    invoices = common.size("REPORTING_INVOICES", 5 * accounts)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts:
        sys.exit("need at least one account")
    with common.session(__doc__) as (args, env):
        say(f"bench reporting on {args.db}: {accounts} accounts, {invoices} invoices")
        data = common.prepare(env, args.db, accounts, invoices)
        company = env["res.company"].browse(data.company_id)
        Snapshot = env["patient.collection.snapshot"].with_company(company)

        def export():
            wizard = env["patient.aging.report"].with_company(company)
            vals = {"company_id": company.id, "as_of_date": data.today}
            return wizard.create(vals).action_export_xlsx()

        try:
            best = common.best_of(
                repeat,
                {
                    "snapshot": lambda: Snapshot._take(company, data.today),
                    "snapshot_floor": lambda: snapshot_floor(env, company),
                    "report": export,
                    "report_floor": lambda: report_floor(env, company),
                },
                env=env,
            )
            Snapshot._take(company, data.today)  # the dashboard reads today's snapshot
            dashboards = [common.timed(Snapshot.get_dashboard_data)[0] for _ in range(repeat)]
            best["dashboard"] = min(dashboards)
        finally:
            env.cr.rollback()
            env.cr.execute(
                "DELETE FROM patient_collection_snapshot WHERE company_id = %s", [company.id]
            )
            env.cr.commit()
    ratio = best["snapshot"] / best["snapshot_floor"]
    report_ratio = best["report"] / best["report_floor"]
    print(
        f"bench reporting: accounts={accounts} invoices={invoices} "
        f"snapshot={best['snapshot']:.3f}s floor={best['snapshot_floor']:.3f}s ratio={ratio:.2f} "
        f"report={best['report']:.2f}s "
        f"report_floor={best['report_floor']:.2f}s report_ratio={report_ratio:.2f} "
        f"dashboard={best['dashboard'] * 1000:.0f}ms"
    )


if __name__ == "__main__":
    main()
