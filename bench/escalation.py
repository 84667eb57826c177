"""Benchmark: the escalation of the daily collections run, against its SQL floor.

Generates, set-based (common.generate_receivables), guarantors with patient
accounts and open posted invoices (default 50,000 accounts and 250,000
invoices, invoice dates up to BENCH_MAX_AGE = 200 days back so the accounts
spread over every stage), refreshes their balances, then places them so that
about a third will move:

  * most accounts sit in the stage they qualify for (the run leaves them);
  * a share sits one or two stages behind it, entered a statement cycle ago
    or more (the run moves them forward, one letter of the notice sequence
    at most);
    those bound for Agency placement (an extraordinary action) partly fail
    the 501(r) gates: first statement too recent, final notice missing or
    too recent;
  * a few sit one stage ahead (forward only: they stay), on hold (dispute,
    financial assistance, bankruptcy...; they stay), in the manual Payment
    plan stage (they stay), in Resolved while owing again (reopened), or owe
    nothing any more (moved to Resolved); accounts owing only
    insurance-pending amounts carry the run's automatic insurance hold;
  * 60 % of the accounts belong to one of four specialist users (who
    follow them, as assigning through the ORM makes them), so that stages
    with an activity give them one.

first_statement_date and final_notice_date follow from days past due (the
statement and final notice went out when the account reached those stages).
Everything is committed and vacuumed, then measured, each the best of
BENCH_REPEAT runs (default 3, interleaved), every run in a transaction that
is rolled back (the data stays as generated):

  (a) plan+writes   PatientCollectionRun._escalation_plan(companies, today,
                    stats), then accounts._write_stage(stage) for each target
                    stage and the flush: the classification and the stage
                    writes, without chatter and activities;
      floor_select  one SQL statement that, for the same accounts, picks the
                    stage each one moves to, with every rule of
                    logic.escalation: hold, manual stage, nothing owed (the
                    closed stage), reopening, forward only, the letters of
                    the notice sequence in order (letters logged, the last
                    letter or statement and the interval between letters),
                    and the 501(r) and dispute gates of extraordinary stages,
                    the account going to the furthest stage before a refused
                    one (its result is checked to be the plan, account for
                    account);
      floor_update  the same statement as an UPDATE writing what
                    _write_stage writes (stage_id, stage_date,
                    final_notice_date when entering the final notice stage,
                    write_uid, write_date).
      ratio = plan+writes / floor_update: (a) classifies and writes, so its
      floor is the statement that classifies and writes (floor_select is
      printed for reference).  Like bench/balances.py, the floor runs
      without parallel workers (an UPDATE never has any), and without JIT
      (compiling it would cost more than running it; see run_floor).
  (b) run           env["patient.collection.run"].run() as the daily cron
                    runs it, every account last aged yesterday: refresh of
                    balances and aging, promises, expired holds, insurance
                    holds, payment plans, escalation with its chatter lines
                    and activities, then whatever steps come later (the
                    statement cycle: last statements are spread over the
                    cycle, so about 1/cycle of the accounts in statement
                    stages are due, as on an ordinary day); timed once, with
                    the flush, then rolled back (and the files of the PDFs
                    the statement step stored garbage-collected).  Printed per
                    1,000 accounts moved, with the time of each step (each
                    flushed at its end, so that what it leaves to recompute
                    is charged to it) and, within the escalation step, of
                    the plan, the stage writes (flushed at once), the
                    chatter and the activities.
  (c) queries       SQL statements issued (cursor.sql_log_count) by (a), by
                    the floor and by (b).

Checks: the plan equals the floor's result; the run moves exactly the
accounts of the plan to the plan's stages (moved_count too), none backward
(save reopened closed accounts), none held or in a manual stage; the stage
date is today, the final notice date is set when entering the final notice
stage; one stage chatter line per moved account and one activity per moved
account with a specialist in a stage with an activity (how many of them a
later step marked done is printed: a statement letter completes an open
to-do of the account's specialist); the run lifted, applied and released no
hold (the placement already matches the hold rules, so the run escalates the
same accounts the plan saw).

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):

    .venv/bin/python bench/escalation.py --rc .build/odoo.conf --db pc_bench
    BENCH_ACCOUNTS=2000 .venv/bin/python bench/escalation.py --rc ... --db ...

Variables: ODOO_DB (or BENCH_DB, or --db), ODOO_RC (or --rc), ODOO_PATH
(default /opt/odoo); sizes PC_BENCH_ACCOUNTS / BENCH_ACCOUNTS (default
PC_BENCH_SIZE, else 50000), PC_BENCH_INVOICES / BENCH_INVOICES (default 5
per account), BENCH_MAX_AGE (oldest invoice, days; default 200),
BENCH_REPEAT (3); BENCH_KEEP=1 (or --keep) leaves the generated data and
the specialist users in the database (otherwise they are deleted at the
end; bench data left by an earlier run is always deleted first).

The last line is the result, e.g.
    bench escalation: accounts=50000 invoices=250000 moved=16087 plan=0.52s ... ratio=2.26
"""

