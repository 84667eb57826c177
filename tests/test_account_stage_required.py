"""A patient account is always in a stage: a client cannot empty it (the account
would drop off the board), and an account created without one opens in the
default stage."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_desk import DeskCommon


@tagged("post_install", "-at_install")
class TestAccountStageRequired(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account, _invoice = cls.owing_account("Stageperson Alpha", days=10)

    def test_stage_cannot_be_emptied(self):
        stage = self.account.stage_id
        self.assertTrue(stage, "the invoice opened the account in a stage")
        for user in (self.specialist, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                self.account.with_user(user).write({"stage_id": False})
            self.assertIn("always in a stage", str(caught.exception))
        self.assertEqual(self.account.stage_id, stage)

    def test_field_is_required_in_views(self):
        """The form and the board offer no empty stage."""
        self.assertTrue(self.Account._fields["stage_id"].required)
        for view_type in ("form", "list"):
            with self.subTest(view_type=view_type):
                fields = self.Account.with_user(self.specialist).get_views([(False, view_type)])[
                    "models"
                ]["patient.account"]["fields"]
                self.assertTrue(fields["stage_id"]["required"])

    def test_create_without_stage_opens_in_default_stage(self):
        default = self.Account._default_stage_id()
        self.assertTrue(default)
        account = self.Account.with_user(self.manager).create(
            {"partner_id": self.other_guarantor.id, "stage_id": False}
        )
        self.assertEqual(account.stage_id, default)

    def test_create_refused_without_any_stage(self):
        """No stage an account may open in: a clear refusal, nothing written."""
        # accounts leave a stage before it is archived
        self.Account.search([("stage_id.is_closed", "=", False)])._write_stage(self.resolved)
        starts = self.Stage.search([("is_closed", "=", False), ("is_manual", "=", False)])
        # archiving the last of them is refused (TestOnboard14); a database left
        # so another way (SQL) is refused on create all the same
        with self.assertRaises(ValidationError):
            starts.active = False
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE patient_account_stage SET active = FALSE WHERE id IN %s", [tuple(starts.ids)]
        )
        self.env.invalidate_all()
        with self.assertRaises(ValidationError) as caught:
            self.Account.with_user(self.manager).create({"partner_id": self.other_guarantor.id})
        self.assertIn("Configuration > Stages", str(caught.exception))
        self.assertFalse(
            self.Account.with_context(active_test=False).search(
                [("partner_id", "=", self.other_guarantor.id)]
            )
        )

    def test_internal_moves_still_work(self):
        """The run's own stage writes and the return after a plan are unchanged."""
        self.account._write_stage(self.resolved)
        self.assertEqual(self.account.stage_id, self.resolved)
        self.account._return_to_escalation()
        self.assertFalse(self.account.stage_id.is_closed, "it owes: back in the sequence")
