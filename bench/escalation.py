"""Benchmark: the escalation of the daily collections run, against its SQL floor.

On PC_BENCH_ACCOUNTS accounts (PC_BENCH_SIZE, else 50000; 5 invoices each up to BENCH_MAX_AGE=200
days old) placed so a third will move (behind their stage, gates failed, ahead, on hold, manual,
reopened, settled; 60 % with one of four specialists following them), best of BENCH_REPEAT (3),
rolled back: plan+writes = _escalation_plan() and _write_stage() per stage, flushed; floor_select =
one SQL statement with every rule of logic.escalation (checked equal to the plan, account for
account); floor_update = it as the UPDATE _write_stage makes; ratio = plan+writes / floor_update.
Then run() once as the cron runs it, with the time of each step.
"""

import datetime
import time

import common
from common import say

# Shares of the placement (of the accounts owing something).
HOLD_SHARE = 0.06  # on hold for a reason the run does not lift
MANUAL_SHARE = 0.04  # in the manual stage (Payment plan)
REOPEN_SHARE = 0.01  # in the closed stage while owing again
BEHIND_SHARE = 0.42  # one (or, a quarter of them, two) stages behind
AHEAD_SHARE = 0.04  # one stage ahead (paid down): forward only, they stay
SPECIALIST_SHARE = 0.60  # accounts with a specialist
LOGINS = [f"pcb-esc-specialist-{n}@bench.example.com" for n in range(1, 5)]