import datetime
import sys
import time
from collections import Counter

import common
from common import say

# Shares of the placement (of the accounts owing something).
HOLD_SHARE = 0.06  # on hold for a reason the run does not lift
MANUAL_SHARE = 0.04  # in the manual stage (Payment plan)
REOPEN_SHARE = 0.01  # in the closed stage while owing again
BEHIND_SHARE = 0.42  # one (or, a quarter of them, two) stages behind
AHEAD_SHARE = 0.04  # one stage ahead (paid down): forward only, they stay
SPECIALIST_SHARE = 0.60  # accounts with a specialist
SPECIALISTS = 4
SPECIALIST_LOGIN = "pcb-esc-specialist-{}@bench.example.com"
ESCALATE = "step_escalate"  # the StepTimer label of PatientCollectionRun._step_escalate

# One statement: the stage the run moves each account to, with every rule of
# logic.escalation.decide_escalation and extraordinary_action_blocks.  Accounts
# that stay are not returned.  (Stages: the active ones, as _escalation_plan
# reads them; an account in an archived stage counts as in no stage.  Flags
# and thresholds a data file leaves unset are stored NULL, which the ORM reads
# as False and 0: hence IS TRUE / IS NOT TRUE / COALESCE.)
#
# The notice sequence: the automatic stages that send a statement or are the
# final notice, up to the last final notice; an account's letters are those
# whose minimum balance it owes.  It has received those at or before its stage,
# and while in no letter stage as many as the letters logged on it (never the
# final notice), all of them with a final-notice date.  It never passes the next
# letter, and enters a letter stage only the company's interval (0: the
# statement cycle) after the previous letter: in a letter stage, that stage's
# (its entry, or the first letter or email since; not before it went out), else
# its last letter, last statement or final notice.  Extraordinary stages the gates refuse are left
# out: it goes to the furthest stage before them.
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


# ---------------------------------------------------------------------------
# data: specialists and placement
# ---------------------------------------------------------------------------


def bench_users(env):
    """The specialist users of the benchmark (archived ones too)."""
    return (
        env["res.users"]
        .with_context(active_test=False)
        .search([("login", "=like", SPECIALIST_LOGIN.format("%"))], order="login")
    )


def ensure_specialists(env, company):
    users = bench_users(env)
    group = env.ref("patient_collections.group_collections_specialist")
    missing = [
        SPECIALIST_LOGIN.format(n)
        for n in range(1, SPECIALISTS + 1)
        if SPECIALIST_LOGIN.format(n) not in users.mapped("login")
    ]
    if missing:
        users |= (
            env["res.users"]
            .with_context(no_reset_password=True, mail_create_nosubscribe=True)
            .create(
                [
                    {
                        "name": f"Bench Specialist {login.split('@')[0][-1]}",
                        "login": login,
                        "company_id": company.id,
                        "company_ids": [(6, 0, [company.id])],
                        "groups_id": [(6, 0, [group.id])],
                    }
                    for login in missing
                ]
            )
        )
    users.write({"active": True})
    env.flush_all()
    return users.sorted("login")


