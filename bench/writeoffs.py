"""Benchmark: the daily run's small-balance write-off step, against its floor.

Generates, set-based (common.generate_receivables), guarantors with patient
accounts and open posted invoices (default 5,000 accounts, one invoice each,
30 % partly paid, none insurance-pending), turns the company's small-balance
write-off on with a threshold above every balance, then times
  step   PatientCollectionRun._step_small_balance_writeoffs(): select the
         accounts, create their write-off records, one journal entry crediting
         every open item against the small-balance account, posted, reconciled
         with the open items, balances refreshed, chatter lines, accounts moved
         to the resolved stage;
  floor  what Odoo itself must do for the same write-offs: create and post one
         journal entry with the same lines and reconcile each credit with its
         open item in one _reconcile_plan (the lines prepared beforehand, not
         timed), rolled back afterwards.
Each the best of BENCH_REPEAT runs (default 3; the step's changes are rolled
back between runs), and prints the ratio step/floor (target: 5 or less).  The
step is then run for real and checked: every account written off, balances 0,
and a second run of the step writes nothing off (idempotent).

Run (make bench sets ODOO_RC, ODOO_DB and ODOO_PATH):
    .venv/bin/python bench/writeoffs.py --rc .build/odoo.conf --db pc_bench
Variables: sizes PC_BENCH_WRITEOFF_ACCOUNTS / BENCH_WRITEOFF_ACCOUNTS (default
5000), BENCH_REPEAT (3); BENCH_KEEP=1 (or --keep) leaves the data.
The last line is the result, e.g.
    bench writeoffs: accounts=5000 step=3.10s floor=1.20s ratio=2.58
"""

import sys
import time

import common
from common import say


def clear_writeoffs(env):
    """Write-offs and their entries on bench accounts, then the bench data."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE pcw_moves ON COMMIT DROP AS
        SELECT DISTINCT w.move_id AS id FROM patient_writeoff w
          JOIN patient_account pa ON pa.id = w.account_id
          JOIN res_partner p ON p.id = pa.partner_id
         WHERE p.ref = %s AND w.move_id IS NOT NULL
        """,
        [common.BENCH_REF],
    )
    cr.execute(
        """
        DELETE FROM patient_writeoff w USING patient_account pa, res_partner p
         WHERE pa.id = w.account_id AND p.id = pa.partner_id AND p.ref = %s
        """,
        [common.BENCH_REF],
    )
    cr.execute(
        """
        DELETE FROM account_partial_reconcile WHERE debit_move_id IN (
            SELECT id FROM account_move_line WHERE move_id IN (SELECT id FROM pcw_moves))
           OR credit_move_id IN (
            SELECT id FROM account_move_line WHERE move_id IN (SELECT id FROM pcw_moves));
        UPDATE account_move_line SET full_reconcile_id = NULL
         WHERE full_reconcile_id IN (SELECT full_reconcile_id FROM account_move_line
                                      WHERE move_id IN (SELECT id FROM pcw_moves));
        DELETE FROM account_move_line WHERE move_id IN (SELECT id FROM pcw_moves);
        DELETE FROM account_move WHERE id IN (SELECT id FROM pcw_moves);
        DROP TABLE pcw_moves;
        """
    )
    env.invalidate_all()
    return common.clear_bench_data(env)


def setup_company(env, company):
    Account = env["account.account"].with_company(company)
    expense = Account.search([("code", "=", "688900")], limit=1) or Account.create(
        {"name": "Bench small balance write-offs", "code": "688900", "account_type": "expense"}
    )
    company.write(
        {
            "collections_small_balance_writeoff": True,
            "collections_small_balance_threshold": 10_000,
            "collections_small_balance_min_days": 0,
            "collections_writeoff_account_small_balance_id": expense.id,
        }
    )
    return expense


def floor_lines(env, company, expense):
    """The floor's entries (ENTRY_SIZE accounts each, as the step: a credit per open
    item + one debit per account) and the open item each credit settles, read in
    one query."""
    env.flush_all()
    env.cr.execute(
        """
        SELECT pa.id, pa.partner_id, aml.id, aml.account_id, aml.amount_residual
          FROM patient_account pa
          JOIN account_move_line aml
            ON aml.partner_id = pa.partner_id AND aml.company_id = pa.company_id
          JOIN account_account acc ON acc.id = aml.account_id
         WHERE pa.company_id = %s AND aml.parent_state = 'posted'
           AND acc.account_type = 'asset_receivable' AND aml.amount_residual > 0
      ORDER BY pa.id, aml.id
        """,
        [company.id],
    )
    from odoo.addons.patient_collections.models.patient_writeoff import (  # noqa: PLC0415
        ENTRY_SIZE,
    )

    by_account = {}
    for account_id, partner_id, line_id, receivable_id, residual in env.cr.fetchall():
        lines, matches, total = by_account.get(account_id, ([], [], 0.0))
        lines.append(
            {"account_id": receivable_id, "partner_id": partner_id, "credit": residual, "debit": 0}
        )
        matches.append(line_id)
        by_account[account_id] = (lines, matches, total + residual)
        by_account[account_id][0][-1]["_partner"] = partner_id
    entries = []
    for lines, matches, total in by_account.values():
        partner_id = lines[0].pop("_partner")
        for line in lines:
            line.pop("_partner", None)
        lines.append(
            {"account_id": expense.id, "partner_id": partner_id, "debit": total, "credit": 0}
        )
        entries.append((lines, [*matches, None]))
    return [entries[i : i + ENTRY_SIZE] for i in range(0, len(entries), ENTRY_SIZE)]


