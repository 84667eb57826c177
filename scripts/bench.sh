#!/usr/bin/env bash
# make bench: run every bench/*.py script (a file with an
# `if __name__ == "__main__":` block) against a fresh database pc_bench that
# has patient_collections installed without demo data.
#
# Each script runs with the virtualenv's python, from the repository root,
# with these environment variables (the scripts connect to Odoo themselves):
#   ODOO_PATH   the Odoo source tree (also put on PYTHONPATH: `import odoo` works)
#   ODOO_RC     the generated Odoo config file (.build/odoo.conf)
#   ODOO_DB     the database name (pc_bench)
# Benchmark sizes are read by the scripts from their own variables: pass them
# through, e.g.  make bench PC_BENCH_SIZE=1000  or  PC_BENCH_SIZE=1000 make bench
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB=pc_bench

# bench/statements.py compares the module's reportlab statements with Odoo's
# own invoice PDF (QWeb through wkhtmltopdf, Debian's package).  Without
# wkhtmltopdf it skips that half (no ratio) and says so; as root, install it.
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
        warn "wkhtmltopdf is not installed: bench/statements.py will not measure Odoo's" \
            "invoice PDF (no ratio). Install it as root: apt-get install -y wkhtmltopdf"
        return 0
    fi
    info "wkhtmltopdf is not installed (bench/statements.py needs it): apt-get install -y wkhtmltopdf"
    if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q wkhtmltopdf; }; then
        warn "apt-get install -y wkhtmltopdf failed: bench/statements.py will not measure" \
            "Odoo's invoice PDF (no ratio)."
    fi
}

# A benchmark is a bench/*.py with an `if __name__ == "__main__":` block;
# the other files there (bench/common.py...) are helper modules.
shopt -s nullglob
scripts=()
for f in "$REPO_DIR"/bench/*.py; do
    if grep -qE '^if __name__ == .__main__.:' "$f"; then
        scripts+=("$f")
    else
        info "bench/$(basename "$f"): no __main__ block, a helper module: not run"
    fi
done
shopt -u nullglob
if [ "${#scripts[@]}" -eq 0 ]; then
    info "no benchmark scripts in bench/ (bench/*.py with a __main__ block): nothing to run"
    exit 0
fi

setup_all
ensure_wkhtmltopdf

log="$LOG_DIR/bench-install.log"
db_drop "$DB"
info "creating database $DB with $PC_MODULE installed, without demo data (log: ${log#"$REPO_DIR"/})"
rc=0
odoo_bin -d "$DB" -i "$PC_MODULE" --without-demo=all --stop-after-init --no-http \
    >"$log" 2>&1 </dev/null || rc=$?
if [ "$rc" -ne 0 ] || [ "$(db_module_state "$DB")" != "installed" ]; then
    tail -n 40 "$log"
    die "installing $PC_MODULE in $DB failed (exit code $rc): see above and $log."
fi

failed=()
for script in "${scripts[@]}"; do
    name="${script#"$REPO_DIR"/}"
    echo
    info "=== $name ==="
    start=$SECONDS
    rc=0
    (cd "$REPO_DIR" &&
        ODOO_PATH="$ODOO_PATH" ODOO_RC="$ODOO_CONF" ODOO_DB="$DB" \
            PYTHONPATH="$ODOO_PATH${PYTHONPATH:+:$PYTHONPATH}" \
            "$VENV_PY" "$script" </dev/null) || rc=$?
    if [ "$rc" -eq 0 ]; then
        info "$name: done in $((SECONDS - start)) s"
    else
        info "$name: FAILED (exit code $rc) after $((SECONDS - start)) s"
        failed+=("$name")
    fi
done
echo
if [ "${#failed[@]}" -gt 0 ]; then
    info "benchmarks failed: ${failed[*]}"
    exit 1
fi
info "all ${#scripts[@]} benchmark script(s) ran"