def clear_bench_data(env):
    """common.clear_bench_data with the memory its IN (SELECT id FROM ...) needs.

    Its deletes test ids against temporary tables of the doomed rows; with
    PostgreSQL's default work_mem (4MB) a set of 326,000 move ids cannot be
    hashed, and "x IN (subquery) OR y IN (subquery)" then rescans the list
    for every row: the account_move__account_payment delete alone ran for
    more than 5 minutes at 50,000 accounts (0.4 s with 64MB).  SET LOCAL:
    for this transaction only.
    """
    cr = env.cr
    cr.execute("SET LOCAL work_mem = '256MB'")
    # The followers subscribe_specialists added, with their subtypes, first:
    # clear_bench_data deletes followers with the foreign key triggers off,
    # which would leave the subtype rows (ON DELETE CASCADE) behind.
    cr.execute(
        """
        DELETE FROM mail_followers f
         USING patient_account pa, res_partner p
         WHERE f.res_model = 'patient.account' AND f.res_id = pa.id
           AND p.id = pa.partner_id AND p.ref = %s
        """,
        [common.BENCH_REF],
    )
    return common.clear_bench_data(env)


def subscribe_specialists(env):
    """Make each specialist a follower of their accounts, set-based.

    Assigning a specialist through the ORM subscribes them (user_id is a
    tracked field to res.users), so in production they follow their accounts
    before the run gives them activities.  One subscription is made through
    the ORM (rolled back) to learn the subtypes Odoo gives it; every bench
    account with a specialist then gets the same rows.  Returns how many.
    """
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
        follower = env["mail.followers"].search(
            [("res_model", "=", account._name), ("res_id", "=", account.id)]
        )
        follower = follower.filtered(lambda f: f.partner_id == partner)
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


def remove_specialists(env):
    """Delete the specialist users (archive them if something still points at them)."""
    users = bench_users(env)
    if not users:
        return 0
    partners = users.partner_id
    savepoint = env.cr.savepoint()
    try:
        users.unlink()
        partners.unlink()
        env.flush_all()
    except Exception as exc:  # any refusal: fall back to archiving
        savepoint.close(rollback=True)
        env.invalidate_all()
        say(f"could not delete the bench specialists ({exc}): archiving them")
        bench_users(env).write({"active": False})
        env.flush_all()
    else:
        savepoint.close(rollback=False)
    return len(users)


def place_accounts(env, today, users):
    """Put the bench accounts in their stages, holds, dates and specialists.

    Set-based, from each account's qualifying stage (see the module
    docstring).  Returns {kind: number of accounts}.
    """
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
        {
            "auto": auto.ids,
            "ref": common.BENCH_REF,
            "h": HOLD_SHARE,
            "m": MANUAL_SHARE,
            "r": REOPEN_SHARE,
            "b": BEHIND_SHARE,
            "a": AHEAD_SHARE,
            "max_rank": len(auto),
        },
    )
    # Statement and final notice dates as if sent when the account reached
    # those stages; 501(r) gates failed by a share of those bound for an
    # extraordinary stage from behind.
    first_days = auto[1].days_past_due_min  # the stage after New sends the first statement
    final_days = final.days_past_due_min if final else None
    final_rank = (list(auto).index(final) + 1) if final else len(auto) + 1
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
        {
            "closed": closed.id,
            "manual": manual.id,
            "today": today,
            "notification": company.collections_notification_days,
            "cycle": max(company.collections_statement_cycle_days or 0, 1),
            "first_days": first_days,
            "final_days": final_days,
            "final_rank": final_rank,
            "specialist": SPECIALIST_SHARE,
            "users": users.ids,
            "n_users": len(users),
        },
    )
    if "last_statement_date" in env["patient.account"]._fields:
        # Steady state of the statement cycle: the last statement 1 to cycle
        # days ago, so about 1/cycle of the accounts in statement stages are due
        # today (not all of them, as on the very first run).
        cycle = max(company.collections_statement_cycle_days or 0, 1)
        cr.execute(
            """
            UPDATE patient_account pa
               SET last_statement_date = %(today)s::date - 1 - floor(random() * %(cycle)s)::int
              FROM pcb_esc e, patient_account_stage s
             WHERE pa.id = e.id AND s.id = pa.stage_id AND s.send_statement IS TRUE
            """,
            {"today": today, "cycle": cycle},
        )
    cr.execute("SELECT kind, count(*) FROM pcb_esc GROUP BY kind ORDER BY kind")
    kinds = dict(cr.fetchall())
    cr.execute("DROP TABLE pcb_esc, pcb_stage")
    env.invalidate_all()
    return kinds


