"""Benchmark: the patient data access log (patient.access.log), against bare SQL.

Generates, set-based (common.generate_receivables), PC_BENCH_ACCOUNTS
guarantors with a patient account and one posted invoice each (balances and
aging refreshed by the module, so the form shows figures), a collections
specialist user of the bench company (login pc_bench_log_specialist: made on
the first run, archived at the end, found again by login and reactivated on
later runs), and BENCH_PURGE_ROWS old log lines (below).  Everything is
committed and vacuumed/analyzed before timing.  Three measures, each the best
of BENCH_REPEAT runs (default 3, ours and the floor interleaved):

  batch log   env["patient.access.log"]._log("print", accounts,
              detail="patient_collections.report_patient_statement") for every
              bench account, plus flush_all(): what printing or sending
              statements writes (one line per account, one batched create), as
              the specialist user, ORM cache emptied first.
      floor   one INSERT INTO patient_access_log (date, user_id, company_id,
              event, res_model, res_id, record_ref, record_count, ip_address,
              detail) SELECT ... FROM patient_account WHERE id = ANY(%s):
              the same lines (compared column by column, date aside).
              Each run is rolled back and the table vacuumed, so every run
              inserts into the same table state.
  form open   BENCH_OPENS (default 300) form opens, one account at a time, as
              the specialist user: patient.account.web_read(FORM_SPEC), the
              specification the web client sends for the account form (stage,
              guarantor, balances, aging, hold, priority, contact rules, open
              items, interactions, plans), then flush_all() and COMMIT, with the
              record cache emptied before each open (a new request); each open
              logs one "open" line.  The bench accounts have one open item
              each and no interactions or plans (their lists are read empty).
      peer    the same opens of the same accounts with form-open logging
              switched off: the class attribute _audit_open is set False on
              the registry class of every model that has it (patient.account
              and the patient models read inside its form, whose x2many reads
              would otherwise log themselves) for the duration of that open
              and restored right after -- acceptable in a benchmark script,
              never in the module.  Logged and unlogged opens alternate (each
              first every other account), so both see the same warm caches.
      Reported: ms per open for both, the per-open overhead and the ratio
      (logged/unlogged); the progress lines also give the queries per open and
      the part of an open spent in COMMIT (a logged open commits a write: one
      WAL flush).
  list read   BENCH_LIST_READS (default 40) board reads per run, best of
              max(BENCH_REPEAT, 5) runs, as the specialist user:
              patient.account.web_search_read([("id", "in", ids)], spec,
              limit=80, order=the board's order) of 80 accounts, spec = the
              fields of the kanban view (many2one with their display name),
              then flush_all() and COMMIT, the record cache emptied before each
              read (a new request); each logged read writes one "list" line
              (80 accounts, their ids, the fields).
      peer    the same reads of the same accounts with list logging switched
              off (_audit_list = False on patient.account's registry class for
              that read), logged and unlogged alternating.
      Reported: ms per read for both and list_ratio (logged/unlogged), goal
      <= 1.10.
  purge       env["patient.access.log"]._cron_purge() + flush_all(): the weekly
              cron deleting, company by company, the lines older than the
              company's retention (res.company.collections_access_log_years,
              default 6) and logging one "purge" line.  The old lines are
              BENCH_PURGE_ROWS (default 1,000,000) "open" lines on bench
              accounts, inserted set-based with generate_series, dated evenly
              over the last 10 years (in date order, as an append-only log is
              written), so about 40 % of them are purged.  They are inserted
              before the other measures, which therefore also write into a
              table of realistic size (with its trigram index on record_ref).
      floor   the bare DELETE FROM patient_access_log WHERE company_id = %s
              AND date < %s (the same cutoff) on identical data: each run
              (ours or floor) is rolled back, which restores the deleted rows
              as they were, and the table vacuumed before the next run.

Checked (common.require): the batch log wrote one line per account, the same
lines as the floor; the logged opens wrote exactly one line per open (the
unlogged none); the logged board reads one "list" line of 80 accounts and 80
ids per read (the unlogged none); no line written holds a guarantor's name or record number
(MRN) in record_ref or detail; the purge and its floor deleted the same number
of lines, all the lines older than the cutoff, and the purge left exactly one
new "purge" line with that count.  Queries per call are printed
(cr.sql_log_count).

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):

    .venv/bin/python bench/access_log.py --rc .build/odoo.conf --db pc_bench
    PC_BENCH_SIZE=2000 BENCH_PURGE_ROWS=100000 .venv/bin/python bench/access_log.py ...

Variables: ODOO_DB (or BENCH_DB, or --db), ODOO_RC (or --rc), ODOO_PATH
(default /opt/odoo); sizes PC_BENCH_ACCOUNTS / BENCH_ACCOUNTS (default
PC_BENCH_SIZE, else 20000: the accounts generated and logged in one batch),
PC_BENCH_OPENS / BENCH_OPENS (300 form opens per run and kind),
PC_BENCH_PURGE_ROWS / BENCH_PURGE_ROWS (1,000,000 old lines),
PC_BENCH_LIST_READS / BENCH_LIST_READS (40 board reads per run), BENCH_REPEAT (3);
BENCH_KEEP=1 (or --keep) leaves the generated accounts in the database
(otherwise they are deleted at the end; bench data left by an earlier run is
always deleted first).  The log lines this script wrote are always deleted at
the end (plain SQL: the model refuses deletes), and so are, at the start, the
lines of the bench user left by an interrupted run.  The purge deletes, in
every company, the lines older than the retention: run it on a bench database.

The last line is the result, e.g.
    bench access_log: accounts=20000 log=0.85s floor=0.21s ratio=4.05 opens=300
    open_logged=12.3ms open_plain=11.1ms open_overhead=1.2ms open_ratio=1.11
    purge_rows=400000 purge=1.90s floor=1.70s purge_ratio=1.12 list_size=80
    list_logged=30.10ms list_plain=29.20ms list_ratio=1.031
(on one line).
"""

