# shellcheck shell=bash
# Shared helpers for the patient_collections developer harness.
#
# Sourced by the other scripts in scripts/ (never run directly). Every
# function here is idempotent: calling it twice leaves the machine in the
# same state as calling it once.
#
# Layout (all inside the repository, all gitignored):
#   .venv/                         Python virtualenv built from requirements.txt
#   .build/addons/patient_collections -> ../..   (so the addon is always named
#                                  patient_collections, whatever the clone is called)
#   .build/odoo.conf               generated Odoo configuration
#   .build/data/                   Odoo data_dir (filestore, sessions)
#   .build/logs/                   Odoo logs of the last runs
#   .pgdata/ .pgrun/               project-owned PostgreSQL cluster and its socket
#                                  (or /var/tmp/patient_collections-<hash>/ when the
#                                  repository path does not suit PostgreSQL)

set -euo pipefail

PC_MODULE=patient_collections
PC_PREFIX="[${PC_MODULE}]"

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ODOO_PATH="${ODOO_PATH:-/opt/odoo}"
VENV_DIR="$REPO_DIR/.venv"
VENV_PY="$VENV_DIR/bin/python"
BUILD_DIR="$REPO_DIR/.build"
ADDONS_LINK_DIR="$BUILD_DIR/addons"
ODOO_CONF="$BUILD_DIR/odoo.conf"
ODOO_DATA_DIR="$BUILD_DIR/data"
LOG_DIR="$BUILD_DIR/logs"
HTTP_PORT="${HTTP_PORT:-8069}"

# PostgreSQL: the cluster only listens on a unix socket (listen_addresses='');
# the port number only names the socket file (.s.PGSQL.<port>).
PG_PORT=5432
PG_USER_DB_ROLE=odoo          # Odoo refuses to connect as "postgres"
PG_SOCKET_MAX=107             # sun_path limit, including the socket file name

# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
info() { printf '%s %s\n' "$PC_PREFIX" "$*"; }
warn() { printf '%s WARNING: %s\n' "$PC_PREFIX" "$*" >&2; }
die() {
    printf '%s ERROR: %s\n' "$PC_PREFIX" "$1" >&2
    shift || true
    local line
    for line in "$@"; do printf '%s        %s\n' "$PC_PREFIX" "$line" >&2; done
    exit 1
}
banner() {
    local line
    printf '%s\n' "$PC_PREFIX ######################################################################"
    for line in "$@"; do printf '%s ## %s\n' "$PC_PREFIX" "$line"; done
    printf '%s\n' "$PC_PREFIX ######################################################################"
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# ---------------------------------------------------------------------------
# Odoo source tree
# ---------------------------------------------------------------------------
odoo_available() {
    [ -f "$ODOO_PATH/odoo-bin" ] && [ -d "$ODOO_PATH/odoo/addons/base" ]
}

odoo_unavailable_reason() {
    if [ ! -e "$ODOO_PATH" ]; then
        echo "ODOO_PATH=$ODOO_PATH does not exist"
    elif [ ! -f "$ODOO_PATH/odoo-bin" ]; then
        echo "ODOO_PATH=$ODOO_PATH holds no odoo-bin"
    else
        echo "ODOO_PATH=$ODOO_PATH has no odoo/addons/base"
    fi
}

require_odoo() {
    if ! odoo_available; then
        die "$(odoo_unavailable_reason): no Odoo 18.0 source tree found." \
            "Point ODOO_PATH at an Odoo 18.0 checkout (the folder holding odoo-bin), e.g.:" \
            "    make run ODOO_PATH=/path/to/odoo" \
            "or  export ODOO_PATH=/path/to/odoo   (default: /opt/odoo)"
    fi
    local series
    series="$(sed -n "s/^version_info = (\([0-9]*\), *\([0-9]*\),.*/\1.\2/p" "$ODOO_PATH/odoo/release.py" 2>/dev/null || true)"
    if [ -n "$series" ] && [ "$series" != "18.0" ]; then
        warn "ODOO_PATH=$ODOO_PATH is Odoo $series, this addon targets 18.0"
    fi
}

odoo_addons_path() {
    local paths=() d
    for d in "$ODOO_PATH/addons" "$ODOO_PATH/odoo/addons"; do
        [ -d "$d" ] && paths+=("$d")
    done
    paths+=("$ADDONS_LINK_DIR")
    local IFS=,
    echo "${paths[*]}"
}

# ---------------------------------------------------------------------------
# Python virtualenv
# ---------------------------------------------------------------------------
ensure_venv() {
    local req="$REPO_DIR/requirements.txt" stamp="$VENV_DIR/.requirements.sha256" want have=""
    if [ ! -x "$VENV_PY" ]; then
        command -v python3 >/dev/null 2>&1 || die "python3 is not installed (Odoo 18 needs Python 3.10-3.12)."
        info "creating the virtualenv in .venv/ ($(python3 --version 2>&1))"
        if ! python3 -m venv "$VENV_DIR"; then
            rm -rf "$VENV_DIR"
            die "python3 -m venv failed." "On Debian: apt-get install -y python3-venv, then retry."
        fi
    fi
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    [ -f "$stamp" ] && have="$(cat "$stamp")"
    if [ "$want" != "$have" ]; then
        info "installing requirements.txt into .venv/ (changed since last install)"
        local log="$VENV_DIR/pip-install.log" rc=0
        "$VENV_PY" -m pip install --quiet -r "$req" >"$log" 2>&1 || rc=$?
        # (pip's notes about absent local extra-index folders are noise here)
        grep -v 'is ignored: it is neither a file nor a directory' "$log" || true
        [ "$rc" -eq 0 ] || die "pip install -r requirements.txt failed (output above, also in $log)."
        echo "$want" >"$stamp"
    fi
}

# ---------------------------------------------------------------------------
# .build/: the addon under its technical name, Odoo config, logs
# ---------------------------------------------------------------------------
ensure_build_dir() {
    mkdir -p "$ADDONS_LINK_DIR" "$LOG_DIR" "$ODOO_DATA_DIR"
    local link="$ADDONS_LINK_DIR/$PC_MODULE"
    # Relative link: survives moving the clone.
    if [ "$(readlink "$link" 2>/dev/null || true)" != "../.." ]; then
        rm -rf "$link"
        ln -s ../.. "$link"
    fi
}

write_odoo_conf() {
    local tmp="$ODOO_CONF.tmp"
    cat >"$tmp" <<EOF
; Generated by scripts/lib.sh (write_odoo_conf): do not edit, it is rewritten
; by every make run / make test / make bench.
[options]
addons_path = $(odoo_addons_path)
data_dir = $ODOO_DATA_DIR
db_host = $PG_SOCKET_DIR
db_port = $PG_PORT
db_user = $PG_USER_DB_ROLE
db_password = False
http_interface = 127.0.0.1
http_port = $HTTP_PORT
admin_passwd = admin
list_db = True
EOF
    if cmp -s "$tmp" "$ODOO_CONF"; then rm -f "$tmp"; else mv "$tmp" "$ODOO_CONF"; fi
}

# Run odoo-bin with the virtualenv's python and the generated config.
odoo_bin() {
    "$VENV_PY" "$ODOO_PATH/odoo-bin" -c "$ODOO_CONF" "$@"
}

# Print a free TCP port on 127.0.0.1 (never 8069).
free_port() {
    "$VENV_PY" - <<'EOF'
import socket
while True:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    if port != 8069:
        print(port)
        break
EOF
}

# Is something listening on 127.0.0.1:$1 (or on all interfaces)?
port_in_use() {
    python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)   # in use
finally:
    s.close()
sys.exit(1)
EOF
}

# Best effort "pid/command" of the process listening on TCP port $1.
port_owner() {
    local port="$1" out=""
    if command -v ss >/dev/null 2>&1; then
        out="$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 || true)"
        # users:(("python3",pid=123,fd=3)) -> python3 (pid 123)
        out="$(printf '%s' "$out" | sed -n 's/users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p')"
    fi
    if [ -z "$out" ] && command -v lsof >/dev/null 2>&1; then
        out="$(lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | awk 'NR==2 {print $1" (pid "$2")"}' || true)"
    fi
    if [ -n "$out" ]; then
        local pid cmd
        pid="$(printf '%s' "$out" | sed -n 's/.*(pid \([0-9]*\)).*/\1/p')"
        cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-150 | sed 's/ *$//' || true)"
        [ -n "$cmd" ] && out="$out: $cmd"
    fi
    printf '%s' "$out"
}

