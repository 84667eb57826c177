"""Shared start-up, data generator and timers of the patient_collections benchmarks.

Not part of the addon: scripts/bench.sh runs each bench/*.py with ODOO_PATH, ODOO_RC (--rc),
ODOO_DB (BENCH_DB, --db), sizes from PC_BENCH_<NAME> or BENCH_<NAME> (PC_BENCH_SIZE shared).
`session` starts and cleans up; `prepare` generates receivables set-based (template rows Odoo wrote
in a rolled-back savepoint cloned, foreign keys checked set-based; the role must be a superuser),
hanging off partners whose ref is BENCH_REF.  Correctness: tests/test_performance.py.
"""

import argparse
import contextlib
import importlib
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace

BENCH_REF = "PC-BENCH"
BENCH_TABLES = ("res_partner", "patient_account", "account_move", "account_move_line",
    "account_payment", "account_partial_reconcile", "account_move__account_payment")  # fmt: skip
NOW = "now() at time zone 'UTC'"
_T0 = time.perf_counter()


def say(message):
    """One progress line on stdout, with the seconds since the script started."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", flush=True)


def sizes(default, per_account=5):
    """(accounts, invoices): ACCOUNTS (SIZE, ``default``), INVOICES (``per_account`` each)."""
    accounts = size("ACCOUNTS", size("SIZE", default))
    invoices = size("INVOICES", per_account * accounts)
    if not accounts or invoices < accounts:
        sys.exit(f"need one account and an invoice per account ({accounts=}, {invoices=})")
    return accounts, invoices


def size(name, default):
    """A non-negative integer from PC_BENCH_<NAME> or BENCH_<NAME>, else ``default``."""
    for var in (f"PC_BENCH_{name}", f"BENCH_{name}"):
        value = os.environ.get(var, "").strip().replace("_", "")
        if value:
            if not value.isdigit():
                sys.exit(f"{var}={value!r} is not a non-negative integer")
            return int(value)
    return default


def parse_args(description, argv=None):
    """--db/--rc/--keep, defaulting to ODOO_DB (or BENCH_DB) and ODOO_RC."""
    parser = argparse.ArgumentParser(description=description)
    env = os.environ
    parser.add_argument("--db", default=env.get("ODOO_DB") or env.get("BENCH_DB"))
    parser.add_argument("--rc", default=env.get("ODOO_RC"), help="Odoo config file")
    keep = env.get("BENCH_KEEP", "") not in ("", "0")
    parser.add_argument("--keep", action="store_true", default=keep, help="keep the data")
    args = parser.parse_args(argv)
    if not args.db:
        parser.error("no database: pass --db or set ODOO_DB (or BENCH_DB)")
    if not args.rc or not os.path.isfile(args.rc):
        parser.error(f"no Odoo config file {args.rc or ''}: pass --rc or set ODOO_RC")
    return args


def require(ok, message):
    """An assert that -O keeps: generated data or results are not what they should be."""
    if not ok:
        raise AssertionError(message)


def timed(fn):
    """Run ``fn()``; return (seconds, result)."""
    start, result = time.perf_counter(), fn()
    return time.perf_counter() - start, result


def best_of(repeat, measures, env=None, before=None):
    """Best seconds of each of ``measures`` ({name: fn}) over ``repeat`` runs in alternating order;
    with ``env`` fn() is `rolled_back`, else returns its seconds; ``before()`` before each."""
    runs = {name: [] for name in measures}
    for run in range(1, repeat + 1):
        for name in list(measures)[:: 1 if run % 2 else -1]:
            if before:
                before()
            fn = measures[name]
            runs[name].append(rolled_back(env, fn)[0] if env else fn())
        say(f"run {run}: " + ", ".join(f"{name} {v[-1]:.3f}s" for name, v in runs.items()))
    return {name: min(values) for name, values in runs.items()}


def rolled_back(env, fn):
    """(seconds, result) of ``fn()`` plus its flush, then rolled back."""
    savepoint = env.cr.savepoint(flush=False)
    try:
        seconds, result = timed(lambda: (fn(), env.flush_all())[0])
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    return seconds, result


def run_sql(env, sql, params=None, settings=()):
    """(seconds, rows fetched or rowcount) of one statement, then rolled back;
    ``settings``: SET LOCAL statements run first (e.g. no parallel workers)."""
    cr = env.cr
    for setting in settings:
        cr.execute(f"SET LOCAL {setting}")
    seconds, result = timed(
        lambda: (cr.execute(sql, params), cr.fetchall() if cr.description else cr.rowcount)[1]
    )
    cr.rollback()
    return seconds, result


def fresh(env, db, tables):
    """Commit, vacuum ``tables`` (what rolled-back runs left), empty the cache."""
    env.cr.commit()
    vacuum_analyze(db, tables)
    env.invalidate_all()


def run_counts():
    """An empty counter of the collections run (what its steps take as ``counts``)."""
    from odoo.addons.patient_collections.models import patient_collection_run  # noqa: PLC0415

    return patient_collection_run.RunStats()


def flush_pending(env):
    """What a request does before its COMMIT: flush, precommit hooks (mail tracking), flush."""
    env.cr.flush()
    env.flush_all()


class MethodTimer:
    """Times and counts the queries of ``methods`` ([(model, name, flush)]) wrapped on the registry
    classes while active (missing ones skipped); a call inside a timed one is "outer > inner";
    with ``flush`` it flushes before (untimed) and after: what it leaves is charged to it."""

    def __init__(self, env, methods):
        self.env, self.methods, self._stack, self._saved = env, methods, [], []
        self.seconds, self.queries, self.calls = Counter(), Counter(), Counter()

    def block(self, label, fn):
        """Run fn() as a call labelled ``label``."""
        cr = self.env.cr
        label = f"{self._stack[0]} > {label}" if self._stack else label
        self._stack.append(label)
        q0, t0 = cr.sql_log_count, time.perf_counter()
        try:
            return fn()
        finally:
            self._stack.pop()
            self.seconds[label] += time.perf_counter() - t0
            self.queries[label] += cr.sql_log_count - q0
            self.calls[label] += 1

    def __enter__(self):
        for model, name, flush in self.methods:
            cls = type(self.env[model]) if model in self.env else None
            if getattr(cls, name, None) is None:  # (renamed, or not in this version)
                continue
            self._saved.append((cls, name, cls.__dict__.get(name)))
            setattr(cls, name, self._wrap(getattr(cls, name), name.lstrip("_"), flush))
        return self

    def _wrap(self, original, label, flush):
        def wrapper(rec, *args, **kwargs):
            if flush:
                rec.env.flush_all()
            return self.block(
                label, lambda: (original(rec, *args, **kwargs), flush and rec.env.flush_all())[0]
            )

        return wrapper

    def __exit__(self, *exc):
        for cls, name, own in reversed(self._saved):
            (setattr(cls, name, own) if own is not None else delattr(cls, name))
        self._saved.clear()

    def describe(self, total=None):
        s, q, n = self.seconds, self.queries, self.calls
        parts = ", ".join(f"{label} {s[label]:.2f}s/{q[label]}q/{n[label]}x" for label in s)
        return parts + (f" (of {total:.2f}s)" if total is not None else "")


@contextlib.contextmanager
def open_env(db, rc, log_level="warn"):
    """An Odoo superuser environment on ``db`` (Odoo from ODOO_PATH), rolled back on exit."""
    odoo_path = os.environ.get("ODOO_PATH") or "/opt/odoo"
    if not os.path.isfile(os.path.join(odoo_path, "odoo-bin")):
        sys.exit(f"ODOO_PATH={odoo_path} holds no odoo-bin: point it at an Odoo 18.0 tree")
    if odoo_path not in sys.path:
        sys.path.insert(0, odoo_path)
    import odoo  # noqa: PLC0415 (needs sys.path first)

    odoo.tools.config.parse_config(["-c", rc, f"--log-level={log_level}"])
    registry = odoo.modules.registry.Registry(db)
    if "patient.account" not in registry:
        sys.exit(f"database {db}: the patient_collections module is not installed")
    cr = registry.cursor()
    try:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    finally:
        cr.rollback()
        cr.close()


@contextlib.contextmanager
def session(doc, tables=BENCH_TABLES):
    """Yields (args, env) with what an earlier run left deleted (``doc``'s first line describes
    the script); on exit the generated data deleted (unless --keep), ``tables`` vacuumed."""
    args = parse_args(doc.split("\n", 1)[0])
    with open_env(args.db, args.rc) as env:
        env.cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        require(env.cr.fetchone()[0], "the database role must be a superuser (as in make bench)")
        seconds, left = timed(lambda: clear_bench_data(env))
        env.cr.commit()
        if left:
            say(f"deleted the bench data of an earlier run ({left} partners) in {seconds:.1f}s")
        try:
            yield args, env
        finally:
            env.cr.rollback()
            if args.keep:
                say("--keep: the generated data stays in the database")
            else:
                seconds, _n = timed(lambda: clear_bench_data(env))
                env.cr.commit()
                vacuum_analyze(args.db, tables)
                say(f"generated data deleted in {seconds:.1f}s (and vacuumed)")


def prepare(env, db, accounts, invoices, refresh=True, **options):
    """generate_receivables, committed, vacuumed, with ``refresh`` the balances refreshed."""
    data = generate_receivables(env, accounts, invoices, **options)
    fresh(env, db, BENCH_TABLES)
    say(f"generated in {data.seconds:.1f}s, committed, vacuumed: {data}")
    if refresh:
        refresh_bench(env, db, data.today)
    return data


def bench_accounts(env):
    return env["patient.account"].search([("partner_id.ref", "=", BENCH_REF)], order="id")


def refresh_bench(env, db, today):
    """Balances and aging of the bench accounts refreshed for ``today``, committed."""
    refresh = bench_accounts(env)._refresh_balances
    seconds, _r = timed(lambda: (refresh(today=today), env.flush_all()))
    fresh(env, db, BENCH_TABLES)
    say(f"balances refreshed for {today} in {seconds:.1f}s; committed, vacuumed")


def place_in_statement_stages(env, accounts):
    """Each account in the statement stage its days past due call for."""
    env.cr.execute(
        """
        UPDATE patient_account pa
           SET stage_id = COALESCE((
                   SELECT st.id FROM patient_account_stage st
                    WHERE st.active AND st.send_statement
                      AND NOT COALESCE(st.is_manual, FALSE) AND NOT COALESCE(st.is_closed, FALSE)
                      AND COALESCE(st.days_past_due_min, 0) <= COALESCE(pa.days_past_due, 0)
                 ORDER BY st.days_past_due_min DESC, st.sequence LIMIT 1), pa.stage_id)
         WHERE pa.id = ANY(%s)
        """,
        [accounts.ids],
    )


def bench_users(env, company_id, logins, group="patient_collections.group_collections_specialist"):
    """Users of the company in ``group``, made once, reactivated later (`archive_users`)."""
    Users = env["res.users"].with_context(
        active_test=False, no_reset_password=True, mail_create_nosubscribe=True
    )
    vals = {"active": True, "company_id": company_id, "company_ids": [(6, 0, [company_id])],
            "groups_id": [(6, 0, [env.ref("base.group_user").id, env.ref(group).id])]}  # fmt: skip
    users = Users.search([("login", "in", logins)])
    users.write(vals)
    new = [login for login in logins if login not in users.mapped("login")]
    users |= Users.create([{"name": f"Bench {login}", "login": login, **vals} for login in new])
    env.flush_all()
    return users.sorted("login")


def archive_users(env, logins):
    env["res.users"].with_context(active_test=False).search([("login", "in", logins)]).write(
        {"active": False}
    )
    env.flush_all()


def vacuum_analyze(db, tables, vacuum=True):
    """VACUUM and ANALYZE ``tables`` through an autocommit connection: the state autovacuum
    leaves, and no autovacuum waking up in the middle of a measurement."""
    import psycopg2  # noqa: PLC0415

    from odoo.sql_db import connection_info_for  # noqa: PLC0415

    cnx = psycopg2.connect(**connection_info_for(db)[1])
    try:
        cnx.autocommit = True
        with cnx.cursor() as cur:
            for table in tables:
                if vacuum:
                    cur.execute(f'VACUUM "{table}"')
                # separately: ANALYZE then sets reltuples from its own sample
                cur.execute(f'ANALYZE "{table}"')
    finally:
        cnx.close()


def foreign_key_triggers(cr, enabled):
    """PostgreSQL's per-row foreign key triggers off (or on) for the transaction."""
    cr.execute(f"SET LOCAL session_replication_role = {'origin' if enabled else 'replica'}")


