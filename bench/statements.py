"""Benchmark: patient statements drawn with reportlab, against Odoo's own invoice PDF.

On PC_BENCH_STATEMENTS accounts (2000; PC_BENCH_SIZE may lower it) with realistic histories
(shape_histories: large families, dependents, addresses, dates of service, procedures, EOBs;
PC_BENCH_STATEMENT_INVOICES, 6 each), each in the statement stage its days past due call for: ours
= statements per second of _statement_pdf_merged() (best of BENCH_REPEAT, 1; _statement_values and
_statement_pdfs timed once); odoo_invoice = documents per second of Odoo's invoice PDF (QWeb +
wkhtmltopdf, assets served by this process on a loopback port) for PC_BENCH_ODOO_SAMPLE (10; 0
skips) of the invoices; ratio = ours / odoo_invoice (target >= 100; n/a without wkhtmltopdf).
"""

import contextlib
import io
import logging
import os
import random
import re
import shutil
import sys
import threading
import time

import common
from common import say

# Procedure lines of a family practice (CPT code and description), addresses.
PROCEDURES = ["99213 Office visit, established patient, 20-29 min",
    "99214 Office visit, established patient, 30-39 min",
    "99203 Office visit, new patient, 30-44 min", "99395 Preventive visit, 18-39 years",
    "80053 Comprehensive metabolic panel", "85025 Complete blood count with differential",
    "83036 Hemoglobin A1c", "71046 Chest X-ray, 2 views",
    "93000 Electrocardiogram with interpretation", "90471 Immunization administration",
    "97110 Therapeutic exercise, 15 min", "99284 Emergency department visit, moderate",
    "73610 X-ray of ankle, 3 views", "87880 Rapid strep test"]  # fmt: skip
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lakeview Rd")
CITIES = [("Springfield", "IL", "627"), ("Madison", "WI", "537"), ("Columbus", "OH", "432"),
          ("Franklin", "TN", "370"), ("Salem", "OR", "973"), ("Greenville", "SC", "296"),
          ("Fairview", "TX", "750")]  # fmt: skip
MAX_AGE = 180  # oldest invoice (days): accounts spread over the statement stages
BIG_FAMILY_SHARE = 0.05  # accounts taking over many invoices (long statements)
BIG_FAMILY_ITEMS = 25  # extra invoices each large family takes over, on average


