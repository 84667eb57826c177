#!/usr/bin/env bash
# make test: the whole check-list, in order:
#   1. lint       ruff, pylint-odoo, oca-checks-odoo-module (one check each)
#   2. pure tests pytest over tests/pure (no Odoo, no database)
#   3. odoo tests odoo-bin --test-enable on a throw-away database pc_test
#                 (tags /patient_collections, plus $ODOO_TEST_TAGS)
#   4. lifecycle  install with demo data, update, websocket worker under
#                 --workers=2 (scripts/check_workers.sh), uninstall on pc_lifecycle
# One summary line per suite, then, LAST, the total line
#   N passed, N failed, N skipped
# Exit status 0 only when nothing failed. Without Odoo (ODOO_PATH holds no
# odoo-bin) steps 3 and 4 are announced as NOT RUN and not counted.
#
# Knobs (environment or make variables):
#   ODOO_PATH          Odoo 18.0 source tree (default /opt/odoo)
#   ODOO_TEST_TAGS     extra --test-tags, e.g. /account:TestAccountMove
#   ODOO_TEST_TIMEOUT  seconds for the Odoo test run (default 4500)
#   ODOO_STEP_TIMEOUT  seconds for each lifecycle step (default 900)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
exec 2>&1 # one stream: the summary must stay the very last line

ODOO_TEST_TIMEOUT="${ODOO_TEST_TIMEOUT:-4500}"
ODOO_STEP_TIMEOUT="${ODOO_STEP_TIMEOUT:-900}"
TEST_DB=pc_test
LIFECYCLE_DB=pc_lifecycle

TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
SUMMARY=()
FINISHED=""

# If the harness itself dies half-way (set -e), still close with a total
# line that counts the breakdown as a failure.
on_exit() {
    local rc=$?
    if [ -z "$FINISHED" ]; then
        echo
        info "the test harness stopped early (exit code $rc): see the messages above"
        local line
        for line in "${SUMMARY[@]}"; do echo "$line"; done
        echo "$TOTAL_PASSED passed, $((TOTAL_FAILED + 1)) failed, $TOTAL_SKIPPED skipped"
        exit 1
    fi
}
trap on_exit EXIT

add_suite() { # name passed failed skipped [note]
    TOTAL_PASSED=$((TOTAL_PASSED + $2))
    TOTAL_FAILED=$((TOTAL_FAILED + $3))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + $4))
    SUMMARY+=("$1: $2 passed, $3 failed, $4 skipped${5:+  ($5)}")
    info "$1: $2 passed, $3 failed, $4 skipped${5:+  ($5)}"
}

section() {
    echo
    info "=== $* ==="
}

# Number of Odoo test functions written in tests/test_*.py.
count_odoo_tests() {
    local files=("$REPO_DIR"/tests/test_*.py)
    [ -e "${files[0]}" ] || { echo 0; return; }
    cat "${files[@]}" | grep -cE '^\s*(async\s+)?def test_' || true
}

# run_odoo LOG TIMEOUT odoo-bin-args...   -> exit code of odoo-bin
# The full log goes to LOG; the console shows progress and problems only.
run_odoo() {
    local log="$1" limit="$2" rc cmd=()
    shift 2
    # A sub-command (shell) must come before the options.
    if [ "${1:-}" = shell ]; then cmd=(shell); shift; fi
    cmd+=(-c "$ODOO_CONF" "$@")
    info "odoo-bin ${cmd[*]} (log: ${log#"$REPO_DIR"/})"
    set +e
    timeout --kill-after=30 "$limit" "$VENV_PY" "$ODOO_PATH/odoo-bin" "${cmd[@]}" 2>&1 |
        tee "$log" |
        grep --line-buffered -E ' (WARNING|ERROR|CRITICAL) |odoo\.modules\.loading: Loading module |: Starting |odoo\.tests\.result: ' |
        cut -c1-240 | sed -u 's/^/    | /'
    rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        info "odoo-bin was stopped after $limit s (timeout)"
    fi
    return "$rc"
}

# Parse the COUNTS line of scripts/odoo_log.py; echo "passed failed skipped".
odoo_log_counts() {
    local out
    out="$("$VENV_PY" "$REPO_DIR/scripts/odoo_log.py" "$@")"
    printf '%s\n' "$out" | grep -v '^COUNTS ' >&2 || true
    printf '%s\n' "$out" | sed -n 's/^COUNTS //p' | tail -n1
}

