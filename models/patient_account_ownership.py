"""Who may change a patient account, and how writes keep the module's rules.

Specialists change stage, holds, plans and assignment only on their own or
unassigned accounts; any specialist records the guarantor's contact
preferences; balances and the 501(r) dates are the module's own.
"""

from odoo import api, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .patient_account import BALANCE_FIELDS, MANAGER_GROUP
from .patient_protected import is_trusted, trusted, trusted_flag

# What any specialist may record on an account they do not own: the guarantor's
# contact preferences, said to whoever answers the phone.  Everything else (stage,
# holds, assignment, plans) needs the account to be theirs or unassigned.
CONTACT_PREFERENCE_FIELDS = frozenset(
    {"sms_consent_method", "phone_invalid", "color", "preferred_channel", "best_time"}
)


# Flags that protect the guarantor: set by anyone, lifted by a collections manager.
LIFTED_BY_MANAGERS = ("cease_communication", "phone_invalid")


class PatientAccount(models.Model):
    _inherit = "patient.account"

    def _protected_refusal(self, names):
        balances = set(names) & set(BALANCE_FIELDS)
        if balances:
            return UserError(
                self.env._(
                    "Balances and aging come from the accounting: post, pay or reconcile "
                    "invoices instead of editing %(fields)s.",
                    fields=self._protected_labels(balances),
                )
            )
        return super()._protected_refusal(names)

    @api.model_create_multi
    def create(self, vals_list):
        """Accounts open from the guarantor's posted invoices; by hand, only a
        collections manager opens one, and never a second per guarantor and company."""
        if not self.has_access("create"):
            raise AccessError(
                self.env._(
                    "A patient account opens by itself when an invoice of the guarantor's "
                    "patients is posted; only a collections manager opens one by hand."
                )
            )
        self._check_one_per_guarantor(vals_list)
        accounts = super().create(vals_list)
        if not is_trusted(self.env) and not self.env.su:
            accounts._check_opened_for_guarantors()
        if not is_trusted(self.env) and not self.env.su:
            # a stage chosen by hand (an import, the API) is entered as a hand move
            # would: never straight into an extraordinary action the 501(r) and
            # dispute gates forbid, nor into Resolved while the guarantor owes
            # (judged on the stored stage: a default from the context is chosen too)
            first = self._default_stage_id()
            chosen = accounts.filtered(lambda account: account.stage_id != first)
            for stage, group in chosen.grouped("stage_id").items():
                group._check_resolved_allowed(stage)
                group._check_stage_allowed(stage)
        return accounts

    @api.ondelete(at_uninstall=False)
    def _unlink_only_empty(self):
        """An account with invoices or collection history is archived, never deleted:
        its invoices would leave collections (the guarantor still owing) and its
        history, the chatter and the audit trail with it."""
        kept = self.sudo().filtered(
            lambda account: (
                account.move_ids
                or account.interaction_ids
                or account.plan_ids
                or account.writeoff_ids
                or account.assistance_ids
            )
        )
        if kept:
            raise UserError(
                self.env._(
                    "%(accounts)s: an account with invoices or collection history cannot be "
                    "deleted; archive it instead (a collections manager can restore it).",
                    accounts=", ".join(kept.mapped("name")),
                )
            )

    def _not_their_own_guarantors(self):
        """These accounts whose contact is not their own guarantor: a patient whose
        charges their guarantor pays, or a company's contact (the company pays).
        Judged as superuser (what the user sees does not change the rule); the
        accounts are returned in the caller's environment."""
        return (
            self.sudo()
            .filtered(lambda account: account.partner_id._patient_guarantor() != account.partner_id)
            .with_env(self.env)
        )

    def _held_by_company_side(self):
        """These accounts whose contact is a company or a company's contact (judged
        as superuser, returned in the caller's environment)."""
        return (
            self.sudo()
            .filtered(lambda account: account.partner_id._patient_is_company_side())
            .with_env(self.env)
        )

    def _check_opened_for_guarantors(self):
        """An account opened by hand is a guarantor's: not a patient's whose
        charges their guarantor pays, nor a company contact's (the company is),
        nor a company's (a patient account is a person's, as the invoices it
        gathers are)."""
        if self._held_by_company_side() or self._not_their_own_guarantors():
            raise ValidationError(
                self.env._(
                    "A patient account is the guarantor's: the contact chosen is a patient "
                    "of a guarantor or a contact of a company, whose charges are billed to "
                    "the guarantor or the company. Open the guarantor's account instead."
                )
            )

    @api.model
    def _check_one_per_guarantor(self, vals_list):
        """Refuse a second account of a guarantor in a company (archived ones count),
        before the database's unique constraint would: one search for all."""
        keys = [
            (vals.get("partner_id"), vals.get("company_id") or self.env.company.id)
            for vals in vals_list
        ]
        # (values of the wrong type are refused with their own message further on)
        keys = [key for key in keys if all(type(part) is int for part in key)]
        if not keys:
            return
        if len(set(keys)) < len(keys):
            raise ValidationError(
                self.env._("A guarantor has one patient account per company: create it once.")
            )
        existing = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "in", list({partner for partner, _company in keys})),
                    ("company_id", "in", list({company for _partner, company in keys})),
                ]
            )
            .filtered(lambda account: (account.partner_id.id, account.company_id.id) in keys)
        )
        if not existing:
            return
        numbers = ", ".join(existing.mapped("name"))  # account numbers, never a name
        raise ValidationError(
            self.env._(
                "The guarantor already has patient account %(accounts)s in this company: "
                "open it instead (a collections manager can restore it if it is archived).",
                accounts=numbers,
            )
        )

    def write(self, vals):
        if "stage_id" in vals and not vals["stage_id"]:
            # an account without a stage drops off the board and out of the run
            raise UserError(
                self.env._(
                    "A patient account is always in a stage: choose the stage to move it to "
                    "(a column of the board, or the stage bar of the form) instead of "
                    "clearing it."
                )
            )
        if not is_trusted(self.env):
            if any(
                name not in CONTACT_PREFERENCE_FIELDS
                and not name.startswith(("message_", "activity_"))
                for name in vals
            ):
                self._check_owner()
            self._check_contact_flags_lifted(vals)
            if "active" in vals and not self._is_collections_manager():
                raise AccessError(
                    self.env._("Only collections managers archive or restore patient accounts.")
                )
            if vals.get("active") and "stage_id" not in vals:
                # restored into its stage: an archived one is off the board and the run
                stuck = self.sudo().filtered(lambda account: not account.stage_id.active)[:1]
                if stuck:
                    raise UserError(stuck._archived_stage_message(stuck.stage_id))
            if "company_id" in vals and any(
                account.company_id.id != vals["company_id"] for account in self.sudo()
            ):
                raise UserError(
                    self.env._(
                        "A patient account belongs to the company that billed the patient: "
                        "its company cannot change."
                    )
                )
            if "partner_id" in vals and any(
                account.partner_id.id != vals["partner_id"] for account in self.sudo()
            ):
                # its invoices, balances, statements and portal page are that guarantor's
                raise UserError(
                    self.env._(
                        "A patient account belongs to the guarantor billed on its invoices: "
                        "its guarantor cannot change. To bill someone else, change the "
                        "patient's guarantor on the contact: the next invoices open that "
                        "guarantor's account."
                    )
                )
        if "active" in vals and not vals["active"]:
            self._check_no_active_plan(
                lambda accounts: self.env._(
                    "%(accounts)s: on an active payment plan. Cancel the plan first, then "
                    "archive the account.",
                    accounts=accounts,
                )
            )
        if "stage_id" not in vals:
            return super().write(vals)
        stage = self.env["patient.account.stage"].browse(vals["stage_id"])
        entering = self.filtered(lambda account: account.stage_id != stage)
        # the run and the plans check the gates themselves; never a caller's context
        internal = trusted_flag(self.env, "collections_run")
        if not internal:
            entering._check_plan_stays(stage)
            entering._check_resolved_allowed(stage)
            entering._check_stage_allowed(stage)
        others = {name: value for name, value in vals.items() if name != "stage_id"}
        if others and not is_trusted(self.env):
            # only the stage and its entry dates are the module's own write: the
            # caller's other values go the untrusted way (protected fields refused)
            super().write(others)
            vals = {"stage_id": vals["stage_id"]}
        # the entry dates are the module's own, written with the stage: the run's
        # day, else today on each practice's calendar (one write per date)
        res = True
        day = self.env.context.get("collections_stage_day")
        days = {day: self} if day and trusted_flag(self.env, "collections_stage_day") else {}
        for today, group in (days or self._practice_days() or {None: self}).items():
            entry = {**vals, **group._prepare_stage_entry_vals(stage, today)}
            unsent = group.browse()
            if "final_notice_date" in entry:
                # moved by hand, the notice goes out with the next statement, not now
                # (history from before the module is dated by _import_history)
                by_hand = not internal and stage.send_statement
                unsent = group if by_hand else group._final_notice_unsent()
            if unsent:
                # no final notice goes out today: dated when a statement carries it
                undated = {
                    name: value for name, value in entry.items() if name != "final_notice_date"
                }
                res = super(PatientAccount, trusted(unsent)).write(undated) and res
            if group - unsent:
                res = super(PatientAccount, trusted(group - unsent)).write(entry) and res
        if not internal:
            entering._schedule_stage_activities(stage)
        return res

    def _check_contact_flags_lifted(self, vals):
        """A request to cease communication, or a number known to be wrong, protects
        the guarantor: only a collections manager lifts it (the change tracked in the
        chatter, the date of the request kept); a specialist's checkbox or API call
        cannot."""
        lifted = [name for name in LIFTED_BY_MANAGERS if name in vals and not vals[name]]
        if not lifted or self._is_collections_manager():
            return
        if any(account[name] for account in self.sudo() for name in lifted):
            raise AccessError(
                self.env._(
                    "Only a collections manager lifts a request to cease communication or a "
                    "wrong-number flag. Log what the guarantor said as an interaction and "
                    "ask a manager to lift it."
                )
            )

    def _check_plan_stays(self, stage):
        """An account on an active payment plan stays in a manual stage (the plan's)
        until the plan ends: moved by hand into any other stage, the run would take
        it up again and send it letters, or to an agency, while the guarantor pays."""
        if stage and not stage.is_manual:
            self._check_no_active_plan(
                lambda accounts: self.env._(
                    "%(accounts)s: on an active payment plan, it stays in its stage until the "
                    "plan ends. Cancel the plan first to move it to %(stage)s.",
                    accounts=accounts,
                    stage=stage.sudo().name,
                )
            )

    def _check_no_active_plan(self, refusal):
        """Refuse what an active payment plan forbids (archiving the account: the plan
        would go on being swept for an account off the board and out of the guarantor's
        portal; leaving the plan's stage): ``refusal(names)`` says what, for the
        accounts on a plan."""
        on_plan = self.sudo().filtered("active_plan_id")
        if on_plan:
            raise UserError(refusal(", ".join(on_plan.mapped("name"))))

    def _is_collections_manager(self):
        user = self.env.user
        return user._is_superuser() or user.has_group(MANAGER_GROUP)

    def _check_owner(self):
        """Specialists change stage, holds, plans and assignment only on their own
        accounts or unassigned ones; managers on any account of their companies."""
        # the module's own code, the system's (data files, scheduled jobs) and managers
        user = self.env.user
        if is_trusted(self.env) or user._is_superuser() or user.has_group(MANAGER_GROUP):
            self.check_access("write")
            return
        self.check_access("write")  # users outside collections learn nothing more
        foreign = self.sudo().filtered(
            lambda account: account.user_id and account.user_id != self.env.user
        )
        if foreign:
            self.env["patient.access.log"]._log_denied(foreign, detail="change")
            raise AccessError(
                self.env._(
                    "%(accounts)s: assigned to another specialist. Only they or a collections "
                    "manager can change its stage, holds, payment plans or assignment; you "
                    "can still log interactions on it.",
                    accounts=", ".join(foreign.mapped("name")),
                )
            )

    def _check_open_change(self):
        """What any collections user who may change these accounts' contact
        preferences (specialists and managers of their companies) may do."""
        self.check_access("write")
        if not self.env.user.has_group("patient_collections.group_collections_specialist"):
            raise AccessError(
                self.env._("Only collections specialists record a guarantor's preferences.")
            )

    def _message_auto_subscribe_notify(self, partner_ids, template):
        """Odoo emails a specialist the accounts assigned to them, from the assigning
        user's address; without one, Odoo refuses the whole assignment.  The account is
        theirs either way (it is on their board and in its chatter's tracking), so the
        email is left out instead (``patient.account.assign`` tells the manager)."""
        if not self.env.user.email:
            return None
        return super()._message_auto_subscribe_notify(partner_ids, template)
