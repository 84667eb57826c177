#!/usr/bin/env python3
"""Read an Odoo 18 log and turn it into test counts for the harness.

Two sub-commands:

``tests LOG``
    Counts of an ``odoo-bin --test-enable --stop-after-init`` run, from the
    closing line ``odoo.tests.result: F failed, E error(s) of T tests when
    loading database 'DB'`` and the ``skipped ...`` lines of the test loggers.
    ``passed = T - F - E - skipped``. A missing closing line (crash, install
    error) counts as one failure. Every CRITICAL record (Odoo gave up, e.g.
    an exception while running the tests), and every WARNING/ERROR record
    that belongs to the addon (see ``module_problems``), counts as one more
    failure.

``scan LOG``
    Only the CRITICAL records and the addon's WARNING/ERROR records (used by
    the lifecycle checks: install, update, uninstall).

Both print a human readable report and finish with the line
``COUNTS <passed> <failed> <skipped>`` that scripts/test.sh reads.
"""

import argparse
import re
import sys

RECORD_RE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<pid>\d+) (?P<level>[A-Z_]+) "
    r"(?P<db>\S+) (?P<logger>[^\s:]+): (?P<msg>.*)$"
)
RESULT_RE = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<tests>\d+) tests "
    r"when loading database"
)
PROBLEM_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
TEST_LOGGER_RE = re.compile(r"^odoo\.addons\.\w+\.tests(\.|$)")
MAX_RECORD_LINES = 40
MAX_SHOWN = 15


class Record:
    def __init__(self, match, line):
        self.level = match["level"]
        self.logger = match["logger"]
        self.msg = match["msg"]
        self.lines = [line]

    @property
    def text(self):
        return "\n".join(self.lines)

    def show(self, limit=MAX_RECORD_LINES):
        lines = self.lines
        if len(lines) > limit:
            # Keep the head (what failed) and the tail (the exception itself).
            head, tail = lines[:10], lines[-(limit - 10) :]
            lines = [*head, f"    ... ({len(self.lines) - limit} lines left out)", *tail]
        return "\n".join("    " + line for line in lines)


def read_records(path):
    records = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for raw in handle:
                line = raw.rstrip("\n")
                match = RECORD_RE.match(line)
                if match:
                    records.append(Record(match, line))
                elif records:
                    records[-1].lines.append(line)
    except FileNotFoundError:
        pass
    return records


def is_test_bookkeeping(rec):
    """Records that report test outcomes: counted through the result line."""
    if TEST_LOGGER_RE.match(rec.logger) or rec.logger.startswith("odoo.tests"):
        return True
    return rec.logger == "odoo.modules.loading" and bool(
        re.match(r"Module \w+: \d+ failures, \d+ errors of \d+ tests", rec.msg)
        or rec.msg.startswith("At least one test failed")
    )


def module_problems(records, module, table_prefix="patient_"):
    """WARNING+ records that belong to the addon.

    * any record emitted while Odoo installs/updates the addon (between
      ``Loading module <module>`` and its first test or ``Module <module>
      loaded in``), whatever the logger: e.g. ``odoo.modules.loading: The
      models [...] have no access rules``, ``odoo.fields: ... unknown
      parameter``;
    * any record of the addon's own loggers (``odoo.addons.<module>...``);
    * any record whose text mentions the addon's name, or one of its tables
      (quoted, as PostgreSQL's errors name them: ``"patient_account_stage"``;
      ``table_prefix``).
    Test failures are left out: the result line counts them.
    """
    problems = []
    in_window = False
    own_logger = f"odoo.addons.{module}"
    for rec in records:
        if rec.logger == "odoo.modules.loading":
            if re.match(rf"Loading module {re.escape(module)} \(", rec.msg):
                in_window = True
            elif re.match(rf"Module {re.escape(module)} loaded in", rec.msg):
                in_window = False
        if in_window and TEST_LOGGER_RE.match(rec.logger):
            in_window = False  # the install is done, at_install tests start
        if rec.level not in PROBLEM_LEVELS or is_test_bookkeeping(rec):
            continue
        if (
            in_window
            or rec.logger == own_logger
            or rec.logger.startswith(own_logger + ".")
            or module in rec.text
            or (table_prefix and f'"{table_prefix}' in rec.text)
        ):
            problems.append(rec)
    return problems


