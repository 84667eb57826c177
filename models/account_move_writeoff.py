"""Journal entries and the write-offs they record: a write-off is reversed once.

A write-off (``patient.writeoff``) is posted in an entry of the nightly run's
(up to ENTRY_SIZE write-offs) or of its own, and reversed either with the whole
entry (Odoo's Reverse Entry) or alone (its Reverse button: an entry of its own,
``reversal_move_id``, whose lines carry ``patient_writeoff_id``).  The ledger
must never hold two posted reversals of one write-off, whichever way an
accountant resets, cancels, reverses or posts entries again afterwards."""

from odoo import fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    # Odoo's Reverse Entry is not offered on a write-off's own reversal (it is
    # refused there: ``_patient_check_not_a_writeoff_reversal``)
    patient_reverses_writeoff = fields.Boolean(
        string="Reverses a Write-off",
        compute="_compute_patient_reverses_writeoff",
        help="This entry reverses a write-off on its own: it is not reversed in turn.",
    )

    def _compute_patient_reverses_writeoff(self):
        reversals = set()
        if self.ids:
            found = (
                self.env["patient.writeoff"]
                .sudo()
                .search_fetch([("reversal_move_id", "in", self.ids)], ["reversal_move_id"])
            )
            reversals = set(found.reversal_move_id.ids)
        for move in self:
            move.patient_reverses_writeoff = move.id in reversals

    def _post(self, soft=True):
        self._patient_check_reversing_once()
        return super()._post(soft)

    def _reverse_moves(self, default_values_list=None, cancel=False):
        writeoffs = self.env["patient.writeoff"].sudo().search([("move_id", "in", self.ids)])
        self._patient_check_reversed_alone(writeoffs)
        self._patient_check_not_a_writeoff_reversal()
        self._patient_check_assistance_kept()
        writeoffs._check_not_counted_by_assistance()
        return super()._reverse_moves(default_values_list, cancel)

    def _patient_sync_writeoffs(self):
        """Write-offs reversed (or standing again) as these entries reverse theirs,
        or them alone (a write-off's own reversal, marked on its lines)."""
        moves = self.sudo()
        entries = moves.reversed_entry_id
        # a write-off's own reversal: lines of a posted or reversed write-off (its
        # entry's own lines are posted while the write-off is still to approve)
        alone = moves.filtered(
            lambda move: (
                move.move_type == "entry"
                and not move.reversed_entry_id
                and any(
                    writeoff.state in ("posted", "reversed")
                    for writeoff in move.line_ids.patient_writeoff_id
                )
            )
        )
        if entries or alone:
            self.env["patient.writeoff"]._sync_reversals(entries, alone)

    def _patient_check_reversed_alone(self, writeoffs):
        """Odoo's Reverse Entry on a write-off entry one of whose write-offs
        (``writeoffs``: those of these entries) was reversed on its own would
        reverse that one twice."""
        writeoffs = writeoffs.filtered(lambda writeoff: writeoff.reversal_move_id.state == "posted")
        if writeoffs:
            raise UserError(
                self.env._(
                    "Write-off %(writeoffs)s of entry %(entry)s was reversed on its own: "
                    "reversing the whole entry would reverse it twice. Reverse the other "
                    "write-offs with their Reverse button.",
                    writeoffs=", ".join(writeoffs.mapped("name")),
                    entry=", ".join(writeoffs.move_id.mapped("name")),
                )
            )

    def _patient_check_not_a_writeoff_reversal(self):
        """Odoo's Reverse Entry on a write-off's reversal (its own, or the reversal
        of its whole entry) would write the amount off again behind the write-off,
        which would still say Reversed."""
        moves = self.sudo()
        whole = moves.filtered(lambda move: move.state == "posted" and move.reversed_entry_id)
        writeoffs = (
            self.env["patient.writeoff"]
            .sudo()
            .search(
                [
                    "|",
                    ("reversal_move_id", "in", moves.ids),
                    ("move_id", "in", whole.reversed_entry_id.ids),
                ]
            )
        )
        if writeoffs:
            entries = (moves & writeoffs.reversal_move_id) | whole.filtered(
                lambda move: move.reversed_entry_id in writeoffs.move_id
            )
            raise UserError(
                self.env._(
                    "Entry %(entry)s reverses write-off %(writeoffs)s: it cannot be reversed "
                    "in turn. To write the amount off again, write it off on the account.",
                    entry=", ".join(entries.mapped("name")),
                    writeoffs=", ".join(writeoffs.mapped("name")),
                )
            )

    def _patient_check_reversing_once(self):
        """Posting (again) an entry that reverses a write-off, alone or with its
        whole entry, is refused once another posted entry reverses it, or when it
        is no longer the write-off's reversal (a newer one replaced it)."""
        moves = self.sudo()
        refused = {}
        reversing = moves.filtered(lambda m: m.reversed_entry_id)
        if reversing:
            alone = (
                self.env["patient.writeoff"]
                .sudo()
                .search(
                    [
                        ("move_id", "in", reversing.reversed_entry_id.ids),
                        ("reversal_move_id.state", "=", "posted"),
                    ]
                )
            )
            for move in reversing:
                writeoffs = alone.filtered(lambda w, move=move: w.move_id == move.reversed_entry_id)
                if writeoffs:
                    refused[move] = writeoffs
        for move in moves:
            for writeoff in move.line_ids.patient_writeoff_id:
                if writeoff.move_id in (move, move.browse()):
                    continue  # the write-off's own entry (linked once it is posted)
                whole = writeoff.move_id.reversal_move_ids.filtered(
                    lambda m, move=move: m.state == "posted" and m != move
                )
                if writeoff.reversal_move_id != move or whole:
                    refused[move] = refused.get(move, writeoff.browse()) | writeoff
        if refused:
            raise UserError(
                self.env._(
                    "Entry %(entry)s reverses write-off %(writeoffs)s, which another entry "
                    "reverses already (or reversed since): posting it would reverse it twice. "
                    "Leave it in draft or delete it.",
                    entry=", ".join(move.name or "/" for move in refused),
                    writeoffs=", ".join(
                        sorted(set().union(*(w.mapped("name") for w in refused.values())))
                    ),
                )
            )