def shape_histories(env, accounts, invoices, seed=0.2718):
    """Large families, dependents, addresses, dates of service, procedures, EOBs
    and claims, set-based on the generated rows (dependents' ref: BENCH_REF)."""
    cr = env.cr
    ref = common.BENCH_REF
    extra = max(invoices - accounts, 0)
    big = max(round(accounts * BIG_FAMILY_SHARE), 1) if extra else 0
    move_share = min(0.5, BIG_FAMILY_ITEMS * big / extra) if extra else 0.0
    cr.execute("SELECT setseed(%s)", [seed])
    cr.execute(
        """
        CREATE TEMP TABLE pcs_acc AS
            SELECT pa.id AS account_id, pa.partner_id,
                   row_number() OVER (ORDER BY pa.id) AS n
              FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
             WHERE p.ref = %(ref)s;
        ALTER TABLE pcs_acc ADD COLUMN big_n int;
        UPDATE pcs_acc a SET big_n = b.k
          FROM (SELECT account_id, row_number() OVER (ORDER BY random()) AS k
                  FROM pcs_acc) b
         WHERE b.account_id = a.account_id AND b.k <= %(big)s;
        CREATE UNIQUE INDEX ON pcs_acc (big_n);

        -- every account keeps its first invoice; a share of the others moves
        -- to a large family
        CREATE TEMP TABLE pcs_move AS
            SELECT m.id AS move_id,
                   1 + floor(random() * %(big)s)::int AS big_n
              FROM (SELECT m.id,
                           row_number() OVER (PARTITION BY m.patient_account_id
                                              ORDER BY m.id) AS k
                      FROM account_move m JOIN res_partner p ON p.id = m.partner_id
                     WHERE p.ref = %(ref)s AND m.move_type = 'out_invoice') m
             WHERE m.k > 1 AND random() < %(move_share)s;
        ALTER TABLE pcs_move ADD COLUMN partner_id int, ADD COLUMN account_id int;
        UPDATE pcs_move t SET partner_id = a.partner_id, account_id = a.account_id
          FROM pcs_acc a WHERE a.big_n = t.big_n;
        CREATE UNIQUE INDEX ON pcs_move (move_id);
        ANALYZE pcs_acc; ANALYZE pcs_move;

        UPDATE account_move m
           SET partner_id = t.partner_id, commercial_partner_id = t.partner_id,
               partner_shipping_id = t.partner_id, patient_id = t.partner_id,
               patient_account_id = t.account_id,
               invoice_partner_display_name = p.complete_name
          FROM pcs_move t JOIN res_partner p ON p.id = t.partner_id
         WHERE m.id = t.move_id;
        UPDATE account_move_line l SET partner_id = t.partner_id
          FROM pcs_move t WHERE l.move_id = t.move_id;
        -- their payments follow them
        CREATE TEMP TABLE pcs_pay AS
            SELECT pay.id AS payment_id, pay.move_id, t.partner_id
              FROM pcs_move t
              JOIN account_move__account_payment ap ON ap.invoice_id = t.move_id
              JOIN account_payment pay ON pay.id = ap.payment_id;
        UPDATE account_payment pay SET partner_id = t.partner_id
          FROM pcs_pay t WHERE pay.id = t.payment_id;
        UPDATE account_move m
           SET partner_id = t.partner_id, commercial_partner_id = t.partner_id,
               invoice_partner_display_name = p.complete_name
          FROM pcs_pay t JOIN res_partner p ON p.id = t.partner_id
         WHERE m.id = t.move_id;
        UPDATE account_move_line l SET partner_id = t.partner_id
          FROM pcs_pay t WHERE l.move_id = t.move_id;
        """,
        {"ref": ref, "big": big, "move_share": move_share},
    )
    cr.execute("SELECT count(*) FROM pcs_move")
    moved = cr.fetchone()[0]

    # families: dependents cloned from a generated guarantor row
    cr.execute(
        """
        CREATE TEMP TABLE pcs_dep AS
            SELECT a.partner_id AS guarantor_id, d.k,
                   nextval('res_partner_id_seq')::int AS partner_id,
                   row_number() OVER (ORDER BY a.n, d.k) AS n
              FROM (SELECT a.*, CASE WHEN a.big_n IS NOT NULL
                                     THEN 3 + floor(r * 3)::int
                                     WHEN r < 0.35 THEN 0 WHEN r < 0.60 THEN 1
                                     WHEN r < 0.80 THEN 2 WHEN r < 0.93 THEN 3
                                     ELSE 4 END AS deps
                      FROM (SELECT pcs_acc.*, random() AS r FROM pcs_acc) a) a
              CROSS JOIN LATERAL generate_series(1, a.deps) d(k);
        ANALYZE pcs_dep;
        SELECT partner_id FROM pcs_acc ORDER BY n LIMIT 1;
        """
    )
    template = common.fetch_row(cr, "res_partner", cr.fetchone()[0])
    common.foreign_key_triggers(cr, enabled=False)
    name = "'Bench Patient ' || lpad(d.n::text, 6, '0')"
    dependents = common.clone_insert(cr, "res_partner", template, common.spec(
        f"""id=d.partner_id; name={name}; complete_name={name}; commercial_partner_id=d.partner_id
            guarantor_id=d.guarantor_id; ref='{ref}'; email=NULL; is_patient=TRUE; customer_rank=0
            patient_mrn='PCD-' || lpad(d.n::text, 7, '0')"""),
        "pcs_dep d", unchecked=("commercial_partner_id",))  # fmt: skip
    common.foreign_key_triggers(cr, enabled=True)
    common.check_foreign_keys(
        cr, "res_partner", {"commercial_partner_id": "d.partner_id"}, "pcs_dep d"
    )

    # who each invoice is about: the guarantor or one of the dependents
    us = env.ref("base.us")
    cr.execute(
        "SELECT code, id FROM res_country_state WHERE country_id = %s AND code = ANY(%s)",
        [us.id, [state for _city, state, _zip in CITIES]],
    )
    states = dict(cr.fetchall())
    cr.execute(
        """
        WITH family AS (
            SELECT a.partner_id AS guarantor_id, count(d.partner_id) AS deps
              FROM pcs_acc a LEFT JOIN pcs_dep d ON d.guarantor_id = a.partner_id
          GROUP BY a.partner_id
        ), pick AS (
            SELECT m.id AS move_id, m.partner_id AS guarantor_id,
                   CASE WHEN f.deps = 0 OR random() < 0.3 THEN 0
                        ELSE 1 + floor(random() * f.deps)::int END AS k
              FROM account_move m JOIN family f ON f.guarantor_id = m.partner_id
             WHERE m.move_type = 'out_invoice'
        )
        UPDATE account_move m SET patient_id = d.partner_id
          FROM pick JOIN pcs_dep d ON d.guarantor_id = pick.guarantor_id AND d.k = pick.k
         WHERE m.id = pick.move_id;

        -- dates of service, claims and explanations of benefits
        CREATE TEMP TABLE pcs_eob AS
            SELECT m.id AS move_id, m.amount_total AS a, m.insurance_status AS status,
                   m.invoice_date - floor(random() * 21)::int AS service_date,
                   random()::numeric AS r1, random()::numeric AS r2,
                   random()::numeric AS r3, random()::numeric AS r4
              FROM account_move m JOIN pcs_acc acc ON acc.partner_id = m.partner_id
             WHERE m.move_type = 'out_invoice';
        ALTER TABLE pcs_eob ADD COLUMN charges numeric, ADD COLUMN ins numeric,
            ADD COLUMN adj numeric, ADD COLUMN copay numeric, ADD COLUMN ded numeric,
            ADD COLUMN coins numeric, ADD COLUMN noncov numeric;
        UPDATE pcs_eob SET charges = round(a / (0.15 + 0.35 * r1), 2),
                           copay = LEAST(a, (ARRAY[20, 25, 30, 40])[1 + floor(r3 * 4)::int])
         WHERE status = 'adjudicated';
        UPDATE pcs_eob SET ins = round((charges - a) * (0.55 + 0.35 * r2), 2),
                           ded = round((a - copay) * r4, 2)
         WHERE status = 'adjudicated';
        UPDATE pcs_eob SET adj = charges - a - ins, coins = a - copay - ded, noncov = 0
         WHERE status = 'adjudicated';
        UPDATE pcs_eob SET charges = a, ins = 0, adj = 0, copay = 0, ded = 0, coins = 0,
                           noncov = a
         WHERE status IN ('self_pay', 'denied');
        UPDATE account_move m
           SET service_date = e.service_date,
               insurance_claim_ref = CASE WHEN e.status != 'self_pay'
                                          THEN 'CLM-' || lpad(m.id::text, 9, '0') END,
               amount_charges = e.charges, amount_insurance_paid = e.ins,
               amount_adjustment = e.adj, amount_deductible = e.ded, amount_copay = e.copay,
               amount_coinsurance = e.coins, amount_noncovered = e.noncov
          FROM pcs_eob e WHERE m.id = e.move_id;
        UPDATE account_move_line l
           SET name = (%(procedures)s::text[])[1 + floor(random() * %(n_proc)s)::int]
          FROM pcs_eob e WHERE l.move_id = e.move_id AND l.display_type = 'product';

        -- postal addresses
        UPDATE res_partner p
           SET street = (100 + floor(random() * 8900)::int)::text || ' '
                        || (%(streets)s::text[])[1 + a.n %% %(n_streets)s],
               city = (%(cities)s::text[])[1 + a.n %% %(n_cities)s],
               state_id = (%(states)s::int[])[1 + a.n %% %(n_cities)s],
               zip = (%(zips)s::text[])[1 + a.n %% %(n_cities)s]
                     || lpad(floor(random() * 100)::int::text, 2, '0'),
               country_id = %(us)s
          FROM pcs_acc a WHERE p.id = a.partner_id;
        """,
        {"procedures": PROCEDURES, "n_proc": len(PROCEDURES), "streets": list(STREETS),
         "n_streets": len(STREETS), "cities": [city[0] for city in CITIES], "us": us.id,
         "states": [states.get(city[1]) for city in CITIES], "zips": [city[2] for city in CITIES],
         "n_cities": len(CITIES)},
    )  # fmt: skip
    cr.execute("DROP TABLE pcs_acc, pcs_move, pcs_pay, pcs_dep, pcs_eob")
    env.invalidate_all()
    return {"moved": moved, "dependents": dependents, "large_families": big}