import datetime
import sys
import time

import common
from common import say

DETAIL = "patient_collections.report_patient_statement"
BENCH_LOGIN = "pc_bench_log_specialist"
SPECIALIST_GROUP = "patient_collections.group_collections_specialist"
OLD_SPAN_DAYS = 3652  # the old lines are spread over the last 10 years
LIST_SIZE = 80  # the accounts of one board read
LIST_RATIO_GOAL = 1.10

FLOOR_LOG_SQL = """
    INSERT INTO patient_access_log (date, user_id, company_id, event, res_model, res_id,
                                    record_ref, record_count, ip_address, detail)
    SELECT %(now)s, %(uid)s, pa.company_id, 'print', 'patient.account', pa.id,
           pa.name, 1, NULL, %(detail)s
      FROM patient_account pa
     WHERE pa.id = ANY(%(ids)s)
"""

FLOOR_PURGE_SQL = "DELETE FROM patient_access_log WHERE company_id = %s AND date < %s"

# What the lines written in a run hold, the date aside: compares ours with the floor.
FINGERPRINT_SQL = """
    SELECT count(*), count(DISTINCT res_id), min(date), max(date),
           md5(string_agg(concat_ws('|', user_id, company_id, event, res_model, res_id,
                                    record_ref, record_count, ip_address, detail, res_ids,
                                    field_names), ',' ORDER BY res_id, id))
      FROM patient_access_log
     WHERE id > %s
"""

# No line written by the benchmark may name a guarantor (nor give their MRN).
LEAK_SQL = """
    SELECT count(*)
      FROM patient_access_log l
      JOIN patient_account pa ON pa.id = l.res_id AND l.res_model = 'patient.account'
      JOIN res_partner p ON p.id = pa.partner_id
     WHERE l.id > %(mark)s
       AND (strpos(COALESCE(l.record_ref, ''), p.name) > 0
            OR strpos(COALESCE(l.detail, ''), p.name) > 0
            OR strpos(COALESCE(l.record_ref, ''), p.patient_mrn) > 0
            OR strpos(COALESCE(l.detail, ''), p.patient_mrn) > 0
            OR l.record_ref IS DISTINCT FROM pa.name)
"""

ANY_NAME_SQL = """
    SELECT count(*) FROM patient_access_log
     WHERE id > %s AND (record_ref LIKE 'Bench Guarantor%%' OR detail LIKE '%%Bench Guarantor%%')
"""