# One statement: the stage the run moves each account to, by every rule of
# logic.escalation (accounts that stay are not returned; active stages only;
# flags a data file leaves unset are NULL: IS TRUE / COALESCE).  The notice
# sequence: the automatic stages that send a statement or are the final notice,
# up to the last final notice, whose minimum balance the account owes; it has
# received those at or before its stage (in no letter stage: as many as the
# letters logged, never the final notice; all with a final notice date); it
# never passes the next letter and enters a letter stage only the company's
# interval (0: the statement cycle) after the previous letter; extraordinary
# stages the gates refuse are left out (the furthest stage before them).
FLOOR_SELECT_SQL = """
    WITH st AS (
           SELECT s.id, s.sequence, COALESCE(s.days_past_due_min, 0) AS dmin,
                  COALESCE(s.balance_min, 0) AS bmin,
                  s.is_extraordinary_action IS TRUE AS extra,
                  s.is_final_notice IS TRUE AS final,
                  (s.send_statement IS TRUE OR s.is_final_notice IS TRUE)
                  AND (lf.id IS NULL OR (s.sequence, s.id) <= (lf.sequence, lf.id)) AS letter
             FROM patient_account_stage s
        LEFT JOIN LATERAL (
                  SELECT f.id, f.sequence FROM patient_account_stage f
                   WHERE f.active AND f.is_final_notice IS TRUE
                     AND f.is_manual IS NOT TRUE AND f.is_closed IS NOT TRUE
                ORDER BY f.sequence DESC, f.id DESC LIMIT 1
                  ) lf ON TRUE
            WHERE s.active AND s.is_manual IS NOT TRUE AND s.is_closed IS NOT TRUE
    )
    SELECT pa.id, COALESCE(z.id, t.id) AS target
      FROM patient_account pa
      JOIN res_company co ON co.id = pa.company_id
      LEFT JOIN patient_account_stage cur ON cur.id = pa.stage_id AND cur.active
     CROSS JOIN LATERAL (
           SELECT pa.balance_due <= 0 AND pa.balance_insurance_pending <= 0 AS settled,
                  GREATEST(pa.balance_due, 0) AS bal,
                  cur.id IS NOT NULL AND cur.is_closed IS NOT TRUE AS has_start,
                  COALESCE(NULLIF(co.collections_letter_interval_days, 0),
                           GREATEST(co.collections_statement_cycle_days, 1)) AS interval
     ) x
      LEFT JOIN LATERAL (  -- the letters logged on it; its stage's letter
           SELECT count(*) FILTER (WHERE i.channel = 'letter') AS sent,
                  (max(i.date) FILTER (WHERE i.channel = 'letter'))::date AS last,
                  (min(i.date) FILTER (WHERE i.date::date >= pa.stage_date))::date AS stage
             FROM patient_interaction i
            WHERE i.account_id = pa.id AND i.channel IN ('letter', 'email')
              AND i.state = 'logged'
     ) h ON TRUE
      LEFT JOIN LATERAL (  -- its letters: how many by its stage, before the final notice
           SELECT count(*) AS n,
                  count(*) FILTER (WHERE x.has_start
                                     AND (l.sequence, l.id) <= (cur.sequence, cur.id)) AS by_stage,
                  COALESCE(bool_or(x.has_start AND l.id = cur.id), FALSE) AS in_letter,
                  count(*) FILTER (WHERE l.finals = 0) AS before_final
             FROM (SELECT st.id, st.sequence,
                          count(*) FILTER (WHERE st.final)
                              OVER (ORDER BY st.sequence, st.id) AS finals
                     FROM st WHERE st.letter AND st.bmin <= x.bal) l
     ) lt ON TRUE
     CROSS JOIN LATERAL (
           SELECT CASE WHEN pa.final_notice_date IS NOT NULL THEN lt.n
                       ELSE GREATEST(lt.by_stage,
                                     CASE WHEN lt.in_letter THEN 0
                                          ELSE LEAST(h.sent, lt.before_final) END)
                  END AS received,
                  CASE WHEN NOT lt.in_letter
                            THEN GREATEST(h.last, pa.last_statement_date, pa.final_notice_date)
                       WHEN cur.send_statement IS TRUE
                            AND pa.cease_communication IS NOT TRUE AND pa.balance_due > 0
                            AND (pa.last_statement_date IS NULL
                                 OR pa.last_statement_date < pa.stage_date)
                            THEN %(today)s::date  -- its stage's letter is still to go out
                       ELSE GREATEST(pa.stage_date, h.stage)
                  END AS last_letter
     ) r
      LEFT JOIN LATERAL (  -- the next letter
           SELECT st.id, st.sequence FROM st
            WHERE st.letter AND st.bmin <= x.bal
         ORDER BY st.sequence, st.id OFFSET r.received LIMIT 1
     ) nl ON TRUE
     CROSS JOIN LATERAL (
           SELECT r.last_letter IS NULL
                  OR %(today)s::date >= r.last_letter + x.interval AS interval_over,
                  co.collections_501r_gating IS TRUE AND (
                      COALESCE(pa.first_statement_date, pa.first_open_date) IS NULL
                      OR %(today)s::date < COALESCE(pa.first_statement_date, pa.first_open_date)
                                           + co.collections_notification_days
                      OR pa.final_notice_date IS NULL
                      OR %(today)s::date < pa.final_notice_date
                                           + co.collections_final_notice_days) AS gated
                  -- (the financial-assistance and dispute gates look at the hold
                  -- reason: held accounts are already out)
     ) g
      LEFT JOIN LATERAL (  -- the furthest stage it qualifies for and may enter
           SELECT s.id, s.sequence
             FROM st s
            WHERE NOT x.settled
              AND pa.days_past_due >= s.dmin AND x.bal >= s.bmin
              AND (nl.id IS NULL OR (s.sequence, s.id) <= (nl.sequence, nl.id))
              AND NOT (s.letter AND NOT g.interval_over)
              AND NOT (s.extra AND g.gated)
         ORDER BY s.sequence DESC, s.id DESC
            LIMIT 1
     ) t ON TRUE
      LEFT JOIN LATERAL (  -- nothing owed: the first closed stage
           SELECT s.id
             FROM patient_account_stage s
            WHERE x.settled AND s.active AND s.is_closed IS TRUE
         ORDER BY s.sequence, s.id
            LIMIT 1
     ) z ON TRUE
     WHERE pa.company_id = ANY(%(companies)s)
       AND pa.active
       AND pa.hold_reason IS NULL
       AND cur.is_manual IS NOT TRUE
       AND CASE
           WHEN x.settled THEN z.id IS NOT NULL AND z.id IS DISTINCT FROM cur.id
           ELSE t.id IS NOT NULL
                AND (NOT x.has_start OR (t.sequence, t.id) > (cur.sequence, cur.id))
           END
"""

