#!/usr/bin/env bash
# make run: set everything up, install (or update) patient_collections with
# its demo data in the database pc_demo, then serve Odoo on
# http://127.0.0.1:$HTTP_PORT (default 8069) until Ctrl-C.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${PC_DEMO_DB:-pc_demo}"
DEMO_LOGINS=(admin manager specialist specialist2 accountant helen marcus)

require_odoo

# Fail early, before any slow step, when the HTTP port is taken.
check_http_port() {
    if port_in_use "$HTTP_PORT"; then
        local owner
        owner="$(port_owner "$HTTP_PORT")"
        die "port $HTTP_PORT is already in use${owner:+ by $owner}." \
            "Stop that process (kill <pid>; an earlier 'make run' stops with Ctrl-C)," \
            "or serve on another port:  make run HTTP_PORT=8070"
    fi
}
check_http_port

setup_all

state=""
if db_exists "$DB"; then
    state="$(db_module_state "$DB")"
fi
log="$LOG_DIR/run-$DB-install.log"
if [ "$state" = "installed" ]; then
    info "database $DB exists: updating $PC_MODULE (-u $PC_MODULE), log: $log"
    action=(-u "$PC_MODULE" -i payment_demo)
else
    if db_exists "$DB"; then
        info "database $DB exists without $PC_MODULE installed: installing it with demo data, log: $log"
    else
        info "creating database $DB with $PC_MODULE and its demo data (a few minutes), log: $log"
    fi
    action=(-i "$PC_MODULE,payment_demo")
fi

rc=0
# Demo data: Odoo 18 loads it unless --without-demo is given (the generated config never sets it).
odoo_bin -d "$DB" "${action[@]}" --stop-after-init --no-http \
    >"$log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log"; then
    echo "----- errors in $log -----"
    grep -E -A15 '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" | head -n 80 || tail -n 40 "$log"
    die "installing/updating $PC_MODULE in $DB failed (exit code $rc): see above and $log." \
        "Fix the module, then run 'make run' again (the database is kept and updated)." \
        "To start from scratch: make drop-demo && make run"
fi
if grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING .*(patient_collections|odoo\.modules\.loading)' "$log"; then
    warn "the install/update logged warnings (make test counts them as failures):"
    grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING ' "$log" | grep -E 'patient_collections|odoo\.modules\.loading' | head -n 20 >&2 || true
fi

# The port may have been taken while we were installing.
check_http_port

existing="$(pg_psql -d "$DB" -c "SELECT login FROM res_users WHERE login IN ('admin','manager','specialist','specialist2','accountant','helen','marcus')" 2>/dev/null || true)"
lines=("Odoo 18 with $PC_MODULE: http://127.0.0.1:$HTTP_PORT   (database $DB)"
    "Demo logins (password = login):")
for login in "${DEMO_LOGINS[@]}"; do
    if grep -qx "$login" <<<"$existing"; then
        lines+=("$(printf '    %-11s / %s' "$login" "$login")")
    else
        lines+=("$(printf '    %-11s (no such user in %s yet: not in the demo data)' "$login" "$DB")")
    fi
done
lines+=("(helen and marcus: guarantors on the portal, /my/patient-accounts)"
    "Stop with Ctrl-C (PostgreSQL keeps running: make stop). Server log below; install log: ${log#"$REPO_DIR"/}")
banner "${lines[@]}"

exec "$VENV_PY" "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" -d "$DB" --db-filter="^${DB}\$" \
    --http-port="$HTTP_PORT" --http-interface=127.0.0.1