def test_failures(records):
    return [
        rec
        for rec in records
        if rec.level in {"ERROR", "CRITICAL"}
        and TEST_LOGGER_RE.match(rec.logger)
        and re.match(r"(FAIL|ERROR)\b", rec.msg)
    ]


def tail(path, count):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
    except FileNotFoundError:
        return "    (no log file)"
    return "".join("    " + line for line in lines[-count:]).rstrip("\n")


def crashes(records):
    """CRITICAL records, whoever logs them: Odoo gave up (e.g. "Failed to
    initialize database", raised while running the tests)."""
    return [rec for rec in records if rec.level == "CRITICAL"]


def report_crashes(records):
    found = crashes(records)
    if found:
        print(f"  {len(found)} CRITICAL record(s): Odoo gave up (each counts as a failure):")
        for rec in found:
            print(rec.show())
    return len(found)


def report_problems(problems, what):
    if not problems:
        return
    print(f"  {len(problems)} WARNING/ERROR record(s) from {what} (each counts as a failure):")
    for rec in problems[:MAX_SHOWN]:
        print(rec.show())
    if len(problems) > MAX_SHOWN:
        print(f"    ... and {len(problems) - MAX_SHOWN} more: see the log file")


def cmd_tests(args):
    records = read_records(args.log)
    failed = skipped = passed = 0
    results = [
        rec for rec in records if rec.logger == "odoo.tests.result" and RESULT_RE.search(rec.msg)
    ]
    if not results:
        failed += 1
        print(
            "  Odoo printed no 'odoo.tests.result: ... when loading database' line: "
            "it crashed or the module failed to install. Last lines of the log:"
        )
        print(tail(args.log, args.tail))
    else:
        match = RESULT_RE.search(results[-1].msg)
        n_failed, n_errors, n_tests = (int(match[k]) for k in ("failed", "errors", "tests"))
        skipped = sum(
            1
            for rec in records
            if rec.level == "INFO"
            and rec.msg.startswith("skipped ")
            and (TEST_LOGGER_RE.match(rec.logger) or rec.logger.startswith("odoo.tests"))
        )
        passed = max(n_tests - n_failed - n_errors - skipped, 0)
        failed += n_failed + n_errors
        print(f"  Odoo: {results[-1].msg}  (skipped: {skipped})")
        failures = test_failures(records)
        if failures:
            print(f"  {len(failures)} failing test(s):")
            for rec in failures:
                print(rec.show())
        if n_tests == 0 and args.expected > 0 and not crashes(records):
            failed += 1
            print(
                f"  0 Odoo tests ran although tests/test_*.py define {args.expected} "
                "test functions: are they imported in tests/__init__.py?"
            )
    failed += report_crashes(records)
    problems = [rec for rec in module_problems(records, args.module) if rec.level != "CRITICAL"]
    report_problems(problems, args.module)
    failed += len(problems)
    if args.exit_code not in (None, 0) and failed == 0:
        failed += 1
        print(f"  odoo-bin exited with code {args.exit_code} although nothing failed.")
    print(f"COUNTS {passed} {failed} {skipped}")
    return 0


def cmd_scan(args):
    records = read_records(args.log)
    failed = report_crashes(records)
    problems = [rec for rec in module_problems(records, args.module) if rec.level != "CRITICAL"]
    report_problems(problems, args.module)
    print(f"COUNTS 0 {failed + len(problems)} 0")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    tests = sub.add_parser("tests")
    tests.add_argument("log")
    tests.add_argument("--module", default="patient_collections")
    tests.add_argument("--expected", type=int, default=0, help="number of def test_ found")
    tests.add_argument("--exit-code", type=int, default=None)
    tests.add_argument("--tail", type=int, default=60)
    tests.set_defaults(func=cmd_tests)
    scan = sub.add_parser("scan")
    scan.add_argument("log")
    scan.add_argument("--module", default="patient_collections")
    scan.set_defaults(func=cmd_scan)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
