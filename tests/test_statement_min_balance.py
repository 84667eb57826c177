"""Send Statements refuses a minimum balance of zero or less: it read as "send to
guarantors who owe nothing"; the default (0.01) takes every balance due."""

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

MANAGER = "base.group_user,patient_collections.group_collections_manager"


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 15:00:00")
class TestStatementMinimumBalance(PatientCollectionsCommon):
    def test_minimum_balance_above_zero(self):
        manager = self.company_user("pc_dd_min_manager", MANAGER)
        Send = self.env["patient.statement.send"].with_user(manager)
        self.assertEqual(Send.create({}).min_balance, 0.01, "the default stays")
        for value in (0.0, -5.0, 0.004):
            with (
                self.subTest(value=value),
                self.assertRaisesRegex(ValidationError, "must be above zero"),
            ):
                Send.create({"min_balance": value})
        wizard = Send.create({"min_balance": 25.0})
        with self.assertRaisesRegex(ValidationError, "must be above zero"):
            wizard.write({"min_balance": 0.0})
        self.assertEqual(Send.create({"min_balance": 0.01}).min_balance, 0.01)
