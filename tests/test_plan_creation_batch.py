"""The agreement of plans made by the thousand (issue 15): the "agreed"
interactions inserted in one statement, the chatter lines sanitized in one pass,
their amounts formatted once per currency; each the same as Odoo's and the
module's per-record path."""

from datetime import date

from freezegun import freeze_time
from markupsafe import Markup

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..logic import priority
from ..models.patient_protected import trusted
from .common import PatientCollectionsCommon

TODAY = date(2026, 3, 2)
# what differs between two rows logged the same way (or is the row's own)
OWN_COLUMNS = {"id", "create_date", "write_date", "date"}


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestPlanCreationBatch(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(
            {"collections_plan_min_installment": 25.0, "collections_plan_max_months": 12}
        )
        cls.stage = cls.env.ref("patient_collections.stage_payment_plan")

    def new_accounts(self, count, amount=600.0):
        Partner = self.env["res.partner"]
        accounts = self.Account
        for _index in range(count):
            guarantor = Partner.create({"name": "Batchplan Testperson"})
            accounts |= self.make_invoice(guarantor, amount, TODAY).patient_account_id
        return accounts

    @staticmethod
    def requests(accounts):
        terms = {
            "total_amount": 600.0,
            "frequency": "monthly",
            "installment_count": 6,
            "first_due_date": date(2026, 3, 31),
        }
        return [(account, dict(terms)) for account in accounts]

    def interaction_rows(self, interactions):
        """{interaction id: {column: value}} of every column but the row's own."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT * FROM patient_interaction WHERE id = ANY(%s)", [interactions.ids]
        )
        names = [column.name for column in self.env.cr.description]
        rows = {
            row[names.index("id")]: {
                name: value
                for name, value in zip(names, row, strict=True)
                if name not in OWN_COLUMNS
            }
            for row in self.env.cr.fetchall()
        }
        return [rows[interaction_id] for interaction_id in interactions.ids]

    # ------------------------------------------------------------------ interactions

    def test_agreed_interactions_equal_the_orm(self):
        """Each account gets one "agreed" interaction, the row the ORM's create
        writes for the same values, and the same chatter line; its counts, last
        contact, priority, stage and active plan follow."""
        accounts = self.new_accounts(3)
        old_stages = {account.id: account.stage_id for account in accounts}
        plans = self.env["patient.payment.plan"]._create_plans(self.requests(accounts))
        self.env.flush_all()
        self.env.invalidate_all()
        batch = self.env["patient.interaction"].search([("account_id", "in", accounts.ids)])
        batch = batch.sorted("id")
        self.assertEqual(len(batch), 3)
        for account, plan in zip(accounts, plans, strict=True):
            self.assertRecordValues(
                account,
                [
                    {
                        "stage_id": self.stage.id,
                        "stage_date": TODAY,
                        "interaction_count": 1,
                        "active_plan_id": plan.id,
                    }
                ],
            )
            interaction = batch.filtered(lambda i, account=account: i.account_id == account)
            self.assertEqual(account.last_contact_date, interaction.date)
            weights = account.company_id._collections_priority_weights()
            self.assertEqual(
                account.priority_score, priority.score(account._priority_inputs(), weights)
            )
            self.assertNotEqual(old_stages[account.id], self.stage)
        # the same values through the ORM's create, on the same accounts
        orm = trusted(self.env["patient.interaction"]).create(
            [
                {
                    "account_id": interaction.account_id.id,
                    "channel": "phone_in",
                    "outcome": "reached",
                    "note": interaction.note,
                }
                for interaction in batch
            ]
        )
        self.assertEqual(self.interaction_rows(batch), self.interaction_rows(orm))
        self.assertEqual(batch.mapped("direction"), ["inbound"] * 3)
        self.assertEqual(batch.mapped("user_id"), self.env.user)
        self.assertEqual(
            sorted(batch.mapped("note")),
            sorted(f"Payment plan {plan.name} agreed." for plan in plans),
        )
        self.env.invalidate_all()
        self.assertEqual(accounts.mapped("interaction_count"), [2, 2, 2])
        for account in accounts:
            lines = account.message_ids.filtered(lambda m: "Incoming call: reached" in m.body)
            self.assertEqual(len(lines), 2, "one summary line per interaction, either path")
            first, second = lines
            for name in ("body", "author_id", "subtype_id", "message_type", "model", "res_id"):
                self.assertEqual(first[name], second[name], name)

    def test_inserted_interactions_are_the_ones_create_makes(self):
        """Values of several shapes (a promise, a duration, a note) give the rows
        create writes, in the order given, with the promise tracked."""
        first, second = self.new_accounts(2)
        vals_list = [
            {
                "account_id": first.id,
                "channel": "phone_in",
                "outcome": "promise_to_pay",
                "promise_amount": 50.0,
                "promise_date": date(2026, 3, 5),
            },
            {
                "account_id": second.id,
                "channel": "email",
                "outcome": "reached",
                "duration_minutes": 5,
            },
            {"account_id": first.id, "channel": "phone_in", "outcome": "reached", "note": "Spoke."},
        ]
        Interaction = trusted(self.env["patient.interaction"])
        batch = Interaction._insert_logged([dict(vals) for vals in vals_list])
        orm = Interaction.create([dict(vals) for vals in vals_list])
        self.assertEqual(batch.account_id.ids, orm.account_id.ids)
        self.assertEqual(batch.mapped("outcome"), ["promise_to_pay", "reached", "reached"])
        self.assertEqual(self.interaction_rows(batch), self.interaction_rows(orm))
        self.assertEqual(batch[0].promise_state, "pending")
        self.assertEqual(batch[1].direction, "outbound")
        self.env.invalidate_all()
        self.assertEqual((first | second).mapped("interaction_count"), [4, 2])
        self.assertEqual(first.hold_reason, "promise_to_pay")

    def test_the_agreement_completes_the_open_call(self):
        """The agreement answers the open call to-do of the account, as a logged call."""
        account = self.new_accounts(1)
        account.user_id = self.env.user
        call = account.activity_schedule("mail.mail_activity_data_call", date_deadline=TODAY)
        self.env["patient.payment.plan"]._create_plans(self.requests(account))
        self.assertFalse(call.exists(), "the open call was marked done")

    def test_outbound_agreement_follows_the_contact_rules(self):
        """An agreement logged as an outbound call to a guarantor who asked us to
        stop contacting them is refused as the call would be, nothing written."""
        accounts = self.new_accounts(2)
        trusted(accounts[1]).write({"cease_communication": True})
        Plan = self.env["patient.payment.plan"]
        with self.assertRaises(UserError) as refusal:  # (rolled back to its savepoint)
            Plan._create_plans(self.requests(accounts), channel="phone_out")
        self.assertIn("Cease-communication request", str(refusal.exception))
        self.assertFalse(Plan.search([("account_id", "in", accounts.ids)]))
        self.assertFalse(
            self.env["patient.interaction"].search([("account_id", "in", accounts.ids)])
        )
        plan = Plan._create_plans(self.requests(accounts[0]), channel="phone_out")
        self.assertEqual(plan.account_id.interaction_ids.direction, "outbound")

    # ------------------------------------------------------------------ chatter

    def test_agreement_line_is_the_one_odoo_logs(self):
        """The chatter line of each plan is the note Odoo's _message_log writes for
        the text with the amount as the currency formats it."""
        accounts = self.new_accounts(3)
        old = {account.id: account.stage_id.name for account in accounts}
        plans = self.env["patient.payment.plan"]._create_plans(self.requests(accounts))
        for plan in plans:
            account = plan.account_id
            text = (
                f"Payment plan {plan.name}: {plan.currency_id.format(600.0)} in 6 installments "
                f"from 03/31/2026. Stage: {old[account.id]} → {self.stage.name}."
            )
            line = account.message_ids.filtered(lambda m, plan=plan: f"{plan.name}:" in m.body)
            reference = account._message_log(body=Markup("<p>%s</p>") % text)
            self.assertEqual(len(line), 1)
            for name in ("body", "author_id", "subtype_id", "message_type", "model", "res_id"):
                self.assertEqual(line[name], reference[name], name)

    def test_paragraphs_are_logged_as_odoo_logs_them(self):
        """Bodies with markup-like text, entities, quotes and non-ASCII, sanitized
        together, equal Odoo's notes of the same bodies; so do those that are not
        one paragraph (two of them, plain text, an empty one), sanitized apart."""
        accounts = self.new_accounts(7)
        texts = ["Tom & Jerry <b>bold</b> 'q' \"d\" → ok", "a\u00a0b  c", "<p>not a tag</p>"]
        bodies = {
            account.id: Markup("<p>%s</p>") % text
            for account, text in zip(accounts, texts, strict=False)
        }
        bodies[accounts[3].id] = Markup("<p>one</p><p>two &amp; <i>three</i></p>")
        bodies[accounts[4].id] = "plain <text> & more"
        bodies[accounts[5].id] = Markup("<p>%s</p>") % texts[0]
        bodies[accounts[6].id] = ""
        batch = accounts._message_log_batch(bodies=bodies)
        for message, account in zip(batch, accounts, strict=True):
            reference = account._message_log(body=bodies[account.id])
            for name in ("body", "author_id", "subtype_id", "message_type", "model", "res_id"):
                self.assertEqual(message[name], reference[name], name)

    # ------------------------------------------------------------------ queries

    def test_queries_do_not_grow_with_the_plans(self):
        """Making 5 plans costs the queries of making 2 (their flush included)."""
        Plan = self.env["patient.payment.plan"]

        def queries(accounts):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            plans = Plan._create_plans(self.requests(accounts))
            self.env.flush_all()
            spent = self.env.cr.sql_log_count - before
            self.assertEqual(len(plans), len(accounts))
            return spent

        queries(self.new_accounts(1))  # caches warm
        two, five = self.new_accounts(2), self.new_accounts(5)
        self.assertEqual(queries(five), queries(two))
