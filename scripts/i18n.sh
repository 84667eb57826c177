#!/usr/bin/env bash
# make pot: export the module's terms to i18n/patient_collections.pot from a
# throw-away database (installed without demo data), merge them into every
# i18n/*.po, and list what each language still lacks. Translate those entries,
# then `make test` (tests/pure/test_translations.py) checks nothing is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${PC_I18N_DB:-pc_i18n}"
POT="$REPO_DIR/i18n/$PC_MODULE.pot"

require_odoo
setup_all
command -v msgmerge >/dev/null 2>&1 || die "msgmerge is missing: apt-get install -y gettext"

# Odoo's export scans every file under the module's folder (following links): a
# checkout also holds .venv/, .build/ and the developer tools (bench/, scripts/,
# tests/), none of which ship. Export from a copy of what ships (tracked and new
# files, ignored ones left out); tests/test_translations.py scans the same folders.
addons="$(mktemp -d)"
trap 'rm -rf "$addons"' EXIT
mkdir "$addons/$PC_MODULE"
git -C "$REPO_DIR" ls-files -z --cached --others --exclude-standard \
    | grep -zvE '^(tests|bench|scripts)/|^\.' \
    | (cd "$REPO_DIR" && xargs -0 tar -c 2>/dev/null) | tar -x -C "$addons/$PC_MODULE"
paths="$ODOO_PATH/addons,$ODOO_PATH/odoo/addons,$addons"

db_exists "$DB" && db_drop "$DB"
log="$LOG_DIR/i18n-$DB.log"
info "installing $PC_MODULE in $DB (no demo data), log: $log"
odoo_bin --addons-path="$paths" -d "$DB" -i "$PC_MODULE" --without-demo=all --stop-after-init \
    --no-http >"$log" 2>&1 || die "installing $PC_MODULE in $DB failed: see $log"
tmp="$(mktemp --suffix=.pot)"
odoo_bin --addons-path="$paths" -d "$DB" --i18n-export="$tmp" --modules="$PC_MODULE" \
    --stop-after-init --no-http >>"$log" 2>&1 || die "exporting the terms failed: see $log"
grep -qE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$log" && die "the export logged errors: see $log"
db_drop "$DB"
mkdir -p "$REPO_DIR/i18n"
# Odoo stamps the creation date in the header: keep the file unchanged when only that differs.
if [ -f "$POT" ] && diff -q <(grep -v -- '-Date: ' "$POT") <(grep -v -- '-Date: ' "$tmp") >/dev/null; then
    rm -f "$tmp"
    info "i18n/$PC_MODULE.pot is up to date"
else
    mv "$tmp" "$POT"
    info "wrote i18n/$PC_MODULE.pot ($(grep -c '^msgid' "$POT") entries with the header)"
fi
for po in "$REPO_DIR"/i18n/*.po; do
    [ -e "$po" ] || continue
    msgmerge --quiet --update --backup=none --no-fuzzy-matching --no-wrap "$po" "$POT"
    msgattrib --no-obsolete --no-wrap -o "$po" "$po"
    missing="$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid' || true)"
    # the header entry is always "untranslated"
    info "$(basename "$po"): $((missing > 0 ? missing - 1 : 0)) entries to translate"
done