def ensure_chart(env, company=None):
    """The company of the benchmark, with a chart of accounts installed."""
    company = company or env.company
    receivable = env["account.account"].search(
        [("company_ids", "in", company.ids), ("account_type", "=", "asset_receivable")], limit=1
    )
    if not receivable or not env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    ):
        say(f"company {company.name} has no chart of accounts: loading generic_coa")
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        env.flush_all()
    return company


def column_types(cr, table):
    cr.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        [table],
    )
    return dict(cr.fetchall())


def fetch_row(cr, table, row_id):
    cr.execute(f'SELECT * FROM "{table}" WHERE id = %s', [row_id])  # noqa: S608
    rows = cr.dictfetchall()
    require(rows, f"template row {table}({row_id}) not found")
    return rows[0]


def clone_insert(cr, table, template, overrides, source, unchecked=()):
    """INSERT INTO table SELECT ... FROM source: the template's values but ``overrides`` (SQL over
    ``source``); their foreign keys (but ``unchecked``) verified set-based.  Returns the count."""
    from psycopg2.extras import Json  # noqa: PLC0415

    types = column_types(cr, table)
    unknown = set(overrides) - set(types)
    if unknown:
        raise KeyError(f"{table} has no column(s) {sorted(unknown)}")
    columns, exprs, params = [], [], []
    for column, sql_type in types.items():
        if column in overrides:
            columns.append(column)
            exprs.append(f"({overrides[column]})::{sql_type}")
        elif column != "id" and template.get(column) is not None:
            value = template[column]
            columns.append(column)
            exprs.append(f"%s::{sql_type}")
            params.append(Json(value) if isinstance(value, dict | list) else value)
    quoted = ", ".join(f'"{column}"' for column in columns)
    cr.execute(
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(exprs)} FROM {source}',  # noqa: S608
        params,
    )
    count = cr.rowcount
    check_foreign_keys(
        cr,
        table,
        {c: overrides[c] for c in columns if c in overrides and c not in unchecked},
        source,
        {c: template[c] for c in columns if c not in overrides},
    )
    return count


