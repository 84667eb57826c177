from odoo import api, models
from odoo.exceptions import AccessError

from .patient_protected import is_trusted

MANAGER_GROUP = "patient_collections.group_collections_manager"


class PatientAccountStage(models.Model):
    """Who may change the stages.  They are shared by every practice (company) of
    the database: a stage's name, message, thresholds, order and fold are the
    letters, the run's rules and the Board of every practice at once.  So only an
    administrator, or a collections manager of every practice that has patient
    accounts, creates, changes, archives or deletes one; a manager of some of them
    only would rewrite the others' letters.

    Judged on the real user, under sudo too: only the module's own code paths
    (:func:`~.patient_protected.trusted`) and the system (data files on install or
    update, scheduled jobs) pass without it.  Moving an account between stages
    writes the account, not the stage, and folding a Board column is the user's
    own view (Odoo 18 saves nothing on the stage): both stay open to every role
    that may move or see accounts."""

    _inherit = "patient.account.stage"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_stage_editor()
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            self._check_stage_editor()
        return super().write(vals)

    def unlink(self):
        if self:
            self._check_stage_editor()
        return super().unlink()

    def _update_field_translations(self, field_name, translations, digest=None, source_lang=None):
        # the translation dialog writes the texts by SQL, past write(): same rule,
        # and the same limits as a text typed in the form
        self._check_stage_editor()
        self._check_vals(
            [{field_name: text} for text in translations.values() if isinstance(text, str) and text]
        )
        return super()._update_field_translations(
            field_name, translations, digest=digest, source_lang=source_lang
        )

    @api.model
    def _check_stage_editor(self):
        """Refuse (AccessError, saying why) a change of the stages by anyone but an
        administrator, a collections manager of every practice that has patient
        accounts, the module's own code and the system."""
        user = self.env.user
        if is_trusted(self.env) or user._is_superuser() or user._is_system():
            return
        if not user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only collections managers and administrators can change the collection stages."
                )
            )
        elsewhere = (
            self.env["patient.account"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [("company_id", "!=", False), ("company_id", "not in", user.company_ids.ids)],
                limit=1,
            )
        )
        if elsewhere:
            raise AccessError(
                self.env._(
                    "Stages are shared by all the practices in this database: adding, changing, "
                    "archiving or deleting one changes the statements and the Board of "
                    "practices you do not work for too. Only a collections manager of all of "
                    "them, or an administrator, can change the stages."
                )
            )
