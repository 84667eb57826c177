"""Benchmark: the patient data access log (patient.access.log), against bare SQL.

On PC_BENCH_ACCOUNTS accounts (PC_BENCH_SIZE, else 20000) and PC_BENCH_PURGE_ROWS (1,000,000) old
"open" lines over 10 years, as a collections specialist (pc_bench_log_specialist), best of
BENCH_REPEAT (3), ours and peer alternating: batch log (_log("print") of every account; floor: one
INSERT ... SELECT), form open (PC_BENCH_OPENS=300 web_read of the form, flush, COMMIT; peer:
_audit_open off on the registry classes), list read (PC_BENCH_LIST_READS=40 board reads of 80
accounts; peer: _audit_list off; goal <= 1.10), purge (_cron_purge(); floor: the bare DELETE).  The
lines written are deleted after.
"""

import datetime
import sys
import time

import common
from common import say

DETAIL = "patient_collections.report_patient_statement"
BENCH_LOGIN = "pc_bench_log_specialist"
OLD_SPAN_DAYS = 3652  # the old lines are spread over the last 10 years
LIST_SIZE = 80  # the accounts of one board read

FLOOR_LOG_SQL = """
    INSERT INTO patient_access_log (date, user_id, company_id, event, res_model, res_id,
                                    record_ref, record_count, ip_address, detail)
    SELECT %(now)s, %(uid)s, pa.company_id, 'print', 'patient.account', pa.id,
           pa.name, 1, NULL, %(detail)s
      FROM patient_account pa WHERE pa.id = ANY(%(ids)s)
"""
OLD_LINES_SQL = """
    INSERT INTO patient_access_log (date, user_id, company_id, event, res_model, res_id,
                                    record_ref, record_count)
    SELECT %(now)s::timestamp - (%(n)s - g.n) * %(step)s * interval '1 second',
           %(uid)s, %(company)s, 'open', 'patient.account', a.id, a.name, 1
      FROM generate_series(1, %(n)s) g(n)
      JOIN (SELECT (row_number() OVER (ORDER BY pa.id) - 1)::int AS k, pa.id, pa.name
              FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
             WHERE p.ref = %(ref)s) a ON a.k = (g.n::bigint * 7919) %% %(accounts)s
  ORDER BY g.n
"""


def plain(names):
    return {name: {} for name in names.split()}


def form_spec():
    """The specification the web client sends when a patient account form opens."""
    named, currency = {"fields": {"display_name": {}}}, {"fields": {}}
    return {
        **plain(
            """active name balance_due balance_insurance_pending days_past_due
            last_payment_date last_payment_amount aging_date hold_reason hold_until
            hold_note hold_auto priority_score priority_explanation aging_current aging_1_30
            aging_31_60 aging_61_90 aging_91_120 aging_over_120 cease_communication cease_date
            phone_invalid last_contact_date sms_consent sms_consent_method sms_consent_date
            promise_kept_count promise_broken_count display_name"""
        ),
        **dict.fromkeys(("stage_id", "partner_id", "patient_ids", "user_id", "company_id"), named),
        "currency_id": currency,
        "active_plan_id": {"fields": {}},
        "open_item_ids": {
            "fields": plain(
                """move_name move_type invoice_date service_date insurance_status
                amount_charges amount_insurance_paid amount_adjustment amount_total date_due
                days_past_due amount_residual"""
            )
            | {"patient_id": named, "currency_id": currency, "company_currency_id": currency},
            "limit": 40,
        },
        "interaction_ids": {
            "fields": plain("date channel outcome promise_amount promise_date promise_state state")
            | {"user_id": named, "currency_id": currency},
            "limit": 40,
            "order": "date desc, id desc",
        },
        "plan_ids": {
            "fields": plain("name frequency total_amount amount_paid next_due_date state")
            | {"currency_id": currency},
            "limit": 40,
        },
    }


def kanban_spec(env):
    """The fields of the board's kanban view, many2one with their display name."""
    Account = env["patient.account"]
    fields = Account.get_views([(False, "kanban")])["models"]["patient.account"]["fields"]
    named = {"fields": {"display_name": {}}}
    spec = {name: named if Account._fields[name].type == "many2one" else {} for name in fields}
    return spec | {"display_name": {}}


