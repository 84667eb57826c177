"""The lifecycle checks' log scan (scripts/odoo_log.py): a PostgreSQL error
naming one of the addon's tables belongs to the addon, whatever the logger."""

import importlib.util
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "odoo_log", Path(__file__).resolve().parents[2] / "scripts" / "odoo_log.py"
)
odoo_log = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(odoo_log)

HEAD = "2026-12-01 16:17:28,513 20281 ERROR pc_lifecycle odoo.sql_db: bad query: "
LOG = "\n".join(
    [
        HEAD + """b'DELETE FROM "patient_account_stage" WHERE id IN (3)'""",  # noqa: S608
        'ERROR: update or delete on table "patient_account_stage" violates a foreign key',
        HEAD + """b'DELETE FROM "res_partner" WHERE id IN (88)'""",  # noqa: S608
        'ERROR: update or delete on table "res_partner" violates "account_move_partner_id_fkey"',
        "2026-12-01 16:17:29,000 20281 INFO pc_lifecycle odoo.modules.loading: done",
        "",
    ]
)


def test_an_error_naming_the_addons_table_is_the_addons(tmp_path):
    path = tmp_path / "odoo.log"
    path.write_text(LOG)
    problems = odoo_log.module_problems(odoo_log.read_records(str(path)), "patient_collections")
    assert len(problems) == 1
    assert '"patient_account_stage"' in problems[0].text
