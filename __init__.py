from . import controllers
from . import models
from . import wizard

# indexes the module adds to Odoo's own tables (its tables go with the module)
FOREIGN_INDEXES = ("patient_collections_partial_max_date_idx",)


def uninstall_hook(env):
    for name in FOREIGN_INDEXES:
        env.cr.execute(f'DROP INDEX IF EXISTS "{name}"')
