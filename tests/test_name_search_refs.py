"""Open items, run counts and access-log entries are found by name the way a
practice names them: an open item by its invoice's or payment's number, a run
count by its run (or stage), a log entry by the record's reference; never by a
patient's or guarantor's name, and only by the roles that read them.  A name
search on them used to warn "Cannot search on display_name" and find nothing."""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

# the roles that read open items; run counts and the access log are the managers'
GROUPS = {
    "accountant": "account.group_account_invoice,patient_collections.group_collections_accountant",
    "specialist": "patient_collections.group_collections_specialist",
    "manager": "patient_collections.group_collections_manager",
    "plain": "base.group_user",
}


@tagged("post_install", "-at_install")
class TestNameSearchRefs(PatientCollectionsCommon):
    """An owing account of the test company, after a run, opened once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for role, groups in GROUPS.items():
            setattr(cls, role, cls.company_user(f"pc_ns_{role}", groups))
        cls.invoice = cls.make_invoice(cls.child, 250.0, "2026-01-05")
        cls.account = cls.invoice.patient_account_id
        cls.account.user_id = cls.specialist
        cls.env["patient.collection.run"].run()
        cls.entry = cls.env["patient.access.log"].sudo()._log("open", cls.account)

    def name_search(self, model, user, name):
        with self.assertNoLogs("odoo.models", "WARNING"):
            return self.env[model].with_user(user).name_search(name)

    def test_open_items_by_their_number(self):
        line = self.env["patient.account.line"].search([("account_id", "=", self.account.id)])
        self.assertEqual(len(line), 1)
        self.assertEqual(line.display_name, self.invoice.name)
        for user in (self.accountant, self.specialist, self.manager):
            with self.subTest(user=user.login):
                found = self.name_search("patient.account.line", user, self.invoice.name)
                self.assertEqual(found, [(line.id, self.invoice.name)])
        # the guarantor's or patient's name finds nothing
        for name in (self.guarantor.name, self.child.name):
            self.assertEqual(self.name_search("patient.account.line", self.manager, name), [])

    def test_run_counts_by_their_run(self):
        run = self.env["patient.collection.run"].search([], order="id desc", limit=1)
        lines = run.line_ids
        self.assertTrue(lines)
        found = self.name_search("patient.collection.run.line", self.manager, run.name)
        self.assertTrue(found)
        self.assertLessEqual({line_id for line_id, _name in found}, set(lines.ids))
        self.assertEqual(
            self.name_search("patient.collection.run.line", self.manager, self.guarantor.name), []
        )
        for user in (self.specialist, self.accountant, self.plain):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["patient.collection.run.line"].with_user(user).name_search(run.name)

    def test_log_entries_by_the_record_reference(self):
        self.assertEqual(self.entry.record_ref, self.account.name)
        found = self.name_search("patient.access.log", self.manager, self.account.name)
        self.assertIn(self.entry.id, [entry_id for entry_id, _name in found])
        self.assertEqual(
            self.name_search("patient.access.log", self.manager, self.guarantor.name), []
        )
        for user in (self.specialist, self.accountant, self.plain):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["patient.access.log"].with_user(user).name_search(self.account.name)
