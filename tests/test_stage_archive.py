"""Archiving a stage: an archived stage leaves the board and the run's rules, so
a stage that accounts sit in cannot be archived until they are moved; an empty
stage (or one holding only archived accounts) archives as before."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common_desk import DeskCommon
from .test_tours_roles import MANAGER


@tagged("post_install", "-at_install")
class TestStageArchive(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = cls.Stage.create(
            {"name": "Archivetest Hold", "sequence": 55, "is_manual": True}
        )
        cls.account, _invoice = cls.owing_account("Archiveperson Alpha", days=10)
        cls.account._write_stage(cls.stage)

    def test_stage_with_accounts_refused(self):
        """The manager is told how many accounts and what to do; nothing archived."""
        for archive in (
            lambda stage: stage.action_archive(),
            lambda stage: stage.write({"active": False}),
        ):
            with self.assertRaises(ValidationError) as caught:
                archive(self.stage.with_user(self.manager))
            message = str(caught.exception)
            self.assertIn("Archivetest Hold", message)
            self.assertIn("1 account(s)", message)
            self.assertIn("move them to another stage first", message)
            self.assertTrue(self.stage.active)
            self.assertEqual(self.account.stage_id, self.stage)

    def test_accounts_of_another_company_count(self):
        """Stages are shared by the practices: a manager working in another
        practice cannot hide this practice's accounts in an archived stage (a
        manager of that practice only may not change the stages at all: see
        test_stage_access; one of both practices is told about the accounts)."""
        other = self.setup_other_company()["company"]
        other_manager = new_test_user(
            self.env,
            login="pc_archive_manager_b",
            groups=MANAGER,
            company_id=other.id,
            company_ids=[other.id, self.env.company.id],
        )
        with self.assertRaises(ValidationError):
            self.stage.with_user(other_manager).with_company(other).action_archive()
        self.assertTrue(self.stage.active)

    def test_empty_stage_archives(self):
        self.account._write_stage(self.new)
        self.stage.with_user(self.manager).action_archive()
        self.assertFalse(self.stage.active)
        self.stage.with_user(self.manager).action_unarchive()
        self.assertTrue(self.stage.active)

    def test_archived_accounts_do_not_block(self):
        self.account.active = False
        self.stage.with_user(self.manager).action_archive()
        self.assertFalse(self.stage.active)

    def test_other_writes_unaffected(self):
        """Renaming, reordering and folding a stage with accounts still work."""
        self.stage.with_user(self.manager).write(
            {"name": "Archivetest Renamed", "sequence": 56, "fold": True, "active": True}
        )
        self.assertEqual(self.stage.name, "Archivetest Renamed")


@tagged("post_install", "-at_install")
class TestArchivedStageRefused(DeskCommon):
    """No account enters an archived stage: neither moved there by hand nor
    created there (a client may send any stage id)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.archived = cls.Stage.create(
            {"name": "Archivetest Old", "sequence": 57, "is_manual": True, "active": False}
        )
        cls.account, _invoice = cls.owing_account("Archiveperson Beta", days=10)

    def test_hand_move_into_archived_stage_refused(self):
        stage = self.account.stage_id
        for user in (self.manager, self.specialist):
            with self.subTest(user=user.login), self.assertRaises(UserError) as caught:
                self.account.with_user(user).write({"stage_id": self.archived.id})
            self.assertIn("Archivetest Old is archived", str(caught.exception))
        self.assertEqual(self.account.stage_id, stage)

    def test_create_in_archived_stage_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.Account.with_user(self.manager).create(
                {"partner_id": self.other_guarantor.id, "stage_id": self.archived.id}
            )
        self.assertIn("is archived", str(caught.exception))
        self.assertFalse(self.Account.search([("partner_id", "=", self.other_guarantor.id)]))

    def test_active_stage_still_works(self):
        manual = self.Stage.create({"name": "Archivetest Live", "sequence": 58, "is_manual": True})
        self.account.with_user(self.manager).write({"stage_id": manual.id})
        self.assertEqual(self.account.stage_id, manual)

    def test_restoring_an_account_into_an_archived_stage_refused(self):
        """An archived account in a stage archived since is restored only after
        the stage is, or together with a move to an active stage."""
        stage = self.Stage.create({"name": "Archivetest Later", "sequence": 59, "is_manual": True})
        self.account._write_stage(stage)
        self.account.with_user(self.manager).active = False
        stage.with_user(self.manager).action_archive()
        with self.assertRaises(UserError) as caught:
            self.account.with_user(self.manager).action_unarchive()
        self.assertIn("Archivetest Later is archived", str(caught.exception))
        self.assertFalse(self.account.active)
        self.account.with_user(self.manager).write({"active": True, "stage_id": self.new.id})
        self.assertTrue(self.account.active)
        self.assertEqual(self.account.stage_id, self.new)


@tagged("post_install", "-at_install")
class TestStage13ResolvedManual(DeskCommon):
    """A stage both Resolved and Manual: the run would move paid accounts into a
    stage it is never to move accounts into. Refused, whichever box comes second."""

    def test_resolved_and_manual_refused(self):
        manual = self.Stage.with_user(self.manager).create(
            {"name": "Testmanual Review", "sequence": 56, "is_manual": True}
        )
        with self.assertRaises(ValidationError) as caught:
            manual.with_user(self.manager).write({"is_closed": True})
        self.assertIn("Testmanual Review cannot be both Resolved and Manual", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.Stage.with_user(self.manager).create(
                {"name": "Testboth", "is_manual": True, "is_closed": True}
            )
        resolved = self.Stage.search([("is_closed", "=", True)], limit=1)
        with self.assertRaises(ValidationError):
            resolved.with_user(self.manager).write({"is_manual": True})