def form_spec():
    """The specification the web client sends when a patient account form opens."""
    named = {"fields": {"display_name": {}}}
    currency = {"fields": {}}
    spec = {
        "stage_id": named,
        "active": {},
        "name": {},
        "partner_id": named,
        "patient_ids": {"fields": {"display_name": {}}},
        "user_id": named,
        "company_id": named,
        "currency_id": currency,
        "balance_due": {},
        "balance_insurance_pending": {},
        "days_past_due": {},
        "last_payment_date": {},
        "last_payment_amount": {},
        "aging_date": {},
        "hold_reason": {},
        "hold_until": {},
        "hold_note": {},
        "hold_auto": {},
        "priority_score": {},
        "priority_explanation": {},
        "aging_current": {},
        "aging_1_30": {},
        "aging_31_60": {},
        "aging_61_90": {},
        "aging_91_120": {},
        "aging_over_120": {},
        "open_item_ids": {
            "fields": {
                name: {}
                for name in (
                    "move_name",
                    "move_type",
                    "invoice_date",
                    "service_date",
                    "insurance_status",
                    "amount_charges",
                    "amount_insurance_paid",
                    "amount_adjustment",
                    "amount_total",
                    "date_due",
                    "days_past_due",
                    "amount_residual",
                )
            }
            | {"patient_id": named, "currency_id": currency, "company_currency_id": currency},
            "limit": 40,
        },
        "interaction_ids": {
            "fields": {
                "date": {},
                "channel": {},
                "outcome": {},
                "user_id": named,
                "currency_id": currency,
                "promise_amount": {},
                "promise_date": {},
                "promise_state": {},
                "state": {},
            },
            "limit": 40,
            "order": "date desc, id desc",
        },
        "cease_communication": {},
        "cease_date": {},
        "phone_invalid": {},
        "last_contact_date": {},
        "sms_consent": {},
        "sms_consent_method": {},
        "sms_consent_date": {},
        "promise_kept_count": {},
        "promise_broken_count": {},
        "active_plan_id": {"fields": {}},
        "plan_ids": {
            "fields": {
                "name": {},
                "frequency": {},
                "currency_id": currency,
                "total_amount": {},
                "amount_paid": {},
                "next_due_date": {},
                "state": {},
            },
            "limit": 40,
        },
        "display_name": {},
    }
    return spec


def check_spec(env, model, spec):
    """Every field of the specification exists (a renamed field fails loudly)."""
    for name, sub in spec.items():
        common.require(name in env[model]._fields, f"{model} has no field {name}")
        if sub.get("fields"):
            check_spec(env, env[model]._fields[name].comodel_name, sub["fields"])


