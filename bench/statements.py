"""Benchmark: patient statements drawn with reportlab, against Odoo's own invoice PDF.

Generates, set-based, guarantor accounts with realistic histories
(common.generate_receivables, then reshaped here):

  * default 2,000 guarantors with patient accounts and 6 invoices per account
    on average, dated up to 180 days back: every account keeps at least one
    invoice, about 5 % of the accounts are large families that take over a
    quarter of the other invoices (about 30 open items each, statements of
    two or three pages); open items per account: median 5, 95th percentile
    about 14, largest about 45;
  * families: most guarantors have 1 to 4 dependents (res.partner with
    guarantor_id; 3 to 5 for the large families), and each invoice is about
    the guarantor or one of the dependents (move.patient_id);
  * every invoice has a date of service (0 to 20 days before the invoice), a
    procedure line named after a CPT code, and an explanation of benefits that
    adds up as the module checks at posting (_patient_check_eob): adjudicated
    claims with charges, insurance paid, contractual adjustment, and the
    patient's deductible, copay and coinsurance; denied claims and self-pay
    visits billed in full as non-covered; insurance-pending claims without EOB
    yet; claim references; about 30 % of the invoices partly paid (real
    payments and partial reconciliations), a few unapplied payments;
  * guarantors' postal addresses (US), balances and aging refreshed by the
    module (_refresh_balances), each account in the statement stage
    (send_statement) its days past due call for, so statements carry the
    stage's message (accounts not yet past due stay in the first stage).

Everything is committed and vacuumed, then measured:

  ours          accounts._statement_pdf_merged(): statement values for all the
                accounts and ONE merged PDF (what _send_statements hands the
                mail house), ORM cache emptied first; statements per second =
                accounts / seconds (wall clock); best of BENCH_REPEAT runs
                (default 1).  This process's CPU time is printed next to it
                (merged_cpu): on a shared machine the wall clock can be twice
                the CPU time.
                Also timed, for information: _statement_values() alone, and
                _statement_pdfs() (one PDF per account, which _send_statements
                also renders for the chatter copies).
  odoo_invoice  Odoo's own customer invoice PDF (QWeb + wkhtmltopdf, Debian's
                build), env["ir.actions.report"]._render_qweb_pdf(
                "account.account_invoices", [invoice_id]) one invoice per call
                (Debian's wkhtmltopdf, built without patched Qt, fails on
                multi-record batches) for BENCH_ODOO_SAMPLE (default 10)
                invoices drawn from the same generated invoices; documents per
                second = sample / total seconds, after one untimed warm-up
                render (QWeb compilation, asset bundles).
  ratio         ours / odoo_invoice (target: at least 100).

wkhtmltopdf loads the report's stylesheets from Odoo's HTTP server (the
report.url parameter, else web.base.url).  With no server the PDF comes out
without any style (and wkhtmltopdf says "network error"), which is not what
users get; so the script serves this database's Odoo WSGI application
(odoo.http.root) itself, on 127.0.0.1 with a free port, in a thread, and sets
report.url to it for the measurement (in the transaction, rolled back).
Everything stays on the loopback interface.  The assets it served are
counted and the PDFs checked.  Without wkhtmltopdf (or with
get_wkhtmltopdf_state() other than "ok") the Odoo side is skipped with a
warning, and the result line says odoo_invoice=skipped ratio=n/a.

Checks: the generated data (common.check_with_orm: residuals and payment
states as Odoo recomputes them; the EOBs add up, by SQL for all invoices
and by _patient_check_eob() for a sample; every journal item has its entry's
partner); the merged PDF opens with pypdf, has as many pages as the
per-account PDFs together (at least one per account), and for a sample of
accounts the first page of their statement in the merged PDF shows their
account number, the amount due and "Page 1 of n", their last page the
account number again (the remittance slip); every Odoo invoice PDF opens
and draws a page (Debian's wkhtmltopdf draws the report's web fonts as
outlines: there is no text to extract), the PDFs of different invoices
differ, and wkhtmltopdf loaded its stylesheets from the loopback server
(no request answered 4xx/5xx, no "network error").  Odoo passes wkhtmltopdf
--javascript-delay report.print_delay (default 1000 ms): part of each call,
left as Odoo ships it, and printed.

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):

    .venv/bin/python bench/statements.py --rc .build/odoo.conf --db pc_bench
    BENCH_STATEMENTS=200 BENCH_ODOO_SAMPLE=3 .venv/bin/python bench/statements.py ...

Variables: ODOO_DB (or BENCH_DB, or --db), ODOO_RC (or --rc), ODOO_PATH
(default /opt/odoo); sizes PC_BENCH_STATEMENTS / BENCH_STATEMENTS (accounts,
default 2000; PC_BENCH_SIZE may lower it, not raise it),
PC_BENCH_STATEMENT_INVOICES / BENCH_STATEMENT_INVOICES (default 6 per
account), PC_BENCH_ODOO_SAMPLE / BENCH_ODOO_SAMPLE (default 10; 0 skips the
Odoo side), BENCH_REPEAT (merged-PDF runs, best kept; default 1);
BENCH_KEEP=1 (or --keep) leaves the generated data in the database
(otherwise it is deleted at the end; bench data left by an earlier run is
always deleted first).

The last line is the result (one line), e.g.
    bench statements: accounts=2000 invoices=12000 pages=2335 values=25.53s
    merged=47.48s merged_cpu=26.68s per_account=66.40s ours=42.1stmt/s
    ours_pages=49.2pages/s odoo_sample=10 odoo_invoice=0.63doc/s ratio=67.0
"""

