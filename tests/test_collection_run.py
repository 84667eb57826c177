from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import TEST_ADDRESS
from .common_run import CollectionRunCommon

RUN_DAY = date(2026, 6, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-06-01")
class TestCollectionRun(CollectionRunCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = new_test_user(
            cls.env,
            login="pc_run_specialist",
            groups="patient_collections.group_collections_specialist",
            company_id=cls.env.company.id,
            company_ids=[cls.env.company.id],
        )
        cls.counter = 0

    def account_due(self, days, amount=100.0, **extra):
        """A new guarantor whose only invoice is ``days`` past due today."""
        type(self).counter += 1
        partner = self.env["res.partner"].create(
            {"name": f"Testrun Person {self.counter}", "is_patient": True, **TEST_ADDRESS}
        )
        due = RUN_DAY - timedelta(days=days)
        invoice = self.make_invoice(partner, amount, due, due_date=due, **extra)
        return invoice.patient_account_id

    def collect(self):
        return self.Run.run()

    def with_letters(self, account, count, days_ago=40):
        """Statements mailed before the run: the notice sequence goes on from
        them (issue 12's letters-in-order rule)."""
        trusted(
            self.env["patient.interaction"],
            patient_interaction_logged=True,
            patient_statement_logging=True,
        ).create(
            [
                {
                    "account_id": account.id,
                    "channel": "letter",
                    "outcome": "other",
                    "date": fields.Datetime.to_datetime(RUN_DAY - timedelta(days=days_ago + n)),
                }
                for n in range(count)
            ]
        )
        return account

    def with_final_notice(self, account, days_ago=40):
        account._import_history(final_notice_date=RUN_DAY - timedelta(days=days_ago))
        return account

    def test_new_account_starts_in_new(self):
        account = self.account_due(0)
        self.assertEqual(account.stage_id, self.new)

    def test_each_stage_rule(self):
        cases = {
            0: self.new,
            1: self.first,
            30: self.first,
            31: self.second,
            60: self.second,
            61: self.final,
            91: self.review,
        }
        accounts = {days: self.account_due(days) for days in cases}
        # the letters each account received before: the run walks the sequence on
        for days in (31, 60):
            self.with_letters(accounts[days], 1)
        self.with_letters(accounts[61], 2)
        self.with_final_notice(accounts[91])
        run = self.collect()
        for days, stage in cases.items():
            self.assertEqual(accounts[days].stage_id, stage, f"{days} days past due")
        moved = {line.stage_id: line.count for line in run.line_ids if line.kind == "moved"}
        self.assertEqual(moved[self.first], 2)
        self.assertEqual(moved[self.second], 2)
        self.assertEqual(run.user_id, self.env.user)
        self.assertEqual(run.date, RUN_DAY)

    def test_balance_minimum(self):
        small = self.account_due(200, amount=20.0)
        self.with_final_notice(small)
        self.collect()
        self.assertEqual(small.stage_id, self.review, "agency needs at least 50 owed")

    def test_never_backward(self):
        account = self.with_letters(self.account_due(70), 2)
        self.collect()
        self.assertEqual(account.stage_id, self.final)
        invoice = account.invoice_ids
        self.pay(invoice, 50.0, RUN_DAY)
        # a newer invoice only: still owes, now 0 days past due
        self.make_invoice(account.partner_id, 10.0, RUN_DAY, due_date=RUN_DAY + timedelta(days=30))
        self.pay(invoice, 50.0, RUN_DAY)
        self.assertEqual(account.days_past_due, 0)
        run = self.collect()
        self.assertEqual(account.stage_id, self.final)
        self.assertFalse(run.moved_count)

    def test_manual_stage_untouched(self):
        account = self.account_due(100)
        # a practice's own manual stage (the payment plan stage takes plans only)
        manual = self.env["patient.account.stage"].create(
            {"name": "Testmanual Review", "sequence": 65, "is_manual": True}
        )
        account.stage_id = manual
        run = self.collect()
        self.assertEqual(account.stage_id, manual)
        self.assertIn("manual_stage", run.line_ids.mapped("reason"))

    def test_idempotent(self):
        for days in (5, 40, 65, 95):
            self.account_due(days)
        first = self.collect()
        self.assertEqual(first.moved_count, 4)
        second = self.collect()
        self.assertEqual(second.moved_count, 0)
        self.assertEqual(self.Run.search_count([]), 2)

    def test_paid_accounts_close_and_reopen(self):
        account = self.with_letters(self.account_due(40), 1)
        self.collect()
        self.assertEqual(account.stage_id, self.second)
        self.pay(account.invoice_ids, 100.0, RUN_DAY)
        self.collect()
        self.assertEqual(account.stage_id, self.resolved)
        self.make_invoice(
            account.partner_id,
            30.0,
            RUN_DAY - timedelta(days=35),
            due_date=RUN_DAY - timedelta(days=35),
        )
        self.collect()
        # reopened, it waits a letter interval after today's statement, then goes on
        # with the next letter of its sequence
        self.assertNotEqual(account.stage_id, self.resolved)
        with freeze_time(RUN_DAY + timedelta(days=31)):
            self.collect()
            self.assertEqual(account.stage_id, self.final, "reopened where it qualifies")

    def test_hold_freezes_escalation_and_expires(self):
        account = self.with_letters(self.account_due(40), 1)
        account._set_hold("dispute", until=RUN_DAY + timedelta(days=3))
        run = self.collect()
        self.assertEqual(account.stage_id, self.new)
        self.assertIn("on_hold", run.line_ids.mapped("reason"))
        with freeze_time(RUN_DAY + timedelta(days=3)):
            self.collect()
            self.assertEqual(account.hold_reason, "dispute", "still held on its last day")
        with freeze_time(RUN_DAY + timedelta(days=4)):
            run = self.collect()
            self.assertFalse(account.hold_reason)
            self.assertEqual(account.stage_id, self.second)
        expired = run.line_ids.filtered(lambda line: line.kind == "hold_expired")
        self.assertEqual(expired.count, 1)
        account.invalidate_recordset(["message_ids"])
        bodies = account.message_ids.mapped("body")
        self.assertTrue(any("Hold lifted" in body for body in bodies))

    def test_automatic_insurance_hold(self):
        account = self.with_letters(self.account_due(45, insurance_status="pending"), 1)
        self.assertEqual(account.balance_due, 0.0)
        self.collect()
        self.assertEqual(account.hold_reason, "insurance_pending")
        self.assertTrue(account.hold_auto)
        self.assertEqual(account.stage_id, self.new, "not chased while insurance is pending")
        account.invoice_ids.insurance_status = "adjudicated"
        run = self.collect()
        self.assertFalse(account.hold_reason)
        self.assertEqual(account.stage_id, self.second)
        released = run.line_ids.filtered(lambda line: line.kind == "hold_released")
        self.assertEqual(released.count, 1)

    def test_manual_hold_is_not_released_by_insurance_rule(self):
        account = self.account_due(45)
        account._set_hold("insurance_pending")
        self.collect()
        self.assertEqual(account.hold_reason, "insurance_pending")

    def test_hold_needs_reason_and_future_date(self):
        account = self.account_due(10)
        wizard = (
            self.env["patient.account.hold"]
            .with_context(active_model="patient.account", active_ids=account.ids)
            .create({"action": "set"})
        )
        with self.assertRaisesRegex(UserError, "why"):
            wizard.action_apply()
        wizard.write({"hold_reason": "dispute", "hold_until": RUN_DAY - timedelta(days=1)})
        with self.assertRaisesRegex(UserError, "past"):
            wizard.action_apply()
        self.assertFalse(account.hold_reason)
        wizard.hold_until = RUN_DAY + timedelta(days=10)
        wizard.action_apply()
        self.assertEqual(account.hold_reason, "dispute")
        release = (
            self.env["patient.account.hold"]
            .with_context(active_model="patient.account", active_ids=account.ids)
            .create({"action": "release"})
        )
        release.action_apply()
        self.assertFalse(account.hold_reason)

    # ----------------------------------------------------------- 501(r) gates

    def ready_for_agency(self):
        """An account 150 days past due whose final notice went out 40 days ago."""
        account = self.account_due(150)
        with freeze_time(RUN_DAY - timedelta(days=40)):
            account.stage_id = self.final
        # a hand move dates no notice: it went out (by the statement of that day)
        self.assertFalse(account.final_notice_date)
        account._import_history(final_notice_date=RUN_DAY - timedelta(days=40))
        return account

    def test_agency_when_all_gates_pass(self):
        account = self.ready_for_agency()
        self.collect()
        self.assertEqual(account.stage_id, self.agency)

    def test_gate_notification_period(self):
        account = self.ready_for_agency()
        trusted(account).write({"first_statement_date": RUN_DAY - timedelta(days=119)})
        run = self.collect()
        # never stuck: it waits for the gate in the furthest stage before it
        self.assertEqual(account.stage_id, self.review)
        self.assertIn("wait_501r", run.line_ids.mapped("reason"))
        trusted(account).write({"first_statement_date": RUN_DAY - timedelta(days=120)})
        self.collect()
        self.assertEqual(account.stage_id, self.agency)

    def test_gate_final_notice(self):
        account = self.account_due(150)
        trusted(account).write({"first_statement_date": RUN_DAY - timedelta(days=140)})
        with freeze_time(RUN_DAY - timedelta(days=29)):
            account.stage_id = self.final
        account._import_history(final_notice_date=RUN_DAY - timedelta(days=29))
        run = self.collect()
        self.assertEqual(account.stage_id, self.review, "waits for the gate before it")
        self.assertIn("wait_501r", run.line_ids.mapped("reason"))
        with freeze_time(RUN_DAY + timedelta(days=1)):
            self.collect()
            self.assertEqual(account.stage_id, self.agency)

    def test_gate_dispute_blocks_manual_move(self):
        account = self.ready_for_agency()
        account._set_hold("dispute")
        with self.assertRaisesRegex(UserError, "dispute"):
            account.stage_id = self.agency
        self.assertEqual(account.stage_id, self.final)

    def test_gate_financial_assistance_blocks_manual_move(self):
        account = self.ready_for_agency()
        account._set_hold("financial_assistance")
        with self.assertRaisesRegex(UserError, "financial-assistance"):
            account.stage_id = self.agency

    def test_gates_can_be_switched_off(self):
        # the final notice 10 days ago: the gate would want 30
        account = self.with_final_notice(self.account_due(150), days_ago=10)
        self.env.company.collections_501r_gating = False
        self.collect()
        self.assertEqual(account.stage_id, self.agency)

    def test_manual_move_without_final_notice_refused(self):
        account = self.account_due(150)
        with self.assertRaisesRegex(UserError, "final notice"):
            account.stage_id = self.agency

    # ----------------------------------------------------------- board & rights

    def test_move_by_hand_is_tracked_and_schedules_activity(self):
        account = self.account_due(10).with_context(tracking_disable=False, mail_notrack=False)
        account.user_id = self.specialist
        self.env.flush_all()
        self.env.cr.precommit.run()  # as if committed: tracking starts after creation
        account.with_user(self.specialist).stage_id = self.second
        self.env.flush_all()
        self.env.cr.precommit.run()
        account.invalidate_recordset(["message_ids"])
        tracking = account.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "stage_id"
        )
        self.assertEqual(tracking.new_value_char, self.second.name)
        activity = account.activity_ids
        self.assertEqual(activity.user_id, self.specialist)
        self.assertEqual(activity.summary, self.second.activity_summary)

    def test_run_schedules_activities_in_batch(self):
        accounts = self.account_due(40) | self.account_due(45)
        for account in accounts:
            self.with_letters(account, 1)
        accounts.user_id = self.specialist
        self.collect()
        self.assertEqual(accounts.activity_ids.mapped("user_id"), self.specialist)
        self.assertEqual(len(accounts.activity_ids), 2)
        accounts.invalidate_recordset(["message_ids"])
        logged = accounts.message_ids.filtered(lambda m: "daily collections run" in (m.body or ""))
        self.assertEqual(len(logged), 2)

    def test_accountant_cannot_move_and_specialist_cannot_configure(self):
        account = self.account_due(10)
        accountant = new_test_user(
            self.env,
            login="pc_run_accountant",
            groups="patient_collections.group_collections_accountant",
        )
        with self.assertRaises(AccessError):
            account.with_user(accountant).write({"stage_id": self.second.id})
        with self.assertRaises(AccessError):
            self.second.with_user(self.specialist).write({"days_past_due_min": 5})
        with self.assertRaises(AccessError):
            self.env["patient.account.stage"].with_user(self.specialist).create({"name": "X"})
        with self.assertRaises(AccessError):
            self.Run.with_user(self.specialist).run()

    def test_run_record_is_immutable(self):
        run = self.collect()
        with self.assertRaises(AccessError):
            run.write({"moved_count": 99})
        with self.assertRaises(AccessError):
            run.unlink()

    def test_all_stages_are_board_columns(self):
        self.account_due(10)
        groups = self.env["patient.account"].web_read_group([], ["stage_id"], ["stage_id"])[
            "groups"
        ]
        shown = {group["stage_id"][0] for group in groups}
        self.assertTrue(
            {self.agency.id, self.plan.id, self.resolved.id} <= shown, "empty stages shown"
        )

    def test_board_opens_on_my_accounts_for_specialists(self):
        action = self.env["patient.account"].with_user(self.specialist).action_open_board()
        self.assertEqual(action["context"].get("search_default_my_accounts"), 1)
        action = self.env["patient.account"].action_open_board()
        self.assertFalse(action["context"].get("search_default_my_accounts"))

    def test_a_board_link_opens_the_accounts_list_for_an_accountant(self):
        """The Board is a server action: run by an accountant (a shared link) it
        raised Odoo's "not allowed to modify Patient Account"."""
        accountant = new_test_user(
            self.env,
            login="pc_run_board_acc",
            groups="patient_collections.group_collections_accountant",
        )
        server = self.env.ref("patient_collections.patient_account_board_server_action")
        action = server.with_user(accountant).run()
        self.assertEqual(action["xml_id"], "patient_collections.patient_account_action")
        board = server.with_user(self.specialist).run()
        self.assertEqual(board["xml_id"], "patient_collections.patient_account_board_action")

    # ----------------------------------------------------------- priority & assignment

    def test_priority_score_and_explanation(self):
        low = self.account_due(5, amount=50.0)
        high = self.account_due(150, amount=900.0)
        self.assertGreater(high.priority_score, low.priority_score)
        self.assertIn("Days past due", high.priority_explanation)
        self.assertIn("Balance due", high.priority_explanation)
        ordered = self.env["patient.account"].search([("id", "in", (low | high).ids)])
        self.assertEqual(ordered.ids, [high.id, low.id], "highest priority first")
        self.env.company.write(
            {
                "collections_weight_balance": 0,
                "collections_weight_days_past_due": 0,
                "collections_weight_days_since_contact": 0,
            }
        )
        self.assertEqual(high.priority_score, 0, "the weights are the company's settings")

    def test_bulk_assignment_modes(self):
        accounts = self.env["patient.account"]
        for amount in (400.0, 300.0, 200.0, 100.0):
            accounts |= self.account_due(10, amount=amount)
        second = new_test_user(
            self.env,
            login="pc_run_specialist2",
            groups="patient_collections.group_collections_specialist",
        )
        Assign = self.env["patient.account.assign"].with_context(
            active_model="patient.account", active_ids=accounts.ids
        )
        Assign.create({"mode": "single", "user_id": self.specialist.id}).action_assign()
        self.assertEqual(accounts.user_id, self.specialist)
        Assign.create(
            {"mode": "round_robin", "user_ids": [(6, 0, (self.specialist | second).ids)]}
        ).action_assign()
        self.assertEqual(len(accounts.filtered(lambda a: a.user_id == second)), 2)
        Assign.create(
            {"mode": "balanced", "user_ids": [(6, 0, (self.specialist | second).ids)]}
        ).action_assign()
        totals = {
            user: sum(accounts.filtered(lambda a, u=user: a.user_id == u).mapped("balance_due"))
            for user in (self.specialist, second)
        }
        self.assertEqual(totals[self.specialist], 500.0)
        self.assertEqual(totals[second], 500.0)
        with self.assertRaises(UserError):
            Assign.with_user(self.specialist).create(
                {"mode": "single", "user_id": second.id}
            ).action_assign()

    def test_scheduled_action_performs_the_run(self):
        self.account_due(40)
        self.env.ref("patient_collections.ir_cron_collection_run").method_direct_trigger()
        run = self.Run.search([], limit=1)
        self.assertEqual(run.trigger, "cron")
        self.assertEqual(run.moved_count, 1)

    def test_refresh_computes_the_same_priority_as_python(self):
        """The balance refresh writes the score in SQL; the ORM compute agrees."""
        accounts = self.env["patient.account"]
        for days, amount in ((0, 10.0), (15, 333.33), (45, 999.99), (95, 1500.0), (200, 75.5)):
            accounts |= self.account_due(days, amount=amount)
        self.env.company.collections_weight_days_since_contact = 7
        accounts._refresh_balances()
        accounts.invalidate_recordset(["priority_score"])
        sql_scores = accounts.mapped("priority_score")
        trusted(accounts)._compute_priority()
        self.assertEqual(accounts.mapped("priority_score"), sql_scores)
        self.assertTrue(all(0 <= score <= 100 for score in sql_scores))
        self.assertEqual(len(set(sql_scores)), 5)

    def test_run_dated_by_the_company_calendar(self):
        """Issue 14: a run started on the 30th in the company's time zone is the
        run of the 30th, whatever the user's or the server's (UTC) date; the
        statements it sends carry the same date."""
        account = self.account_due(40)
        self.env.company.partner_id.tz = "Europe/Berlin"
        self.env.user.tz = "America/Los_Angeles"  # 15:30 on the 29th there
        # 22:30 UTC on the 29th: 00:30 on the 30th in Berlin
        with freeze_time("2026-06-29 22:30:00"):
            run = self.collect()
        thirtieth = date(2026, 6, 30)
        self.assertEqual(run.date, thirtieth)
        self.assertIn("2026-06-30", run.name)
        self.assertEqual(account.last_statement_date, thirtieth)
        # the Practice Time Zone setting comes first; the user's zone never counts
        self.env.company.write({"collections_tz": "America/Los_Angeles"})
        self.env.user.tz = "Europe/Berlin"  # already the 1st of July there
        with freeze_time("2026-06-30 22:30:00"):
            run = self.collect()
        self.assertEqual(run.date, thirtieth)