def utcnow():
    """Now, UTC, naive: how Odoo stores datetimes (fields.Datetime.now())."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


def max_log_id(cr):
    cr.execute("SELECT COALESCE(max(id), 0) FROM patient_access_log")
    return cr.fetchone()[0]


def bench_user(env, company_id):
    """The bench specialist (made once, archived after each run, reactivated here)."""
    Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    group = env.ref(SPECIALIST_GROUP)
    user = Users.search([("login", "=", BENCH_LOGIN)], limit=1)
    vals = {
        "active": True,
        "company_id": company_id,
        "company_ids": [(6, 0, [company_id])],
        "groups_id": [(6, 0, [env.ref("base.group_user").id, group.id])],
    }
    if user:
        user.write(vals)
    else:
        user = Users.create({"name": "Bench Collections Specialist", "login": BENCH_LOGIN, **vals})
    common.require(user.has_group(SPECIALIST_GROUP), "the bench user is not a specialist")
    common.require(
        not user.has_group("patient_collections.group_collections_manager"),
        "the bench user should be a plain specialist, not a manager",
    )
    return user


def insert_old_lines(env, count, uid, company_id):
    """``count`` "open" lines on bench accounts, dated evenly over the last 10 years."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE pcb_log_acc ON COMMIT DROP AS
            SELECT (row_number() OVER (ORDER BY pa.id) - 1)::int AS k, pa.id, pa.name
              FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
             WHERE p.ref = %s;
        CREATE UNIQUE INDEX ON pcb_log_acc (k);
        ANALYZE pcb_log_acc;
        SELECT count(*) FROM pcb_log_acc;
        """,
        [common.BENCH_REF],
    )
    accounts = cr.fetchone()[0]
    common.foreign_key_triggers(cr, enabled=False)  # user and company: constants, checked
    cr.execute(
        """
        INSERT INTO patient_access_log (date, user_id, company_id, event, res_model, res_id,
                                        record_ref, record_count)
        SELECT %(now)s::timestamp - (%(n)s - g.n) * %(step)s * interval '1 second',
               %(uid)s, %(company)s, 'open', 'patient.account', a.id, a.name, 1
          FROM generate_series(1, %(n)s) g(n)
          JOIN pcb_log_acc a ON a.k = (g.n::bigint * 7919) %% %(accounts)s
      ORDER BY g.n
        """,
        {
            "now": utcnow(),
            "n": count,
            "step": OLD_SPAN_DAYS * 86400.0 / max(count, 1),
            "uid": uid,
            "company": company_id,
            "accounts": accounts,
        },
    )
    inserted = cr.rowcount
    common.foreign_key_triggers(cr, enabled=True)
    for table, value in (("res_users", uid), ("res_company", company_id)):
        cr.execute(f"SELECT 1 FROM {table} WHERE id = %s", [value])  # noqa: S608
        common.require(cr.rowcount, f"{table} {value} is missing")
    common.require(inserted == count, f"{inserted} old lines inserted, {count} asked")
    return inserted


# ---------------------------------------------------------------------------
# the measures
# ---------------------------------------------------------------------------


def fingerprint(cr, mark):
    cr.execute(FINGERPRINT_SQL, [mark])
    return cr.fetchone()


def check_no_names(cr, mark, what):
    cr.execute(LEAK_SQL, {"mark": mark})
    leaks = cr.fetchone()[0]
    common.require(not leaks, f"{what}: {leaks} lines name a guarantor or give no account number")
    cr.execute(ANY_NAME_SQL, [mark])
    leaks = cr.fetchone()[0]
    common.require(not leaks, f"{what}: {leaks} lines hold a bench guarantor's name")


def measure_batch_log(env, uenv, db, ids, repeat):
    """Best (seconds) of _log("print") on all accounts and of its floor INSERT."""
    cr = env.cr
    Log = uenv["patient.access.log"]
    runs = {"log": [], "floor": []}
    queries = 0
    for run in range(1, repeat + 1):
        for kind in ("floor", "log") if run % 2 else ("log", "floor"):
            common.vacuum_analyze(db, ["patient_access_log"])
            env.invalidate_all()
            mark = max_log_id(cr)
            count = cr.sql_log_count
            started = utcnow()
            start = time.perf_counter()
            if kind == "log":
                Log._log("print", uenv["patient.account"].browse(ids), detail=DETAIL)
                uenv.flush_all()
            else:
                cr.execute(
                    FLOOR_LOG_SQL,
                    {
                        "now": utcnow(),
                        "uid": uenv.uid,
                        "detail": DETAIL,
                        "ids": ids,
                    },
                )
            seconds = time.perf_counter() - start
            if kind == "log":
                queries = cr.sql_log_count - count
            runs[kind].append(seconds)
            lines, distinct, first, last, digest = fingerprint(cr, mark)
            slack = datetime.timedelta(seconds=2)
            common.require(
                started - slack <= first <= last <= utcnow() + slack,
                f"{kind}: lines dated {first}..{last}, not when they were written",
            )
            common.require(lines == len(ids), f"{kind}: {lines} lines written, {len(ids)} asked")
            common.require(distinct == len(ids), f"{kind}: {distinct} accounts logged")
            check_no_names(cr, mark, f"batch {kind}")
            if kind == "log":
                want = ("print", "patient.account", DETAIL, 1)
                cr.execute(
                    "SELECT DISTINCT event, res_model, detail, record_count, user_id"
                    " FROM patient_access_log WHERE id > %s",
                    [mark],
                )
                rows = cr.fetchall()
                common.require(
                    rows == [(*want, uenv.uid)], f"the batch log wrote unexpected lines: {rows}"
                )
            runs.setdefault(f"{kind}_digest", []).append(digest)
            cr.rollback()
        say(
            f"batch log run {run}: _log {runs['log'][-1]:.3f}s ({queries} queries), "
            f"floor INSERT {runs['floor'][-1]:.3f}s, {len(ids)} lines each"
        )
    digests = set(runs.pop("log_digest")) | set(runs.pop("floor_digest"))
    common.require(len(digests) == 1, "the batch log and its floor wrote different lines")
    return {kind: min(values) for kind, values in runs.items()}, queries


class AuditOff:
    """Form-open logging off: _audit_open = False on every registry class having it."""

    def __init__(self, env):
        self.classes = [
            type(env[name])
            for name in env.registry
            if getattr(type(env[name]), "_audit_open", False) and not env[name]._abstract
        ]

    def __enter__(self):
        self.saved = [(cls, cls.__dict__.get("_audit_open", AuditOff)) for cls in self.classes]
        for cls in self.classes:
            cls._audit_open = False
        return self

    def __exit__(self, *exc):
        for cls, value in self.saved:
            if value is AuditOff:
                del cls._audit_open
            else:
                cls._audit_open = value
        return False


def open_form(uenv, account_id, spec, audit_off=None):
    """(seconds, queries, seconds of the COMMIT) of one form open: a new request's
    empty cache, web_read, flush, commit."""
    cr = uenv.cr
    uenv.invalidate_all()
    count = cr.sql_log_count
    start = time.perf_counter()
    if audit_off:
        with audit_off:
            result = uenv["patient.account"].browse(account_id).web_read(spec)
    else:
        result = uenv["patient.account"].browse(account_id).web_read(spec)
    uenv.flush_all()
    before_commit = time.perf_counter()
    cr.commit()
    end = time.perf_counter()
    common.require(
        len(result) == 1 and result[0]["id"] == account_id and result[0]["name"],
        f"web_read of account {account_id} returned {result!r:.200}",
    )
    return end - start, cr.sql_log_count - count, end - before_commit


def measure_form_open(env, uenv, ids, opens, repeat):
    """Best ms per open, logged and unlogged; and the queries of one open of each."""
    cr = env.cr
    spec = form_spec()
    check_spec(env, "patient.account", spec)
    audit_off = AuditOff(env)
    say(
        "form-open logging switched off for the peer on: "
        + ", ".join(cls._name for cls in audit_off.classes)
    )
    # warm-up (untimed): registry caches, access rules, translations
    for account_id in ids[-5:]:
        open_form(uenv, account_id, spec)
        open_form(uenv, account_id, spec, audit_off)
    runs = {"logged": [], "plain": []}
    queries = {"logged": 0, "plain": 0}
    for run in range(repeat):
        chosen = [ids[(run * opens + i) % len(ids)] for i in range(opens)]
        mark = max_log_id(cr)
        totals = {"logged": 0.0, "plain": 0.0}
        counts = {"logged": 0, "plain": 0}
        commits = {"logged": 0.0, "plain": 0.0}
        for i, account_id in enumerate(chosen):
            for kind in ("logged", "plain") if i % 2 == 0 else ("plain", "logged"):
                seconds, count, commit = open_form(
                    uenv, account_id, spec, audit_off if kind == "plain" else None
                )
                totals[kind] += seconds
                counts[kind] += count
                commits[kind] += commit
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE event = 'open' AND user_id = %s"
            " AND res_model = 'patient.account' AND record_count = 1),"
            " array_agg(DISTINCT res_id) FROM patient_access_log WHERE id > %s",
            [uenv.uid, mark],
        )
        lines, opened, res_ids = cr.fetchone()
        common.require(
            lines == opened == len(chosen) and sorted(res_ids) == sorted(set(chosen)),
            f"{len(chosen)} logged and {len(chosen)} unlogged opens wrote {lines} lines "
            f"({opened} open lines of the specialist on accounts); one per logged open expected",
        )
        check_no_names(cr, mark, "form opens")
        for kind in runs:
            runs[kind].append(totals[kind] / opens)
            queries[kind] = counts[kind] / opens
        say(
            f"form open run {run + 1}: logged {1000 * runs['logged'][-1]:.2f} ms/open "
            f"({queries['logged']:.1f} queries), unlogged {1000 * runs['plain'][-1]:.2f} ms/open "
            f"({queries['plain']:.1f} queries), {opens} opens each; of which COMMIT "
            f"{1000 * commits['logged'] / opens:.2f} ms logged, "
            f"{1000 * commits['plain'] / opens:.2f} ms unlogged"
        )
    return {kind: min(values) for kind, values in runs.items()}, queries


def kanban_spec(env):
    """What the board's web_search_read asks of each card: the fields of the
    kanban view, many2one with their display name, x2many as ids."""
    Account = env["patient.account"]
    views = Account.get_views([(False, "kanban")])
    spec = {}
    for name in views["models"]["patient.account"]["fields"]:
        field = Account._fields[name]
        spec[name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    spec.setdefault("display_name", {})
    return spec


class ListAuditOff:
    """List-read logging off for patient.account (its registry class's _audit_list)."""

    def __init__(self, env):
        self.cls = type(env["patient.account"])

    def __enter__(self):
        self.saved = self.cls.__dict__.get("_audit_list", ListAuditOff)
        self.cls._audit_list = False
        return self

    def __exit__(self, *exc):
        if self.saved is ListAuditOff:
            del self.cls._audit_list
        else:
            self.cls._audit_list = self.saved
        return False


def list_read(uenv, ids, spec, audit_off=None):
    """(seconds, queries) of one board read of ``ids``: a new request's empty
    cache, web_search_read, flush, commit."""
    cr = uenv.cr
    uenv.invalidate_all()
    count = cr.sql_log_count
    start = time.perf_counter()
    Account = uenv["patient.account"]
    domain = [("id", "in", ids)]
    order = "priority_score desc, days_past_due desc"
    if audit_off:
        with audit_off:
            result = Account.web_search_read(domain, spec, limit=len(ids), order=order)
    else:
        result = Account.web_search_read(domain, spec, limit=len(ids), order=order)
    uenv.flush_all()
    cr.commit()
    seconds = time.perf_counter() - start
    common.require(
        len(result["records"]) == len(ids), f"the board read {len(result['records'])} accounts"
    )
    return seconds, cr.sql_log_count - count


def measure_list_read(env, uenv, ids, size, reads, repeat):
    """Best ms per board read (web_search_read of ``size`` accounts), logged and
    not; the queries of one read of each."""
    cr = env.cr
    spec = kanban_spec(env)
    audit_off = ListAuditOff(env)
    say(f"list read: web_search_read of {size} accounts, {len(spec)} kanban fields")
    batches = [ids[i : i + size] for i in range(0, len(ids) - size + 1, size)] or [ids[:size]]
    for batch in batches[:3]:  # warm-up
        list_read(uenv, batch, spec)
        list_read(uenv, batch, spec, audit_off)
    runs = {"logged": [], "plain": []}
    queries = {"logged": 0, "plain": 0}
    for run in range(repeat):
        mark = max_log_id(cr)
        totals = {"logged": 0.0, "plain": 0.0}
        for i in range(reads):
            batch = batches[(run * reads + i) % len(batches)]
            for kind in ("logged", "plain") if i % 2 == 0 else ("plain", "logged"):
                seconds, count = list_read(
                    uenv, batch, spec, audit_off if kind == "plain" else None
                )
                totals[kind] += seconds
                queries[kind] = count
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE event = 'list' AND user_id = %s"
            " AND res_model = 'patient.account' AND record_count = %s"
            " AND detail = 'web_search_read'"
            " AND array_length(string_to_array(res_ids, ','), 1) = %s)"
            " FROM patient_access_log WHERE id > %s",
            [uenv.uid, size, size, mark],
        )
        lines, listed = cr.fetchone()
        common.require(
            lines == listed == reads,
            f"{reads} logged and {reads} unlogged board reads wrote {lines} lines "
            f"({listed} list lines of {size} accounts); one per logged read expected",
        )
        check_no_names(cr, mark, "list reads")
        for kind in runs:
            runs[kind].append(totals[kind] / reads)
        say(
            f"list read run {run + 1}: logged {1000 * runs['logged'][-1]:.2f} ms/read "
            f"({queries['logged']} queries), unlogged {1000 * runs['plain'][-1]:.2f} ms/read "
            f"({queries['plain']} queries), {reads} reads each"
        )
    return {kind: min(values) for kind, values in runs.items()}, queries