import hashlib
import io
import logging
import os
import random
import re
import shutil
import statistics
import sys
import threading
import time

import common
from common import say

# Procedure lines of a family practice (CPT code and description).
PROCEDURES = (
    "99213 Office visit, established patient, 20-29 min",
    "99214 Office visit, established patient, 30-39 min",
    "99203 Office visit, new patient, 30-44 min",
    "99395 Preventive visit, 18-39 years",
    "80053 Comprehensive metabolic panel",
    "85025 Complete blood count with differential",
    "83036 Hemoglobin A1c",
    "71046 Chest X-ray, 2 views",
    "93000 Electrocardiogram with interpretation",
    "90471 Immunization administration",
    "97110 Therapeutic exercise, 15 min",
    "99284 Emergency department visit, moderate",
    "73610 X-ray of ankle, 3 views",
    "87880 Rapid strep test",
)
STREETS = ("Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Park Blvd", "Elm St", "Lakeview Rd")
CITIES = (
    ("Springfield", "IL", "627"),
    ("Madison", "WI", "537"),
    ("Columbus", "OH", "432"),
    ("Franklin", "TN", "370"),
    ("Salem", "OR", "973"),
    ("Greenville", "SC", "296"),
    ("Fairview", "TX", "750"),
)
MAX_AGE = 180  # oldest invoice (days): accounts spread over the statement stages
BIG_FAMILY_SHARE = 0.05  # accounts taking over many invoices (long statements)
BIG_FAMILY_ITEMS = 25  # extra invoices each large family takes over, on average
REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"


# ---------------------------------------------------------------------------
# data: histories on top of common.generate_receivables
# ---------------------------------------------------------------------------


