"""The nightly run in batches under production settings (issue 15): every account due a first
statement, Odoo --workers=2 --max-cron-threads=1 --limit-time-real=120, the cron's hour come and its
run polled until done.  longest_batch_s: the longest time between two progress commits seen; killed:
workers killed (Odoo's log, .build/logs/<db>-wk.log); each due account must get exactly one
statement; ratio: against run() in one transaction, rolled back (PC_BENCH_ONE=0: not run).  Sizes
PC_BENCH_ACCOUNTS (SIZE, 50000), INVOICES (5 each); ports HTTP_PORT, GEVENT_PORT (0: free).
"""

import os
import re
import socket
import subprocess
import sys
import time

import common
from common import say
from escalation import run_collections

POLL = 0.5
# the master killing a worker past limit_time_real, a worker past limit_time_cpu
KILLED = re.compile(r"\((\d+)\) timeout after \d+s|\((\d+)\) CPU time limit \(\d+\) reached")
STATEMENTS_SQL = """
    SELECT a.id, (SELECT count(*) FROM ir_attachment t WHERE t.res_model = 'patient.account'
                    AND t.res_id = a.id AND t.name LIKE 'Statement %%'),
           (SELECT count(*) FROM patient_interaction i WHERE i.account_id = a.id
                    AND i.note LIKE 'Statement of %%')
      FROM patient_account a WHERE a.id = ANY(%s)
"""


def free_port(name):  # PC_BENCH_<name>, else a free one
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return common.size(name, 0) or sock.getsockname()[1]


def start_odoo(args, log_path):
    """The Odoo master with its workers, as in production."""
    odoo_bin = os.path.join(os.environ.get("ODOO_PATH") or "/opt/odoo", "odoo-bin")
    ports = [f"--http-port={free_port('HTTP_PORT')}", f"--gevent-port={free_port('GEVENT_PORT')}"]
    command = [sys.executable, odoo_bin, "-c", args.rc, "-d", args.db, f"--db-filter=^{args.db}$",
        "--workers=2", "--max-cron-threads=1", "--limit-time-real=120", *ports]  # fmt: skip
    with open(log_path, "w") as log:
        return subprocess.Popen(command, stdout=log, stderr=log, stdin=subprocess.DEVNULL)


def poll_run(env, after_id, master, log_path, started):
    """Poll the new run until done: (batches, longest gap between progress commits, seconds)."""
    cr, last_change, last_count, longest = env.cr, started, 0, 0.0
    while True:
        time.sleep(POLL)
        cr.rollback()  # a fresh snapshot
        cr.execute("SELECT state, batch_count, step, step_remaining FROM patient_collection_run"
                   " WHERE id > %s ORDER BY id LIMIT 1", [after_id])  # fmt: skip
        row, now = cr.fetchone(), time.perf_counter()
        if row and row[1] != last_count:
            longest, last_change, last_count = max(longest, now - last_change), now, row[1]
            say(f"run: {row[0]}, {row[1]} batches, step {row[2]}, {row[3]} left")
        if row and row[0] == "done":
            return row[1], longest, now - started
        common.require(master.poll() is None, f"Odoo exited ({master.returncode}): see {log_path}")
        common.require(now - started < common.size("TIMEOUT", 7200), "the run did not finish")


def check_statements(env, due):
    """Every due account has exactly one statement PDF and interaction, no other any."""
    env.cr.rollback()
    env.cr.execute(STATEMENTS_SQL, [common.bench_accounts(env).ids])
    rows = env.cr.fetchall()
    wrong = [r for r in rows if (r[1], r[2]) != ((1, 1) if r[0] in due else (0, 0))]
    common.require(not wrong, f"{len(wrong)} accounts without exactly one statement: {wrong[:5]}")
    return sum(1 for r in rows if r[1])


def prepare_first_statements(env, db, accounts, invoices):
    """The bench data, each account in a statement stage, no statement nor run; the due ids."""
    data = common.prepare(env, db, accounts, invoices)
    bench = common.bench_accounts(env)
    common.place_in_statement_stages(env, bench)
    env.cr.execute("DELETE FROM patient_collection_run; UPDATE patient_account SET"
                   " first_statement_date = NULL, last_statement_date = NULL WHERE id = ANY(%s)",
                   [bench.ids])  # fmt: skip
    common.fresh(env, db, ["patient_account"])
    companies = env["res.company"].search([])  # pylint: disable=no-search-all
    domain = env["patient.collection.run"]._statement_due_domain(companies, data.today)
    return data, set(bench.filtered_domain(domain).ids)


def main():
    accounts, invoices = common.sizes(50_000)
    tables = (*common.BENCH_TABLES, "mail_message", "patient_interaction", "ir_attachment")
    with common.session(__doc__, tables) as (args, env):
        log_path = f"{'.build/logs' if os.path.isdir('.build/logs') else '/tmp'}/{args.db}-wk.log"
        say(f"bench run_batches on {args.db}: {accounts} accounts, {invoices} invoices")
        data, due = prepare_first_statements(env, args.db, accounts, invoices)
        say(f"{len(due)} accounts due a first statement; the one-transaction run (rolled back)")
        one = run_collections(env, args.db, data.today)[0] if common.size("ONE", 1) else {"run": 0}
        say(f"one transaction: {one['run']:.1f}s, {one.get('statements', 0)} statements")
        master = start_odoo(args, log_path)
        try:
            say(f"Odoo --workers=2 started (log {log_path}); the cron's hour come")
            time.sleep(common.size("START_WAIT", 5))
            env.cr.execute("SELECT COALESCE(max(id), 0) FROM patient_collection_run")
            after_id, started = env.cr.fetchone()[0], time.perf_counter()
            # the night's hour come (a trigger alone, before it, only finishes runs
            # under way), and the cron worker woken for it
            cron = env.ref("patient_collections.ir_cron_collection_run")
            env.cr.execute(
                "UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC' WHERE id = %s", [cron.id]
            )
            cron._trigger()
            env.cr.commit()
            batches, longest, total = poll_run(env, after_id, master, log_path, started)
        finally:
            master.terminate()
            master.wait(60)
            env.cr.rollback()
            env["ir.attachment"]._gc_file_store()
            env.cr.commit()
        with open(log_path) as log:
            killed = len({m.groups() for m in map(KILLED.search, log) if m})
        statements = check_statements(env, due)
        env.cr.execute("SELECT count(*) FROM patient_collection_run WHERE id > %s", [after_id])
        say(f"checked: one statement per due account; {env.cr.fetchone()[0]} run record(s) made")
    ratio = f"{total / one['run']:.2f}" if one["run"] else "n/a"
    print(
        f"bench run_batches: accounts={accounts} statements={statements} batches={batches}",
        f"longest_batch_s={longest:.2f} total_s={total:.2f} killed={killed} ratio={ratio}",
    )


if __name__ == "__main__":
    main()
