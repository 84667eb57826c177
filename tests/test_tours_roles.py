"""Every button and wizard of the module, clicked in the browser by the role that uses
it (static/tests/tours/patient_collections_*_role_tours.js), then the database state
those clicks must have produced.

The API tests send every field explicitly; these send what the web client sends
(read-only fields left out, the action's ``default_*`` keys in the context), so
they catch what only a browser does."""

from datetime import date, datetime, timedelta, timezone

from odoo.tests import HttpCase, tagged

from .common import TEST_ADDRESS, PatientCollectionsCommon
from .common_tours import TourMixin

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
MANAGER = "base.group_user,patient_collections.group_collections_manager"
ACCOUNTANT = (
    "base.group_user,account.group_account_invoice,patient_collections.group_collections_accountant"
)
ACCOUNT_FORM = "/odoo/action-patient_collections.patient_account_action/%s"
ACCOUNT_LIST = "/odoo/action-patient_collections.patient_account_action"
PLAN_FORM = "/odoo/action-patient_collections.patient_payment_plan_action/%s"
INTERACTION_LIST = "/odoo/action-patient_collections.patient_interaction_action"


def daytime_tz():
    """A fixed-offset time zone where it is early afternoon now: the contact rules'
    hours (08:00-21:00 at the guarantor's time) never refuse a tour's call, whenever
    the tests run."""
    offset = 13 - datetime.now(timezone.utc).hour  # from -10 to +13 hours
    # the Etc/GMT zones count west positive: Etc/GMT-5 is UTC+5
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


