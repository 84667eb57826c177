"""Escalation walks the notice sequence (issue 12): no account skips its letters,
none is stuck behind the 501(r) gate, history counts."""

from datetime import date, timedelta
from itertools import pairwise

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import format_date

from ..logic import escalation
from ..models.patient_protected import trusted
from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

INSTALL_DAY = date(2026, 1, 5)
CYCLE = 30  # the default statement cycle, and so the default interval between letters
RUNS = 6  # enough for an account 0 days past due at install to reach Agency placement (day 150)
ACCOUNTS = 1000
OLDEST = 400


@tagged("post_install", "-at_install")
class TestEscalationSequence(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.letters = cls.first | cls.second | cls.final
        cls.company = cls.env.company

    @classmethod
    def guarantors_due(cls, ages, amount=120.0):
        """One guarantor per age, each owing one invoice that many days past due on
        the install day: partners in one create, invoices in one create, one post."""
        partners = cls.env["res.partner"].create(
            [
                {"name": f"Testseq Person {index}", "is_patient": True, **TEST_ADDRESS}
                for index in range(len(ages))
            ]
        )
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "patient_id": partner.id,
                    "invoice_date": INSTALL_DAY - timedelta(days=age),
                    "date": INSTALL_DAY - timedelta(days=age),
                    "invoice_date_due": INSTALL_DAY - timedelta(days=age),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Office visit",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for partner, age in zip(partners, ages, strict=True)
            ]
        )
        # the planner must know of the 1000 drafts before Odoo's posting queries (its
        # payment state's: planned for empty tables, one ran for minutes in CI)
        cls.analyze()
        moves.action_post()
        cls.analyze()
        return moves.patient_account_id

    @classmethod
    def analyze(cls):
        """Statistics for the planner: the rows made in this (uncommitted) test
        transaction count, so the run's set-based statements get their plans."""
        cls.env.flush_all()
        # the reconciliations too: never analyzed, their table bloated by the rolled-back
        # tests before this one, the payment state's query scanned it per line (9+ min in CI)
        cls.env.cr.execute(
            "ANALYZE patient_account, account_move, account_move_line, res_partner, "
            "patient_interaction, mail_message, mail_followers, account_partial_reconcile, "
            "account_payment, account_account"
        )

    def run_on(self, day):
        with freeze_time(day):
            run = self.Run.run(companies=self.company)
            self.analyze()
        return run

    def stage_rules(self):
        stages = self.env["patient.account.stage"].search([])
        return [stage._as_rule() for stage in stages]

    def test_install_walks_every_account_through_its_letters(self):
        ages = [index * OLDEST // (ACCOUNTS - 1) for index in range(ACCOUNTS)]
        with freeze_time(INSTALL_DAY):
            accounts = self.guarantors_due(ages)
        self.assertEqual(len(accounts), ACCOUNTS)
        self.assertEqual(set(accounts.stage_id), {self.new})
        rules = self.stage_rules()
        letter_order = [self.first, self.second, self.final]
        visited = {account.id: [] for account in accounts}  # [(day, stage)]
        entered_agency = {}
        for number in range(RUNS):
            day = INSTALL_DAY + timedelta(days=CYCLE * number)
            run = self.run_on(day)
            waiting = {
                (line.stage_id, line.reason): line
                for line in run.line_ids
                if line.kind == "waiting"
            }
            accounts.invalidate_recordset()
            behind = 0
            for account in accounts:
                stage = account.stage_id
                path = visited[account.id]
                if not path or path[-1][1] != stage:
                    path.append((day, stage))
                    if stage == self.agency:
                        entered_agency[account.id] = day
                # letters in order: every letter before its stage was entered, one
                # after the other, a cycle apart at least
                stages_seen = [seen for _day, seen in path]
                entered = [seen for seen in stages_seen if seen in self.letters]
                self.assertEqual(
                    entered,
                    [letter for letter in letter_order if letter in entered],
                    f"{account.name}: letters out of order",
                )
                for letter in letter_order:
                    if letter.sequence < stage.sequence:
                        self.assertIn(letter, stages_seen, f"{account.name} skipped {letter.name}")
                letter_days = [seen_day for seen_day, seen in path if seen in self.letters]
                for before, after in pairwise(letter_days):
                    self.assertGreaterEqual((after - before).days, CYCLE)
                qualifies = escalation.qualifying_stage(
                    rules, account.days_past_due, account.balance_due
                )
                if qualifies.id != stage.id:
                    behind += 1
            # never stuck: whoever is not where its age puts it is counted as waiting
            self.assertEqual(
                behind,
                sum(line.count for line in waiting.values()),
                f"run {number}: accounts held back but not counted as waiting",
            )
            gate = waiting.get((self.agency, escalation.WAIT_501R))
            if gate:
                expected = min(
                    max(
                        account.first_statement_date + timedelta(days=120),
                        account.final_notice_date + timedelta(days=30),
                    )
                    for account in accounts
                    if account.final_notice_date
                    and account.stage_id != self.agency
                    and account.stage_id.sequence < self.agency.sequence
                    and account.days_past_due >= self.agency.days_past_due_min
                )
                self.assertEqual(gate.wait_date, expected)
            if number == 0:
                # nobody left in New by the gate: every account past due got its
                # first statement
                self.assertFalse(
                    accounts.filtered(lambda a: a.stage_id == self.new and a.days_past_due >= 1)
                )
                self.assertEqual(
                    set(accounts.filtered(lambda a: a.days_past_due >= 1).stage_id), {self.first}
                )
                self.assertTrue(waiting.get((self.second, escalation.WAIT_LETTER)))
                self.assertEqual(
                    waiting[(self.second, escalation.WAIT_LETTER)].wait_date,
                    day + timedelta(days=CYCLE),
                )
        # after enough runs every account is where its age puts it
        for account in accounts:
            qualifies = escalation.qualifying_stage(
                rules, account.days_past_due, account.balance_due
            )
            self.assertEqual(account.stage_id.id, qualifies.id, account.name)
        self.assertTrue(entered_agency)
        # the 501(r) timeline, to the day: 120 days after the first statement, 30
        # after the final notice, at the first run it is allowed
        for account in accounts.filtered(lambda a: a.id in entered_agency):
            opens = max(
                account.first_statement_date + timedelta(days=120),
                account.final_notice_date + timedelta(days=30),
            )
            self.assertEqual(entered_agency[account.id], opens, account.name)
            self.assertEqual(
                account.first_statement_date,
                next(day for day, stage in visited[account.id] if stage == self.first),
            )

    def test_imported_final_notice_enters_agency_on_the_first_run(self):
        with freeze_time(INSTALL_DAY):
            ready, recent = self.guarantors_due([200, 200])
        trusted(ready).write(
            {
                "first_statement_date": INSTALL_DAY - timedelta(days=160),
                "final_notice_date": INSTALL_DAY - timedelta(days=40),
            }
        )
        trusted(recent).write(
            {
                "first_statement_date": INSTALL_DAY - timedelta(days=160),
                "final_notice_date": INSTALL_DAY - timedelta(days=20),
            }
        )
        run = self.run_on(INSTALL_DAY)
        self.assertEqual(ready.stage_id, self.agency)
        # twenty days only: not stuck in New, waiting for the gate with its date
        self.assertEqual(recent.stage_id, self.review)
        [line] = run.line_ids.filtered(lambda line: line.kind == "waiting")
        self.assertEqual(line.stage_id, self.agency)
        self.assertEqual(line.reason, escalation.WAIT_501R)
        self.assertEqual(line.wait_date, INSTALL_DAY + timedelta(days=10))
        # in the reader's format (en_US here), not ISO
        self.assertIn(format_date(self.env, INSTALL_DAY + timedelta(days=10)), run.summary)
        self.assertIn("01/15/2026", run.summary)
        self.run_on(INSTALL_DAY + timedelta(days=10))
        self.assertEqual(recent.stage_id, self.agency)

    def test_statements_sent_before_install_are_not_sent_again(self):
        with freeze_time(INSTALL_DAY):
            account = self.guarantors_due([100])
            # the former billing system's history, imported: two statements sent
            account._import_history(stage=self.second.id, first_statement_date=date(2025, 10, 1))
        self.run_on(INSTALL_DAY)
        self.assertEqual(account.stage_id, self.second, "not back to the first statement")
        self.run_on(INSTALL_DAY + timedelta(days=CYCLE + 1))
        self.assertEqual(account.stage_id, self.final, "two statements sent: the final notice")

    def test_letters_logged_by_hand_are_no_statements(self):
        """A letter a specialist logs (about anything else) is no notice of the
        sequence: the guarantor still receives the first statement, then the second."""
        with freeze_time(INSTALL_DAY):
            account = self.guarantors_due([100])
        letters = self.env["patient.interaction"].create(
            [
                {
                    "account_id": account.id,
                    "channel": "letter",
                    "outcome": "other",
                    "date": INSTALL_DAY - timedelta(days=days),
                    "note": "Asked the guarantor to call the office.",
                }
                for days in (70, 40)
            ]
        )
        self.assertEqual(len(letters), 2)
        self.assertEqual(account._missing_letters(self.final)[account], self.first | self.second)
        self.run_on(INSTALL_DAY)
        self.assertEqual(account.stage_id, self.first, "no statement sent yet: the first")

    def test_interval_setting_and_default(self):
        self.assertEqual(self.company.collections_letter_interval_days, 0)
        self.assertEqual(self.company._collections_letter_interval(), CYCLE)
        self.company.collections_letter_interval_days = 45
        with freeze_time(INSTALL_DAY):
            account = self.guarantors_due([200])
        self.run_on(INSTALL_DAY)
        self.assertEqual(account.stage_id, self.first)
        self.run_on(INSTALL_DAY + timedelta(days=44))
        self.assertEqual(account.stage_id, self.first)
        self.run_on(INSTALL_DAY + timedelta(days=45))
        self.assertEqual(account.stage_id, self.second)

    def test_hand_move_names_the_missing_letters(self):
        with freeze_time(INSTALL_DAY):
            account = self.guarantors_due([200])
            with self.assertRaisesRegex(
                UserError, "First statement, Second statement, Final notice"
            ):
                account.stage_id = self.agency
            # a stage past the sequence still takes the hand move (today's rules), and
            # the chatter says which letters were skipped
            account.stage_id = self.review
            self.assertEqual(account.stage_id, self.review)
            self.assertIn(
                "before these letters were sent: First statement, Second statement, Final notice",
                "".join(account.message_ids.mapped("body")),
            )
