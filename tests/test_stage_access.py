"""Stages are shared by all the practices (companies) of a database: a manager of
one practice only rewrote the stage messages another practice's statements print
("call Cedar at ...") and the columns of its Board (stage18).  Only an
administrator or a collections manager of every practice that has patient
accounts changes a stage now; moving accounts and the module's own writes go on."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_desk import DeskCommon
from .test_tours_roles import MANAGER

SHARED = "Stages are shared by all the practices in this database"


@tagged("post_install", "-at_install")
class TestStageAccess(DeskCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="Stageaccess Clinic B")["company"]
        cls.account_a, _invoice = cls.owing_account("Stageperson Alpha", days=10)
        patient_b = (
            cls.env["res.partner"]
            .with_company(cls.company_b)
            .create({"name": "Stageperson Bravo", "is_patient": True})
        )
        cls.make_invoice(patient_b, 80.0, "2026-01-12", company=cls.company_b)
        # cleo: a collections manager of practice B only
        cls.manager_b = cls.company_user("pc_stage_cleo", MANAGER, company=cls.company_b)
        cls.manager_ab = new_test_user(
            cls.env,
            login="pc_stage_both",
            groups=MANAGER,
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id],
        )
        cls.admin = cls.company_user("pc_stage_admin", f"{MANAGER},base.group_system")
        cls.second = cls.env.ref("patient_collections.stage_second_statement")
        cls.spare = cls.Stage.create({"name": "Stageaccess Spare", "sequence": 95})

    def changes(self, user):
        """Every way of changing the stages, as ``user``: (what, how)."""
        Stage = self.Stage.with_user(user)
        second, spare = self.second.with_user(user), self.spare.with_user(user)
        return [
            ("name", lambda: second.write({"name": "Cedar letter"})),
            ("message", lambda: second.write({"statement_message": "Call Cedar at 555-0100."})),
            ("fold", lambda: second.write({"fold": True})),
            ("sequence", lambda: second.write({"sequence": 21})),
            ("create", lambda: Stage.create({"name": "Stageaccess New", "sequence": 96})),
            ("archive", spare.action_archive),
            ("unlink", spare.unlink),
        ]

    def test_manager_of_one_practice_refused(self):
        """cleo (practice B only) and a manager of practice A only are told why;
        nothing is changed."""
        manager_a = self.manager
        for user in (self.manager_b, manager_a):
            for what, change in self.changes(user):
                with self.subTest(user=user.login, what=what):
                    with self.assertRaises(AccessError) as caught:
                        change()
                    message = str(caught.exception)
                    self.assertIn(SHARED, message)
                    self.assertIn("Only a collections manager of all of them", message)
        self.assertRecordValues(
            self.second.with_context(lang="en_US"),
            [
                {
                    "name": "Second statement",
                    "fold": False,
                    "sequence": self.second.sequence,
                    "statement_message": self.second.statement_message,
                }
            ],
        )
        self.assertNotIn("Cedar", self.second.statement_message)
        self.assertTrue(self.spare.exists().active)
        self.assertFalse(self.Stage.search([("name", "=", "Stageaccess New")]))

    def test_sudo_does_not_stand_in_for_the_user(self):
        """A write reaching the stages under sudo (a module method that sudo's on a
        client's behalf) is judged on the real user too."""
        with self.assertRaises(AccessError):
            self.second.with_user(self.manager_b).sudo().write({"name": "Cedar letter"})
        with self.assertRaises(AccessError) as caught:
            self.second.with_user(self.specialist).sudo().write({"fold": True})
        self.assertIn("Only collections managers and administrators", str(caught.exception))
        self.assertEqual(self.second.with_context(lang="en_US").name, "Second statement")

    def test_translation_dialog_refused(self):
        """The translation dialog writes the texts past write(): same rule."""
        self.env["res.lang"]._activate_lang("es_419")
        with self.assertRaises(AccessError):
            self.second.with_user(self.manager_b).update_field_translations(
                "statement_message", {"es_419": "Llame a Cedar."}
            )
        self.assertNotIn("Cedar", self.second.with_context(lang="es_419").statement_message)
        self.second.with_user(self.manager_ab).update_field_translations(
            "statement_message", {"es_419": "Llame a la práctica."}
        )
        self.assertEqual(
            self.second.with_context(lang="es_419").statement_message, "Llame a la práctica."
        )

    def test_manager_of_every_practice_and_admin_may(self):
        for user, suffix in ((self.manager_ab, "both"), (self.admin, "admin")):
            with self.subTest(user=user.login):
                second = self.second.with_user(user)
                second.write(
                    {"name": f"Letter two {suffix}", "statement_message": f"Pay now {suffix}."}
                )
                self.assertEqual(self.second.name, f"Letter two {suffix}")
                second.write({"fold": True, "sequence": 22})
                second.write({"fold": False})
                stage = self.Stage.with_user(user).create(
                    {"name": f"Stageaccess {suffix}", "sequence": 97}
                )
                stage.action_archive()
                self.assertFalse(stage.active)
                stage.unlink()
                self.assertFalse(stage.exists())

    def test_one_practice_manager_and_specialist_still_move_accounts(self):
        """Moving an account writes the account's stage, not the stage: the Board's
        drag and drop stays open to a manager and a specialist of one practice."""
        for user in (self.manager, self.specialist):
            with self.subTest(user=user.login):
                self.account_a.with_user(user).write({"stage_id": self.second.id})
                self.assertEqual(self.account_a.stage_id, self.second)
                self.account_a.with_user(user).write({"stage_id": self.new.id})
                self.assertEqual(self.account_a.stage_id, self.new)

    def test_the_modules_own_writes_go_on(self):
        """The shipped fold, applied on update as the system or from a user's
        sudo'd call, still folds (the module's own write)."""
        agency = self.env.ref("patient_collections.stage_agency")
        agency.fold = False
        self.env["ir.config_parameter"].set_param(
            "patient_collections.default_folds_applied", False
        )
        self.Stage.with_user(self.manager_b).sudo()._apply_default_folds()
        self.assertTrue(agency.fold)

    def test_practices_without_accounts_do_not_count(self):
        """A company without patient accounts has no letters or Board to protect:
        the manager of every practice that has accounts may change the stages."""
        self.setup_other_company(name="Stageaccess Holding")
        self.manager_ab.invalidate_recordset()
        self.second.with_user(self.manager_ab).write({"name": "Letter two"})
        self.assertEqual(self.second.name, "Letter two")
