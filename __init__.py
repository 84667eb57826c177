from . import controllers
from . import models
from . import wizard
from .logic import log_redaction

# the module's exceptions print where they were raised, never their text, in the
# server log (README, Roles: "The server log")
log_redaction.install()

# indexes the module adds to Odoo's own tables (its tables go with the module)
FOREIGN_INDEXES = ("patient_collections_partial_max_date_idx",)


def uninstall_hook(env):
    for name in FOREIGN_INDEXES:
        env.cr.execute(f'DROP INDEX IF EXISTS "{name}"')
    _drop_own_foreign_keys(env)


def _drop_own_foreign_keys(env):
    """The foreign keys of the module's own tables (dropped with them next):
    Odoo deletes the module's records (its stages, its demo guarantors) before
    the tables, and the accounts' "restrict" keys refused each deletion (an
    ERROR in the server log, the records left behind)."""
    tables = [
        model._table
        for model in env.registry.values()
        if model._original_module == "patient_collections" and model._auto and not model._abstract
    ]
    env.cr.execute(
        """
        SELECT con.conrelid::regclass::text, con.conname FROM pg_constraint con
         WHERE con.contype = 'f' AND con.conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    )
    for table, name in env.cr.fetchall():
        env.cr.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
