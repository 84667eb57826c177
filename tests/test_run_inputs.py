"""What a client sends to the run's public method: a trigger that is not one of
its choices (a list, a dict, a number) is refused with a clear message, never a
server error, and nothing is recorded; nor may a manager's run pass for the
scheduled one."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_run import CollectionRunCommon

MANAGER = "base.group_user,patient_collections.group_collections_manager"


@tagged("post_install", "-at_install")
class TestRunInputs(CollectionRunCommon):
    def test_trigger_of_another_type_refused(self):
        manager = self.company_user("pc_run_inputs_manager", MANAGER)
        Run = self.Run.with_user(manager)
        before = self.Run.sudo().search_count([])
        for trigger in (["manual"], {"a": 1}, 7, "nightly"):
            with self.subTest(trigger=trigger), self.assertRaises(UserError) as caught:
                Run.run(trigger=trigger)
            self.assertIn("Unknown trigger", str(caught.exception))
        self.assertEqual(self.Run.sudo().search_count([]), before)

    def test_a_manager_cannot_pass_a_run_off_as_the_scheduled_one(self):
        manager = self.company_user("pc_run_inputs_boss", MANAGER)
        with self.assertRaisesRegex(AccessError, "Only the scheduled action"):
            self.Run.with_user(manager).run(trigger="cron")
        self.assertFalse(self.Run.sudo().search([("trigger", "=", "cron")]))
        run = self.Run.with_user(manager).run()
        self.assertEqual(run.trigger, "manual")