def check_foreign_keys(cr, table, exprs, source, constants=None):
    """One anti-join per foreign key of ``table`` among ``exprs`` (column: SQL over ``source``) and
    ``constants`` (column: value): what the per-row triggers would have checked."""
    cr.execute(
        """
        SELECT a.attname, c.confrelid::regclass::text
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND array_length(c.conkey, 1) = 1
        """,
        [table],
    )
    fks = dict(cr.fetchall())
    where = "AND" if " where " in f" {source.lower()} " else "WHERE"
    for column, expr in exprs.items():
        if column in fks:
            cr.execute(
                f"SELECT count(*) FROM {source} {where} ({expr}) IS NOT NULL"  # noqa: S608
                f" AND NOT EXISTS (SELECT 1 FROM {fks[column]} t WHERE t.id = ({expr}))"
            )
            missing = cr.fetchone()[0]
            require(not missing, f"{missing} rows of {table}: {column} missing in {fks[column]}")
    for column, value in (constants or {}).items():
        if column in fks and value is not None:
            cr.execute(f"SELECT 1 FROM {fks[column]} WHERE id = %s", [value])  # noqa: S608
            require(cr.rowcount, f"{table}.{column} = {value} is missing in {fks[column]}")


def capture_templates(env, company):
    """The rows (dicts) Odoo writes for one invoice (posting links a new patient account) and its
    partial payment, made through the ORM and rolled back, by the names of ``records`` below."""
    savepoint = env.cr.savepoint()
    try:
        partner = env["res.partner"].create({"name": "Bench Template", "is_patient": True})
        line = {"name": "Office visit", "quantity": 1, "price_unit": 100.0, "tax_ids": [(6, 0, [])]}
        invoice = env["account.move"].with_company(company).create({
            "move_type": "out_invoice", "partner_id": partner.id, "patient_id": partner.id,
            "invoice_date": "2024-01-10", "invoice_date_due": "2024-02-09",
            "insurance_status": "self_pay", "invoice_line_ids": [(0, 0, line)],
        })  # fmt: skip
        invoice.action_post()
        payment = (
            env["account.payment.register"]
            .with_company(company)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": 40.0, "payment_date": "2024-01-20"})
            ._create_payments()
        )
        env.flush_all()
        inv_lines, pay_lines = invoice.line_ids, payment.move_id.line_ids
        inv_receivable = inv_lines.filtered(lambda line: line.account_type == "asset_receivable")
        pay_receivable = pay_lines.filtered(lambda line: line.account_type == "asset_receivable")
        partial = inv_receivable.matched_credit_ids
        require(
            len(inv_lines) == len(pay_lines) == 2 and len(partial) == 1,
            "the template invoice/payment does not have the expected shape",
        )
        records = {"partner": partner, "invoice": invoice,
            "invoice_revenue": inv_lines - inv_receivable, "invoice_receivable": inv_receivable,
            "payment": payment, "payment_move": payment.move_id,
            "payment_outstanding": pay_lines - pay_receivable, "payment_receivable": pay_receivable,
            "partial": partial, "patient_account": invoice.patient_account_id}  # fmt: skip
        rows = {name: fetch_row(env.cr, rec._table, rec.id) for name, rec in records.items()}
        return SimpleNamespace(**rows)
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()