def shape_histories(env, accounts, invoices, seed=0.2718):
    """Reshape the generated receivables into realistic statement histories.

    Large families, dependents as patients, addresses, dates of service,
    procedure lines, EOB amounts and claim references (see the module
    docstring).  Set-based, on the rows common.generate_receivables inserted
    (everything hangs off the BENCH_REF guarantors, so clear_bench_data
    removes it all, dependents included).  Commits nothing; returns counts.
    """
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
    template = common._fetch_row(cr, "res_partner", cr.fetchone()[0])
    fk_off = common.foreign_key_triggers(cr, enabled=False)
    dependents = common.clone_insert(
        cr,
        "res_partner",
        template,
        {
            "id": "d.partner_id",
            "name": "'Bench Patient ' || lpad(d.n::text, 6, '0')",
            "complete_name": "'Bench Patient ' || lpad(d.n::text, 6, '0')",
            "commercial_partner_id": "d.partner_id",
            "guarantor_id": "d.guarantor_id",
            "ref": f"'{ref}'",
            "email": "NULL",
            "is_patient": "TRUE",
            "patient_mrn": "'PCD-' || lpad(d.n::text, 7, '0')",
            "customer_rank": "0",
            "create_date": "now() at time zone 'UTC'",
            "write_date": "now() at time zone 'UTC'",
        },
        "pcs_dep d",
        unchecked=("commercial_partner_id",),
    )
    if fk_off:
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
        {
            "procedures": list(PROCEDURES),
            "n_proc": len(PROCEDURES),
            "streets": list(STREETS),
            "n_streets": len(STREETS),
            "cities": [city for city, _state, _zip in CITIES],
            "states": [states.get(state) for _city, state, _zip in CITIES],
            "zips": [zip_ for _city, _state, zip_ in CITIES],
            "n_cities": len(CITIES),
            "us": us.id,
        },
    )
    cr.execute("DROP TABLE pcs_acc, pcs_move, pcs_pay, pcs_dep, pcs_eob")
    env.invalidate_all()
    return {"moved": moved, "dependents": dependents, "large_families": big}


def place_stages(env, accounts):
    """Each account in the statement stage its days past due call for."""
    env.flush_all()
    env.cr.execute(
        """
        UPDATE patient_account pa
           SET stage_id = COALESCE((
                   SELECT st.id FROM patient_account_stage st
                    WHERE st.active AND st.send_statement
                      AND NOT COALESCE(st.is_manual, FALSE)
                      AND NOT COALESCE(st.is_closed, FALSE)
                      AND COALESCE(st.days_past_due_min, 0) <= COALESCE(pa.days_past_due, 0)
                 ORDER BY st.days_past_due_min DESC, st.sequence LIMIT 1), pa.stage_id)
         WHERE pa.id = ANY(%s)
        """,
        [accounts.ids],
    )
    env.invalidate_all()
    env.cr.execute(
        """
        SELECT st.name->>'en_US', count(*) FROM patient_account pa
          JOIN patient_account_stage st ON st.id = pa.stage_id
         WHERE pa.id = ANY(%s) GROUP BY 1 ORDER BY 2 DESC
        """,
        [accounts.ids],
    )
    return env.cr.fetchall()


def check_histories(env, data, accounts, sample=40):
    """EOBs add up, journal items carry their entry's partner; Odoo agrees."""
    cr = env.cr
    moves, lines = common.check_with_orm(env, data)
    cr.execute(
        """
        SELECT count(*) FILTER (WHERE m.amount_charges IS NOT NULL),
               count(*) FILTER (WHERE m.service_date IS NULL),
               count(*) FILTER (WHERE m.amount_charges IS NOT NULL AND (
                   m.amount_charges - m.amount_insurance_paid - m.amount_adjustment
                       != m.amount_total
                   OR m.amount_deductible + m.amount_copay + m.amount_coinsurance
                      + m.amount_noncovered != m.amount_total
                   OR LEAST(m.amount_charges, m.amount_insurance_paid, m.amount_adjustment,
                            m.amount_deductible, m.amount_copay, m.amount_coinsurance,
                            m.amount_noncovered) < 0)),
               count(*) FILTER (WHERE m.patient_id != m.partner_id)
          FROM account_move m
         WHERE m.patient_account_id = ANY(%s) AND m.move_type = 'out_invoice'
        """,
        [accounts.ids],
    )
    with_eob, no_service, bad_eob, dependents = cr.fetchone()
    common.require(not no_service, f"{no_service} invoices without a date of service")
    common.require(not bad_eob, f"{bad_eob} invoices whose EOB does not add up")
    cr.execute(
        """
        SELECT count(*) FROM account_move_line l JOIN account_move m ON m.id = l.move_id
          JOIN res_partner p ON p.id = m.partner_id
         WHERE p.ref = %s AND l.partner_id IS DISTINCT FROM m.partner_id
        """,
        [common.BENCH_REF],
    )
    stray = cr.fetchone()[0]
    common.require(not stray, f"{stray} journal items have another partner than their entry")
    cr.execute(
        "SELECT id FROM account_move WHERE patient_account_id = ANY(%s)"
        " AND amount_charges IS NOT NULL ORDER BY random() LIMIT %s",
        [accounts.ids, sample],
    )
    env["account.move"].browse([r[0] for r in cr.fetchall()])._patient_check_eob()
    return {
        "orm_moves": moves,
        "orm_lines": lines,
        "with_eob": with_eob,
        "about_dependents": dependents,
    }