FLOOR_UPDATE_SQL = f"""
    WITH plan AS ({FLOOR_SELECT_SQL})
    UPDATE patient_account pa
       SET stage_id = plan.target,
           stage_date = %(today)s,
           final_notice_date = CASE WHEN s.is_final_notice IS TRUE THEN %(today)s::date
                                    ELSE pa.final_notice_date END,
           write_uid = %(uid)s,
           write_date = now() at time zone 'UTC'
      FROM plan
      JOIN patient_account_stage s ON s.id = plan.target
     WHERE pa.id = plan.id
"""  # noqa: S608 (two constants)


def subscribe_specialists(env):
    """Each specialist follows their accounts (as assigning through the ORM makes them), set-based,
    with the subtypes of one subscription made through the ORM (rolled back).  Returns how many."""
    cr = env.cr
    cr.execute(
        """
        SELECT pa.id FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
         WHERE p.ref = %s AND pa.user_id IS NOT NULL ORDER BY pa.id LIMIT 1
        """,
        [common.BENCH_REF],
    )
    row = cr.fetchone()
    if not row:
        return 0
    account = env["patient.account"].browse(row[0])
    partner = account.user_id.partner_id
    savepoint = cr.savepoint()
    try:
        account.message_subscribe(partner_ids=partner.ids)
        follower = account.message_follower_ids.filtered(lambda f: f.partner_id == partner)
        subtype_ids = follower.subtype_ids.ids
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
    cr.execute(
        """
        WITH ins AS (
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'patient.account', pa.id, u.partner_id
              FROM patient_account pa
              JOIN res_partner p ON p.id = pa.partner_id AND p.ref = %(ref)s
              JOIN res_users u ON u.id = pa.user_id
            ON CONFLICT DO NOTHING
            RETURNING id
        ), rel AS (
            INSERT INTO mail_followers_mail_message_subtype_rel
                        (mail_followers_id, mail_message_subtype_id)
            SELECT ins.id, st FROM ins, unnest(%(subtypes)s::int[]) st
        )
        SELECT count(*) FROM ins
        """,
        {"ref": common.BENCH_REF, "subtypes": subtype_ids},
    )
    return cr.fetchone()[0]


