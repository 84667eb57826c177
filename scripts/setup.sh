#!/usr/bin/env bash
# make setup: everything make run / test / bench need, nothing else:
#   - the virtualenv .venv/ (re)built from requirements.txt when it changed,
#   - .build/addons/patient_collections -> the repository root,
#   - the project's PostgreSQL cluster, started (installed with apt if missing),
#   - .build/odoo.conf.
# Idempotent: run it as often as you like.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup_all
info "ready: Odoo $ODOO_PATH, config $ODOO_CONF, PostgreSQL socket $PG_SOCKET_DIR (role $PG_USER_DB_ROLE)"
