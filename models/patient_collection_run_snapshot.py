from odoo import fields, models

from .patient_protected import trusted


class PatientCollectionRun(models.Model):
    """The run's last step: the day's snapshot of aged balances and activity."""

    _inherit = "patient.collection.run"

    snapshot_count = fields.Integer(
        string="Snapshot Rows", readonly=True, help="Rows of the day's snapshot written by the run."
    )

    def _collection_steps(self):
        # last: after aging, moves, promises and plans, the day as it ends
        return [*super()._collection_steps(), "_step_snapshot"]

    def _step_snapshot(self, companies, today, stats):
        """Replace the day's snapshot of ``companies``: one INSERT ... SELECT."""
        count = self.env["patient.collection.snapshot"].sudo()._take(companies, today)
        stats[("snapshot", False, False)] += count
        if self:
            trusted(self).write({"snapshot_count": count})


class PatientCollectionRunLine(models.Model):
    _inherit = "patient.collection.run.line"

    kind = fields.Selection(
        selection_add=[("snapshot", "Snapshot rows written")],
        ondelete={"snapshot": "cascade"},
    )
    step = fields.Selection(
        selection_add=[("_step_snapshot", "Daily snapshot")],
        ondelete={"_step_snapshot": "set null"},
    )