def history_stats(env, accounts):
    env.cr.execute(
        """
        SELECT count(l.id) FROM patient_account pa
          LEFT JOIN patient_account_line l ON l.account_id = pa.id
         WHERE pa.id = ANY(%s) GROUP BY pa.id
        """,
        [accounts.ids],
    )
    counts = sorted(r[0] for r in env.cr.fetchall())
    return {
        "items": sum(counts),
        "min": counts[0],
        "median": statistics.median(counts),
        "p95": counts[int(0.95 * (len(counts) - 1))],
        "max": counts[-1],
    }


# ---------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------


def clocks():
    """(wall, this process's CPU, finished children's CPU) in seconds."""
    t = os.times()
    return time.perf_counter(), t.user + t.system, t.children_user + t.children_system


def measure_ours(env, accounts, repeat):
    """Time values alone, the merged PDF (best of ``repeat``) and the per-account PDFs."""
    result = {}
    env.invalidate_all()
    start = clocks()
    values = accounts._statement_values()
    end = clocks()
    result["values"] = end[0] - start[0]
    result["values_rows"] = sum(len(v["rows"]) for v in values)
    say(
        f"_statement_values(): {result['values']:.2f}s ({end[1] - start[1]:.2f}s CPU) "
        f"for {len(values)} accounts, {result['values_rows']} rows"
    )
    del values
    merged = None
    runs, cpu = [], []
    for number in range(1, repeat + 1):
        env.invalidate_all()
        start = clocks()
        merged = accounts._statement_pdf_merged()
        end = clocks()
        runs.append(end[0] - start[0])
        cpu.append(end[1] - start[1])
        say(
            f"run {number}: _statement_pdf_merged() {runs[-1]:.2f}s wall, "
            f"{end[1] - start[1]:.2f}s CPU, {len(merged) / 1e6:.1f} MB "
            f"(load average {os.getloadavg()[0]:.2f})"
        )
    result["merged"] = min(runs)
    result["merged_cpu"] = cpu[runs.index(min(runs))]
    result["merged_runs"] = runs
    env.invalidate_all()
    start = clocks()
    pdfs = accounts._statement_pdfs()
    end = clocks()
    result["per_account"] = end[0] - start[0]
    say(
        f"_statement_pdfs(): {result['per_account']:.2f}s wall, {end[1] - start[1]:.2f}s CPU, "
        f"{len(pdfs)} PDFs, {sum(map(len, pdfs)) / 1e6:.1f} MB"
    )
    return result, merged, pdfs


def _text(page):
    return re.sub(r"\s+", " ", (page.extract_text() or "").replace("\xa0", " "))


