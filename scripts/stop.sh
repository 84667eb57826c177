#!/usr/bin/env bash
# make stop: stop this repository's PostgreSQL cluster (the databases stay).
# An Odoo started by `make run` is stopped with Ctrl-C in its terminal.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "$(pg_find_bindir)" ]; then
    info "PostgreSQL is not installed: nothing to stop"
    exit 0
fi
pg_stop