class AuditOff:
    """``attribute`` (_audit_open, _audit_list) False on the registry classes having it."""

    def __init__(self, env, attribute):
        self.attribute = attribute
        self.classes = [
            type(env[name])
            for name in env.registry
            if getattr(type(env[name]), attribute, False) and not env[name]._abstract
        ]

    def __enter__(self):
        self.saved = [(cls, cls.__dict__.get(self.attribute, AuditOff)) for cls in self.classes]
        for cls in self.classes:
            setattr(cls, self.attribute, False)

    def __exit__(self, *exc):
        for cls, value in self.saved:
            if value is AuditOff:
                delattr(cls, self.attribute)
            else:
                setattr(cls, self.attribute, value)


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def requests(uenv, call, items, audit_off, count, repeat):
    """Best seconds per request of ``call(item)`` (a new request's empty cache,
    flush, COMMIT), logged and with ``audit_off``, alternating; queries of one."""
    cr = uenv.cr

    def one(item, off):
        uenv.invalidate_all()
        q0, t0 = cr.sql_log_count, time.perf_counter()
        if off:
            with audit_off:
                call(item)
        else:
            call(item)
        uenv.flush_all()
        cr.commit()
        return time.perf_counter() - t0, cr.sql_log_count - q0

    for item in items[-3:]:  # warm-up: registry caches, access rules, translations
        one(item, False)
        one(item, True)
    best, queries = {"logged": [], "plain": []}, {}
    for run in range(repeat):
        totals = {"logged": 0.0, "plain": 0.0}
        for i in range(count):
            item = items[(run * count + i) % len(items)]
            for kind in ("logged", "plain") if i % 2 == 0 else ("plain", "logged"):
                seconds, queries[kind] = one(item, kind == "plain")
                totals[kind] += seconds
        for kind in best:
            best[kind].append(totals[kind] / count)
        say(
            f"run {run + 1}: logged {1000 * best['logged'][-1]:.2f} ms ({queries['logged']} q), "
            f"unlogged {1000 * best['plain'][-1]:.2f} ms ({queries['plain']} q), {count} each"
        )
    return {kind: min(values) for kind, values in best.items()}


def measure(env, uenv, db, ids, company_id, sizes):
    cr = env.cr
    opens, list_reads, repeat = sizes
    accounts = uenv["patient.account"]
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    years = env["res.company"].browse(company_id).collections_access_log_years
    cutoff = fields.Date.context_today(accounts) - relativedelta(years=years)  # as the cron
    cr.execute("SELECT count(*) FROM patient_access_log WHERE date < %s", [cutoff])
    purged = cr.fetchone()[0]

    def rolled(*statements):
        seconds = common.timed(lambda: [fn() for fn in statements])[0]
        cr.rollback()
        return seconds

    def vacuum():
        common.vacuum_analyze(db, ["patient_access_log"])
        env.invalidate_all()

    def floor_log():
        cr.execute(FLOOR_LOG_SQL, {"now": utcnow(), "uid": uenv.uid, "detail": DETAIL, "ids": ids})

    def floor_purge():
        cr.execute(
            "DELETE FROM patient_access_log WHERE company_id = %s AND date < %s",
            [company_id, cutoff],
        )

    log = lambda: uenv["patient.access.log"]._log("print", accounts.browse(ids), detail=DETAIL)  # noqa: E731
    purge = env["patient.access.log"]._cron_purge
    best = {"floor": lambda: rolled(floor_log), "log": lambda: rolled(log, uenv.flush_all)}
    result = common.best_of(repeat, best, before=vacuum)
    say(f"form open: web_read of the form, {opens} opens per run and kind")
    spec = form_spec()
    form = requests(
        uenv,
        lambda account_id: accounts.browse(account_id).web_read(spec),
        ids,
        AuditOff(env, "_audit_open"),
        opens,
        repeat,
    )
    spec = kanban_spec(env)
    size = min(LIST_SIZE, len(ids))
    batches = [ids[i : i + size] for i in range(0, len(ids) - size + 1, size)] or [ids[:size]]
    say(f"list read: web_search_read of {size} accounts, {len(spec)} kanban fields")
    order = "priority_score desc, days_past_due desc"

    def read_board(batch):
        result = accounts.web_search_read(
            [("id", "in", batch)], spec, limit=len(batch), order=order
        )
        common.require(len(result["records"]) == len(batch), "the board read other accounts")

    listing = requests(
        uenv,
        read_board,
        batches,
        AuditOff(env, "_audit_list"),
        list_reads,
        max(repeat, 5),
    )
    best = {
        "purge_floor": lambda: rolled(floor_purge),
        "purge": lambda: rolled(purge, env.flush_all),
    }
    return result | common.best_of(repeat, best, before=vacuum), form, listing, purged, size


