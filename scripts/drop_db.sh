#!/usr/bin/env bash
# make drop-demo: drop the database pc_demo (the next make run recreates it
# with fresh demo data). scripts/drop_db.sh NAME drops another one.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

db="${1:-pc_demo}"
ensure_postgres
if db_exists "$db"; then
    db_drop "$db"
    rm -rf "$ODOO_DATA_DIR/filestore/$db"
else
    info "database $db does not exist"
fi
