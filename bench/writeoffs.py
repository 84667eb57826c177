"""Benchmark: the daily run's small-balance write-off step, against its floor.

step: PatientCollectionRun._step_small_balance_writeoffs() on accounts with one invoice each (30 %
partly paid), every balance under the threshold; floor: Odoo creating and posting the same entries
and reconciling each credit with its open item in one _reconcile_plan (lines prepared beforehand).
Best of BENCH_REPEAT (3), rolled back.  Size: PC_BENCH_WRITEOFF_ACCOUNTS (5000).
"""

import sys

import common
from common import say


def floor_lines(env, company, expense):
    """The floor's entries (ENTRY_SIZE accounts each, as the step: a credit per open
    item and one debit per account), each line with the open item it settles."""
    from odoo.addons.patient_collections.models.patient_writeoff import (  # noqa: PLC0415
        ENTRY_SIZE,
    )

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
    entries = {}  # account: [(line values, open item settled)]
    for account_id, partner_id, item, receivable_id, residual in env.cr.fetchall():
        line = {"account_id": receivable_id, "partner_id": partner_id, "credit": residual}
        entries.setdefault(account_id, []).append((line, item))
    for lines in entries.values():
        total = sum(line["credit"] for line, _item in lines)
        debit = {"account_id": expense.id, "partner_id": lines[0][0]["partner_id"], "debit": total}
        lines.append((debit, None))
    entries = list(entries.values())
    chunks = [entries[i : i + ENTRY_SIZE] for i in range(0, len(entries), ENTRY_SIZE)]
    return [[pair for lines in chunk for pair in lines] for chunk in chunks]


def run_floor(env, company, chunks):
    """Seconds of Odoo creating, posting and reconciling the entries, rolled back."""

    def write_off():
        moves = env["account.move"].with_company(company).create([
            {"move_type": "entry", "journal_id": journal.id,
             "line_ids": [(0, 0, line) for line, _item in chunk]}
            for chunk in chunks
        ])  # fmt: skip
        moves.action_post()
        Line = env["account.move.line"]
        env["account.move.line"]._reconcile_plan(
            [
                Line.browse([item, line.id])
                for move, chunk in zip(moves, chunks, strict=True)
                for line, (_vals, item) in zip(move.line_ids.sorted("id"), chunk, strict=True)
                if item
            ]
        )

    journal = env["patient.writeoff"]._journal_for(company)
    return common.rolled_back(env, write_off)[0]


def main():
    accounts = common.size("WRITEOFF_ACCOUNTS", 5000)
    repeat = max(common.size("REPEAT", 3), 1)
    if not accounts:
        sys.exit("need at least one account")
    with common.session(__doc__) as (args, env):
        say(f"bench writeoffs on {args.db}: {accounts} accounts, best of {repeat}")
        data = common.prepare(env, args.db, accounts, accounts, pending_share=0, unapplied_share=0)
        company = env["res.company"].browse(data.company_id)
        Account = env["account.account"].with_company(company)
        expense = Account.search([("code", "=", "688900")], limit=1) or Account.create(
            {"name": "Bench small balance write-offs", "code": "688900", "account_type": "expense"}
        )
        company.write({
            "collections_small_balance_writeoff": True, "collections_small_balance_min_days": 0,
            "collections_small_balance_threshold": 10_000,
            "collections_writeoff_account_small_balance_id": expense.id,
        })  # fmt: skip
        chunks = floor_lines(env, company, expense)
        step = env["patient.collection.run"]._step_small_balance_writeoffs
        stats = common.run_counts()
        best = common.best_of(
            repeat,
            {
                "floor": lambda: run_floor(env, company, chunks),
                "step": lambda: common.rolled_back(env, lambda: step(company, data.today, stats))[
                    0
                ],
            },
        )
        common.require(stats[("written_off", False, False)], "the step wrote nothing off")
    print(
        f"bench writeoffs: accounts={accounts} step={best['step']:.2f}s floor={best['floor']:.2f}s "
        f"ratio={best['step'] / best['floor']:.2f}"
    )


if __name__ == "__main__":
    main()