def place_accounts(env, today, users):
    """The bench accounts' stages, holds, dates and specialists, set-based from
    each one's qualifying stage (see the module docstring); {kind: accounts}."""
    cr = env.cr
    Stage = env["patient.account.stage"]
    auto = Stage.search(
        [("is_manual", "=", False), ("is_closed", "=", False)], order="sequence, id"
    )
    manual = Stage.search([("is_manual", "=", True)], order="sequence, id", limit=1)
    closed = Stage.search([("is_closed", "=", True)], order="sequence, id", limit=1)
    final = auto.filtered("is_final_notice")[:1]
    common.require(
        len(auto) >= 3 and manual and closed, f"unexpected stages: {auto.mapped('name')}"
    )
    company = env.company
    final_days = final.days_past_due_min if final else None
    params = {
        "auto": auto.ids, "ref": common.BENCH_REF, "h": HOLD_SHARE, "m": MANUAL_SHARE,
        "r": REOPEN_SHARE, "b": BEHIND_SHARE, "a": AHEAD_SHARE, "max_rank": len(auto),
        "closed": closed.id, "manual": manual.id, "today": today,
        "notification": company.collections_notification_days,
        "cycle": max(company.collections_statement_cycle_days or 0, 1),
        "first_days": auto[1].days_past_due_min,  # (the stage after New: the first statement)
        "final_days": final_days, "specialist": SPECIALIST_SHARE, "users": users.ids,
        "final_rank": (list(auto).index(final) + 1) if final else len(auto) + 1,
        "n_users": len(users),
    }  # fmt: skip
    cr.execute("SELECT setseed(0.2424)")
    cr.execute(
        """
        CREATE TEMP TABLE pcb_stage ON COMMIT DROP AS
            SELECT id, COALESCE(days_past_due_min, 0) AS days_past_due_min,
                   COALESCE(balance_min, 0) AS balance_min,
                   COALESCE(is_extraordinary_action, FALSE) AS extraordinary,
                   row_number() OVER (ORDER BY sequence, id)::int AS rank
              FROM patient_account_stage WHERE id = ANY(%(auto)s);
        CREATE TEMP TABLE pcb_esc ON COMMIT DROP AS
            SELECT pa.id, pa.days_past_due AS dpd,
                   pa.balance_due <= 0 AND pa.balance_insurance_pending <= 0 AS settled,
                   pa.balance_due <= 0 AND pa.balance_insurance_pending > 0 AS insurance_only,
                   COALESCE(q.rank, 1) AS q_rank, COALESCE(q.extraordinary, FALSE) AS q_extra,
                   random() AS r_kind, random() AS r_step, random() AS r_gate,
                   random() AS r_user, NULL::text AS kind, NULL::int AS place_rank
              FROM patient_account pa
              JOIN res_partner p ON p.id = pa.partner_id AND p.ref = %(ref)s
              LEFT JOIN LATERAL (
                   SELECT s.rank, s.extraordinary FROM pcb_stage s
                    WHERE pa.days_past_due >= s.days_past_due_min
                      AND GREATEST(pa.balance_due, 0) >= s.balance_min
                 ORDER BY s.rank DESC LIMIT 1) q ON TRUE;
        UPDATE pcb_esc SET kind = CASE
                WHEN insurance_only THEN 'insurance_hold'
                WHEN settled THEN CASE WHEN r_kind < 0.5 THEN 'resolved' ELSE 'settle' END
                WHEN r_kind < %(h)s THEN 'hold'
                WHEN r_kind < %(h)s + %(m)s THEN 'manual'
                WHEN r_kind < %(h)s + %(m)s + %(r)s THEN 'reopen'
                WHEN r_kind < %(h)s + %(m)s + %(r)s + %(b)s THEN 'behind'
                WHEN r_kind < %(h)s + %(m)s + %(r)s + %(b)s + %(a)s THEN 'ahead'
                ELSE 'current' END;
        UPDATE pcb_esc SET place_rank = CASE kind
                WHEN 'behind' THEN GREATEST(q_rank - CASE WHEN r_step < 0.25 THEN 2 ELSE 1 END, 1)
                WHEN 'hold' THEN GREATEST(q_rank - 1, 1)
                WHEN 'ahead' THEN LEAST(q_rank + 1, %(max_rank)s)
                ELSE q_rank END;
        """,
        params,
    )
    # Statement and final notice dates as if sent when the account reached
    # those stages; 501(r) gates failed by a share of those bound for an
    # extraordinary stage from behind.
    cr.execute(
        """
        UPDATE patient_account pa
           SET stage_id = CASE WHEN e.kind IN ('resolved', 'reopen') THEN %(closed)s
                               WHEN e.kind = 'manual' THEN %(manual)s
                               ELSE s.id END,
               stage_date = CASE WHEN e.kind = 'behind'
                                 -- entered a cycle ago or more: its next letter may go
                                 THEN %(today)s::date - %(cycle)s - floor(e.r_step * 20)::int
                                 ELSE %(today)s::date - 3 END,
               hold_reason = CASE e.kind
                   WHEN 'insurance_hold' THEN 'insurance_pending'
                   WHEN 'hold' THEN (ARRAY['dispute', 'financial_assistance', 'bankruptcy',
                                           'other', 'deceased'])[1 + floor(e.r_step * 5)::int]
                   END,
               hold_until = CASE WHEN e.kind = 'hold' AND e.r_step >= 0.6
                                 THEN %(today)s::date + 30 END,
               hold_auto = e.kind = 'insurance_hold',
               first_statement_date = CASE
                   WHEN e.kind = 'behind' AND e.q_extra AND e.r_gate < 0.20
                       THEN %(today)s::date - %(notification)s / 2
                   WHEN e.place_rank >= 2 AND e.dpd >= %(first_days)s
                       THEN %(today)s::date - (e.dpd - %(first_days)s) END,
               final_notice_date = CASE
                   WHEN e.kind = 'behind' AND e.q_extra AND e.r_gate >= 0.20 AND e.r_gate < 0.35
                       THEN NULL
                   WHEN e.kind = 'behind' AND e.q_extra AND e.r_gate >= 0.35 AND e.r_gate < 0.45
                       THEN %(today)s::date - 10
                   WHEN e.place_rank >= %(final_rank)s AND e.dpd >= %(final_days)s
                       THEN %(today)s::date - (e.dpd - %(final_days)s) END,
               user_id = CASE WHEN e.r_user < %(specialist)s
                              THEN (%(users)s::int[])[1 + floor(e.r_user / %(specialist)s
                                                              * %(n_users)s)::int] END
          FROM pcb_esc e JOIN pcb_stage s ON s.rank = e.place_rank
         WHERE pa.id = e.id
        """,
        params,
    )
    # steady state of the statement cycle: the last statement 1 to cycle days
    # ago, so about 1/cycle of the accounts in statement stages are due today
    cr.execute(
        """
        UPDATE patient_account pa
           SET last_statement_date = %(today)s::date - 1 - floor(random() * %(cycle)s)::int
          FROM pcb_esc e, patient_account_stage s
         WHERE pa.id = e.id AND s.id = pa.stage_id AND s.send_statement IS TRUE
        """,
        params,
    )
    cr.execute("SELECT kind, count(*) FROM pcb_esc GROUP BY kind ORDER BY kind")
    kinds = dict(cr.fetchall())
    cr.execute("DROP TABLE pcb_esc, pcb_stage")
    env.invalidate_all()
    return kinds


