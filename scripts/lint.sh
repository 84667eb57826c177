#!/usr/bin/env bash
# make lint: static checks of the addon.
#
#   scripts/lint.sh            all of them (exit 1 if any reports a finding)
#   scripts/lint.sh ruff       ruff check (pyproject.toml), every Python file
#   scripts/lint.sh pylint     pylint + pylint-odoo odoolint checks (.pylintrc)
#   scripts/lint.sh xml        oca-checks-odoo-module: XML/CSV/manifest checks
#                              (duplicate xml ids, deprecated view syntax...)
#
# None of them needs Odoo or PostgreSQL. pylint-odoo and the XML checks take
# the module name from the folder holding __manifest__.py (after resolving
# symlinks), so they run on a copy of the addon's files in
# .build/lint/patient_collections: the addon is then linted under its
# technical name whatever the clone folder is called.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINT_DIR="$BUILD_DIR/lint"
LINT_COPY="$LINT_DIR/$PC_MODULE"

ensure_venv

# Fresh copy of the files git sees (tracked + untracked, minus .gitignore'd):
# exactly the addon's sources, uncommitted work included.
prepare_lint_copy() {
    rm -rf "$LINT_COPY"
    mkdir -p "$LINT_COPY"
    if git -C "$REPO_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # (files deleted in the work tree but still in the index are skipped)
        (cd "$REPO_DIR" && git ls-files -z -c -o --exclude-standard |
            xargs -0 -r sh -c 'for f; do if [ -f "$f" ]; then printf "%s\0" "$f"; fi; done' sh |
            tar --null -T - -cf -) | tar -C "$LINT_COPY" -xf - ||
            die "could not copy the addon's files to $LINT_COPY"
    else
        (cd "$REPO_DIR" && tar --exclude=./.git --exclude=./.venv --exclude=./.build \
            --exclude=./.pgdata --exclude=./.pgrun --exclude='__pycache__' -cf - .) |
            tar -C "$LINT_COPY" -xf - || die "could not copy the addon's files to $LINT_COPY"
    fi
}

# Show paths relative to the repository root, not to the lint copy.
strip_prefix() { sed -u -e "s#^$PC_MODULE/##" -e "s#[^ :]*\.build/lint/$PC_MODULE/##g"; }

lint_ruff() {
    info "lint: ruff check"
    (cd "$REPO_DIR" && "$VENV_DIR/bin/ruff" check --no-cache .)
}

lint_pylint() {
    info "lint: pylint --load-plugins=pylint_odoo (odoolint checks, Odoo 18.0)"
    local rc=0
    (cd "$LINT_DIR" &&
        "$VENV_DIR/bin/pylint" --rcfile="$REPO_DIR/.pylintrc" "$PC_MODULE") 2>&1 | strip_prefix ||
        rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] && info "lint: pylint-odoo found nothing"
    return "$rc"
}

lint_xml() {
    info "lint: oca-checks-odoo-module (XML, CSV and manifest checks)"
    local rc=0 out
    # Prints nothing when clean; the findings and exit status 1 otherwise.
    out="$(cd "$LINT_DIR" &&
        "$VENV_DIR/bin/oca-checks-odoo-module" "$PC_MODULE" 2>&1)" || rc=$?
    [ -n "$out" ] && printf '%s\n' "$out" | strip_prefix
    [ "$rc" -eq 0 ] && info "lint: oca-checks-odoo-module found nothing"
    return "$rc"
}

run_one() {
    case "$1" in
    ruff) lint_ruff ;;
    pylint) lint_pylint ;;
    xml) lint_xml ;;
    *) die "unknown lint tool '$1' (use: ruff, pylint, xml)" ;;
    esac
}

prepare_lint_copy

if [ "$#" -gt 0 ]; then
    run_one "$1"
    exit $?
fi

failed=()
for tool in ruff pylint xml; do
    run_one "$tool" || failed+=("$tool")
done
if [ "${#failed[@]}" -gt 0 ]; then
    info "lint FAILED: ${failed[*]}"
    exit 1
fi
info "lint passed (ruff, pylint-odoo, oca-checks-odoo-module)"