# ---------------------------------------------------------------------------
section "setup"
ensure_venv
ensure_build_dir
ODOO_OK=""
PG_OK=""
if odoo_available; then
    ODOO_OK=1
    require_odoo
    if (ensure_postgres); then
        # ensure_postgres ran in a subshell (so that a failure is counted, not
        # fatal): recompute its variables here, cheaply.
        ensure_pg_binaries
        pg_resolve_dirs
        write_odoo_conf
        ensure_chromium
        PG_OK=1
    else
        info "PostgreSQL could not be set up: the Odoo tests and lifecycle checks count as failed"
    fi
fi

# ---------------------------------------------------------------------------
section "lint (make lint)"
lint_passed=0
lint_failed=0
lint_failed_tools=()
for tool in ruff pylint xml; do
    if bash "$REPO_DIR/scripts/lint.sh" "$tool"; then
        lint_passed=$((lint_passed + 1))
    else
        lint_failed=$((lint_failed + 1))
        lint_failed_tools+=("$tool")
    fi
done
add_suite "lint" "$lint_passed" "$lint_failed" 0 "${lint_failed_tools[*]:+findings from: ${lint_failed_tools[*]}}"

# ---------------------------------------------------------------------------
section "pure tests (pytest tests/pure)"
junit="$LOG_DIR/pure-junit.xml"
rm -f "$junit"
if [ -d "$REPO_DIR/tests/pure" ]; then
    rc=0
    (cd "$REPO_DIR" && "$VENV_PY" -m pytest -c pytest.ini -p no:odoo --confcutdir=tests/pure -p no:cacheprovider \
        --junitxml="$junit" tests/pure) || rc=$?
    if [ "$rc" -eq 5 ]; then
        add_suite "pure tests" 0 0 0 "no test collected in tests/pure"
    elif [ -f "$junit" ] && [ "$rc" -le 1 ]; then
        read -r p f s < <("$VENV_PY" - "$junit" <<'EOF'
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
k = sum(int(s.get("skipped", 0)) for s in suites)
print(max(t - f - k, 0), f, k)
EOF
        )
        if [ "$rc" -eq 1 ] && [ "$f" -eq 0 ]; then f=1; fi
        add_suite "pure tests" "$p" "$f" "$s"
    else
        add_suite "pure tests" 0 1 0 "pytest could not run (exit code $rc)"
    fi
else
    add_suite "pure tests" 0 0 0 "no tests/pure folder"
fi

# ---------------------------------------------------------------------------
expected_odoo_tests="$(count_odoo_tests)"
if [ -z "$ODOO_OK" ]; then
    echo
    banner "ODOO TESTS WERE NOT RUN: $(odoo_unavailable_reason)." \
        "NOT run, NOT counted as passed:" \
        "  - $expected_odoo_tests Odoo test functions (def test_ in tests/test_*.py)" \
        "  - 4 lifecycle checks (install with demo, update, websocket worker, uninstall)" \
        "Point ODOO_PATH at an Odoo 18.0 source tree to run them:" \
        "  make test ODOO_PATH=/path/to/odoo"
    SUMMARY+=("odoo tests: NOT RUN ($expected_odoo_tests test functions): $(odoo_unavailable_reason)")
    SUMMARY+=("lifecycle: NOT RUN (4 checks): $(odoo_unavailable_reason)")
elif [ -z "$PG_OK" ]; then
    add_suite "odoo tests" 0 1 0 "PostgreSQL could not be set up"
    add_suite "lifecycle" 0 4 0 "PostgreSQL could not be set up"