# ---------------------------------------------------------------------------
# measurements
# ---------------------------------------------------------------------------


def fresh_transaction(env, db, tables=("patient_account",)):
    """Commit (nothing), vacuum what the previous rolled-back run left, empty the cache."""
    env.cr.commit()
    common.vacuum_analyze(db, list(tables))
    env.invalidate_all()


def run_plan_and_writes(env, db, companies, today):
    """(a): the plan and the stage writes with their flush, then rolled back.

    Returns (plan seconds, writes seconds, plan queries, writes queries,
    {account id: target stage id}, stats).
    """
    fresh_transaction(env, db)
    cr = env.cr
    Run = env["patient.collection.run"].sudo()
    Stage = env["patient.account.stage"].sudo().with_context(active_test=False)
    Account = env["patient.account"].sudo()
    stats = Counter()
    q0 = cr.sql_log_count
    t0 = time.perf_counter()
    plan = Run._escalation_plan(companies, today, stats)
    t1 = time.perf_counter()
    q1 = cr.sql_log_count
    for stage_id, account_ids in plan.items():
        Account.browse(account_ids)._write_stage(Stage.browse(stage_id))
    env.flush_all()
    t2 = time.perf_counter()
    q2 = cr.sql_log_count
    cr.rollback()
    targets = {aid: sid for sid, ids in plan.items() for aid in ids}
    return t1 - t0, t2 - t1, q1 - q0, q2 - q1, targets, stats


def run_floor(env, db, sql, params):
    """(seconds, rows or rowcount) of one floor statement, then rolled back."""
    fresh_transaction(env, db)
    cr = env.cr
    # No parallel workers (like bench/balances.py: an UPDATE never gets any),
    # and no JIT: the LATERAL subqueries push the floor's estimated cost past
    # jit_above_cost, and compiling it costs more than running it (1.6 s of
    # 2.2 s at 50,000 accounts on PostgreSQL 15), work the answer does not
    # need.  Odoo's own statements (batches of 5,000 rows at most) stay far
    # below the threshold, so (a) runs with the server's settings.
    cr.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    cr.execute("SET LOCAL jit = off")

    def query():
        cr.execute(sql, params)
        return cr.fetchall() if cr.description else cr.rowcount

    seconds, result = common.timed(query)
    cr.rollback()
    return seconds, result