def number_moves(cr, table, tpl_move, date_col):
    """Name the staged moves of ``table`` as Odoo's sequence mixin would: the template's prefix
    with the entry's year, numbered by date after any existing entry of the journal."""
    prefix = tpl_move["sequence_prefix"]
    cr.execute(
        f"""
        WITH numbered AS (
            SELECT move_id,
                   replace(%(prefix)s, %(year)s, extract(year FROM {date_col})::int::text)
                       AS prefix,
                   row_number() OVER (PARTITION BY extract(year FROM {date_col})
                                      ORDER BY {date_col}, move_id) AS rank
              FROM {table}
        ), offsets AS MATERIALIZED (
            SELECT prefix,
                   (SELECT COALESCE(MAX(m.sequence_number), 0) FROM account_move m
                     WHERE m.journal_id = %(journal)s AND m.sequence_prefix = p.prefix) AS last
              FROM (SELECT DISTINCT prefix FROM numbered) p
        )
        UPDATE {table} t
           SET sequence_prefix = n.prefix, sequence_number = n.rank + o.last,
               name = n.prefix || lpad((n.rank + o.last)::text,
                                       GREATEST(%(padding)s, length((n.rank + o.last)::text)), '0')
          FROM numbered n JOIN offsets o ON o.prefix = n.prefix
         WHERE t.move_id = n.move_id
        """,  # noqa: S608
        {
            "prefix": prefix,
            "year": str(tpl_move["date"].year),
            "journal": tpl_move["journal_id"],
            "padding": max(len(tpl_move["name"]) - len(prefix), 1),
        },
    )


@dataclass
class BenchData:
    """What `generate_receivables` made, with the totals it expects Odoo to see."""

    company_id: int = field(repr=False)
    today: object
    templates: SimpleNamespace = field(default=None, repr=False)
    accounts: int = 0
    invoices: int = 0
    payments: int = 0
    unapplied: int = 0
    seconds: float = field(default=0.0, repr=False)


