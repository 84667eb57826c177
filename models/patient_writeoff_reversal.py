"""Undoing a write-off: on its own (the Reverse button: one entry reversing only
its lines, though the run's entries hold up to ENTRY_SIZE write-offs), or with
its whole journal entry (Odoo's Reverse Entry).  Either way the write-off follows
the ledger (``_sync_reversals``), and a payment plan it lowered is raised back."""

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from .patient_account import MANAGER_GROUP
from .patient_protected import trusted

ACCOUNTING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class PatientWriteoff(models.Model):
    _inherit = "patient.writeoff"

    reversal_move_id = fields.Many2one(
        "account.move",
        string="Reversal Entry",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=ACCOUNTING_GROUPS,
        help="The entry that reversed this write-off alone (the Reverse button).",
    )
    reversal_reason = fields.Char(readonly=True, copy=False)
    reversed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    plan_id = fields.Many2one(
        "patient.payment.plan",
        string="Plan Lowered",
        readonly=True,
        copy=False,
        help="The active payment plan this write-off lowered; raised back if it is reversed.",
    )
    plan_lowered = fields.Monetary(string="Plan Lowered By", readonly=True, copy=False)

    # ------------------------------------------------------------------ actions

    def _check_can_reverse(self):
        """A write-off reopens what the guarantor owes when reversed: a decision of
        a collections manager, as approving one is (checked here, not by the view)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a collections manager reverses write-offs."))
        self.check_access("read")
        self.account_id.check_access("write")
        if self.filtered(lambda writeoff: writeoff.state != "posted"):
            raise UserError(
                self.env._(
                    "Only a posted write-off can be reversed: %(names)s is not posted (a "
                    "reversed one is owed again already).",
                    names=", ".join(self.filtered(lambda w: w.state != "posted").mapped("name")),
                )
            )
        self._check_not_counted_by_assistance()

    def _check_not_counted_by_assistance(self):
        """A write-off an approved financial-assistance application counted as part
        of its discount (posted before the approval, on an invoice it discounted;
        an administrative one is a correction, not counted) stays: reversed, the
        household would owe again what the assistance forgave, and no new
        application could discount it."""
        writeoffs = self.sudo().filtered(
            lambda writeoff: writeoff.state == "posted" and writeoff.reason != "administrative"
        )
        if not writeoffs:
            return
        applications = (
            self.env["patient.financial.assistance"]
            .sudo()
            .search([("account_id", "in", writeoffs.account_id.ids), ("state", "=", "approved")])
        )
        by_account = applications.grouped("account_id")
        counted = {}
        for writeoff in writeoffs:
            candidates = by_account.get(writeoff.account_id)
            if not candidates:
                continue
            invoices = writeoff._own_lines().matched_debit_ids.debit_move_id.move_id
            for application in candidates:
                if application._counted(writeoff, invoices):
                    counted[writeoff] = application
        if counted:
            raise UserError(
                self.env._(
                    "Write-off %(writeoffs)s is part of the financial assistance of application "
                    "%(applications)s, approved after it: reversing it would ask the household "
                    "again for what the assistance forgave.",
                    writeoffs=", ".join(writeoff.name for writeoff in counted),
                    applications=", ".join(sorted({app.name for app in counted.values()})),
                )
            )

    def _check_one(self):
        if len(self) != 1:
            raise UserError(self.env._("Reverse one write-off at a time."))

    def action_open_reverse(self):
        self._check_one()
        self._check_can_reverse()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reverse Write-off"),
            "res_model": "patient.writeoff.reverse",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_reverse(self, reason=None):
        """Reverse this write-off alone: the invoices it closed open again for what
        it wrote off; the other write-offs of its entry stay posted."""
        self._check_one()
        self._check_can_reverse()
        # a client may send anything: a text, or nothing
        reason = (reason.strip() if isinstance(reason, str) else "")[:200]
        if not reason:
            raise UserError(self.env._("Say why the write-off is reversed."))
        self.sudo()._reverse_alone(reason)
        return True

    # ------------------------------------------------------------------ ledger

    def _own_lines(self):
        """This write-off's lines in its journal entry: those marked with it, else
        (entries posted before lines were marked) all of an entry of its own, or
        those whose label names it."""
        self.ensure_one()
        lines = self.move_id.line_ids
        own = lines.filtered(lambda line: line.patient_writeoff_id == self)
        if own:
            return own
        if self.move_id.ref == self.name:
            return lines
        return lines.filtered(lambda line: f" {self.name}:" in f" {line.name or ''}")

    def _reverse_alone(self, reason):
        """Unreconcile this write-off's receivable lines from the invoices, post one
        entry reversing its lines (today on the practice's calendar, moved past a
        lock date by Odoo, in the write-off's journal), then reconcile each
        receivable line with its reversal.  The write-off follows the posting
        (``_sync_reversals``)."""
        self.ensure_one()
        lines = self._own_lines().sorted("id")
        currency = self.company_id.currency_id
        debit, credit = sum(lines.mapped("debit")), sum(lines.mapped("credit"))
        if (
            not lines
            or currency.compare_amounts(debit, self.amount)
            or (currency.compare_amounts(credit, self.amount))
        ):
            raise UserError(
                self.env._(
                    "The lines of write-off %(name)s cannot be told apart in journal entry "
                    "%(entry)s: an accountant reverses them by hand.",
                    name=self.name,
                    entry=self.move_id.name,
                )
            )
        earlier = self.reversal_move_id.filtered(lambda move: move.state == "draft")
        if earlier:
            # an earlier reversal reset to draft: replaced by this one (posting it
            # again is refused: account.move._patient_check_reversing_once)
            earlier.button_cancel()
        receivables = lines.filtered(lambda line: line.account_type == "asset_receivable")
        receivables.remove_move_reconcile()
        label = self.env._("Reversal of write-off %(name)s", name=self.name)
        reversal = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "move_type": "entry",
                    "journal_id": self.move_id.journal_id.id,
                    "company_id": self.company_id.id,
                    "date": self.company_id._patient_today(),
                    "ref": label,
                    "line_ids": [
                        Command.create(
                            {
                                "name": label,
                                "account_id": line.account_id.id,
                                "partner_id": line.partner_id.id,
                                "debit": line.credit,
                                "credit": line.debit,
                                "currency_id": line.currency_id.id,
                                "amount_currency": -line.amount_currency,
                                "patient_writeoff_id": self.id,
                            }
                        )
                        for line in lines
                    ],
                }
            )
        )
        trusted(self).write(
            {
                "reversal_move_id": reversal.id,
                "reversal_reason": reason,
                "reversed_by_id": self.env.uid,
            }
        )
        reversal.action_post()
        pairs = dict(zip(lines.ids, reversal.line_ids.sorted("id"), strict=True))
        self.env["account.move.line"].sudo()._reconcile_plan(
            [line + pairs[line.id] for line in receivables]
        )
        self.account_id._on_accounting_change()

    # ------------------------------------------------------------------ following the ledger

    @api.model
    def _sync_reversals(self, entries, reversals=None):
        """The write-offs whose journal entry is among ``entries``, or whose own
        reversal is among ``reversals``, follow the ledger: reversed while a posted
        entry reverses theirs or them alone, posted again when that reversal is
        reset to draft or cancelled; a line in the chatter of the write-off and of
        its account says which entry did it.  A plan a reversed write-off lowered
        is raised back; an account it resolved goes back to collections."""
        domain = [("move_id", "in", entries.ids)]
        if reversals:
            domain = expression.OR([domain, [("reversal_move_id", "in", reversals.ids)]])
        writeoffs = trusted(self.sudo()).search(
            expression.AND([domain, [("state", "in", ("posted", "reversed"))]])
        )
        notes, lines, moved = {}, {}, {"posted": [], "reversed": []}
        for writeoff in writeoffs:
            whole = writeoff.move_id.reversal_move_ids.filtered(lambda m: m.state == "posted")
            alone = writeoff.reversal_move_id.filtered(lambda m: m.state == "posted")
            state = "reversed" if whole or alone else "posted"
            if state == writeoff.state:
                continue
            moved[state].append(writeoff.id)
            if whole:
                notes[writeoff.id] = self.env._(
                    "Its journal entry was reversed by %(entry)s: the amount is owed again.",
                    entry=", ".join(whole.mapped("name")),
                )
            elif alone:
                notes[writeoff.id] = self.env._(
                    "Reversed on its own by %(entry)s (%(reason)s): the amount is owed again.",
                    entry=alone.name,
                    reason=writeoff.reversal_reason or "",
                )
            else:
                notes[writeoff.id] = self.env._(
                    "The entry that reversed it is no longer posted: the write-off stands."
                )
            lines.setdefault(writeoff.account_id.id, []).append(
                self.env._("Write-off %(name)s reversed.", name=writeoff.name)
                if state == "reversed"
                else self.env._("Write-off %(name)s stands again.", name=writeoff.name)
            )
        for state, ids in moved.items():
            if ids:
                writeoffs.browse(ids).write({"state": state})
        if not notes:
            return
        writeoffs.browse(list(notes))._message_log_batch(
            bodies={key: Markup("<p>%s</p>") % text for key, text in notes.items()}
        )
        reversed_now = writeoffs.browse(moved["reversed"])
        reversed_now._raise_plans_back()
        writeoffs.browse(moved["posted"])._lower_plans_again()
        # an account the write-off had resolved owes again: back to collections,
        # the stage change in the same chatter line
        reopened = reversed_now.account_id.filtered(
            lambda account: account.stage_id.is_closed and account.balance_due > 0
        )
        texts = {key: " ".join(parts) for key, parts in lines.items()}
        if reopened:
            reopened_notes = {key: texts.pop(key) for key in reopened.ids}
            trusted(reopened)._return_to_escalation(notes=reopened_notes)
        if texts:
            self.env["patient.account"].sudo().browse(list(texts))._message_log_batch(
                bodies={key: Markup("<p>%s</p>") % text for key, text in texts.items()}
            )

    # ------------------------------------------------------------------ plans

    def _record_plan_lowering(self, lowered):
        """Which plan these write-offs lowered and by how much (``lowered``: {plan
        id: amount}, ``_lower_for_credits``), shared among the write-offs of its
        account in order, each up to its amount: a reversal raises it back."""
        if not lowered:
            return
        plans = self.env["patient.payment.plan"].sudo().browse(list(lowered))
        by_account = self.grouped("account_id")
        values = {}
        for plan in plans:
            currency = plan.currency_id
            left = lowered[plan.id]
            for writeoff in by_account.get(plan.account_id, self.browse()):
                part = min(left, writeoff.amount)
                if currency.compare_amounts(part, 0) <= 0:
                    break
                values.setdefault((plan.id, part), []).append(writeoff.id)
                left = currency.round(left - part)
        for (plan_id, part), ids in values.items():
            trusted(self.browse(ids)).write({"plan_id": plan_id, "plan_lowered": part})

    def _lower_plans_again(self):
        """These write-offs stand again (their reversal reset to draft or
        cancelled): the active plans they had lowered are lowered by as much
        again, or the plan would ask for what is written off."""
        credits = {}
        for writeoff in self.filtered(lambda w: w.plan_id.state == "active" and w.plan_lowered > 0):
            label = self.env._("Write-off %(name)s, standing again,", name=writeoff.name)
            credits.setdefault(writeoff.account_id.id, []).append((writeoff.plan_lowered, label))
        if credits:
            accounts = self.account_id.filtered(lambda account: account.id in credits)
            Plan = self.env["patient.payment.plan"]
            Plan._credits_lowered_by_caller(accounts)
            self._record_plan_lowering(Plan._lower_for_credits(accounts, credits))

    def _raise_plans_back(self):
        """The plans these reversed write-offs lowered are raised back by as much
        (``patient.payment.plan._raise_back``); a plan no longer active is left as
        it is, and its account's chatter says the amount is owed on the account."""
        raises = {}
        for writeoff in self.filtered(lambda w: w.plan_id and w.plan_lowered > 0):
            label = self.env._("Reversal of write-off %(name)s", name=writeoff.name)
            raises.setdefault(writeoff.plan_id, []).append((writeoff.plan_lowered, label))
        if raises:
            self.env["patient.payment.plan"]._raise_back(raises)
