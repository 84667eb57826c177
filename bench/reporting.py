"""Benchmark: the daily snapshot (_take, Collected of the 31 days before taken again included;
floor: one INSERT ... SELECT of the same rows, checked by snapshot_rows; the invoices partly paid
today marked paid, uncommitted, for days to pay), the aged
report's XLSX of today (floor: the same queries in plain SQL and xlsxwriter) and the dashboard (goal
< 300 ms).  Best of BENCH_REPEAT (3), rolled back.  PC_BENCH_REPORTING_ACCOUNTS (10000), _INVOICES.
"""

import io

import common
import xlsxwriter
from common import NOW, say

GROUPINGS = {"stage": "stage_id", "user": "user_id", "insurance": "balance_insurance_pending > 0"}
AMOUNTS = ["balance_due", "balance_insurance_pending", "aging_current", "aging_1_30",
           "aging_31_60", "aging_61_90", "aging_91_120", "aging_over_120"]  # fmt: skip
SUMS = ", ".join(f"SUM({name}) AS {name}" for name in AMOUNTS)
ON = "date >= %(day)s AND date < %(day)s::date + 1"  # an interaction logged on the day
PARTIALS = "account_partial_reconcile r JOIN account_move_line l ON l.id = r.debit_move_id"
KPIS = "c.n c.rpc c.ptp c.kept c.broken p.active p.started p.defaulted d.n d.days".split()  # noqa: SIM905
SNAPSHOT_FLOOR = f"""
INSERT INTO patient_collection_snapshot (date, company_id, currency_id, stage_id, user_id,
    insurance_status, account_count, {", ".join(AMOUNTS)}, __KPI_FIELDS__, create_uid,
    create_date, write_uid, write_date)
SELECT %(day)s, a.company_id, MIN(a.currency_id), a.stage_id, a.user_id,
    CASE WHEN COALESCE(a.balance_insurance_pending, 0) > 0 THEN 'pending' ELSE 'none' END, COUNT(*),
    {", ".join(f"SUM(a.{name})" for name in AMOUNTS)},
    COALESCE(SUM(m.amount), 0),
    COUNT(*) FILTER (WHERE a.stage_date = %(day)s), COUNT(*) FILTER (WHERE c.w > 0),
    {", ".join(f"COALESCE(SUM({kpi}), 0)" for kpi in KPIS)}, %(uid)s, {NOW}, %(uid)s, {NOW}
FROM patient_account a
LEFT JOIN (SELECT account_id, COUNT(*) FILTER (WHERE {ON} AND channel IN %(calls)s) AS n,
        COUNT(*) FILTER (WHERE {ON} AND channel IN %(calls)s AND outcome IN %(rpc)s) AS rpc,
        COUNT(*) FILTER (WHERE {ON} AND NOT COALESCE(is_statement, FALSE)
            AND channel NOT IN %(unworked)s) AS w,
        COUNT(*) FILTER (WHERE {ON} AND outcome = 'promise_to_pay') AS ptp,
        COUNT(*) FILTER (WHERE promise_checked_on = %(day)s AND promise_state = 'kept') AS kept,
        COUNT(*) FILTER (WHERE promise_checked_on = %(day)s AND promise_state = 'broken') AS broken
    FROM patient_interaction WHERE state = 'logged' AND ({ON} OR promise_checked_on = %(day)s)
    GROUP BY 1) c ON c.account_id = a.id
LEFT JOIN (SELECT account_id, COUNT(*) FILTER (WHERE state = 'active') AS active,
        COUNT(*) FILTER (WHERE activation_date = %(day)s) AS started, COUNT(*) FILTER (WHERE
        state = 'defaulted') AS defaulted FROM patient_payment_plan WHERE state IN ('active',
        'defaulted') OR activation_date = %(day)s GROUP BY 1) p ON p.account_id = a.id
LEFT JOIN (SELECT m.patient_account_id AS id, COUNT(*) AS n,
        SUM(GREATEST(%(day)s - m.invoice_date, 0)) AS days FROM account_move m
    WHERE m.move_type = 'out_invoice' AND m.payment_state IN ('paid', 'in_payment') AND m.id IN
        (SELECT l.move_id FROM {PARTIALS} WHERE r.max_date = %(day)s) AND m.id NOT IN
        (SELECT l.move_id FROM {PARTIALS} WHERE r.max_date > %(day)s) GROUP BY 1) d
    ON d.id = a.id
LEFT JOIN (SELECT pa.id, -SUM(l.balance) AS amount FROM account_move_line l
    JOIN account_account acc ON acc.id = l.account_id JOIN account_move mv ON mv.id = l.move_id
    JOIN patient_account pa ON pa.partner_id = l.partner_id AND pa.company_id = l.company_id
    WHERE l.date = %(day)s AND l.company_id = %(company)s AND l.parent_state = 'posted'
        AND l.balance < 0 AND acc.account_type = 'asset_receivable'
        AND (mv.origin_payment_id IS NOT NULL OR mv.statement_line_id IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM account_move r WHERE r.reversed_entry_id = mv.id
            AND r.state = 'posted') GROUP BY 1) m ON m.id = a.id
WHERE a.company_id = %(company)s AND a.active
GROUP BY 2, 4, 5, COALESCE(a.balance_insurance_pending, 0) > 0"""  # noqa: S608