def check_statements(env, accounts, merged, pdfs, sample=25):
    """Pages of the merged PDF against the per-account PDFs and the accounts."""
    from pypdf import PdfReader  # noqa: PLC0415 (Odoo's dependency, in the venv)

    common.require(len(pdfs) == len(accounts), f"{len(pdfs)} PDFs for {len(accounts)} accounts")
    counts = []
    for pdf in pdfs:
        common.require(pdf.startswith(b"%PDF-"), "a per-account statement is not a PDF")
        counts.append(len(PdfReader(io.BytesIO(pdf)).pages))
    reader = PdfReader(io.BytesIO(merged))
    pages = len(reader.pages)
    common.require(
        pages == sum(counts) and pages >= len(accounts),
        f"the merged PDF has {pages} pages, the per-account PDFs {sum(counts)}, "
        f"for {len(accounts)} accounts",
    )
    offsets = [0]
    for count in counts:
        offsets.append(offsets[-1] + count)
    rng = random.Random(11)
    indexes = sorted(
        {0, len(accounts) - 1, *rng.sample(range(len(accounts)), min(sample, len(accounts)))}
    )
    # the longest statement too
    indexes.append(max(range(len(counts)), key=counts.__getitem__))
    for index in indexes:
        account = accounts[index]
        first = _text(reader.pages[offsets[index]])
        due = account.currency_id.format(account.balance_due).replace("\xa0", " ")
        for what, expected in (
            ("account number", account.name),
            ("amount due", due),
            ("page label", f"Page 1 of {counts[index]}"),
        ):
            common.require(
                expected in first,
                f"page {offsets[index] + 1} (first of account {account.name}) lacks its "
                f"{what} {expected!r}: {first[:300]!r}",
            )
        last = _text(reader.pages[offsets[index + 1] - 1])
        common.require(
            account.name in last and f"Page {counts[index]} of {counts[index]}" in last,
            f"page {offsets[index + 1]} (last of account {account.name}) lacks the account "
            f"number or its page label: {last[:300]!r}",
        )
    spread = {}
    for count in counts:
        spread[count] = spread.get(count, 0) + 1
    return pages, spread, len(indexes)


class _AssetCounter:
    """WSGI middleware: remembers (path, status) of every request served."""

    def __init__(self, app):
        self.app = app
        self.hits = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")

        def counting_start_response(status, headers, exc_info=None):
            self.hits.append((path, status.split(" ", 1)[0]))
            return start_response(status, headers, exc_info)

        return self.app(environ, counting_start_response)