else
    # -----------------------------------------------------------------------
    tags="/$PC_MODULE${ODOO_TEST_TAGS:+,$ODOO_TEST_TAGS}"
    section "odoo tests (--test-tags $tags, database $TEST_DB)"
    db_drop "$TEST_DB"
    port="$(free_port)"
    log="$LOG_DIR/odoo-tests.log"
    rc=0
    run_odoo "$log" "$ODOO_TEST_TIMEOUT" -d "$TEST_DB" -i "$PC_MODULE,payment_demo" --test-enable \
        --test-tags "$tags" --stop-after-init --without-demo=all --http-port "$port" \
        --log-level=info </dev/null || rc=$?
    read -r p f s < <(odoo_log_counts tests "$log" --module "$PC_MODULE" \
        --expected "$expected_odoo_tests" --exit-code "$rc")
    add_suite "odoo tests" "$p" "$f" "$s"

    # -----------------------------------------------------------------------
    section "lifecycle checks (database $LIFECYCLE_DB)"
    db_drop "$LIFECYCLE_DB"
    lc_passed=0
    lc_failed=0
    lc_failed_steps=""
    lifecycle_result() { # step ok(0/1) message
        if [ "$2" -eq 0 ]; then
            lc_passed=$((lc_passed + 1))
            info "lifecycle $1: ok"
        else
            lc_failed=$((lc_failed + 1))
            lc_failed_steps="${lc_failed_steps:+$lc_failed_steps; }$1"
            info "lifecycle $1: FAILED: $3"
        fi
    }
    # A step passes when odoo-bin exits 0, the module ends in the expected
    # state and the log has no WARNING/ERROR about the module.
    lifecycle_check() { # step log rc expected_state
        local step="$1" log="$2" rc="$3" want="$4" state problems
        state="$(db_module_state "$LIFECYCLE_DB")"
        read -r _ problems _ < <(odoo_log_counts scan "$log" --module "$PC_MODULE")
        if [ "$rc" -ne 0 ]; then
            echo "    ----- last lines of ${log#"$REPO_DIR"/} -----"
            tail -n 30 "$log" | sed 's/^/    /'
            lifecycle_result "$step" 1 "odoo-bin exited with code $rc"
        elif [ "$state" != "$want" ]; then
            lifecycle_result "$step" 1 "module state is '${state:-?}', expected '$want'"
        elif [ "$problems" -ne 0 ]; then
            lifecycle_result "$step" 1 "$problems WARNING/ERROR record(s) about $PC_MODULE in the log"
        else
            lifecycle_result "$step" 0 ""
        fi
    }

    log="$LOG_DIR/lifecycle-install.log"
    rc=0
    run_odoo "$log" "$ODOO_STEP_TIMEOUT" -d "$LIFECYCLE_DB" -i "$PC_MODULE" \
        --stop-after-init --no-http --log-level=info </dev/null || rc=$?
    lifecycle_check "install (with demo data)" "$log" "$rc" installed
    installed_ok=$((lc_failed == 0))

    if [ "$installed_ok" -eq 1 ]; then
        log="$LOG_DIR/lifecycle-update.log"
        rc=0
        run_odoo "$log" "$ODOO_STEP_TIMEOUT" -d "$LIFECYCLE_DB" -u "$PC_MODULE" \
            --stop-after-init --no-http --log-level=info </dev/null || rc=$?
        lifecycle_check "update (-u)" "$log" "$rc" installed

        # Odoo in multi-process mode on the same database: its websocket
        # (gevent) worker must start once and stay up (scripts/check_workers.sh).
        if ODOO_RC="$ODOO_CONF" bash "$REPO_DIR/scripts/check_workers.sh" "$LIFECYCLE_DB"; then
            lifecycle_result "websocket worker under --workers=2" 0 ""
        else
            lifecycle_result "websocket worker under --workers=2" 1 "see the check-workers lines above"
        fi

        log="$LOG_DIR/lifecycle-uninstall.log"
        rc=0
        run_odoo "$log" "$ODOO_STEP_TIMEOUT" shell -d "$LIFECYCLE_DB" --no-http \
            --log-level=info <<EOF || rc=$?
module = env["ir.module.module"].search([("name", "=", "$PC_MODULE")])
module.button_immediate_uninstall()
EOF
        # nothing of the module may stay behind on Odoo's own tables
        left="$(pg_psql -d "$LIFECYCLE_DB" -c "SELECT string_agg(indexname, ', ') FROM pg_indexes WHERE indexname LIKE '${PC_MODULE}\_%'")"
        if [ "$rc" -eq 0 ] && [ -n "$left" ]; then
            lifecycle_result "uninstall" 1 "indexes left behind on Odoo's tables: $left"
        else
            lifecycle_check "uninstall" "$log" "$rc" uninstalled
        fi
    else
        lifecycle_result "update (-u)" 1 "not run: the install failed"
        lifecycle_result "websocket worker under --workers=2" 1 "not run: the install failed"
        lifecycle_result "uninstall" 1 "not run: the install failed"
    fi
    add_suite "lifecycle" "$lc_passed" "$lc_failed" 0 "${lc_failed_steps:+failed: $lc_failed_steps}"
fi

# ---------------------------------------------------------------------------
echo
info "=== summary ==="
for line in "${SUMMARY[@]}"; do echo "$line"; done
FINISHED=1
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed, $TOTAL_SKIPPED skipped"
[ "$TOTAL_FAILED" -eq 0 ]
