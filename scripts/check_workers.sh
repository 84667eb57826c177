#!/usr/bin/env bash
# make check-workers: start Odoo in multi-process mode (--workers=2, as a
# practice runs it in production) and check that its real-time worker, the
# gevent process serving the websocket (bus, live updates of the web client),
# starts once and stays up: no respawn for CHECK_WORKERS_SECONDS (default 10)
# after it said "Evented Service (longpolling) running", and it answers
# /web/health on its own port.  (Issue 15: with gevent's dependencies at
# versions whose metadata the virtualenv's pkg_resources cannot read, that
# process died on start with pkg_resources.DistributionNotFound and the
# master respawned it several times a second.)
#
#   scripts/check_workers.sh [DB]      default DB: pc_workers
#
# The database is made (module installed without demo data) when it does not
# hold the module.  With ODOO_RC set (scripts/test.sh passes its own config)
# the harness setup is skipped and DB must already hold the module.
# Ports: two free ones on 127.0.0.1.  Cron workers: none (--max-cron-threads=0),
# nothing runs on the database.  Log: .build/logs/check-workers.log.
# Exit status 0 when the worker stayed up, 1 otherwise (the log's tail shown).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${1:-pc_workers}"
UP_SECONDS="${CHECK_WORKERS_SECONDS:-10}"
START_TIMEOUT="${CHECK_WORKERS_START_TIMEOUT:-180}"
READY_LINE='Evented Service (longpolling) running on'

if [ -n "${ODOO_RC:-}" ]; then
    require_odoo
    ODOO_CONF="$ODOO_RC"
else
    setup_all
    if [ "$(db_module_state "$DB")" != "installed" ]; then
        db_drop "$DB"
        info "creating database $DB with $PC_MODULE installed, without demo data"
        odoo_bin -d "$DB" -i "$PC_MODULE" --without-demo=all --stop-after-init --no-http \
            >"$LOG_DIR/check-workers-install.log" 2>&1 </dev/null ||
            die "installing $PC_MODULE in $DB failed: see $LOG_DIR/check-workers-install.log"
    fi
fi
mkdir -p "$LOG_DIR"
log="$LOG_DIR/check-workers.log"
http_port="$(free_port)"
gevent_port="$(free_port)"
while [ "$gevent_port" = "$http_port" ]; do gevent_port="$(free_port)"; done

info "starting Odoo with --workers=2 on $DB (HTTP port $http_port, websocket port $gevent_port; log: ${log#"$REPO_DIR"/})"
"$VENV_PY" "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" \
    --workers=2 --max-cron-threads=0 --http-interface=127.0.0.1 \
    --http-port="$http_port" --gevent-port="$gevent_port" >"$log" 2>&1 </dev/null &
master=$!
stop_master() {
    if kill -0 "$master" 2>/dev/null; then
        kill -TERM "$master" 2>/dev/null || true
        local i
        for i in $(seq 1 30); do kill -0 "$master" 2>/dev/null || break; sleep 1; done
        kill -KILL "$master" 2>/dev/null || true
    fi
    wait "$master" 2>/dev/null || true
}
trap stop_master EXIT

fail() {
    echo "    ----- last lines of ${log#"$REPO_DIR"/} -----"
    tail -n 25 "$log" | cut -c1-240 | sed 's/^/    /'
    info "check-workers: FAILED: $*"
    exit 1
}
ready_count() { grep -cF "$READY_LINE" "$log" || true; }
deaths() { grep -cE 'DistributionNotFound|^Traceback' "$log" || true; }

# 1. the real-time worker says it serves (the master has loaded the registry first)
waited=0
until [ "$(ready_count)" -ge 1 ]; do
    kill -0 "$master" 2>/dev/null || fail "the Odoo master process exited on start"
    [ "$(deaths)" -eq 0 ] || fail "a worker died on start (traceback above)"
    [ "$waited" -lt "$START_TIMEOUT" ] || fail "no '$READY_LINE' line after $START_TIMEOUT s"
    sleep 1
    waited=$((waited + 1))
done
gevent_pid="$(grep -F "$READY_LINE" "$log" | head -n1 | awk '{print $3}')"
info "the websocket worker (pid $gevent_pid) serves after ${waited} s; watching it for $UP_SECONDS s"

# 2. it stays: no second start, no traceback, the same process alive
sleep "$UP_SECONDS"
[ "$(ready_count)" -eq 1 ] || fail "the websocket worker was started $(ready_count) times in $UP_SECONDS s (respawned)"
[ "$(deaths)" -eq 0 ] || fail "tracebacks in the log (a worker died)"
kill -0 "$gevent_pid" 2>/dev/null || fail "the websocket worker (pid $gevent_pid) is gone"

# 3. and answers on its port
status="$("$VENV_PY" - "$gevent_port" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/web/health", timeout=20) as r:
        print(r.status)
except Exception as exc:  # noqa: BLE001 (reported, not raised)
    print(f"no answer: {exc}")
EOF
)"
[ "$status" = "200" ] || fail "GET /web/health on the websocket port: $status"
info "check-workers: ok (the websocket worker stayed up $UP_SECONDS s, one start, /web/health 200)"