class StepTimer:
    """Wraps methods of the run's and the account's registry classes to time them.

    The wrappers sit on the registry classes (what ``env[model]`` instances
    are), so every call during the run goes through them; they are removed on
    exit.  Those given "flush" flush before (untimed) and at their end, so
    that the work they leave for later (the stage write, what the refresh
    marks for recomputation) is charged to them rather than to whatever
    flushes next: the same statements, issued a little earlier.
    """

    def __init__(self, env, methods):
        self.env = env
        self.methods = methods  # [(model, method name, flush after)]
        self.seconds = Counter()
        self.queries = Counter()
        self.calls = Counter()
        self.results = {}  # label: [what each call returned]
        self._stack = []  # labels of the wrapped calls under way
        self._saved = []

    def __enter__(self):
        cr = self.env.cr
        for model, name, flush in self.methods:
            cls = type(self.env[model])
            original = getattr(cls, name)
            self._saved.append((cls, name, cls.__dict__.get(name)))
            label = name.lstrip("_")

            def wrapper(rec, *args, _original=original, _label=label, _flush=flush, **kwargs):
                # a call within a step is labelled "step > method"
                if self._stack:
                    _label = f"{self._stack[0]} > {_label}"
                self._stack.append(_label)
                if _flush:
                    rec.env.flush_all()  # what earlier work left pending is not ours
                q0, t0 = cr.sql_log_count, time.perf_counter()
                try:
                    result = _original(rec, *args, **kwargs)
                    if _flush:
                        rec.env.flush_all()
                    self.results.setdefault(_label, []).append(result)
                    return result
                finally:
                    self._stack.pop()
                    self.seconds[_label] += time.perf_counter() - t0
                    self.queries[_label] += cr.sql_log_count - q0
                    self.calls[_label] += 1

            setattr(cls, name, wrapper)
        return self

    def __exit__(self, *exc):
        for cls, name, own in reversed(self._saved):
            if own is None:
                delattr(cls, name)
            else:
                setattr(cls, name, own)
        self._saved.clear()


def snapshot(env):
    env.cr.execute(
        """
        SELECT pa.id, pa.stage_id, pa.hold_reason IS NOT NULL, COALESCE(s.is_manual, FALSE),
               COALESCE(s.is_closed, FALSE), s.sequence, pa.user_id
          FROM patient_account pa LEFT JOIN patient_account_stage s ON s.id = pa.stage_id
        """
    )
    return {row[0]: row[1:] for row in env.cr.fetchall()}


def run_collections(env, db, today, targets):
    """(b): the full daily run, timed once with its flush, checked, rolled back."""
    cr = env.cr
    # A daily run ages every account first: make them last aged yesterday
    # (the refresh then gives the same balances, so the same plan).
    cr.execute(
        "UPDATE patient_account SET aging_date = %s WHERE aging_date >= %s",
        [today - datetime.timedelta(days=1), today],
    )
    aged = cr.rowcount
    fresh_transaction(
        env, db, ("patient_account", "mail_message", "mail_activity", "mail_followers")
    )
    before = snapshot(env)
    Run = env["patient.collection.run"]
    steps = [("patient.collection.run", name, True) for name in Run._collection_steps()]
    parts = [
        ("patient.collection.run", "_escalation_plan", False),
        ("patient.account", "_write_stage", True),
        ("patient.account", "_message_log_batch", False),
        ("patient.account", "_schedule_stage_activities", False),
        # the statement cycle, where the module has it
        ("patient.account", "_send_statements", False),
        ("patient.account", "_statement_values", False),
        ("patient.account", "_statement_pdf_merged", False),
        ("patient.account", "_statement_pdfs", False),
        ("patient.interaction", "_apply_outcomes", False),
    ]
    parts = [(m, name, f) for m, name, f in parts if m in env and hasattr(env[m], name)]
    env.invalidate_all()
    try:
        with StepTimer(env, steps + parts) as timer:
            q0, t0 = cr.sql_log_count, time.perf_counter()
            run = Run.run(trigger="cron")
            env.flush_all()
            seconds = time.perf_counter() - t0
            queries = cr.sql_log_count - q0
        result = check_run(env, run, before, targets, today, timer)
    finally:
        cr.rollback()
        # The files of the attachments the run made (statement PDFs) outlive
        # the rollback: Odoo's filestore garbage collection removes those no
        # row points at (it commits; `make bench` drops the database but not
        # its filestore, where they would pile up run after run).
        env["ir.attachment"]._gc_file_store()
        cr.commit()
    result.update(run=seconds, run_queries=queries, aged=aged, timer=timer)
    return result


