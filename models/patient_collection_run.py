"""The daily collections run: its record and its entry points.

Where the rest lives: the steps in ``patient_collection_run_steps.py`` (and one
file per larger step: ``_statements``, ``_escalation``, ``_writeoff``,
``_snapshot``), failure isolation in ``patient_collection_run_isolation.py``, the
lines of counts in ``patient_collection_run_line.py``; the counts themselves are
the named records of ``logic/run_counts.py``.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..logic.run_counts import RunCounts
from .patient_protected import is_trusted, trusted

BATCH_SIZE = 5000
MANAGER_GROUP = "patient_collections.group_collections_manager"

# the counts of a run, under their former name (benches build them)
RunStats = RunCounts


class PatientCollectionRun(models.Model):
    _name = "patient.collection.run"
    _description = "Daily Collections Run"
    _inherit = ["patient.phi.mixin"]
    _audit_open = False
    _order = "id desc"
    # a record of what happened: written by the run only
    _protected_immutable = True

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, index=True)
    started_at = fields.Datetime(readonly=True)
    ended_at = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Run By", readonly=True)
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Run now")], readonly=True, required=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    line_ids = fields.One2many("patient.collection.run.line", "run_id", readonly=True)
    moved_count = fields.Integer(readonly=True)
    skipped_count = fields.Integer(readonly=True)
    failed_count = fields.Integer(
        readonly=True, help="Accounts the run could not process: they were left as they were."
    )
    attachment_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Files",
        domain=[("res_model", "=", "patient.collection.run")],
        readonly=True,
    )
    summary = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not is_trusted(self.env):
            raise self._protected_immutable_refusal()
        return super().create(vals_list)

    def _protected_immutable_refusal(self):
        return AccessError(
            self.env._("A collections run record documents what happened: it cannot be changed.")
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(self.env._("A collections run record cannot be deleted."))

    # ------------------------------------------------------------ entry points

    @api.model
    def _cron_collection_run(self):
        return self.run(trigger="cron")

    def action_run_now(self):
        runs = self.run(companies=self.env.companies, trigger="manual")
        return self._action_open_runs(runs)

    def _action_open_runs(self, runs):
        action = {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "name": self.env._("Collections Runs"),
        }
        if len(runs) == 1:
            return {**action, "res_id": runs.id, "view_mode": "form", "views": [(False, "form")]}
        return {
            **action,
            "domain": [("id", "in", runs.ids)],
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
        }

    @api.model
    def run(self, companies=None, trigger="manual"):
        """Perform the daily collections run and return the records documenting it,
        one per company.

        The scheduled action runs it for every company with patient accounts; a
        manager runs it for the companies they are working in (their active
        companies, among those they belong to).  An account that cannot be
        processed in a step is left as it was and recorded on its company's run;
        every other account is processed.
        """
        self._check_may_run(trigger)
        runs = self.browse()
        for company in self._run_companies(companies).sorted("id"):
            runs |= self._run_company(company, trigger)
        return runs.with_env(self.env)

    @api.model
    def _check_may_run(self, trigger):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only collections managers can start the collections run.")
            )
        if trigger not in dict(self._fields["trigger"].selection):
            raise UserError(self.env._("Unknown trigger of a collections run."))

    @api.model
    def _run_companies(self, companies):
        """The companies to run: those asked (a manager's own companies only), else
        every company with patient accounts (the scheduled run) or the manager's
        active companies."""
        Company = self.env["res.company"].sudo()
        if companies is None:
            if not self.env.su:
                return self.env.companies
            with_accounts = self.env["patient.account"].sudo().with_context(active_test=False)
            return Company.browse(
                [company.id for [company] in with_accounts._read_group([], ["company_id"])]
            )
        if not isinstance(companies, models.BaseModel) or companies._name != "res.company":
            raise UserError(self.env._("The collections run takes companies (res.company)."))
        if not self.env.su:
            foreign = companies - self.env.user.company_ids
            if foreign:
                raise AccessError(
                    self.env._("You can only run collections for the companies you belong to.")
                )
        return companies

    @api.model
    def _run_company(self, company, trigger):
        """The run of one company: its record, each step isolated from the others,
        its counts."""
        today = fields.Date.context_today(self)
        run = self._open_run(company, trigger, today)
        counts = RunCounts()
        for step in run._collection_steps():
            run._run_step(step, company, today, counts)
        run._record(counts)
        return run

    @api.model
    def _open_run(self, company, trigger, today):
        """The record of a new run of ``company``."""
        return trusted(self.sudo().with_company(company)).create(
            {
                "name": self.env._("Collections run of %(date)s", date=today),
                "date": today,
                "started_at": fields.Datetime.now(),
                "user_id": self.env.user.id,
                "trigger": trigger,
                "company_id": company.id,
            }
        )

    # ------------------------------------------------------------ what it did

    def _record(self, counts):
        """Write the counts of the run on its record, and a line per account it
        could not process."""
        run = trusted(self)
        run.write(
            {
                "ended_at": fields.Datetime.now(),
                "line_ids": [fields.Command.create(vals) for vals in counts.line_values()],
                "moved_count": counts.count_of("moved"),
                "skipped_count": counts.count_of("skipped"),
                "failed_count": counts.failed_accounts(),
            }
        )
        run.write({"summary": self._summary_text()})

    def _summary_text(self):
        self.ensure_one()
        return "\n".join(f"{line.display_name}: {line.count}" for line in self.line_ids)