# ---------------------------------------------------------------------------
# PostgreSQL: a cluster owned by this project
# ---------------------------------------------------------------------------
# Find the newest PostgreSQL server binaries, installing the Debian package
# when there are none.
pg_find_bindir() {
    local d best="" v bestv=0
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] || continue
        v="$(basename "$(dirname "$d")")"
        v="${v%%.*}"
        if [ "$v" -gt "$bestv" ] 2>/dev/null; then bestv="$v"; best="$d"; fi
    done
    if [ -z "$best" ] && command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        best="$(dirname "$(command -v pg_ctl)")"
    fi
    printf '%s' "$best"
}

pg_install() {
    if ! is_root; then
        die "PostgreSQL server binaries (pg_ctl, initdb) are not installed." \
            "Install them as root:  sudo apt-get install -y postgresql   and retry."
    fi
    command -v apt-get >/dev/null 2>&1 ||
        die "PostgreSQL is not installed and apt-get is not available: install PostgreSQL (>= 12) yourself."
    info "PostgreSQL is not installed: apt-get update && apt-get install -y postgresql"
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -q; then
        die "apt-get update failed: cannot install PostgreSQL." \
            "Check the network / apt sources, or install it yourself: apt-get install -y postgresql"
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; then
        die "apt-get install -y postgresql failed (see the apt output above)." \
            "Fix apt (sources, locks: is another apt running?), or install PostgreSQL >= 12 yourself."
    fi
}

ensure_pg_binaries() {
    PG_BIN="$(pg_find_bindir)"
    if [ -z "$PG_BIN" ]; then
        pg_install
        PG_BIN="$(pg_find_bindir)"
        [ -n "$PG_BIN" ] || die "postgresql was installed but no pg_ctl/initdb were found under /usr/lib/postgresql/*/bin."
    fi
    PG_MAJOR="$("$PG_BIN/pg_ctl" --version | sed -n 's/.* \([0-9][0-9]*\)\(\.[0-9]*\)*.*/\1/p' | head -n1)"
    if is_root && ! id postgres >/dev/null 2>&1; then
        info "creating the system user 'postgres' (PostgreSQL refuses to run as root)"
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres ||
            die "could not create the 'postgres' system user."
    fi
}