STAGING_SQL = """
    CREATE TEMP TABLE pcb_acc AS
        SELECT n, nextval('res_partner_id_seq')::int AS partner_id,
               nextval('patient_account_id_seq')::int AS account_id
          FROM generate_series(1, %(accounts)s) n;
    CREATE UNIQUE INDEX ON pcb_acc (n);
    CREATE TEMP TABLE pcb_raw AS
        SELECT i AS n,
               CASE WHEN i <= %(accounts)s THEN i
                    ELSE 1 + floor(random() * %(accounts)s)::int END AS acc_n,
               round((15 + random() * 985)::numeric, 2) AS amount,
               %(today)s::date - floor(%(max_age_days)s * power(random(), 2))::int AS inv_date,
               random() AS r_status, random() AS r_paid, random() AS r_frac, random() AS r_pay_date
          FROM generate_series(1, %(invoices)s) i;
    CREATE TEMP TABLE pcb_invoice AS
        SELECT r.n, a.partner_id, a.account_id,
               nextval('account_move_id_seq')::int AS move_id,
               nextval('account_move_line_id_seq')::int AS revenue_line_id,
               nextval('account_move_line_id_seq')::int AS receivable_line_id,
               r.amount, r.inv_date, r.inv_date + 30 AS due_date,
               CASE WHEN r.r_status < %(pending_share)s THEN 'pending'
                    WHEN r.r_status < 0.5 + %(pending_share)s * 0.5 THEN 'adjudicated'
                    WHEN r.r_status < 0.9 + %(pending_share)s * 0.1 THEN 'self_pay'
                    ELSE 'denied' END AS insurance_status,
               CASE WHEN r.r_paid < %(paid_share)s
                    THEN round(r.amount * (0.1 + 0.8 * r.r_frac)::numeric, 2) ELSE 0 END AS paid,
               r.inv_date + floor(r.r_pay_date * (%(today)s::date - r.inv_date + 1))::int
                   AS pay_date,
               NULL::text AS name, NULL::text AS sequence_prefix, NULL::int AS sequence_number
          FROM pcb_raw r JOIN pcb_acc a ON a.n = r.acc_n
      ORDER BY r.n;
    DROP TABLE pcb_raw;
    CREATE UNIQUE INDEX ON pcb_invoice (move_id);
    CREATE TEMP TABLE pcb_payment AS
        SELECT i.n AS invoice_n, i.partner_id, i.move_id AS invoice_move_id,
               i.receivable_line_id AS invoice_line_id, i.name AS invoice_name,
               i.paid AS amount, i.pay_date AS date,
               nextval('account_payment_id_seq')::int AS payment_id,
               nextval('account_move_id_seq')::int AS move_id,
               nextval('account_move_line_id_seq')::int AS outstanding_line_id,
               nextval('account_move_line_id_seq')::int AS receivable_line_id,
               nextval('account_partial_reconcile_id_seq')::int AS partial_id,
               NULL::text AS name, NULL::text AS sequence_prefix, NULL::int AS sequence_number
          FROM pcb_invoice i WHERE i.paid > 0
         UNION ALL
        SELECT NULL, a.partner_id, NULL, NULL, NULL, round((10 + random() * 190)::numeric, 2),
               %(today)s::date - floor(random() * 60)::int,
               nextval('account_payment_id_seq')::int, nextval('account_move_id_seq')::int,
               nextval('account_move_line_id_seq')::int, nextval('account_move_line_id_seq')::int,
               NULL, NULL, NULL, NULL
          FROM pcb_acc a WHERE random() < %(unapplied_share)s;
    ALTER TABLE pcb_payment ADD COLUMN group_partial_id int;
    UPDATE pcb_payment SET group_partial_id = partial_id;
    CREATE UNIQUE INDEX ON pcb_payment (move_id);
    ANALYZE pcb_acc; ANALYZE pcb_invoice; ANALYZE pcb_payment;
"""


GENERATOR = {"paid_share": 0.30, "pending_share": 0.10, "unapplied_share": 0.02,
    "max_age_days": 400, "seed": 0.4242}  # fmt: skip