def run_floor(env, company, chunks):
    from odoo import Command  # noqa: PLC0415

    journal = env["patient.writeoff"]._journal_for(company)
    Line = env["account.move.line"]
    savepoint = env.cr.savepoint(flush=False)
    start = time.perf_counter()
    moves = (
        env["account.move"]
        .with_company(company)
        .create(
            [
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "line_ids": [Command.create(v) for lines, _m in chunk for v in lines],
                }
                for chunk in chunks
            ]
        )
    )
    moves.action_post()
    plan = []
    for move, chunk in zip(moves, chunks, strict=True):
        matches = [item for _l, items in chunk for item in items]
        created = move.line_ids.sorted("id")
        plan += [
            Line.browse([item, line.id])
            for line, item in zip(created, matches, strict=True)
            if item
        ]
    Line._reconcile_plan(plan)
    env.flush_all()
    seconds = time.perf_counter() - start
    savepoint.rollback()
    savepoint.close(rollback=False)
    env.invalidate_all()
    return seconds


def run_step(env, company, today, keep=False):
    from odoo.addons.patient_collections.models.patient_collection_run import (  # noqa: PLC0415
        RunStats,
    )

    stats = RunStats()
    Run = env["patient.collection.run"]
    savepoint = None if keep else env.cr.savepoint(flush=False)
    start = time.perf_counter()
    Run._step_small_balance_writeoffs(company, today, stats)
    env.flush_all()
    seconds = time.perf_counter() - start
    if savepoint:
        savepoint.rollback()
        savepoint.close(rollback=False)
        env.invalidate_all()
    return seconds, stats


def main():
    args = common.parse_args(__doc__.split("\n", 1)[0])
    accounts = common.size("WRITEOFF_ACCOUNTS", 5000)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts:
        sys.exit("need at least one account")
    say(f"bench writeoffs on database {args.db}: {accounts} accounts, best of {repeat}")
    with common.open_env(args.db, args.rc) as env:
        cr = env.cr
        common.clear_earlier_run(env, clear=clear_writeoffs)
        data = common.generate_receivables(
            env, accounts, accounts, pending_share=0.0, unapplied_share=0.0
        )
        company = env["res.company"].browse(data.company_id)
        today = data.today
        expense = setup_company(env, company)
        bench_accounts = env["patient.account"].search([("partner_id.ref", "=", common.BENCH_REF)])
        bench_accounts._refresh_balances(today=today)
        cr.commit()
        common.vacuum_analyze(args.db, ["patient_account", "account_move_line"])
        say(f"generated in {data.seconds:.1f}s: {data.accounts} accounts, {data.invoices} invoices")
        try:
            chunks = floor_lines(env, company, expense)
            floors, steps = [], []
            for _ in range(repeat):
                floors.append(run_floor(env, company, chunks))
                seconds, stats = run_step(env, company, today)
                steps.append(seconds)
                common.require(
                    stats[("written_off", False, False)] >= accounts,
                    f"the step wrote off {stats[('written_off', False, False)]} accounts",
                )
            seconds, stats = run_step(env, company, today, keep=True)
            env.invalidate_all()
            cr.execute(
                """
                SELECT count(*), count(*) FILTER (WHERE pa.balance_due = 0)
                  FROM patient_account pa JOIN res_partner p ON p.id = pa.partner_id
                 WHERE p.ref = %s
                """,
                [common.BENCH_REF],
            )
            total, cleared = cr.fetchone()
            common.require(cleared == total, f"{total - cleared} accounts still owe something")
            _again, stats = run_step(env, company, today, keep=True)
            common.require(not stats[("written_off", False, False)], "a second run wrote off again")
            say("checked: every balance written off, a second run writes nothing off")
        finally:
            cr.rollback()
            if not args.keep:
                clear_writeoffs(env)
                cr.commit()
    step, floor = min(steps), min(floors)
    ratio = step / floor
    say(f"step/floor = {ratio:.2f}: {'within' if ratio <= 5 else 'above'} the target of 5")
    print(
        f"bench writeoffs: accounts={accounts} step={step:.2f}s floor={floor:.2f}s "
        f"ratio={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