def clocked(fn):
    """(wall seconds, CPU seconds, children's CPU seconds, result) of fn()."""
    t0, c0 = time.perf_counter(), os.times()
    result = fn()
    t1, c1 = time.perf_counter(), os.times()
    cpu = c1.user + c1.system - c0.user - c0.system
    child = c1.children_user + c1.children_system - c0.children_user - c0.children_system
    return t1 - t0, cpu, child, result


def measure_ours(env, accounts, repeat):
    """Values alone, the merged PDF (best of ``repeat``), the per-account PDFs."""
    env.invalidate_all()
    result = {}
    result["values"], cpu, _c, values = clocked(accounts._statement_values)
    say(f"_statement_values(): {result['values']:.2f}s ({cpu:.2f}s CPU), {len(values)} accounts")
    runs = []
    for number in range(1, repeat + 1):
        env.invalidate_all()
        wall, cpu, _c, merged = clocked(accounts._statement_pdf_merged)
        runs.append((wall, cpu))
        say(f"run {number}: _statement_pdf_merged() {wall:.2f}s, {cpu:.2f}s CPU, {len(merged)} B")
    result["merged"], result["merged_cpu"] = min(runs)
    env.invalidate_all()
    result["per_account"], cpu, _c, pdfs = clocked(accounts._statement_pdfs)
    say(f"_statement_pdfs(): {result['per_account']:.2f}s wall, {cpu:.2f}s CPU, {len(pdfs)} PDFs")
    from pypdf import PdfReader  # noqa: PLC0415

    result["pages"] = len(PdfReader(io.BytesIO(merged)).pages)
    common.require(result["pages"] >= len(accounts), f"{result['pages']} pages for {len(accounts)}")
    return result