def generate_receivables(env, accounts, invoices, *, company=None, today=None, **options):
    """``accounts`` guarantors with a patient account each and ``invoices`` posted invoices spread
    over them (one each at least), dated 0..max_age_days back skewed to recent, due 30 days later,
    ``pending_share`` insurance-pending, ``paid_share`` partly paid (10-90 %) by a partially
    reconciled payment; ``unapplied_share`` of the accounts with an unapplied payment (``options``:
    GENERATOR's keys).  Set-based; commits nothing; returns a BenchData."""
    params = {**GENERATOR, **options, "accounts": accounts, "invoices": invoices}
    cr = env.cr
    start = time.perf_counter()
    company = ensure_chart(env, company)
    Account = env["patient.account"]
    today = today or Account._fields["aging_date"].context_today(Account)
    say("making template invoice and payment through the ORM (rolled back)")
    tpl = capture_templates(env, company)
    data = BenchData(company_id=company.id, today=today, templates=tpl)
    say(f"staging {accounts} guarantors, {invoices} invoices")
    cr.execute("SELECT setseed(%s)", [params.pop("seed")])
    cr.execute(STAGING_SQL, {**params, "today": today})
    number_moves(cr, "pcb_invoice", tpl.invoice, "inv_date")
    number_moves(cr, "pcb_payment", tpl.payment_move, "date")
    cr.execute(
        """
        UPDATE pcb_payment p SET invoice_name = i.name FROM pcb_invoice i WHERE i.n = p.invoice_n;
        CREATE UNIQUE INDEX ON pcb_invoice (n);
        CREATE INDEX ON pcb_payment (invoice_n);
        ANALYZE pcb_invoice; ANALYZE pcb_payment;
        """
    )
    say("inserting guarantors, patient accounts, invoices and their lines")
    foreign_key_triggers(cr, enabled=False)
    name = "'Bench Guarantor ' || lpad(a.n::text, 6, '0')"
    data.accounts = clone_insert(cr, "res_partner", tpl.partner, spec(
        f"""id=a.partner_id; name={name}; complete_name={name}; commercial_partner_id=a.partner_id
            ref='{BENCH_REF}'; email='guarantor' || a.n || '@bench.example.com'; is_patient=TRUE
            patient_mrn='PCB-' || lpad(a.n::text, 7, '0'); customer_rank=1"""),
        "pcb_acc a")  # fmt: skip
    # balances as on an account never aged (the refresh fills them)
    never_aged = {name: "NULL" for name in balance_fields() if name in tpl.patient_account}
    clone_insert(cr, "patient_account", tpl.patient_account, spec(
        "id=a.account_id; name='PCB' || lpad(a.n::text, 7, '0'); partner_id=a.partner_id",
        **never_aged), "pcb_acc a")  # fmt: skip
    data.invoices = clone_insert(cr, "account_move", tpl.invoice, spec(
        """id=i.move_id; name=i.name; sequence_prefix=i.sequence_prefix
           sequence_number=i.sequence_number; payment_reference=i.name; partner_id=i.partner_id
           commercial_partner_id=i.partner_id; partner_shipping_id=i.partner_id
           invoice_partner_display_name=p.complete_name; patient_id=i.partner_id
           patient_account_id=i.account_id; insurance_status=i.insurance_status; date=i.inv_date
           invoice_date=i.inv_date; invoice_date_due=i.due_date; amount_untaxed=i.amount
           amount_total=i.amount; amount_untaxed_signed=i.amount; amount_total_signed=i.amount
           amount_untaxed_in_currency_signed=i.amount; amount_total_in_currency_signed=i.amount
           amount_residual=i.amount - i.paid; amount_residual_signed=i.amount - i.paid
           payment_state=CASE WHEN i.paid > 0 THEN 'partial' ELSE 'not_paid' END"""),
        "pcb_invoice i JOIN res_partner p ON p.id = i.partner_id")  # fmt: skip
    line = """move_id=i.move_id; move_name=i.name; partner_id=i.partner_id; date=i.inv_date
              invoice_date=i.inv_date"""
    clone_insert(cr, "account_move_line", tpl.invoice_revenue, spec(line + """
        id=i.revenue_line_id; credit=i.amount; balance=-i.amount; amount_currency=-i.amount
        price_unit=i.amount; price_subtotal=i.amount; price_total=i.amount"""),
        "pcb_invoice i")  # fmt: skip
    clone_insert(cr, "account_move_line", tpl.invoice_receivable, spec(line + """
        id=i.receivable_line_id; name=i.name; date_maturity=i.due_date; debit=i.amount
        balance=i.amount; amount_currency=i.amount; amount_residual=i.amount - i.paid
        amount_residual_currency=i.amount - i.paid; reconciled=FALSE
        matching_number=CASE WHEN i.paid > 0 THEN 'P' || p.partial_id END"""),
        "pcb_invoice i LEFT JOIN pcb_payment p ON p.invoice_n = i.n")  # fmt: skip
    say("inserting payments (account_payment, entries, lines, partial reconciles)")
    data.payments = insert_payments(env, tpl, "pcb_payment")
    cr.execute("SELECT count(*) FILTER (WHERE invoice_n IS NULL) FROM pcb_payment")
    data.unapplied = cr.fetchone()[0]
    cr.execute("DROP TABLE pcb_acc, pcb_invoice, pcb_payment")
    env.invalidate_all()
    data.seconds = time.perf_counter() - start
    return data


def spec(text, **extra):
    """Column overrides of clone_insert from "column=SQL" items separated by ";" or new lines (SQL
    expressions here hold neither), plus ``extra``; the create and write dates are now."""
    items = [item.split("=", 1) for line in text.splitlines() for item in line.split(";")]
    columns = {key.strip(): value.strip() for key, value in (i for i in items if len(i) == 2)}
    return {"create_date": NOW, "write_date": NOW, **columns, **extra}


def balance_fields():
    """The patient.account columns the balance refresh fills (BALANCE_FIELDS)."""
    for name in ("patient_account_balances", "patient_account"):
        with contextlib.suppress(ImportError):
            module = importlib.import_module(f"odoo.addons.patient_collections.models.{name}")
            if hasattr(module, "BALANCE_FIELDS"):
                return module.BALANCE_FIELDS
    raise ImportError("patient_collections defines no BALANCE_FIELDS")