class _LoopbackOdoo:
    """This process's Odoo WSGI application, served on 127.0.0.1 in a thread.

    Requests go to ``db`` only (dbfilter and db_name set for the duration).
    """

    def __init__(self, db):
        from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: PLC0415

        import odoo  # noqa: PLC0415

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        self.config = odoo.tools.config
        self.saved = {key: self.config.get(key) for key in ("dbfilter", "db_name")}
        self.config["dbfilter"] = f"^{re.escape(db)}$"
        self.config["db_name"] = db
        self.app = _AssetCounter(odoo.http.root)
        # port 0: the kernel picks a free port, no race with other processes
        self.server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, name="bench-statements-http", daemon=True
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
        for key, value in self.saved.items():
            self.config[key] = value


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def measure_odoo(env, db, invoices):
    """Seconds per call of Odoo's invoice PDF for each of ``invoices`` (None if skipped)."""
    Report = env["ir.actions.report"].with_context(force_report_rendering=True)
    binary = shutil.which("wkhtmltopdf")
    state = Report.get_wkhtmltopdf_state()
    if not binary or state != "ok":
        say(
            f"WARNING: wkhtmltopdf {'is not installed' if not binary else f'state is {state!r}'}"
            " (Debian: apt-get install -y wkhtmltopdf, as make bench does when root): "
            "Odoo's invoice PDF is NOT measured, no ratio"
        )
        return None
    from pypdf import PdfReader  # noqa: PLC0415

    server = _LoopbackOdoo(db)
    collect = _Collect()
    logger = logging.getLogger(REPORT_LOGGER)
    logger.addHandler(collect)
    propagate, logger.propagate = logger.propagate, False
    try:
        env["ir.config_parameter"].set_param("report.url", server.url)
        delay = env["ir.config_parameter"].sudo().get_param("report.print_delay", "1000")
        say(
            f"Odoo's invoice PDF: wkhtmltopdf {binary}, assets served by this process on "
            f"{server.url} (report.url, for this transaction only); report.print_delay "
            f"{delay} ms (wkhtmltopdf --javascript-delay)"
        )
        start = clocks()
        Report._render_qweb_pdf("account.account_invoices", invoices[:1].ids)
        end = clocks()
        say(
            f"warm-up render (QWeb compilation, asset bundles): {end[0] - start[0]:.2f}s, "
            f"wkhtmltopdf CPU {end[2] - start[2]:.2f}s"
        )
        served_before = len(server.app.hits)
        warnings_before = len(collect.messages)
        seconds = []
        cpu = child = 0.0
        digests = set()
        for invoice in invoices:
            env.invalidate_all()
            start = clocks()
            pdf, kind = Report._render_qweb_pdf("account.account_invoices", invoice.ids)
            end = clocks()
            seconds.append(end[0] - start[0])
            cpu += end[1] - start[1]
            child += end[2] - start[2]
            common.require(kind == "pdf" and pdf.startswith(b"%PDF-"), "Odoo gave no PDF")
            page = PdfReader(io.BytesIO(pdf)).pages[0]
            drawn = len(page.get_contents().get_data())
            common.require(
                drawn > 2_000, f"the PDF of {invoice.name} is nearly empty ({drawn} bytes drawn)"
            )
            digests.add(hashlib.sha1(pdf).hexdigest())
        common.require(
            len(digests) == len(invoices), "Odoo gave the same PDF for different invoices"
        )
        hits = server.app.hits[served_before:]
        assets = [(path, status) for path, status in hits if path.startswith("/web/assets/")]
        failed = [(path, status) for path, status in hits if status >= "400"]
        warnings = collect.messages[warnings_before:]
        network = [m for m in warnings if "network error" in m.lower()]
        common.require(
            assets and not failed and not network,
            f"wkhtmltopdf did not get its stylesheets from {server.url}: assets served "
            f"{assets[:3]}, failed requests {failed[:3]}, warnings {network[:1]}",
        )
        say(
            f"{len(invoices)} invoices rendered one per call: {sum(seconds):.2f}s "
            f"(min {min(seconds):.2f}s, max {max(seconds):.2f}s per invoice); Odoo process "
            f"CPU {cpu:.2f}s, wkhtmltopdf CPU {child:.2f}s; {len(assets)} asset requests "
            f"served ({len(assets) // len(invoices)} per invoice), no request failed"
        )
        if warnings:
            first = re.sub(r"\s+", " ", warnings[0])[:240]
            say(f"wkhtmltopdf warnings (not errors): {len(warnings)}, e.g. {first}")
        return seconds
    finally:
        logger.removeHandler(collect)
        logger.propagate = propagate
        server.close()
        env.cr.rollback()  # report.url back as it was


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts_n = common.size("STATEMENTS", min(common.size("SIZE", 2000), 2000))
    invoices_n = common.size("STATEMENT_INVOICES", 6 * accounts_n)
    sample = common.size("ODOO_SAMPLE", 10)
    repeat = max(common.size("REPEAT", 1), 1)
    if not accounts_n or invoices_n < accounts_n:
        sys.exit(
            f"need at least one account and one invoice per account "
            f"(accounts={accounts_n}, invoices={invoices_n})"
        )
    say(
        f"bench statements on database {args.db}: {accounts_n} accounts, {invoices_n} "
        f"invoices, Odoo invoice PDF sample {sample}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs"
    )
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env)
        data = common.generate_receivables(env, accounts_n, invoices_n, max_age_days=MAX_AGE)
        try:
            result = prepare_and_measure(env, args.db, data, sample, repeat)
        finally:
            cr.rollback()
            if args.keep:
                say("--keep: the generated data stays in the database")
            else:
                seconds, _n = common.timed(lambda: common.clear_bench_data(env))
                cr.commit()
                common.vacuum_analyze(args.db, common.BENCH_TABLES)
                say(f"generated data deleted in {seconds:.1f}s (and vacuumed)")

    ours = accounts_n / result["merged"]
    pages_s = result["pages"] / result["merged"]
    if result["odoo"]:
        odoo_rate = len(result["odoo"]) / sum(result["odoo"])
        ratio = ours / odoo_rate
        say(
            f"ours {ours:.1f} statements/s vs Odoo {odoo_rate:.2f} invoices/s: ratio "
            f"{ratio:.1f}, {'meets' if ratio >= 100 else 'misses'} the target of 100"
        )
        odoo_part = f"odoo_sample={len(result['odoo'])} odoo_invoice={odoo_rate:.2f}doc/s "
        ratio_part = f"ratio={ratio:.1f}"
    else:
        odoo_part = "odoo_invoice=skipped "
        ratio_part = "ratio=n/a"
    print(
        f"bench statements: accounts={accounts_n} invoices={data.invoices} "
        f"pages={result['pages']} values={result['values']:.2f}s "
        f"merged={result['merged']:.2f}s merged_cpu={result['merged_cpu']:.2f}s "
        f"per_account={result['per_account']:.2f}s "
        f"ours={ours:.1f}stmt/s ours_pages={pages_s:.1f}pages/s {odoo_part}{ratio_part}",
        flush=True,
    )