@tagged("post_install", "-at_install")
class TestRoleTours(TourMixin, PatientCollectionsCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls.company_user
        cls.specialist = user("pc_tr_specialist", SPECIALIST, name="Tourspecialist Main")
        cls.assignee = user("pc_tr_assignee", SPECIALIST, name="Tourspecialist Assignee")
        cls.manager = user("pc_tr_manager", MANAGER, name="Tourmanager Main")
        cls.accountant = user("pc_tr_accountant", ACCOUNTANT, name="Touraccountant Main")
        cls.tz = daytime_tz()
        cls.today = date.today()

    # ------------------------------------------------------------------ helpers

    def make_account(self, name, amount=310.0, user=None, days_past_due=40):
        """A guarantor's account owing ``amount`` on one posted invoice."""
        guarantor = self.env["res.partner"].create(
            {"name": name, "is_patient": True, **TEST_ADDRESS, "tz": self.tz}
        )
        invoice = self.make_invoice(guarantor, amount, self.today - timedelta(days=days_past_due))
        account = invoice.patient_account_id
        self.assertTrue(account, "posting the patient invoice opens the account")
        if user:
            account.user_id = user
        return account

    def chatter_texts(self, record):
        return record.message_ids.mapped(lambda message: message.body or "")

    def assertLogged(self, interactions, account, user):
        for interaction in interactions:
            self.assertEqual(interaction.account_id, account)
            self.assertEqual(interaction.user_id, user)
            self.assertEqual(interaction.state, "logged")

    # ------------------------------------------------------------------ specialist

    def test_specialist_logs_interactions_from_the_form(self):
        account = self.make_account("Tourguarantor Logform", user=self.specialist)
        self.run_tour("/odoo", "pc_role_specialist_log_from_form", self.specialist)
        interactions = account.interaction_ids.sorted("id")
        self.assertEqual(
            interactions.mapped("outcome"),
            ["reached", "promise_to_pay", "left_voicemail", "callback_requested"],
        )
        self.assertEqual(
            interactions.mapped("channel"), ["phone_out", "phone_in", "phone_out", "phone_out"]
        )
        self.assertLogged(interactions, account, self.specialist)
        self.assertEqual(interactions.partner_id, account.partner_id)
        promise = interactions[1]
        self.assertEqual(promise.promise_amount, 125)
        self.assertEqual(promise.promise_date, self.today + timedelta(days=7))
        self.assertEqual(promise.promise_state, "pending")
        self.assertEqual(account.hold_reason, "promise_to_pay")
        self.assertEqual(account.hold_until, promise.promise_date)
        callback = interactions[3]
        self.assertGreater(callback.callback_at, callback.date)
        summaries = account.activity_ids.mapped("summary")
        self.assertIn("Check the promised payment", summaries)
        self.assertTrue(any(summary.startswith("Call back at") for summary in summaries))
        self.assertEqual(set(interactions.mapped("note")), {"Synthetic tour note"})

    def test_specialist_card_icons(self):
        account = self.make_account("Tourguarantor Card", user=self.specialist)
        self.run_tour("/odoo", "pc_role_specialist_card_icons", self.specialist)
        interaction = account.interaction_ids
        self.assertEqual(len(interaction), 1)
        self.assertLogged(interaction, account, self.specialist)
        self.assertEqual((interaction.channel, interaction.outcome), ("phone_out", "no_answer"))
        self.assertEqual(account.hold_reason, "financial_assistance")

    def test_specialist_holds_and_releases(self):
        account = self.make_account("Tourguarantor Hold", user=self.specialist)
        self.run_tour(ACCOUNT_FORM % account.id, "pc_role_specialist_hold_form", self.specialist)
        self.assertFalse(account.hold_reason)
        self.assertFalse(account.hold_note)
        texts = self.chatter_texts(account)
        self.assertTrue(any("On hold: Dispute, until" in text for text in texts), texts)
        self.assertTrue(any("Hold lifted (Dispute)" in text for text in texts), texts)

    def test_specialist_agrees_a_payment_plan(self):
        account = self.make_account("Tourguarantor Plan", amount=400.0, user=self.specialist)
        self.run_tour(ACCOUNT_FORM % account.id, "pc_role_specialist_payment_plan", self.specialist)
        plan = account.plan_ids
        self.assertEqual(len(plan), 1)
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.frequency, "monthly")
        self.assertEqual(plan.total_amount, 400)
        self.assertEqual(plan.installment_ids.mapped("amount"), [100, 100, 100, 100])
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_payment_plan"))
        agreed = account.interaction_ids
        self.assertEqual(len(agreed), 1, "agreeing the plan is logged")
        self.assertLogged(agreed, account, self.specialist)

    def test_specialist_confirms_the_proposed_plan(self):
        account = self.make_account("Tourguarantor Sixplan", amount=400.0, user=self.specialist)
        self.run_tour(
            ACCOUNT_FORM % account.id, "pc_role_specialist_payment_plan_default", self.specialist
        )
        plan = account.plan_ids
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.total_amount, 400)
        amounts = plan.installment_ids.sorted("due_date").mapped("amount")
        self.assertEqual(len(amounts), 6)
        self.assertAlmostEqual(sum(amounts), 400)
        self.assertEqual(account.stage_id, self.env.ref("patient_collections.stage_payment_plan"))
        self.assertLogged(account.interaction_ids, account, self.specialist)

    def test_specialist_cancels_a_plan(self):
        account = self.make_account("Tourguarantor Cancel", amount=400.0, user=self.specialist)
        plan = account._create_payment_plan({"installment_count": 4, "first_due_date": self.today})
        self.assertEqual(plan.state, "active")
        self.run_tour(PLAN_FORM % plan.id, "pc_role_specialist_cancel_plan", self.specialist)
        self.assertEqual(plan.state, "cancelled")
        self.assertNotEqual(
            account.stage_id, self.env.ref("patient_collections.stage_payment_plan")
        )

    def test_specialist_records_and_revokes_text_consent(self):
        account = self.make_account("Tourguarantor Consent", user=self.specialist)
        self.run_tour(ACCOUNT_FORM % account.id, "pc_role_specialist_sms_consent", self.specialist)
        self.assertFalse(account.sms_consent)
        self.assertFalse(account.sms_consent_method)
        texts = self.chatter_texts(account)
        self.assertTrue(any("Consent to text messages recorded" in text for text in texts))
        self.assertTrue(any("Consent to text messages revoked" in text for text in texts))

    def test_specialist_refreshes_and_prints_a_statement(self):
        account = self.make_account("Tourguarantor Print", user=self.specialist)
        self.run_tour(
            ACCOUNT_FORM % account.id, "pc_role_specialist_print_statement", self.specialist
        )
        printed = self.env["patient.access.log"].search(
            [("event", "=", "print"), ("user_id", "=", self.specialist.id)]
        )
        self.assertEqual(printed.res_id, account.id, "the statement was rendered as a PDF")
        self.assertEqual(account.balance_due, 310)

    def test_specialist_sends_statements(self):
        account = self.make_account("Tourguarantor Mail", user=self.specialist)
        account.stage_id = self.env.ref("patient_collections.stage_first_statement")
        self.run_tour("/odoo", "pc_role_specialist_send_statements", self.specialist)
        self.assertEqual(account.last_statement_date, self.today)
        self.assertEqual(account.first_statement_date, self.today)
        letter = account.interaction_ids
        self.assertEqual(letter.mapped("channel"), ["letter"])
        statements = self.env["ir.attachment"].search(
            [("res_model", "=", "patient.account"), ("res_id", "=", account.id)]
        )
        self.assertEqual(len(statements), 1)
        self.assertTrue(statements.raw.startswith(b"%PDF"))

    # ------------------------------------------------------------------ manager

    def test_manager_assigns_from_the_list(self):
        one = self.make_account("Tourguarantor Assign One")
        two = self.make_account("Tourguarantor Assign Two", user=self.specialist)
        self.run_tour(ACCOUNT_LIST, "pc_role_manager_assign", self.manager)
        self.assertEqual((one | two).user_id, self.assignee)
        self.assertTrue(
            two.message_ids.tracking_value_ids.filtered(
                lambda value: value.field_id.name == "user_id"
            ),
            "the change of specialist is tracked",
        )

    def test_manager_holds_from_the_list(self):
        account = self.make_account("Tourguarantor Listhold", user=self.specialist)
        self.run_tour(ACCOUNT_LIST, "pc_role_manager_list_hold", self.manager)
        self.assertEqual(account.hold_reason, "bankruptcy")

    def log_as_specialist(self, account, outcome):
        return (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .create({"account_id": account.id, "channel": "phone_out", "outcome": outcome})
        )

    def test_manager_voids_an_interaction(self):
        account = self.make_account("Tourguarantor Void", user=self.specialist)
        interaction = self.log_as_specialist(account, "left_voicemail")
        self.run_tour(INTERACTION_LIST, "pc_role_manager_void", self.manager)
        self.assertEqual(interaction.state, "voided")
        self.assertEqual(interaction.void_reason, "Logged on the wrong account")
        self.assertEqual(interaction.voided_by_id, self.manager)
        self.assertEqual(interaction.user_id, self.specialist, "who logged it stays")

    def test_manager_voids_from_the_list(self):
        account = self.make_account("Tourguarantor Voidlist", user=self.specialist)
        interaction = self.log_as_specialist(account, "reached")
        self.run_tour(INTERACTION_LIST, "pc_role_manager_void_from_list", self.manager)
        self.assertEqual(interaction.state, "voided")
        self.assertEqual(interaction.void_reason, "Duplicate entry")
        self.assertEqual(interaction.voided_by_id, self.manager)

    def test_manager_runs_the_collections_run(self):
        self.make_account("Tourguarantor Run", days_past_due=45)
        Run = self.env["patient.collection.run"]
        before = Run.search([])
        self.run_tour("/odoo", "pc_role_manager_run_now", self.manager)
        run = Run.search([]) - before
        self.assertEqual(len(run), 1)
        self.assertEqual(run.trigger, "manual")
        self.assertEqual(run.user_id, self.manager)

    def test_manager_moves_the_stage_and_reads_the_access_log(self):
        account = self.make_account("Tourguarantor Stage")
        self.run_tour(
            ACCOUNT_FORM % account.id, "pc_role_manager_stage_and_access_log", self.manager
        )
        second = self.env.ref("patient_collections.stage_second_statement")
        self.assertEqual(account.stage_id, second)
        tracked = account.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "stage_id"
        )
        self.assertEqual(tracked.new_value_char, second.name)
        self.assertEqual(tracked.mapped("create_uid"), self.manager)
        opened = self.env["patient.access.log"].search(
            [("event", "=", "open"), ("user_id", "=", self.manager.id)]
        )
        self.assertIn(account.id, opened.mapped("res_id"))

    def test_manager_changes_collections_settings(self):
        company = self.env.company
        self.assertNotEqual(company.collections_max_calls, 6)
        self.run_tour(
            "/odoo/action-patient_collections.action_collections_company_settings",
            "pc_role_manager_settings",
            self.manager,
        )
        self.assertEqual(company.collections_max_calls, 6)
        self.assertEqual(company.collections_portal_min_payment, 10.0)

    # ------------------------------------------------------------------ accountant

    def test_accountant_account_buttons(self):
        account = self.make_account("Tourguarantor Books")
        self.run_tour(
            ACCOUNT_FORM % account.id, "pc_role_accountant_account_buttons", self.accountant
        )
        self.assertFalse(account.interaction_ids)
        opened = self.env["patient.access.log"].search(
            [("event", "=", "open"), ("user_id", "=", self.accountant.id)]
        )
        self.assertEqual(opened.res_id, account.id)

    def test_accountant_follows_a_board_link(self):
        """A Board link shared with an accountant (a specialist's menu) opens the
        accounts list: the server action raised Odoo's "not allowed to modify"."""
        account = self.make_account("Tourguarantor Boardlink")
        self.run_tour(
            "/odoo/action-patient_collections.patient_account_board_server_action",
            "pc_role_accountant_board_link",
            self.accountant,
        )
        opened = self.env["patient.access.log"].search(
            [("event", "=", "open"), ("user_id", "=", self.accountant.id)]
        )
        self.assertEqual(opened.res_id, account.id)

    def test_accountant_opens_the_account_from_the_contact(self):
        account = self.make_account("Tourguarantor Contact")
        self.run_tour(
            f"/odoo/contacts/{account.partner_id.id}",
            "pc_role_accountant_partner_balance",
            self.accountant,
        )
        opened = self.env["patient.access.log"].search(
            [("event", "=", "open"), ("user_id", "=", self.accountant.id)]
        )
        self.assertEqual(opened.res_id, account.id)

    def plan_for(self, name):
        account = self.make_account(name, amount=400.0, user=self.specialist)
        plan = account._create_payment_plan({"installment_count": 4, "first_due_date": self.today})
        self.assertEqual(plan.next_due_amount, 100)
        return plan

    def test_accountant_registers_a_plan_payment(self):
        plan = self.plan_for("Tourguarantor Payer")
        self.run_tour(PLAN_FORM % plan.id, "pc_role_accountant_register_payment", self.accountant)
        payment = self.env["account.payment"].search(
            [("partner_id", "=", plan.partner_id.id), ("create_uid", "=", self.accountant.id)]
        )
        self.assertEqual(payment.amount, 100)
        self.assertEqual(plan.amount_paid, 100)
        first = plan.installment_ids.sorted("due_date")[0]
        self.assertEqual(first.state, "paid")
        self.assertEqual(plan.account_id.balance_due, 300)

    def test_accountant_lists_the_installments_due(self):
        """The Installments menu opens on the active plans' due installments (the
        filter on the plan's state, which the installments do not store)."""
        due = self.plan_for("Tourguarantor Due")
        ended = self.plan_for("Tourguarantor Ended")
        ended.action_cancel()
        self.assertEqual(ended.state, "cancelled")
        self.run_tour(
            "/odoo/action-patient_collections.patient_payment_plan_installment_action",
            "pc_role_accountant_installments_due",
            self.accountant,
        )
        self.assertEqual(
            self.env["patient.payment.plan.installment"]
            .with_user(self.accountant)
            .search(
                [("plan_state", "=", "active"), ("partner_id", "in", (due | ended).partner_id.ids)]
            )
            .plan_id,
            due,
        )

    def test_accountant_prints_the_agreement(self):
        plan = self.plan_for("Tourguarantor Agreement")
        self.run_tour(PLAN_FORM % plan.id, "pc_role_accountant_print_agreement", self.accountant)
        printed = self.env["patient.access.log"].search(
            [("event", "=", "print"), ("user_id", "=", self.accountant.id)]
        )
        self.assertEqual(printed.res_model, "patient.payment.plan")
        self.assertEqual(printed.res_id, plan.id)