def main():
    accounts = common.size("ACCOUNTS", common.size("SIZE", 20_000))
    opens, rows = common.size("OPENS", 300), common.size("PURGE_ROWS", 1_000_000)
    sizes = (opens, max(common.size("LIST_READS", 40), 1), max(common.size("REPEAT", 3), 1))
    if not accounts or not opens:
        sys.exit(f"need at least one account and one open ({accounts=}, {opens=})")
    with common.session(__doc__, (*common.BENCH_TABLES, "patient_access_log")) as (args, env):
        cr = env.cr
        say(f"bench access_log on {args.db}: {accounts} accounts, {opens} opens, {rows} old lines")
        old = env["res.users"].with_context(active_test=False).search([("login", "=", BENCH_LOGIN)])
        cr.execute("DELETE FROM patient_access_log WHERE user_id = ANY(%s)", [old.ids])
        cr.execute("SELECT COALESCE(max(id), 0) FROM patient_access_log")
        mark = cr.fetchone()[0]
        cr.commit()
        data = common.prepare(env, args.db, accounts, accounts)
        ids = common.bench_accounts(env).ids
        user = common.bench_users(env, data.company_id, [BENCH_LOGIN])
        try:
            params = {
                "now": utcnow(), "n": rows, "step": OLD_SPAN_DAYS * 86400.0 / max(rows, 1),
                "uid": user.id, "company": data.company_id, "accounts": len(ids),
                "ref": common.BENCH_REF,
            }  # fmt: skip
            seconds, _r = common.timed(lambda: cr.execute(OLD_LINES_SQL, params))
            common.fresh(env, args.db, ["patient_access_log"])
            say(f"{rows} old log lines inserted in {seconds:.1f}s; committed, vacuumed")
            uenv = env(user=user.id, context={"allowed_company_ids": [data.company_id]})
            best, form, listing, purged, size = measure(
                env, uenv, args.db, ids, data.company_id, sizes
            )
        finally:
            cr.rollback()
            cr.execute("DELETE FROM patient_access_log WHERE id > %s", [mark])
            say(f"deleted the {cr.rowcount} log lines written; bench user {BENCH_LOGIN} archived")
            common.archive_users(env, [BENCH_LOGIN])
            cr.commit()
    print(
        f"bench access_log: accounts={accounts} log={best['log']:.2f}s "
        f"floor={best['floor']:.2f}s ratio={best['log'] / best['floor']:.2f} opens={opens} "
        f"open_logged={1000 * form['logged']:.1f}ms open_plain={1000 * form['plain']:.1f}ms "
        f"open_overhead={1000 * (form['logged'] - form['plain']):.2f}ms "
        f"open_ratio={form['logged'] / form['plain']:.2f} purge_rows={purged} "
        f"purge={best['purge']:.2f}s floor={best['purge_floor']:.2f}s "
        f"purge_ratio={best['purge'] / best['purge_floor']:.2f} list_size={size} "
        f"list_logged={1000 * listing['logged']:.2f}ms list_plain={1000 * listing['plain']:.2f}ms "
        f"list_ratio={listing['logged'] / listing['plain']:.3f}",
    )


if __name__ == "__main__":
    main()