def prepare_and_measure(env, db, data, sample, repeat):
    cr = env.cr
    Account = env["patient.account"]
    shaped = shape_histories(env, data.accounts, data.invoices)
    accounts = Account.search([("partner_id.ref", "=", common.BENCH_REF)], order="id")
    accounts._refresh_balances(today=data.today)
    stages = place_stages(env, accounts)
    cr.commit()
    seconds, _r = common.timed(lambda: common.vacuum_analyze(db, common.BENCH_TABLES))
    say(
        f"generated in {data.seconds:.1f}s and shaped: {data.accounts} guarantors and accounts "
        f"({shaped['large_families']} large families took over {shaped['moved']} invoices), "
        f"{shaped['dependents']} dependents, {data.invoices} invoices "
        f"({data.expected['partly_paid_invoices']} partly paid, "
        f"{data.expected['pending_invoices']} insurance-pending), {data.payments} payments "
        f"({data.unapplied} unapplied); committed, VACUUM ANALYZE {seconds:.1f}s"
    )
    checks = check_histories(env, data, accounts)
    stats = history_stats(env, accounts)
    say(
        f"checked: {checks['with_eob']} invoices with an EOB that adds up, "
        f"{checks['about_dependents']} about a dependent; Odoo recomputes "
        f"{checks['orm_moves']} moves / {checks['orm_lines']} lines as generated; "
        f"open items per account: min {stats['min']}, median {stats['median']:g}, "
        f"p95 {stats['p95']}, max {stats['max']} ({stats['items']} in all)"
    )
    say("stages: " + ", ".join(f"{name} {count}" for name, count in stages))
    cr.rollback()
    env.invalidate_all()

    result, merged, pdfs = measure_ours(env, accounts, repeat)
    pages, spread, checked = check_statements(env, accounts, merged, pdfs)
    result["pages"] = pages
    say(
        f"merged PDF: {pages} pages for {len(accounts)} statements ("
        + ", ".join(f"{n} page{'s' if n > 1 else ''}: {c}" for n, c in sorted(spread.items()))
        + f"); {checked} statements checked page by page"
    )
    del merged, pdfs
    cr.rollback()

    result["odoo"] = None
    if sample:
        cr.execute(
            "SELECT id FROM account_move WHERE patient_account_id = ANY(%s)"
            " AND move_type = 'out_invoice' ORDER BY id",
            [accounts.ids],
        )
        ids = [r[0] for r in cr.fetchall()]
        chosen = random.Random(5).sample(ids, min(sample, len(ids)))
        result["odoo"] = measure_odoo(env, db, env["account.move"].browse(chosen))
    else:
        say("BENCH_ODOO_SAMPLE=0: Odoo's invoice PDF not measured")
    return result


if __name__ == "__main__":
    main()