# Run a command as the OS user that owns the cluster.
pg_as_owner() {
    if is_root; then
        # From /: the current folder may not be readable by postgres.
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# Decide where the cluster lives: .pgdata/.pgrun in the repository, or a
# fallback under /var/tmp when the repository is not traversable by the
# 'postgres' user or the socket path would be too long.
pg_resolve_dirs() {
    local data="$REPO_DIR/.pgdata" run="$REPO_DIR/.pgrun" reason=""
    if is_root && ! (cd / && runuser -u postgres -- test -x "$REPO_DIR") 2>/dev/null; then
        reason="the OS user 'postgres' cannot traverse $REPO_DIR (a parent folder is not world-executable)"
    elif [ $((${#run} + ${#PG_PORT} + 10)) -gt "$PG_SOCKET_MAX" ]; then
        reason="the socket path $run/.s.PGSQL.$PG_PORT would exceed the $PG_SOCKET_MAX-character unix socket limit"
    fi
    if [ -n "$reason" ]; then
        local hash base
        hash="$(printf '%s' "$REPO_DIR" | sha256sum | cut -c1-8)"
        base="/var/tmp/${PC_MODULE}-${hash}"
        data="$base/pgdata"
        run="$base/pgrun"
        if [ -z "${PC_PG_FALLBACK_SAID:-}" ]; then
            info "PostgreSQL cluster goes to $base/ because $reason"
            export PC_PG_FALLBACK_SAID=1
        fi
        if [ -e "$base" ] && [ ! -O "$base" ]; then
            die "$base exists but is not owned by $(id -un): refusing to use it." \
                "Remove it (rm -rf $base) if it is a leftover, and retry."
        fi
        mkdir -p "$base"
        chmod 755 "$base"
    fi
    PG_DATA_DIR="$data"
    PG_SOCKET_DIR="$run"
    PG_LOG="$PG_SOCKET_DIR/postgresql.log"
    export PGHOST="$PG_SOCKET_DIR" PGPORT="$PG_PORT" PGUSER="$PG_USER_DB_ROLE"
}

# Make sure $1 exists and belongs to the cluster owner.
pg_owned_dir() {
    mkdir -p "$1"
    if is_root; then chown postgres: "$1"; fi
    chmod "$2" "$1"
}

pg_initdb() {
    if [ -f "$PG_DATA_DIR/PG_VERSION" ]; then
        local have
        have="$(cat "$PG_DATA_DIR/PG_VERSION")"
        if [ "$have" != "$PG_MAJOR" ]; then
            die "the cluster in $PG_DATA_DIR was made by PostgreSQL $have but the server found is $PG_MAJOR ($PG_BIN)." \
                "Its databases are throw-away: run 'make clean-db' (removes it) and retry."
        fi
        return 0
    fi
    if [ -d "$PG_DATA_DIR" ] && [ -n "$(ls -A "$PG_DATA_DIR" 2>/dev/null)" ]; then
        die "$PG_DATA_DIR is not empty but holds no PostgreSQL cluster (no PG_VERSION)." \
            "Remove it (rm -rf $PG_DATA_DIR) and retry."
    fi
    info "creating the PostgreSQL $PG_MAJOR cluster in $PG_DATA_DIR"
    pg_owned_dir "$PG_DATA_DIR" 700
    # The bootstrap superuser is the 'odoo' role itself; trust auth on the
    # local socket only (there is no TCP listener at all).
    if ! pg_as_owner "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U "$PG_USER_DB_ROLE" \
        --auth-local=trust --auth-host=reject -E UTF8 --no-locale >"$LOG_DIR/initdb.log" 2>&1; then
        cat "$LOG_DIR/initdb.log" >&2
        die "initdb failed (log above)."
    fi
}

pg_write_conf() {
    local conf="$PG_DATA_DIR/pc_harness.conf" tmp
    tmp="$(mktemp)"
    cat >"$tmp" <<EOF
# Written by scripts/lib.sh (pg_write_conf) before every start.
listen_addresses = ''
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0777
# A throw-away development/test cluster: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
    if ! cmp -s "$tmp" "$conf" 2>/dev/null; then
        cp "$tmp" "$conf"
        if is_root; then chown postgres: "$conf"; fi
    fi
    rm -f "$tmp"
    if ! grep -q "^include_if_exists = 'pc_harness.conf'" "$PG_DATA_DIR/postgresql.conf"; then
        printf "\ninclude_if_exists = 'pc_harness.conf'\n" >>"$PG_DATA_DIR/postgresql.conf"
    fi
}

# 0 if a postgres process is running on our data directory.
pg_server_running() {
    local pidfile="$PG_DATA_DIR/postmaster.pid" pid comm cwd
    [ -f "$pidfile" ] || return 1
    pid="$(head -n1 "$pidfile" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [ -d "/proc/$pid" ] || return 1
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    case "$comm" in postgres | postmaster) ;; *) return 1 ;; esac
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    # Unreadable cwd (not ours to inspect): assume it is our server.
    [ -z "$cwd" ] || [ "$cwd" = "$(cd "$PG_DATA_DIR" && pwd -P)" ]
}

# Remove a postmaster.pid left behind by a server that is gone (crash,
# reboot, killed container...). PostgreSQL itself refuses to start when the
# pid recorded there has been reused by another process.
pg_clear_stale_pid() {
    local pidfile="$PG_DATA_DIR/postmaster.pid" pid
    [ -f "$pidfile" ] || return 0
    pg_server_running && return 0
    pid="$(head -n1 "$pidfile" 2>/dev/null || true)"
    if command -v pgrep >/dev/null 2>&1 && [ -n "$(pgrep -f -- "-D $PG_DATA_DIR" 2>/dev/null || true)" ]; then
        die "$pidfile names pid '$pid' which is not a postgres on this cluster," \
            "yet a process started with -D $PG_DATA_DIR is running:" \
            "    $(pgrep -a -f -- "-D $PG_DATA_DIR" | head -n3 | tr '\n' ' ')" \
            "Stop it (kill <pid>) or run 'make stop', then retry."
    fi
    info "removing a stale PostgreSQL pid file ($pidfile: pid '$pid' is not a running postgres)"
    rm -f "$pidfile"
    # Socket and its lock file from the dead server.
    rm -f "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT" "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT.lock"
}

pg_ready() {
    "$PG_BIN/pg_isready" -q -h "$PG_SOCKET_DIR" -p "$PG_PORT" -d postgres -U "$PG_USER_DB_ROLE" 2>/dev/null
}

pg_start() {
    if pg_server_running; then
        local i
        for i in $(seq 1 30); do pg_ready && return 0; sleep 1; done
        die "PostgreSQL (pid $(head -n1 "$PG_DATA_DIR/postmaster.pid")) runs on $PG_DATA_DIR but does not answer on $PG_SOCKET_DIR." \
            "Restart it: make stop && make <target>. Server log: $PG_LOG"
    fi
    pg_clear_stale_pid
    info "starting PostgreSQL (socket only, in $PG_SOCKET_DIR)"
    if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -l "$PG_LOG" -w -t 60 start >/dev/null; then
        echo "----- last lines of $PG_LOG -----" >&2
        tail -n 25 "$PG_LOG" >&2 || true
        die "PostgreSQL did not start (log above, full log: $PG_LOG)." \
            "If it complains about a lock file or shared memory still in use, an old server" \
            "may still run: check 'ps aux | grep postgres', stop it, then retry."
    fi
}

# Verify the role Odoo uses exists and is a superuser (it is the bootstrap
# superuser created by initdb -U odoo; this heals a cluster made differently).
pg_ensure_role() {
    local su
    su="$(pg_psql -d postgres -c "SELECT rolsuper FROM pg_roles WHERE rolname = '$PG_USER_DB_ROLE'" 2>/dev/null || true)"
    if [ "$su" != "t" ]; then
        die "the cluster in $PG_DATA_DIR has no superuser role '$PG_USER_DB_ROLE'." \
            "It was not created by this harness: run 'make clean-db' and retry."
    fi
}

pg_psql() {
    "$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_USER_DB_ROLE" "$@"
}

db_exists() {
    [ "$(pg_psql -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$1'")" = "1" ]
}

db_drop() {
    if db_exists "$1"; then
        info "dropping database $1"
        "$PG_BIN/dropdb" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_USER_DB_ROLE" --force --if-exists "$1"
    fi
}

# State of the addon in database $1 ('' when the database is not an Odoo one).
db_module_state() {
    pg_psql -d "$1" -c "SELECT state FROM ir_module_module WHERE name = '$PC_MODULE'" 2>/dev/null || true
}

# Everything a command that talks to PostgreSQL needs.
ensure_postgres() {
    ensure_pg_binaries
    pg_resolve_dirs
    mkdir -p "$BUILD_DIR" "$LOG_DIR"
    # Serialise concurrent starts (e.g. make run and make test at once).
    exec 9>"$BUILD_DIR/.pg.lock"
    flock -w 120 9 || die "another harness command holds $BUILD_DIR/.pg.lock for more than 2 minutes."
    pg_owned_dir "$PG_SOCKET_DIR" 755
    pg_initdb
    pg_write_conf
    pg_start
    pg_ensure_role
    flock -u 9
}

pg_stop() {
    ensure_pg_binaries
    pg_resolve_dirs
    if pg_server_running; then
        info "stopping PostgreSQL ($PG_DATA_DIR)"
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -m fast -w -t 60 stop >/dev/null
    else
        info "PostgreSQL is not running ($PG_DATA_DIR)"
    fi
}

# Everything: venv, .build, PostgreSQL, Odoo config (needs Odoo).
# Headless Chromium drives the browser tests (Odoo tours).  Without it Odoo
# skips them, and the skips show in the counts; so the test set-up installs it.
ensure_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
        command -v google-chrome >/dev/null 2>&1 && return 0
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        warn "Chromium is not installed: the browser tests (tours) will be skipped." \
            "Install it as root: apt-get install -y chromium"
        return 0
    fi
    info "Chromium is not installed (browser tests need it): apt-get install -y chromium"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }; then
        warn "apt-get install -y chromium failed: the browser tests (tours) will be skipped."
    fi
}

setup_all() {
    require_odoo
    ensure_venv
    ensure_build_dir
    ensure_postgres
    write_odoo_conf
}