def run_plan_and_writes(env, db, companies, today):
    """(a) rolled back: (seconds of the plan, of the writes, queries, targets, stats)."""
    common.fresh(env, db, ["patient_account"])
    cr = env.cr
    Stage = env["patient.account.stage"].with_context(active_test=False)
    stats = common.run_counts()
    q0, t0 = cr.sql_log_count, time.perf_counter()
    plan = env["patient.collection.run"]._escalation_plan(companies, today, stats)
    t1 = time.perf_counter()
    for stage_id, account_ids in plan.items():
        env["patient.account"].browse(account_ids)._write_stage(Stage.browse(stage_id))
    env.flush_all()
    t2, queries = time.perf_counter(), cr.sql_log_count - q0
    cr.rollback()
    return t1 - t0, t2 - t1, queries, {a: s for s, ids in plan.items() for a in ids}, stats


def run_floor(env, db, sql, params):
    """(seconds, rows or rowcount) of one floor statement, rolled back.  No
    parallel workers (an UPDATE never gets any) and no JIT: the LATERAL
    subqueries push its estimated cost past jit_above_cost, and compiling costs
    more than running it (Odoo's statements, 5,000 rows at most, stay below)."""
    common.fresh(env, db, ["patient_account"])
    return common.run_sql(env, sql, params, ("max_parallel_workers_per_gather = 0", "jit = off"))


STEP_PARTS = {  # the calls timed inside the run's steps, where the module has them
    "patient.collection.run": "_escalation_plan",
    "patient.account": """_write_stage _message_log_batch _schedule_stage_activities
        _send_statements _statement_values _statement_pdf_merged _statement_pdfs""",
    "patient.interaction": "_apply_outcomes",
}


def run_collections(env, db, today):
    """(b): the full daily run, timed once with its flush, rolled back."""
    cr = env.cr
    # a daily run ages every account first: make them last aged yesterday
    yesterday = today - datetime.timedelta(days=1)
    cr.execute(
        "UPDATE patient_account SET aging_date = %s WHERE aging_date >= %s", [yesterday, today]
    )
    common.fresh(env, db, ("patient_account", "mail_message", "mail_activity", "mail_followers"))
    Run = env["patient.collection.run"]
    methods = [(Run._name, name, True) for name in Run._collection_steps()]
    parts = [(model, name) for model, names in STEP_PARTS.items() for name in names.split()]
    methods += [(model, name, name == "_write_stage") for model, name in parts]
    try:
        with common.MethodTimer(env, methods) as timer:
            q0 = cr.sql_log_count
            seconds, run = common.timed(lambda: (Run.run(trigger="cron"), env.flush_all())[0])
            queries = cr.sql_log_count - q0
        statements = sum(line.count for line in run.line_ids if line.kind == "statement_sent")
        result = {"run": seconds, "run_queries": queries, "statements": statements,
                  "run_moved": run.moved_count}  # fmt: skip
    finally:
        cr.rollback()
        # the statement PDFs' files outlive the rollback: the filestore's
        # garbage collection removes those no row points at (it commits)
        env["ir.attachment"]._gc_file_store()
        cr.commit()
    return result, timer