@contextlib.contextmanager
def loopback_odoo(db):
    """This process's Odoo WSGI application on 127.0.0.1 (a free port), in a
    thread, for ``db`` only: wkhtmltopdf loads the report's stylesheets from it."""
    from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415

    import odoo  # noqa: PLC0415

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    config = odoo.tools.config
    saved = {key: config.get(key) for key in ("dbfilter", "db_name")}
    config["dbfilter"], config["db_name"] = f"^{re.escape(db)}$", db
    server = make_server(
        "127.0.0.1", 0, odoo.http.root, threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
        for key, value in saved.items():
            config[key] = value


def measure_odoo(env, db, invoices):
    """Seconds of Odoo's invoice PDF for each of ``invoices`` (None if skipped)."""
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    state = Report.get_wkhtmltopdf_state()
    if not shutil.which("wkhtmltopdf") or state != "ok":
        say(f"WARNING: wkhtmltopdf missing or {state!r}: Odoo's invoice PDF NOT measured, no ratio")
        return None
    # (Debian's wkhtmltopdf warns it ignores header switches: not errors)
    logging.getLogger("odoo.addons.base.models.ir_actions_report").setLevel(logging.ERROR)
    with loopback_odoo(db) as url:
        env["ir.config_parameter"].set_param("report.url", url)
        render = Report._render_qweb_pdf
        wall, _cpu, child, _r = clocked(
            lambda: render("account.account_invoices", invoices[:1].ids)
        )
        say(f"Odoo's invoice PDF via {url}: warm-up {wall:.2f}s (wkhtmltopdf CPU {child:.2f}s)")
        seconds = []
        for invoice in invoices:
            env.invalidate_all()
            wall, _cpu, child, (pdf, kind) = clocked(
                lambda i=invoice: render("account.account_invoices", i.ids)
            )
            common.require(kind == "pdf" and pdf.startswith(b"%PDF-"), "Odoo gave no PDF")
            seconds.append(wall)
        say(f"{len(invoices)} invoices one per call: {sum(seconds):.2f}s (max {max(seconds):.2f}s)")
    env.cr.rollback()  # report.url back as it was
    return seconds


def main():
    accounts_n = common.size("STATEMENTS", min(common.size("SIZE", 2000), 2000))
    invoices_n = common.size("STATEMENT_INVOICES", 6 * accounts_n)
    sample = common.size("ODOO_SAMPLE", 10)
    repeat = max(common.size("REPEAT", 1), 1)
    if not accounts_n or invoices_n < accounts_n:
        sys.exit(f"need one account and an invoice per account ({accounts_n=}, {invoices_n=})")
    with common.session(__doc__) as (args, env):
        say(
            f"bench statements on {args.db}: {accounts_n} accounts, {invoices_n} invoices, "
            f"Odoo sample {sample}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
        )
        data = common.prepare(
            env, args.db, accounts_n, invoices_n, refresh=False, max_age_days=MAX_AGE
        )
        shaped = shape_histories(env, data.accounts, data.invoices)
        common.refresh_bench(env, args.db, data.today)
        accounts = common.bench_accounts(env)
        common.place_in_statement_stages(env, accounts)
        common.fresh(env, args.db, ["patient_account"])
        say(f"shaped: {shaped}; accounts in their statement stages")
        result = measure_ours(env, accounts, repeat)
        env.cr.rollback()
        result["odoo"] = None
        if sample:
            env.cr.execute(
                "SELECT id FROM account_move WHERE patient_account_id = ANY(%s)"
                " AND move_type = 'out_invoice' ORDER BY id",
                [accounts.ids],
            )
            ids = [r[0] for r in env.cr.fetchall()]
            chosen = random.Random(5).sample(ids, min(sample, len(ids)))
            result["odoo"] = measure_odoo(env, args.db, env["account.move"].browse(chosen))
    ours = accounts_n / result["merged"]
    if result["odoo"]:
        odoo_rate = len(result["odoo"]) / sum(result["odoo"])
        odoo_part = f"odoo_sample={len(result['odoo'])} odoo_invoice={odoo_rate:.2f}doc/s "
        odoo_part += f"ratio={ours / odoo_rate:.1f}"
    else:
        odoo_part = "odoo_invoice=skipped ratio=n/a"
    print(
        f"bench statements: accounts={accounts_n} invoices={data.invoices} "
        f"pages={result['pages']} values={result['values']:.2f}s "
        f"merged={result['merged']:.2f}s merged_cpu={result['merged_cpu']:.2f}s "
        f"per_account={result['per_account']:.2f}s ours={ours:.1f}stmt/s "
        f"ours_pages={result['pages'] / result['merged']:.1f}pages/s {odoo_part}",
    )


if __name__ == "__main__":
    main()
