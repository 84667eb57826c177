"""What the back office does with a record beyond its buttons: a write that
moves the stage together with other fields, and the form's Duplicate.

- A stage change is written by the module (with its entry dates): the caller's
  other values in the same write, e.g. the 501(r) dates, a hold or the priority,
  went through with it, though each alone is refused.
- Duplicate of an interaction, an assistance application or a write-off said a
  field "cannot be set by hand" or that the user may not read one: it now says
  what to do instead."""

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_writeoffs import DAY, WriteoffCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestDesk12BackOffice(WriteoffCommon):
    def own_account(self):
        account, _invoice = self.account_owing(300.0, days=40)
        account.user_id = self.specialist
        return account

    def test_stage_write_does_not_carry_protected_fields(self):
        account = self.own_account()
        second = self.env.ref("patient_collections.stage_second_statement")
        self.assertNotEqual(account.stage_id, second)
        forged = {
            "first_statement_date": "2020-01-01",
            "final_notice_date": "2020-01-01",
            "hold_reason": "bankruptcy",
            "priority_score": 100,
        }
        for user in (self.specialist, self.manager):
            for name, value in forged.items():
                with (
                    self.subTest(user=user.login, field=name),
                    self.assertRaisesRegex(AccessError, "cannot be set by hand"),
                ):
                    account.with_user(user).write({"stage_id": second.id, name: value})
        self.assertFalse(account.first_statement_date)
        self.assertFalse(account.final_notice_date)
        self.assertFalse(account.hold_reason)
        self.assertNotEqual(account.stage_id, second)

    def test_stage_write_keeps_the_other_fields_it_may(self):
        account = self.own_account()
        second = self.env.ref("patient_collections.stage_second_statement")
        account.with_user(self.specialist).write(
            {"stage_id": second.id, "preferred_channel": "sms", "color": 3}
        )
        self.assertRecordValues(
            account,
            [{"stage_id": second.id, "stage_date": DAY, "preferred_channel": "sms", "color": 3}],
        )
        # another's account: the contact preferences alone, never the stage
        other, _invoice = self.account_owing(200.0, days=40)
        other.user_id = self.manager
        with self.assertRaisesRegex(AccessError, "assigned to another specialist"):
            other.with_user(self.specialist).write({"stage_id": second.id, "color": 2})
        self.assertNotEqual(other.stage_id, second)

    def test_stage_of_the_wrong_type_is_refused(self):
        """A stage sent as text, a number with decimals, a list or an id that does
        not exist: a ValidationError naming the field (SQL and TypeError before)."""
        account = self.own_account()
        stage = account.stage_id
        for value in ("abc", 1.5, [stage.id], 2**40, 99_999_999):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "Stage (expects|names)"),
            ):
                account.with_user(self.manager).write({"stage_id": value})
        self.assertEqual(account.stage_id, stage)

    def test_new_stage_out_of_bounds_is_named(self):
        """A stage being created has no record name yet: the message named
        "Stage :" (an import's row, a manager's New)."""
        Stage = self.env["patient.account.stage"].with_user(self.manager)
        with self.assertRaisesRegex(
            ValidationError, r"Stage Testimport Late: Minimum Days Past Due must be between"
        ):
            Stage.create({"name": "Testimport Late", "days_past_due_min": 99999})
        with self.assertRaisesRegex(ValidationError, r"Stage \(no name\): Minimum Days Past"):
            Stage.create({"name": "", "days_past_due_min": -1})
        stage = self.env.ref("patient_collections.stage_new")
        with self.assertRaisesRegex(ValidationError, rf"Stage {stage.name}: Sequence must be"):
            stage.with_user(self.manager).write({"sequence": -1})

    def test_account_opened_by_hand_passes_the_stage_gates(self):
        """An account a manager opens by hand (an import's row, the API) in a
        stage of their choosing: straight into Agency placement (an extraordinary
        action, no statement ever sent) went through, where a move is refused."""
        Account = self.env["patient.account"].with_user(self.manager)
        agency = self.env.ref("patient_collections.stage_agency")
        self.assertTrue(agency.is_extraordinary_action)
        guarantor = self.env["res.partner"].create(
            {"name": "Testimport Agency", "is_patient": True}
        )
        with self.assertRaises(UserError) as refused:  # (a savepoint: nothing kept)
            Account.create({"partner_id": guarantor.id, "stage_id": agency.id})
        self.assertIn("extraordinary collection action", str(refused.exception))
        self.assertFalse(Account.sudo().search([("partner_id", "=", guarantor.id)]))
        first = self.env.ref("patient_collections.stage_first_statement")
        account = Account.create({"partner_id": guarantor.id, "stage_id": first.id})
        self.assertEqual(account.stage_id, first)

    def test_account_with_invoices_is_archived_not_deleted(self):
        """Delete of an account whose guarantor owes on posted invoices went
        through: the invoices lost their account and left collections."""
        account, invoice = self.account_owing(150.0, days=40)
        with self.assertRaises(UserError) as refused:
            account.with_user(self.manager).unlink()
        self.assertIn(f"{account.name}: an account with invoices", str(refused.exception))
        self.assertTrue(account.exists())
        self.assertEqual(invoice.patient_account_id, account)
        # opened by hand with nothing on it: a mistake a manager may delete
        guarantor = self.env["res.partner"].create({"name": "Testdelete Empty", "is_patient": True})
        empty = (
            self.env["patient.account"].with_user(self.manager).create({"partner_id": guarantor.id})
        )
        empty.with_user(self.manager).unlink()
        self.assertFalse(empty.exists())

    def test_release_of_accounts_not_on_hold_says_so(self):
        """Hold or Release > Release on accounts none of which is held closed the
        dialog as if done."""
        account = self.own_account()
        self.assertFalse(account.hold_reason)
        wizard = (
            self.env["patient.account.hold"]
            .with_user(self.specialist)
            .with_context(active_model="patient.account", active_ids=account.ids)
            .create({"action": "release"})
        )
        with self.assertRaisesRegex(UserError, "None of the selected accounts is on hold"):
            wizard.action_apply()

    def test_duplicate_says_what_to_do(self):
        account = self.own_account()
        interaction = (
            self.env["patient.interaction"]
            .with_user(self.specialist)
            .create({"account_id": account.id, "channel": "letter", "outcome": "other"})
        )
        application = self.apply(account, self.specialist, household_size=2, annual_income=10)
        writeoff = self.writeoff(account, self.manager, amount=10.0)
        self.assertTrue(writeoff)
        interactions = account.interaction_ids
        for user in (self.specialist, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "Log a new interaction"):
                    interaction.with_user(user).copy()
                with self.assertRaisesRegex(UserError, "create a new one"):
                    application.with_user(user).copy()
                with self.assertRaisesRegex(AccessError, "Write Off button"):
                    writeoff.with_user(user).copy()
        self.assertEqual(account.interaction_ids, interactions)
        self.assertEqual(len(account.assistance_ids), 1)
        self.assertEqual(len(account.writeoff_ids), 1)
