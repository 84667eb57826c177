#!/usr/bin/env bash
# make clean-db: stop this repository's PostgreSQL cluster and delete it with
#                all its databases (pc_demo, pc_test, ...).
# make clean:    clean-db, plus .build/ (generated config, logs, filestore).
#                The virtualenv .venv/ is kept (rm -rf .venv to rebuild it).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

what="${1:-db}"
if [ -n "$(pg_find_bindir)" ]; then
    pg_stop
    info "deleting the PostgreSQL cluster $PG_DATA_DIR and $PG_SOCKET_DIR"
    rm -rf "$PG_DATA_DIR" "$PG_SOCKET_DIR"
    rmdir "$(dirname "$PG_DATA_DIR")" 2>/dev/null || true  # /var/tmp fallback folder
fi
rm -rf "$REPO_DIR/.pgdata" "$REPO_DIR/.pgrun"
if [ "$what" = all ]; then
    info "deleting .build/"
    rm -rf "$BUILD_DIR"
fi