def main():
    accounts, invoices = common.sizes(50_000)
    max_age = common.size("MAX_AGE", 200)
    repeat = max(common.size("REPEAT", 3), 1)
    tables = (*common.BENCH_TABLES, "mail_message", "mail_activity", "mail_followers")
    with common.session(__doc__, tables) as (args, env):
        say(f"bench escalation on {args.db}: {accounts} accounts, {invoices} invoices")
        try:
            data = common.prepare(env, args.db, accounts, invoices, max_age_days=max_age)
            r = measure(env, args.db, data, repeat)
        finally:
            env.cr.rollback()
            common.archive_users(env, LOGINS)
            env.cr.commit()
    per_k = 1000 / r["moved"] if r["moved"] else float("nan")
    print(
        f"bench escalation: accounts={accounts} invoices={invoices} moved={r['moved']} "
        f"plan={r['plan']:.2f}s writes={r['writes']:.2f}s "
        f"plan_writes={r['plan_writes']:.2f}s plan_writes_queries={r['queries_a']} "
        f"floor_select={r['floor_select']:.2f}s floor_update={r['floor_update']:.2f}s "
        f"floor_queries=1 run={r['run']:.2f}s run_queries={r['run_queries']} "
        f"run_per_1000_moved={r['run'] * per_k:.2f}s escalate={r['escalate']:.2f}s "
        f"escalate_per_1000_moved={r['escalate'] * per_k:.2f}s "
        f"statements={r['statements']} statements_s={r['statements_s']:.2f}s "
        f"ratio={r['plan_writes'] / r['floor_update']:.2f}",
    )


def measure(env, db, data, repeat):
    cr = env.cr
    users = common.bench_users(env, data.company_id, LOGINS)
    kinds = place_accounts(env, data.today, users)
    say(f"placed: {dict(sorted(kinds.items()))}; {subscribe_specialists(env)} followed")
    cr.commit()
    common.vacuum_analyze(db, common.BENCH_TABLES)
    companies = env["res.company"].search([])  # as run() does; pylint: disable=no-search-all
    params = {"companies": companies.ids, "today": data.today, "uid": env.uid}
    runs = {name: [] for name in ("plan", "writes", "plan_writes", "floor_select", "floor_update")}
    for number in range(1, repeat + 1):
        seconds, floor_rows = run_floor(env, db, FLOOR_SELECT_SQL, params)
        runs["floor_select"].append(seconds)
        seconds, updated = run_floor(env, db, FLOOR_UPDATE_SQL, params)
        runs["floor_update"].append(seconds)
        plan_s, writes_s, queries_a, targets, stats = run_plan_and_writes(
            env, db, companies, data.today
        )
        for name, value in (
            ("plan", plan_s),
            ("writes", writes_s),
            ("plan_writes", plan_s + writes_s),
        ):
            runs[name].append(value)
        say(
            f"run {number}: {len(targets)} moves, {queries_a} queries: "
            + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in runs.items())
        )
    common.require(dict(floor_rows) == targets, "the floor and the plan disagree")
    common.require(
        updated == len(floor_rows), f"floor: {updated} updated, {len(floor_rows)} planned"
    )
    say(f"plan = floor, account for account; staying: {dict(sorted(stats.items()))}")
    result = {name: min(values) for name, values in runs.items()}
    run, timer = run_collections(env, db, data.today)
    result.update(run, queries_a=queries_a, moved=len(targets))
    say(f"full run: {run['run']:.3f}s, {run['run_queries']} queries, {run['run_moved']} moved:")
    for label in timer.seconds:
        say(
            f"  {label:<45} {timer.seconds[label]:8.3f}s {timer.queries[label]:6d} q"
            f" {timer.calls[label]:4d} x"
        )
    result["escalate"] = timer.seconds["step_escalate"]
    result["statements_s"] = timer.seconds.get("step_statements", 0.0)
    return result


if __name__ == "__main__":
    main()