def snapshot_rows(env, day):
    """(rows, md5 of every column but the id and the timestamps) of ``day``'s snapshot."""
    columns = common.column_types(env.cr, "patient_collection_snapshot").keys()
    row = ", ".join(sorted(columns - {"id", "create_date", "write_date"}))
    env.cr.execute(f"SELECT COUNT(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM (SELECT"  # noqa: S608
        f" {row} FROM patient_collection_snapshot WHERE date = %s) t", [day])  # fmt: skip
    return env.cr.fetchone()


def report_floor(env, company):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    where = "FROM patient_account WHERE company_id = %s AND active"
    queries = {name: f"SELECT ({key})::text, COUNT(*), {SUMS} {where} GROUP BY {key}"
               for name, key in GROUPINGS.items()}  # fmt: skip
    columns = ", ".join(["name", "stage_id", "user_id", "days_past_due", *AMOUNTS])
    for name, query in {**queries, "detail": f"SELECT {columns} {where} ORDER BY name, id"}.items():
        env.cr.execute(query, [company.id])
        sheet = book.add_worksheet(name)
        for row, values in enumerate(env.cr.fetchall()):
            sheet.write_row(row, 0, [v if v is not None else "" for v in values])
    book.close()
    return output.getvalue()


def main():
    accounts = common.size("REPORTING_ACCOUNTS", 10000)
    invoices = common.size("REPORTING_INVOICES", 5 * accounts)
    repeat = max(common.size("REPEAT", 3), 1)
    with common.session(__doc__) as (args, env):
        say(f"bench reporting on {args.db}: {accounts} accounts, {invoices} invoices")
        data = common.prepare(env, args.db, accounts, invoices)
        from odoo.addons.patient_collections.models import patient_collection_snapshot as snap  # noqa: PLC0415

        company, day = env["res.company"].browse(data.company_id), data.today
        Snapshot = env["patient.collection.snapshot"].with_company(company)
        env.cr.execute("UPDATE account_move m SET payment_state = 'paid' FROM account_move_line l"
            " JOIN account_partial_reconcile r ON r.debit_move_id = l.id WHERE l.move_id = m.id"
            " AND r.max_date = %s", [day])  # fmt: skip
        floor = SNAPSHOT_FLOOR.replace("__KPI_FIELDS__", ", ".join(snap.KPI_FIELDS))
        params = dict(day=day, company=company.id, uid=env.uid, rpc=snap.RIGHT_PARTY_OUTCOMES,  # noqa: C408
            calls=snap.CALL_CHANNELS, unworked=snap.UNWORKED_CHANNELS)  # fmt: skip
        Report, vals = env["patient.aging.report"], {"company_id": company.id, "as_of_date": day}
        measures = {"snapshot": lambda: Snapshot._take(company, day),
            "snapshot_floor": lambda: env.cr.execute(floor, params),
            "report": lambda: Report.with_company(company).create(vals).action_export_xlsx(),
            "report_floor": lambda: report_floor(env, company)}  # fmt: skip
        rows = [common.rolled_back(env, lambda f=measures[n]: (f(), snapshot_rows(env, day)))[1][1]
                for n in ("snapshot", "snapshot_floor")]  # fmt: skip
        common.require(rows[0] == rows[1] and rows[0][0], f"floor rows differ: {rows}")
        say(f"snapshot and floor: the same {rows[0][0]} rows")
        t = common.best_of(repeat, measures, env=env)  # best seconds
        Snapshot._take(company, day)  # the dashboard reads today's snapshot
        t["dashboard"] = min(common.timed(Snapshot.get_dashboard_data)[0] for _ in range(repeat))
    s, f, r, rf = t["snapshot"], t["snapshot_floor"], t["report"], t["report_floor"]
    print(f"bench reporting: accounts={accounts} invoices={invoices} snapshot={s:.3f}s"
          f" floor={f:.3f}s ratio={s / f:.2f} report={r:.2f}s report_floor={rf:.2f}s"
          f" report_ratio={r / rf:.2f} dashboard={t['dashboard'] * 1000:.0f}ms")  # fmt: skip


if __name__ == "__main__":
    main()