def measure_purge(env, db, company_id, repeat):
    """Best (seconds) of _cron_purge() and of its floor DELETE, and the rows deleted."""
    cr = env.cr
    Log = env["patient.access.log"]
    company = env["res.company"].browse(company_id)
    years = company.collections_access_log_years
    common.require(years > 0, f"company {company.name} keeps its access log forever: no purge")
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    today = fields.Date.context_today(Log)  # as the cron computes it

    cutoff = today - relativedelta(years=years)
    cr.execute("SELECT count(*) FROM patient_access_log WHERE date < %s", [cutoff])
    expected = cr.fetchone()[0]
    say(f"purge: {expected} lines older than {cutoff} ({years} years of retention)")
    cr.rollback()
    runs = {"purge": [], "floor": []}
    queries = 0
    for run in range(1, repeat + 1):
        for kind in ("floor", "purge") if run % 2 else ("purge", "floor"):
            common.vacuum_analyze(db, ["patient_access_log"])
            env.invalidate_all()
            mark = max_log_id(cr)
            count = cr.sql_log_count
            start = time.perf_counter()
            if kind == "purge":
                deleted = Log._cron_purge()
                env.flush_all()
            else:
                cr.execute(FLOOR_PURGE_SQL, [company_id, cutoff])
                deleted = cr.rowcount
            seconds = time.perf_counter() - start
            if kind == "purge":
                queries = cr.sql_log_count - count
            runs[kind].append(seconds)
            common.require(
                deleted == expected,
                f"{kind}: {deleted} lines deleted, {expected} older than cutoff",
            )
            cr.execute("SELECT count(*) FROM patient_access_log WHERE date < %s", [cutoff])
            left = cr.fetchone()[0]
            common.require(not left, f"{kind}: {left} lines older than {cutoff} left")
            cr.execute(
                "SELECT event, company_id, record_count, res_model FROM patient_access_log"
                " WHERE id > %s",
                [mark],
            )
            new = cr.fetchall()
            if kind == "purge":
                common.require(
                    new == [("purge", company_id, deleted, "patient.access.log")],
                    f"the purge should leave one purge line counting {deleted}, found {new}",
                )
            else:
                common.require(not new, f"the floor DELETE wrote lines: {new}")
            cr.rollback()  # the deleted lines are back, as they were
        say(
            f"purge run {run}: _cron_purge {runs['purge'][-1]:.3f}s ({queries} queries), "
            f"floor DELETE {runs['floor'][-1]:.3f}s, {expected} lines each"
        )
    return {kind: min(values) for kind, values in runs.items()}, expected, queries


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts = common.size("ACCOUNTS", common.size("SIZE", 20_000))
    opens = common.size("OPENS", 300)
    purge_rows = common.size("PURGE_ROWS", 1_000_000)
    repeat = max(common.size("REPEAT", 3), 1)
    list_reads = max(common.size("LIST_READS", 40), 1)
    if not accounts or not opens:
        sys.exit(f"need at least one account and one open (accounts={accounts}, opens={opens})")
    say(
        f"bench access_log on database {args.db}: {accounts} accounts, {opens} form opens, "
        f"{purge_rows} old log lines, best of {repeat}"
    )
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env)
        Users = env["res.users"].with_context(active_test=False)
        old_user = Users.search([("login", "=", BENCH_LOGIN)], limit=1)
        if old_user:
            cr.execute("DELETE FROM patient_access_log WHERE user_id = %s", [old_user.id])
            if cr.rowcount:
                say(f"deleted {cr.rowcount} log lines of the bench user left by an earlier run")
            cr.commit()
        mark = max_log_id(cr)
        data = common.generate_receivables(env, accounts, accounts)
        say(
            f"generated in {data.seconds:.1f}s: {data.accounts} guarantors and accounts, "
            f"{data.invoices} invoices"
        )
        cr.execute(
            "SELECT pa.id FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id"
            " WHERE p.ref = %s ORDER BY pa.id",
            [common.BENCH_REF],
        )
        ids = [row[0] for row in cr.fetchall()]
        common.require(len(ids) == accounts, f"{len(ids)} bench accounts, {accounts} asked")
        seconds, _r = common.timed(
            lambda: env["patient.account"].browse(ids)._refresh_balances(today=data.today)
        )
        say(f"balances and aging refreshed in {seconds:.1f}s")
        user = bench_user(env, data.company_id)
        cr.commit()
        try:
            seconds, _n = common.timed(
                lambda: insert_old_lines(env, purge_rows, user.id, data.company_id)
            )
            cr.commit()
            say(f"{purge_rows} old log lines inserted in {seconds:.1f}s")
            seconds, _r = common.timed(
                lambda: common.vacuum_analyze(args.db, [*common.BENCH_TABLES, "patient_access_log"])
            )
            say(f"committed; VACUUM ANALYZE in {seconds:.1f}s")
            uenv = env(user=user.id, context={"allowed_company_ids": [data.company_id]})
            batch, batch_queries = measure_batch_log(env, uenv, args.db, ids, repeat)
            form, form_queries = measure_form_open(env, uenv, ids, opens, repeat)
            listing, list_queries = measure_list_read(
                env, uenv, ids, min(LIST_SIZE, len(ids)), list_reads, max(repeat, 5)
            )
            purge, purged, purge_queries = measure_purge(env, args.db, data.company_id, repeat)
        finally:
            cr.rollback()
            cr.execute("DELETE FROM patient_access_log WHERE id > %s", [mark])
            deleted = cr.rowcount
            env["res.users"].with_context(active_test=False).browse(user.id).active = False
            env.flush_all()
            cr.commit()
            say(f"deleted the {deleted} log lines written; bench user {BENCH_LOGIN} archived")
            if args.keep:
                say("--keep: the generated accounts stay in the database")
            else:
                seconds, _n = common.timed(lambda: common.clear_bench_data(env))
                cr.commit()
                say(f"generated data deleted in {seconds:.1f}s")
            common.vacuum_analyze(args.db, [*common.BENCH_TABLES, "patient_access_log"])

    ratio = batch["log"] / batch["floor"]
    open_ratio = form["logged"] / form["plain"]
    overhead = form["logged"] - form["plain"]
    purge_ratio = purge["purge"] / purge["floor"]
    list_ratio = listing["logged"] / listing["plain"]
    say(
        f"list read: logged {1000 * listing['logged']:.2f} ms ({list_queries['logged']} "
        f"queries), unlogged {1000 * listing['plain']:.2f} ms ({list_queries['plain']} "
        f"queries) for {min(LIST_SIZE, len(ids))} accounts: ratio {list_ratio:.3f} "
        f"(goal <= {LIST_RATIO_GOAL:.2f})"
    )
    say(
        f"batch log: {batch['log']:.3f}s for {accounts} lines ({batch_queries} queries), "
        f"{1e6 * batch['log'] / accounts:.1f} us/line; floor {batch['floor']:.3f}s; "
        f"ratio {ratio:.2f}"
    )
    say(
        f"form open: logged {1000 * form['logged']:.2f} ms ({form_queries['logged']:.1f} "
        f"queries), unlogged {1000 * form['plain']:.2f} ms ({form_queries['plain']:.1f} "
        f"queries): the log costs {1000 * overhead:.2f} ms per open, ratio {open_ratio:.2f}"
    )
    say(
        f"purge: {purged} lines, _cron_purge {purge['purge']:.3f}s ({purge_queries} queries), "
        f"floor {purge['floor']:.3f}s, ratio {purge_ratio:.2f}"
    )
    print(
        f"bench access_log: accounts={accounts} log={batch['log']:.2f}s "
        f"floor={batch['floor']:.2f}s ratio={ratio:.2f} opens={opens} "
        f"open_logged={1000 * form['logged']:.1f}ms open_plain={1000 * form['plain']:.1f}ms "
        f"open_overhead={1000 * overhead:.2f}ms open_ratio={open_ratio:.2f} "
        f"purge_rows={purged} purge={purge['purge']:.2f}s floor={purge['floor']:.2f}s "
        f"purge_ratio={purge_ratio:.2f} list_size={min(LIST_SIZE, len(ids))} "
        f"list_logged={1000 * listing['logged']:.2f}ms list_plain={1000 * listing['plain']:.2f}ms "
        f"list_ratio={list_ratio:.3f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