def insert_payments(env, tpl, staged, update_invoices=False):
    """Payments cloned from the template, one per row of ``staged`` (the columns read below;
    group_partial_id: the invoice line's first partial); ``update_invoices``: residuals follow."""
    cr = env.cr
    applied = "p.invoice_line_id IS NOT NULL"
    foreign_key_triggers(cr, enabled=False)
    count = clone_insert(cr, "account_move", tpl.payment_move, spec(
        f"""id=p.move_id; name=p.name; sequence_prefix=p.sequence_prefix
            sequence_number=p.sequence_number; ref=CASE WHEN {applied} THEN p.invoice_name END
            partner_id=p.partner_id; commercial_partner_id=p.partner_id; date=p.date
            invoice_partner_display_name=r.complete_name; invoice_date_due=p.date
            amount_total=p.amount; amount_total_signed=p.amount
            amount_total_in_currency_signed=p.amount""",
        origin_payment_id="p.payment_id"),
        f"{staged} p JOIN res_partner r ON r.id = p.partner_id",
        unchecked=("origin_payment_id",))  # fmt: skip
    clone_insert(cr, "account_payment", tpl.payment, spec(
        f"""id=p.payment_id; move_id=p.move_id; name=p.name; partner_id=p.partner_id
            memo=CASE WHEN {applied} THEN p.invoice_name END; date=p.date; amount=p.amount
            amount_company_currency_signed=p.amount; is_reconciled={applied}; is_matched=FALSE"""),
        f"{staged} p")  # fmt: skip
    cr.execute(
        f"INSERT INTO account_move__account_payment (invoice_id, payment_id)"  # noqa: S608
        f" SELECT invoice_move_id, payment_id FROM {staged} WHERE invoice_move_id IS NOT NULL"
    )
    check_foreign_keys(cr, "account_move", {"origin_payment_id": "p.payment_id"}, f"{staged} p")
    # the label Odoo gave the template ("Manual Payment: INV/...") minus the invoice name
    label = tpl.payment_receivable["name"].replace(tpl.invoice["name"], "")
    plain = label.rstrip(": ").strip() or label
    line = f"""move_id=p.move_id; move_name=p.name; payment_id=p.payment_id; date=p.date
        partner_id=p.partner_id; ref=CASE WHEN {applied} THEN p.invoice_name END
        date_maturity=p.date
        name=CASE WHEN {applied} THEN {_quote(label)} || p.invoice_name ELSE {_quote(plain)} END"""
    clone_insert(cr, "account_move_line", tpl.payment_outstanding, spec(line + """
        id=p.outstanding_line_id; debit=p.amount; balance=p.amount; amount_currency=p.amount
        amount_residual=p.amount; amount_residual_currency=p.amount; price_subtotal=p.amount
        price_total=p.amount"""), f"{staged} p")  # fmt: skip
    clone_insert(cr, "account_move_line", tpl.payment_receivable, spec(line + f"""
        id=p.receivable_line_id; credit=p.amount; balance=-p.amount; amount_currency=-p.amount
        price_subtotal=-p.amount; price_total=-p.amount; reconciled={applied}
        amount_residual=CASE WHEN {applied} THEN 0 ELSE -p.amount END
        amount_residual_currency=CASE WHEN {applied} THEN 0 ELSE -p.amount END
        matching_number=CASE WHEN {applied} THEN 'P' || p.group_partial_id END"""),
        f"{staged} p")  # fmt: skip
    clone_insert(cr, "account_partial_reconcile", tpl.partial, spec(
        """id=p.partial_id; debit_move_id=p.invoice_line_id; credit_move_id=p.receivable_line_id
           amount=p.amount; debit_amount_currency=p.amount; credit_amount_currency=p.amount
           max_date=p.date"""), f"{staged} p WHERE p.invoice_line_id IS NOT NULL")  # fmt: skip
    foreign_key_triggers(cr, enabled=True)
    if update_invoices:
        cr.execute(
            f"""
            UPDATE account_move_line l
               SET amount_residual = l.amount_residual - s.paid,
                   amount_residual_currency = l.amount_residual_currency - s.paid,
                   matching_number = 'P' || s.first
              FROM (SELECT invoice_line_id, SUM(amount) AS paid, MIN(partial_id) AS first
                      FROM {staged} WHERE invoice_line_id IS NOT NULL GROUP BY 1) s
             WHERE l.id = s.invoice_line_id;
            UPDATE account_move m
               SET amount_residual = m.amount_residual - s.paid,
                   amount_residual_signed = m.amount_residual_signed - s.paid,
                   payment_state = 'partial'
              FROM (SELECT invoice_move_id, SUM(amount) AS paid FROM {staged}
                     WHERE invoice_move_id IS NOT NULL GROUP BY 1) s
             WHERE m.id = s.invoice_move_id;
            """  # noqa: S608
        )
    env.invalidate_all()
    return count


def _quote(text):
    return "'" + text.replace("'", "''") + "'"


DOOMED = {  # table: the query of the ids to delete (into temporary table pcb_del_<table>)
    "res_partner": "SELECT id FROM res_partner WHERE ref = %(ref)s",
    "patient_account": "SELECT id FROM patient_account WHERE partner_id IN"
    " (SELECT id FROM pcb_del_res_partner)",
    "account_move": "SELECT id FROM account_move WHERE partner_id IN"
    " (SELECT id FROM pcb_del_res_partner) UNION SELECT id FROM account_move"
    " WHERE commercial_partner_id IN (SELECT id FROM pcb_del_res_partner)"
    " UNION SELECT move_id FROM account_move_line WHERE partner_id IN"
    " (SELECT id FROM pcb_del_res_partner)",
    "account_move_line": "SELECT id FROM account_move_line WHERE move_id IN"
    " (SELECT id FROM pcb_del_account_move)",
    "account_payment": "SELECT id FROM account_payment WHERE partner_id IN"
    " (SELECT id FROM pcb_del_res_partner) UNION SELECT id FROM account_payment"
    " WHERE move_id IN (SELECT id FROM pcb_del_account_move)",
    "account_partial_reconcile": "SELECT id FROM account_partial_reconcile WHERE debit_move_id"
    " IN (SELECT id FROM pcb_del_account_move_line) UNION SELECT id FROM"
    " account_partial_reconcile WHERE credit_move_id IN (SELECT id FROM pcb_del_account_move_line)",
    "patient_payment_plan": "SELECT id FROM patient_payment_plan WHERE account_id IN"
    " (SELECT id FROM pcb_del_patient_account)",
}
RECORDS = {  # model: temporary table of its doomed ids (chatter, followers, activities)
    "res.partner": "pcb_del_res_partner",
    "patient.account": "pcb_del_patient_account",
    "account.move": "pcb_del_account_move",
    "account.payment": "pcb_del_account_payment",
    "patient.payment.plan": "pcb_del_patient_payment_plan",
}