def check_run(env, run, before, targets, today, timer):
    """The run moved exactly the planned accounts, forward, with chatter and activities."""
    cr = env.cr
    after = snapshot(env)
    moved = {aid: row[0] for aid, row in after.items() if row[0] != before[aid][0]}
    common.require(
        set(moved) == set(targets),
        f"the run moved {len(moved)} accounts, the plan had {len(targets)} "
        f"({len(set(moved) - set(targets))} unplanned, {len(set(targets) - set(moved))} missed)",
    )
    wrong = [aid for aid, stage in moved.items() if targets[aid] != stage]
    common.require(not wrong, f"{len(wrong)} accounts moved to another stage than planned")
    common.require(
        run.moved_count == len(targets), f"run.moved_count={run.moved_count}, plan {len(targets)}"
    )
    held = [aid for aid in moved if before[aid][1]]
    manual = [aid for aid in moved if before[aid][2]]
    common.require(not held, f"{len(held)} accounts on hold were moved")
    common.require(not manual, f"{len(manual)} accounts in a manual stage were moved")
    backward = [
        aid
        for aid, (stage, _h, _m, closed, seq, _u) in before.items()
        if aid in moved and stage and not closed and (after[aid][4], moved[aid]) < (seq, stage)
    ]
    common.require(not backward, f"{len(backward)} accounts moved backward, e.g. {backward[:5]}")
    reopened = sum(1 for aid in moved if before[aid][3])
    holds = {
        line.kind: line.count
        for line in run.line_ids
        if line.kind in ("hold_expired", "hold_applied", "hold_released")
    }
    common.require(not any(holds.values()), f"the run changed holds: {holds}")

    cr.execute(
        """
        SELECT count(*) FILTER (WHERE stage_date = %(today)s),
               count(*) FILTER (WHERE s.is_final_notice),
               count(*) FILTER (WHERE s.is_final_notice AND final_notice_date = %(today)s),
               count(*) FILTER (WHERE s.activity_type_id IS NOT NULL AND pa.user_id IS NOT NULL)
          FROM patient_account pa JOIN patient_account_stage s ON s.id = pa.stage_id
         WHERE pa.id = ANY(%(ids)s)
        """,
        {"today": today, "ids": list(moved)},
    )
    dated, final, final_dated, expect_activities = cr.fetchone()
    common.require(dated == len(moved), f"{len(moved) - dated} moved accounts lack today's date")
    common.require(final_dated == final, f"{final - final_dated} final notices without date")
    # what the escalation's chatter and activity calls made (the run's other
    # steps log lines and may complete activities too)
    messages = [m for r in timer.results.get(ESCALATE + " > message_log_batch", []) for m in r]
    common.require(
        len(messages) == len({m.res_id for m in messages}) == len(moved)
        and {m.res_id for m in messages} == set(moved),
        f"{len(messages)} stage chatter lines for {len(moved)} moved accounts",
    )
    activity_ids = [
        a.id for r in timer.results.get(ESCALATE + " > schedule_stage_activities", []) for a in r
    ]
    cr.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE a.user_id = pa.user_id AND a.res_model = 'patient.account'
                                  AND s.activity_type_id = a.activity_type_id)
          FROM mail_activity a
          JOIN patient_account pa ON pa.id = a.res_id
          JOIN patient_account_stage s ON s.id = pa.stage_id
         WHERE a.id = ANY(%s)
        """,
        [activity_ids],
    )
    activities_left, activities_right = cr.fetchone()
    common.require(
        activities_left == activities_right,
        f"{activities_left - activities_right} activities for another user or of another type",
    )
    common.require(
        len(activity_ids) == expect_activities,
        f"{len(activity_ids)} activities created, expected {expect_activities}",
    )
    messages = len(messages)
    activities = len(activity_ids)
    return {
        "statements": sum(line.count for line in run.line_ids if line.kind == "statement_sent"),
        "moved": len(moved),
        "run_moved": run.moved_count,
        "reopened": reopened,
        "activities": activities,
        "activities_completed": activities - activities_left,
        "messages": messages,
        "summary": run.summary,
    }


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts = common.size("ACCOUNTS", common.size("SIZE", 50_000))
    invoices = common.size("INVOICES", 5 * accounts)
    max_age = common.size("MAX_AGE", 200)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts or invoices < accounts:
        sys.exit(
            f"need at least one account and one invoice per account "
            f"(accounts={accounts}, invoices={invoices})"
        )
    say(
        f"bench escalation on database {args.db}: {accounts} accounts, {invoices} invoices "
        f"up to {max_age} days old, best of {repeat}"
    )
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env, clear_bench_data)
        cr.execute("SELECT count(*) FROM patient_account")
        others = cr.fetchone()[0]
        if others:
            say(f"note: {others} patient accounts not made by the benchmark take part in the run")

        data = common.generate_receivables(env, accounts, invoices, max_age_days=max_age)
        say(
            f"generated in {data.seconds:.1f}s: {data.accounts} guarantors and accounts, "
            f"{data.invoices} invoices ({data.expected['pending_invoices']} insurance-pending), "
            f"{data.payments} payments ({data.unapplied} unapplied), {data.lines} journal items"
        )
        try:
            result = prepare_and_measure(env, args.db, data, repeat)
        finally:
            cr.rollback()
            if args.keep:
                say("--keep: the generated data and the bench specialists stay in the database")
            else:
                seconds, _n = common.timed(lambda: clear_bench_data(env))
                remove_specialists(env)
                cr.commit()
                common.vacuum_analyze(
                    args.db,
                    [*common.BENCH_TABLES, "mail_message", "mail_activity", "mail_followers"],
                )
                say(f"generated data deleted in {seconds:.1f}s (and vacuumed)")

    ratio = result["plan_writes"] / result["floor_update"]
    moved = result["moved"]
    per_k = 1000 / moved if moved else float("nan")
    say(f"plan+writes/floor_update = {ratio:.2f}: {'within' if ratio <= 5 else 'above'} target 5")
    print(
        f"bench escalation: accounts={accounts} invoices={invoices} moved={moved} "
        f"plan={result['plan']:.2f}s writes={result['writes']:.2f}s "
        f"plan_writes={result['plan_writes']:.2f}s plan_writes_queries={result['queries_a']} "
        f"floor_select={result['floor_select']:.2f}s floor_update={result['floor_update']:.2f}s "
        f"floor_queries=1 run={result['run']:.2f}s run_queries={result['run_queries']} "
        f"run_per_1000_moved={result['run'] * per_k:.2f}s "
        f"escalate={result['escalate']:.2f}s "
        f"escalate_per_1000_moved={result['escalate'] * per_k:.2f}s "
        f"statements={result['statements']} statements_s={result['statements_s']:.2f}s "
        f"ratio={ratio:.2f}",
        flush=True,
    )


def prepare_and_measure(env, db, data, repeat):
    cr = env.cr
    today = data.today
    Account = env["patient.account"].sudo()
    # committed and analyzed first: the refresh's plan needs statistics
    cr.commit()
    seconds, _r = common.timed(lambda: common.vacuum_analyze(db, common.BENCH_TABLES))
    say(f"committed; VACUUM ANALYZE in {seconds:.1f}s")
    bench_accounts = Account.search([("partner_id.ref", "=", common.BENCH_REF)])
    seconds, _r = common.timed(
        lambda: (bench_accounts._refresh_balances(today=today), env.flush_all())
    )
    say(f"balances refreshed in {seconds:.1f}s (priority scores included)")
    users = ensure_specialists(env, env["res.company"].browse(data.company_id))
    kinds = place_accounts(env, today, users)
    say("placed: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    say(f"{subscribe_specialists(env)} accounts followed by their specialist")
    cr.commit()
    seconds, _r = common.timed(lambda: common.vacuum_analyze(db, common.BENCH_TABLES))
    say(f"committed; VACUUM ANALYZE in {seconds:.1f}s")

    companies = env["res.company"].sudo().search([])  # as run() does; pylint: disable=no-search-all
    params = {"companies": companies.ids, "today": today, "uid": env.uid}
    runs = {"plan": [], "writes": [], "plan_writes": [], "floor_select": [], "floor_update": []}
    targets = stats = floor_rows = None
    queries_a = 0
    for number in range(1, repeat + 1):
        seconds, floor_rows = run_floor(env, db, FLOOR_SELECT_SQL, params)
        runs["floor_select"].append(seconds)
        seconds, updated = run_floor(env, db, FLOOR_UPDATE_SQL, params)
        runs["floor_update"].append(seconds)
        plan_s, writes_s, plan_q, writes_q, targets, stats = run_plan_and_writes(
            env, db, companies, today
        )
        runs["plan"].append(plan_s)
        runs["writes"].append(writes_s)
        runs["plan_writes"].append(plan_s + writes_s)
        queries_a = plan_q + writes_q
        common.require(updated == len(floor_rows), f"floor: {updated} updated, {len(floor_rows)}")
        say(
            f"run {number}: plan {plan_s:.3f}s ({plan_q} queries) + writes {writes_s:.3f}s "
            f"({writes_q} queries) = {plan_s + writes_s:.3f}s for {len(targets)} moves; "
            f"floor_select {runs['floor_select'][-1]:.3f}s, "
            f"floor_update {runs['floor_update'][-1]:.3f}s ({updated} rows)"
        )
    floor_targets = dict(floor_rows)
    diff = {
        aid
        for aid in set(floor_targets) | set(targets)
        if floor_targets.get(aid) != targets.get(aid)
    }
    common.require(
        not diff,
        f"the floor and the plan disagree on {len(diff)} accounts, e.g. {sorted(diff)[:5]}",
    )
    stage_names = dict(
        env["patient.account.stage"]
        .with_context(active_test=False)
        .search([])
        .mapped(lambda s: (s.id, s.name))
    )
    by_stage = Counter(targets.values())
    say(
        f"plan = floor, account for account: {len(targets)} moves ("
        + ", ".join(f"{stage_names[s]} {n}" for s, n in sorted(by_stage.items()))
        + "); staying: "
        + ", ".join(f"{reason} {n}" for (_k, _s, reason), n in sorted(stats.items()))
    )

    result = {name: min(values) for name, values in runs.items()}
    result["queries_a"] = queries_a
    result.update(run_collections(env, db, today, targets))
    timer = result.pop("timer")
    say(
        f"full run: {result['run']:.3f}s, {result['run_queries']} queries, "
        f"{result['moved']} accounts moved ({result['reopened']} reopened), "
        f"{result['messages']} stage chatter lines, {result['activities']} activities "
        f"({result['activities_completed']} of them marked done by later steps), "
        f"{result['aged']} accounts aged"
    )
    say("  per step, then the calls timed within it (nested: their times overlap)")
    for label in timer.seconds:
        say(
            f"  {label:<45} {timer.seconds[label]:8.3f}s {timer.queries[label]:6d} queries"
            f" {timer.calls[label]:4d} calls"
        )
    result["escalate"] = timer.seconds[ESCALATE]
    result["statements_s"] = timer.seconds.get("step_statements", 0.0)
    say(f"statements sent by the run: {result['statements']}")
    say("checks passed: the run moved exactly the planned accounts, forward, none held or manual")
    return result


if __name__ == "__main__":
    main()
