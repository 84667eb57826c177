"""Promises, callbacks, the run and the priority explanation (desk13): a
payment counts once toward the promises, oldest first; the day a promise was
made is the practice's; the night's scheduled run still runs after a "Run now"
the same day; Today's Callbacks lists the overdue ones, not those made; the
explanation shows a credit balance as it is."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .test_holds13 import HoldsCommon


@tagged("post_install", "-at_install")
class TestPromise13Settlement(HoldsCommon):
    def test_one_payment_counts_toward_one_promise(self):
        account, invoice = self.owing_account("Promiseperson Alpha", 200.0)
        today = self.env.company._patient_today()
        first = self.log(
            account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(3)
        )
        second = self.log(
            account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(10)
        )
        self.pay(invoice, 100.0, today)
        Interaction = self.env["patient.interaction"]
        Interaction._settle_due_promises(self.env.company, today + timedelta(days=4))
        Interaction._settle_due_promises(self.env.company, today + timedelta(days=11))
        self.assertRecordValues(
            first + second,
            [
                {"promise_state": "kept", "promise_paid_amount": 100.0},
                {"promise_state": "broken", "promise_paid_amount": 0.0},
            ],
        )

    def test_a_late_payment_does_not_keep_the_promise(self):
        """Paid two days after the promised date: the promise was broken (the
        payment still lowers the balance)."""
        account, invoice = self.owing_account("Promiseperson Late", 200.0)
        today = self.env.company._patient_today()
        promise = self.log(
            account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(3)
        )
        self.pay(invoice, 100.0, today + timedelta(days=5))
        result = self.env["patient.interaction"]._settle_due_promises(
            self.env.company, today + timedelta(days=6)
        )
        self.assertEqual(result, {"kept": 0, "broken": 1})
        self.assertRecordValues(promise, [{"promise_state": "broken", "promise_paid_amount": 0.0}])

    def test_settled_in_one_run_oldest_first(self):
        account, invoice = self.owing_account("Promiseperson Beta", 200.0)
        today = self.env.company._patient_today()
        later = self.log(
            account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(5)
        )
        sooner = self.log(
            account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(2)
        )
        self.pay(invoice, 100.0, today)
        result = self.env["patient.interaction"]._settle_due_promises(
            self.env.company, today + timedelta(days=6)
        )
        self.assertEqual(result, {"kept": 1, "broken": 1})
        self.assertEqual((sooner.promise_state, later.promise_state), ("kept", "broken"))

    def test_queries_do_not_grow_with_the_promises(self):
        today = self.env.company._patient_today()
        promises = self.env["patient.interaction"]
        for n in range(4):
            account, invoice = self.owing_account(f"Promiseperson Count{n}", 200.0)
            self.pay(invoice, 50.0, today)
            promises |= self.log(
                account, "promise_to_pay", promise_amount=100.0, promise_date=today + timedelta(3)
            )
        counts = []
        for some in (promises[:1], promises):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            paid = some._paid_since_promised()
            counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(set(paid.values()), {50.0})
        self.assertEqual(counts[0], counts[1], "one promise or four: the same queries")


@tagged("post_install", "-at_install")
class TestPromise13PracticeDay(HoldsCommon):
    def test_made_in_the_practice_evening(self):
        """Made at 17:30 in Los Angeles on 30 November (01:30 UTC on 1 December),
        paid on the 30th: kept."""
        self.env.company.collections_tz = "America/Los_Angeles"
        with freeze_time(datetime(2026, 12, 1, 1, 35)):
            guarantor = self.env["res.partner"].create(
                {"name": "Promiseperson Gamma", "is_patient": True, "tz": "America/Los_Angeles"}
            )
            invoice = self.make_invoice(guarantor, 100.0, date(2026, 11, 1))
            account = invoice.patient_account_id
            account.user_id = self.specialist
            promise = self.log(
                account,
                "promise_to_pay",
                promise_amount=100.0,
                promise_date=date(2026, 12, 1),
                date=datetime(2026, 12, 1, 1, 30),
            )
            self.pay(invoice, 100.0, date(2026, 11, 30))
        self.env["patient.interaction"]._settle_due_promises(self.env.company, date(2026, 12, 2))
        self.assertEqual(promise.promise_state, "kept")
        self.assertEqual(promise.promise_paid_amount, 100.0)


@tagged("post_install", "-at_install")
class TestRun13CronAfterRunNow(HoldsCommon):
    def test_the_nightly_run_after_a_run_now(self):
        self.owing_account("Runperson Alpha")
        Run = self.env["patient.collection.run"]
        company = self.env.company
        manual = Run.with_user(self.manager).run(companies=company)
        self.assertEqual((manual.trigger, manual.state), ("manual", "done"))
        nightly = Run.sudo().run(companies=company, trigger="cron")
        self.assertEqual((nightly.trigger, nightly.state), ("cron", "done"))
        self.assertNotEqual(nightly, manual, "the night's run is its own")
        # called again the same day (the cron engine, a trigger left over): that run
        again = Run.sudo().run(companies=company, trigger="cron")
        self.assertEqual(again, nightly)
        self.assertEqual(Run.sudo().search_count([("company_id", "=", company.id)]), 2)


@tagged("post_install", "-at_install")
class TestCallbacks13Filter(HoldsCommon):
    # a fixed instant: the callbacks (an hour after the calls) and the call that
    # follows fall inside the contact hours whatever the hour the suite runs
    @freeze_time("2026-06-03 17:00:00")
    def test_overdue_callbacks_listed_made_ones_not(self):
        waiting, made = self.callbacks_waiting_and_made("Callbackperson")
        asked = (waiting | made).interaction_ids.filtered(
            lambda interaction: interaction.outcome == "callback_requested"
        )
        found = self.env["patient.interaction"].search(
            [("callback_due", "=", True), ("account_id", "in", (waiting | made).ids)]
        )
        self.assertEqual(found.account_id, waiting)
        self.assertEqual(
            {i.account_id: i.callback_due for i in asked}, {waiting: True, made: False}
        )


@tagged("post_install", "-at_install")
class TestPriority13Credit(HoldsCommon):
    def test_explanation_shows_the_credit(self):
        account, invoice = self.owing_account("Creditperson Alpha", 100.0)
        self.pay(invoice, 150.0, self.env.company._patient_today())
        self.assertEqual(account.balance_due, -50.0)
        self.assertIn(
            f"Balance due: {account.currency_id.format(-50.0)}", account.priority_explanation
        )