def clear_bench_data(env):
    """Delete all hanging off the BENCH_REF partners: the module's records and chatter, then the
    accounting rows with foreign key triggers off, every foreign key checked afterwards.  Commits
    nothing; returns the number of partners."""
    cr = env.cr
    env.flush_all()
    # (256MB: hashing 300,000 ids instead of rescanning a list per row)
    cr.execute("SET LOCAL work_mem = '256MB'")
    for table in (*DOOMED, "account_move__account_payment"):
        cr.execute(f'ANALYZE "{table}"')
    for table, query in DOOMED.items():
        cr.execute(
            f"CREATE TEMP TABLE pcb_del_{table} ON COMMIT DROP AS {query}; ANALYZE pcb_del_{table}",
            {"ref": BENCH_REF},
        )
    cr.execute("SELECT count(*) FROM pcb_del_res_partner")
    partners = cr.fetchone()[0]
    records = " OR ".join(
        f"({{model}} = '{model}' AND res_id IN (SELECT id FROM {temp}))"  # noqa: S608
        for model, temp in RECORDS.items()
    )
    plans = "SELECT id FROM pcb_del_patient_payment_plan"
    accounts = "SELECT id FROM pcb_del_patient_account"
    cr.execute(
        f"""
        DELETE FROM account_payment_patient_payment_plan_installment_rel
         WHERE patient_payment_plan_installment_id IN (
               SELECT id FROM patient_payment_plan_installment WHERE plan_id IN ({plans}));
        DELETE FROM patient_payment_plan_installment WHERE plan_id IN ({plans});
        DELETE FROM patient_payment_plan WHERE id IN ({plans});
        DELETE FROM patient_interaction WHERE account_id IN ({accounts});
        DELETE FROM patient_writeoff WHERE account_id IN ({accounts});
        UPDATE patient_collection_run_line SET account_id = NULL WHERE account_id IN ({accounts});
        DELETE FROM mail_message WHERE {records.format(model="model")};
        DELETE FROM mail_activity WHERE {records.format(model="res_model")};
        DELETE FROM mail_followers WHERE {records.format(model="res_model")}
            OR partner_id IN (SELECT id FROM pcb_del_res_partner);
        DELETE FROM mail_notification WHERE res_partner_id IN (SELECT id FROM pcb_del_res_partner);
        """  # noqa: S608
    )
    if partners:
        foreign_key_triggers(cr, enabled=False)
        cr.execute(
            """
            DELETE FROM account_partial_reconcile
             WHERE id IN (SELECT id FROM pcb_del_account_partial_reconcile);
            UPDATE account_move_line SET full_reconcile_id = NULL
             WHERE id IN (SELECT id FROM pcb_del_account_move_line)
               AND full_reconcile_id IS NOT NULL;
            DELETE FROM account_full_reconcile f
             WHERE NOT EXISTS (SELECT 1 FROM account_move_line l WHERE l.full_reconcile_id = f.id)
               AND NOT EXISTS (SELECT 1 FROM account_partial_reconcile p
                                WHERE p.full_reconcile_id = f.id);
            DELETE FROM account_move_line WHERE id IN (SELECT id FROM pcb_del_account_move_line);
            DELETE FROM account_move__account_payment
             WHERE invoice_id IN (SELECT id FROM pcb_del_account_move)
                OR payment_id IN (SELECT id FROM pcb_del_account_payment);
            DELETE FROM account_payment WHERE id IN (SELECT id FROM pcb_del_account_payment);
            DELETE FROM account_move WHERE id IN (SELECT id FROM pcb_del_account_move);
            DELETE FROM patient_account WHERE id IN (SELECT id FROM pcb_del_patient_account);
            DELETE FROM res_partner WHERE id IN (SELECT id FROM pcb_del_res_partner);
            """
        )
        foreign_key_triggers(cr, enabled=True)
        dangling = _dangling_references(cr)
        require(
            not dangling, f"other records point at bench data: {dangling[:5]}; delete them first"
        )
    cr.execute("DROP TABLE " + ", ".join(f"pcb_del_{table}" for table in DOOMED))
    env.invalidate_all()
    return partners


def _dangling_references(cr):
    """Foreign keys ("table.column") still pointing at deleted ids."""
    cr.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1
           AND c.confrelid::regclass::text = ANY(%s)
        """,
        [[table for table in DOOMED if table != "patient_payment_plan"]],
    )
    found = []
    for child, column, parent in cr.fetchall():
        cr.execute(
            f'SELECT 1 FROM {child} WHERE "{column}" IN (SELECT id FROM pcb_del_{parent}) LIMIT 1'  # noqa: S608
        )
        if cr.rowcount:
            found.append(f"{child}.{column}")
    return found
