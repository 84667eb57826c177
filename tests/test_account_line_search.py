from odoo.tests import tagged

from .common import PatientCollectionsCommon


@tagged("post_install", "-at_install")
class TestAccountLineSearch(PatientCollectionsCommon):
    """Open items searched by id: the lookup narrows by invoice only when every
    row found must have one of the ids (a top-level AND), never under | or !."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.first = cls.make_invoice(cls.child, 100.0, "2026-01-05")
        cls.second = cls.make_invoice(cls.child_2, 40.0, "2026-01-06")
        cls.other = cls.make_invoice(cls.other_guarantor, 55.0, "2026-01-07")
        cls.Line = cls.env["patient.account.line"]
        accounts = (cls.first | cls.other).patient_account_id
        cls.lines = cls.Line.search([("account_id", "in", accounts.ids)])
        cls.first_line = cls.lines.filtered(lambda line: line.move_name == cls.first.name)
        cls.second_line = cls.lines.filtered(lambda line: line.move_name == cls.second.name)
        cls.other_line = cls.lines.filtered(lambda line: line.move_name == cls.other.name)

    def test_lines_found(self):
        self.assertEqual(len(self.lines), 3)
        self.assertEqual(len(self.first_line | self.second_line | self.other_line), 3)

    def test_or_of_id_and_other_condition_finds_both(self):
        found = self.Line.search(
            [
                "|",
                ("id", "=", self.first_line.id),
                ("account_id", "=", self.other.patient_account_id.id),
            ]
        )
        self.assertEqual(found, self.first_line | self.other_line)

    def test_or_of_id_lists(self):
        found = self.Line.search(
            ["|", ("id", "in", self.first_line.ids), ("amount_residual", "=", 55.0)]
        )
        self.assertEqual(found, self.first_line | self.other_line)

    def test_not_id_finds_the_others(self):
        accounts = self.lines.account_id
        found = self.Line.search(
            ["!", ("id", "=", self.first_line.id), ("account_id", "in", accounts.ids)]
        )
        self.assertEqual(found, self.second_line | self.other_line)

    def test_and_under_or_is_not_top_level(self):
        found = self.Line.search(
            [
                "|",
                "&",
                ("id", "=", self.first_line.id),
                ("amount_residual", ">", 0),
                ("account_id", "=", self.other.patient_account_id.id),
            ]
        )
        self.assertEqual(found, self.first_line | self.other_line)

    def test_top_level_id_still_narrows_by_invoice(self):
        query = self.Line._search([("amount_residual", ">", 0), ("id", "in", self.first_line.ids)])
        self.assertIn(
            '"patient_account_line"."move_id"', self.env.cr.mogrify(query.select()).decode()
        )
        self.assertEqual(self.Line.browse(query), self.first_line)
        query = self.Line._search(
            ["|", ("amount_residual", ">", 0), ("id", "in", self.first_line.ids)]
        )
        self.assertNotIn(
            '"patient_account_line"."move_id"', self.env.cr.mogrify(query.select()).decode()
        )
