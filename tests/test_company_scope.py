"""Patient data is company-scoped: the patient fields of a contact (is a patient,
MRN, date of birth, guarantor, dependents) are seen and searched only by the users
of the companies the contact is a patient of, whatever the entry point: read,
web_read, search domain, order, read_group, export, name_search, the web client's
routes.  Two companies, every role."""

import json
from urllib.parse import urlencode

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PatientCollectionsCommon
from .common_http import call_kw

EXPORT = "base.group_allow_export"
ROLES = {
    "accountant": "patient_collections.group_collections_accountant,"
    f"account.group_account_invoice,{EXPORT}",
    "specialist": "patient_collections.group_collections_specialist,"
    f"base.group_partner_manager,{EXPORT}",
    "manager": f"patient_collections.group_collections_manager,base.group_partner_manager,{EXPORT}",
    "plain": f"base.group_user,{EXPORT}",
    "portal": "base.group_portal",
}
# the patient fields each role may read at all (the groups of the fields)
ROLE_FIELDS = {
    "accountant": ("is_patient", "guarantor_id", "patient_dependent_ids"),
    "specialist": (
        "is_patient",
        "guarantor_id",
        "patient_dependent_ids",
        "patient_mrn",
        "patient_birthdate",
    ),
    "manager": (
        "is_patient",
        "guarantor_id",
        "patient_dependent_ids",
        "patient_mrn",
        "patient_birthdate",
    ),
    "plain": (),
    "portal": (),
}
CHILD_MRN = "MRN-T-002"
CHILD_BIRTHDATE = "2015-06-01"


class CompanyScopeCommon(PatientCollectionsCommon):
    """Company A (the test company) bills the family of the common class; company
    B bills a patient of its own.  Each company has a user of every role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.setup_other_company(name="PC Scope Clinic B")["company"]
        cls.invoice_a = cls.make_invoice(cls.child, 250.0, "2026-01-10")
        cls.account_a = cls.invoice_a.patient_account_id
        Partner = cls.env["res.partner"].with_company(cls.company_b)
        cls.patient_b = Partner.create(
            {
                "name": "Testpatient Bravo",
                "is_patient": True,
                "patient_mrn": "MRN-B-001",
                "patient_birthdate": "1990-01-01",
            }
        )
        cls.invoice_b = cls.make_invoice(cls.patient_b, 80.0, "2026-01-12", company=cls.company_b)
        cls.users = {
            (company, role): cls.company_user(f"pc_scope_{role}_{tag}", groups, company)
            for company, tag in ((cls.company_a, "a"), (cls.company_b, "b"))
            for role, groups in ROLES.items()
        }
        cls.family = cls.guarantor | cls.child | cls.child_2

    def role_user(self, company, role):
        return self.users[(company, role)]

    def as_user(self, records, user):
        """``records`` as ``user`` working in their own company."""
        return records.with_user(user).with_context(allowed_company_ids=[user.company_id.id])

    def partners_as(self, user):
        return self.as_user(self.env["res.partner"], user)


@tagged("post_install", "-at_install")
class TestCompanyScope(CompanyScopeCommon):
    def test_read_every_role(self):
        """read, web_read and search_read: company B's users read company A's
        patients as plain contacts; company A's users read their patient fields."""
        for role, names in ROLE_FIELDS.items():
            for company in (self.company_a, self.company_b):
                user = self.role_user(company, role)
                child = self.as_user(self.child, user)
                with self.subTest(role=role, company=company.name):
                    if not names:
                        with self.assertRaises(AccessError):
                            child.read(["patient_mrn"])
                        with self.assertRaises(AccessError):
                            child.read(["is_patient"])
                        continue
                    values = child.read(list(names))[0]
                    web = child.web_read(
                        {
                            **{name: {} for name in names},
                            "guarantor_id": {"fields": {"display_name": {}}},
                        }
                    )[0]
                    listed = self.partners_as(user).search_read(
                        [("id", "=", self.child.id)], list(names)
                    )[0]
                    if company == self.company_a:
                        self.assertTrue(values["is_patient"])
                        self.assertEqual(values["guarantor_id"][0], self.guarantor.id)
                        self.assertEqual(web["guarantor_id"]["id"], self.guarantor.id)
                        self.assertTrue(listed["is_patient"])
                        if "patient_mrn" in names:
                            self.assertEqual(values["patient_mrn"], CHILD_MRN)
                            self.assertEqual(str(values["patient_birthdate"]), CHILD_BIRTHDATE)
                    else:
                        for vals in (values, web, listed):
                            self.assertFalse(vals["is_patient"])
                            self.assertFalse(vals["guarantor_id"])
                            self.assertFalse(vals.get("patient_mrn"))
                            self.assertFalse(vals.get("patient_birthdate"))
                        dependents = self.as_user(self.guarantor, user).read(
                            ["patient_dependent_ids"]
                        )[0]
                        self.assertEqual(dependents["patient_dependent_ids"], [])

    def test_own_patients_read_in_both_directions(self):
        """Company A's users read B's patient as a plain contact, B's users read it."""
        specialist_a = self.role_user(self.company_a, "specialist")
        specialist_b = self.role_user(self.company_b, "specialist")
        [values] = self.as_user(self.patient_b, specialist_b).read(["patient_mrn", "is_patient"])
        self.assertEqual(values["patient_mrn"], "MRN-B-001")
        [values] = self.as_user(self.patient_b, specialist_a).read(["patient_mrn", "is_patient"])
        self.assertFalse(values["patient_mrn"])
        self.assertFalse(values["is_patient"])

    def test_search_domain(self):
        """Filters on MRN, birth date, is a patient, guarantor and dependents find
        only the patients of the user's companies."""
        domains = {
            "mrn": [("patient_mrn", "=", CHILD_MRN)],
            "mrn_ilike": [("patient_mrn", "ilike", "MRN-T")],
            "birthdate": [("patient_birthdate", "=", CHILD_BIRTHDATE)],
            "birthdate_range": [("patient_birthdate", "<", "2020-01-01")],
            "is_patient": [("is_patient", "=", True), ("id", "in", self.family.ids)],
            "guarantor": [("guarantor_id", "=", self.guarantor.id)],
            "guarantor_path": [("guarantor_id.name", "=", self.guarantor.name)],
            "dependents": [("patient_dependent_ids", "!=", False)],
        }
        for role in ("specialist", "manager"):
            for name, domain in domains.items():
                with self.subTest(role=role, domain=name):
                    found_a = self.partners_as(self.role_user(self.company_a, role)).search(domain)
                    found_b = self.partners_as(self.role_user(self.company_b, role)).search(domain)
                    self.assertTrue(found_a & self.family, "company A finds its patients")
                    self.assertFalse(found_b & self.family, "company B finds none of them")
                    self.assertEqual(
                        self.partners_as(self.role_user(self.company_b, role)).search_count(domain),
                        len(found_b),
                    )
        accountant_b = self.partners_as(self.role_user(self.company_b, "accountant"))
        self.assertFalse(accountant_b.search([("guarantor_id", "=", self.guarantor.id)]))
        self.assertFalse(
            accountant_b.search([("is_patient", "=", True), ("id", "in", self.family.ids)])
        )
        # the contacts themselves stay findable, as contacts
        self.assertEqual(
            accountant_b.search([("id", "in", self.family.ids), ("is_patient", "!=", True)]),
            self.family,
        )
        for role in ("plain", "portal"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.partners_as(self.role_user(self.company_b, role)).search(domains["mrn"])

    def test_invoice_domain_through_the_patient(self):
        """Searching invoices by their patient's guarantor does not reach into
        another company's patients either (B's own invoice of A's patient aside)."""
        Move = self.as_user(self.env["account.move"], self.role_user(self.company_b, "accountant"))
        self.assertFalse(Move.search([("patient_id.guarantor_id", "=", self.guarantor.id)]))
        Move = self.as_user(self.env["account.move"], self.role_user(self.company_a, "accountant"))
        self.assertIn(
            self.invoice_a,
            Move.search([("patient_id.guarantor_id", "=", self.guarantor.id)]),
        )

    def test_order_does_not_reveal(self):
        """Ordering by MRN or birth date orders another company's patients as if
        the fields were empty: by id, not by the hidden value."""
        first = self.env["res.partner"].create(
            {"name": "Testorder One", "is_patient": True, "patient_mrn": "ZZZ-9"}
        )
        first.patient_birthdate = "2001-01-01"
        second = self.env["res.partner"].create(
            {"name": "Testorder Two", "is_patient": True, "patient_mrn": "AAA-1"}
        )
        second.patient_birthdate = "1950-01-01"
        self.make_invoice(first, 10.0, "2026-01-05")
        self.make_invoice(second, 10.0, "2026-01-05")
        pair = (first | second).ids
        for order in ("patient_mrn", "patient_birthdate", "is_patient desc, patient_mrn"):
            with self.subTest(order=order):
                ordered_a = self.partners_as(self.role_user(self.company_a, "manager")).search(
                    [("id", "in", pair)], order=f"{order}, id"
                )
                self.assertEqual(ordered_a.ids, [second.id, first.id], "by the value")
                ordered_b = self.partners_as(self.role_user(self.company_b, "manager")).search(
                    [("id", "in", pair)], order=f"{order}, id"
                )
                self.assertEqual(ordered_b.ids, [first.id, second.id], "by id only")

    def test_read_group_and_aggregates(self):
        """Grouping by a patient field, or aggregating it, sees another company's
        patients as empty."""
        ids = self.family.ids
        for role in ("specialist", "manager"):
            with self.subTest(role=role):
                Partner_a = self.partners_as(self.role_user(self.company_a, role))
                Partner_b = self.partners_as(self.role_user(self.company_b, role))
                groups_a = Partner_a.read_group(
                    [("id", "in", ids)], ["__count"], ["patient_birthdate:year"]
                )
                groups_b = Partner_b.read_group(
                    [("id", "in", ids)], ["__count"], ["patient_birthdate:year"]
                )
                self.assertIn("2015", [g["patient_birthdate:year"] for g in groups_a])
                self.assertEqual([g["patient_birthdate:year"] for g in groups_b], [False])
                [[latest]] = Partner_b._read_group(
                    [("id", "in", ids)], [], ["patient_birthdate:max"]
                )
                self.assertFalse(latest)
                [[count]] = Partner_b._read_group(
                    [("id", "in", ids)], [], ["patient_mrn:count_distinct"]
                )
                self.assertEqual(count, 0)
                by_guarantor = Partner_b._read_group(
                    [("id", "in", ids)], ["guarantor_id"], ["__count"]
                )
                self.assertEqual(
                    [guarantor for guarantor, _count in by_guarantor], [self.env["res.partner"]]
                )
                by_patient = Partner_b.read_group([("id", "in", ids)], ["__count"], ["is_patient"])
                self.assertEqual([g["is_patient"] for g in by_patient], [False])

    def test_export(self):
        fields = ["name", "is_patient", "patient_mrn", "patient_birthdate", "guarantor_id/name"]
        for company in (self.company_a, self.company_b):
            manager = self.role_user(company, "manager")
            with self.subTest(company=company.name):
                rows = self.as_user(self.child, manager).export_data(fields)["datas"]
                self.assertEqual(rows[0][0], self.child.name)
                if company == self.company_a:
                    self.assertEqual(rows[0][2], CHILD_MRN)
                    self.assertEqual(rows[0][4], self.guarantor.name)
                else:
                    self.assertFalse(any(rows[0][1:]), rows)
        # through an invoice of company B that names A's patient: still nothing
        rows = self.as_user(
            self.invoice_b, self.role_user(self.company_b, "accountant")
        ).export_data(["name", "patient_id/guarantor_id/name"])["datas"]
        self.assertFalse(rows[0][1])
        accountant_b = self.role_user(self.company_b, "accountant")
        rows = self.as_user(self.child, accountant_b).export_data(["name", "guarantor_id/name"])
        self.assertFalse(rows["datas"][0][1])

    def test_name_search(self):
        for role in ("specialist", "manager"):
            with self.subTest(role=role):
                found = self.partners_as(self.role_user(self.company_b, role)).name_search(
                    "Testchild", args=[("patient_mrn", "=", CHILD_MRN)]
                )
                self.assertFalse(found)
                found = self.partners_as(self.role_user(self.company_a, role)).name_search(
                    "Testchild", args=[("patient_mrn", "=", CHILD_MRN)]
                )
                self.assertEqual([pid for pid, _name in found], self.child.ids)
        # by MRN as the search text: not a contact field for anyone
        self.assertFalse(
            self.partners_as(self.role_user(self.company_b, "specialist")).name_search(CHILD_MRN)
        )

    def test_write_another_company_patient_refused(self):
        """Company B cannot change (nor take over) company A's patient data; a
        contact nobody treats yet becomes the patient of whoever enters it."""
        specialist_b = self.role_user(self.company_b, "specialist")
        for vals in (
            {"patient_mrn": "MRN-B-FORGED"},
            {"is_patient": False},
            {"guarantor_id": self.patient_b.id},
            {"patient_birthdate": "1999-09-09"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.as_user(self.child, specialist_b).write(vals)
        self.assertEqual(self.child.patient_mrn, CHILD_MRN)
        self.assertEqual(self.child.guarantor_id, self.guarantor)
        # a contact of nobody's: B enters it, B sees it, A does not
        newcomer = self.env["res.partner"].create({"name": "Testperson Newcomer"})
        specialist_a = self.role_user(self.company_a, "specialist")
        self.as_user(newcomer, specialist_b).write({"is_patient": True, "patient_mrn": "MRN-B-002"})
        [values] = self.as_user(newcomer, specialist_b).read(["patient_mrn"])
        self.assertEqual(values["patient_mrn"], "MRN-B-002")
        [values] = self.as_user(newcomer, specialist_a).read(["patient_mrn"])
        self.assertFalse(values["patient_mrn"])
        with self.assertRaises(AccessError):
            self.as_user(newcomer, specialist_a).write({"patient_mrn": "MRN-A-STOLEN"})
        # the form shows the patient tab read-only to the other company
        [values] = self.as_user(self.child, specialist_b).read(["patient_scope_editable"])
        self.assertFalse(values["patient_scope_editable"])
        [values] = self.as_user(self.child, specialist_a).read(["patient_scope_editable"])
        self.assertTrue(values["patient_scope_editable"])

    def test_duplicate_does_not_carry_the_patient_data_across(self):
        """Duplicating another company's patient does not hand over who pays for
        them; duplicating one's own patient keeps the guarantor."""
        twin = self.as_user(self.child, self.role_user(self.company_b, "manager")).copy()
        self.assertFalse(twin.sudo().guarantor_id)
        self.assertFalse(twin.sudo().is_patient)
        twin = self.as_user(self.child, self.role_user(self.company_a, "manager")).copy()
        self.assertEqual(twin.sudo().guarantor_id, self.guarantor)

    def test_billing_a_patient_makes_them_the_company_patient(self):
        """The rule's other side: company B bills A's patient (the invoice bills
        their guarantor); once posted, the patient is B's patient too."""
        specialist_b = self.role_user(self.company_b, "specialist")
        [values] = self.as_user(self.child, specialist_b).read(["guarantor_id"])
        self.assertFalse(values["guarantor_id"])
        self.make_invoice(self.child, 30.0, "2026-02-01", company=self.company_b)
        [values] = self.as_user(self.child, specialist_b).read(["guarantor_id", "patient_mrn"])
        self.assertEqual(values["guarantor_id"][0], self.guarantor.id)
        self.assertEqual(values["patient_mrn"], CHILD_MRN)

    def test_multi_company_user_sees_only_active_companies(self):
        """A user of both companies sees company A's patients only while company A
        is active; a context naming a company they do not belong to is refused."""
        both = self.company_user("pc_scope_both", ROLES["specialist"], self.company_b)
        both.company_ids = [Command.set((self.company_a | self.company_b).ids)]
        Partner = self.env["res.partner"].with_user(both)
        only_b = Partner.with_context(allowed_company_ids=[self.company_b.id])
        self.assertFalse(only_b.search([("patient_mrn", "=", CHILD_MRN)]))
        both_active = Partner.with_context(
            allowed_company_ids=[self.company_b.id, self.company_a.id]
        )
        self.assertEqual(both_active.search([("patient_mrn", "=", CHILD_MRN)]), self.child)
        specialist_b = self.role_user(self.company_b, "specialist")
        forged = (
            self.env["res.partner"]
            .with_user(specialist_b)
            .with_context(allowed_company_ids=[self.company_a.id])
        )
        with self.assertRaises(AccessError):
            forged.search([("patient_mrn", "=", CHILD_MRN)])


@tagged("post_install", "-at_install")
class TestCompanyScopeHttp(CompanyScopeCommon, HttpCase):
    """The same over the web client's own routes."""

    def call_kw(self, method, args, kwargs=None, model="res.partner"):
        response = call_kw(self, model, method, args, kwargs)
        return response, response.json()

    def secrets(self):
        return [CHILD_MRN, CHILD_BIRTHDATE, "MRN-T-001", "MRN-T-003"]

    @mute_logger("odoo.http", "odoo.addons.web.controllers.export")
    def test_routes_of_another_company(self):
        for role in ("accountant", "specialist", "manager", "plain", "portal"):
            user = self.role_user(self.company_b, role)
            self.authenticate(user.login, user.login)
            names = ROLE_FIELDS[role] or ("patient_mrn",)
            spec = {"display_name": {}, **{name: {} for name in names}}
            clinical = role not in ("accountant",)
            by_field = (
                ("patient_mrn", "=", CHILD_MRN)
                if clinical
                else ("guarantor_id", "=", self.guarantor.id)
            )
            group_by = "patient_birthdate:year" if clinical else "guarantor_id"
            calls = {
                "web_search_read": (
                    "web_search_read",
                    [[("id", "in", self.family.ids)]],
                    {"specification": spec},
                ),
                "web_search_read_filtered": (
                    "web_search_read",
                    [[by_field]],
                    {"specification": {"display_name": {}}},
                ),
                "web_read": ("web_read", [self.family.ids], {"specification": spec}),
                "web_read_group": (
                    "web_read_group",
                    [[("id", "in", self.family.ids)], ["__count"], [group_by]],
                    {},
                ),
            }
            for name, (method, args, kwargs) in calls.items():
                with self.subTest(role=role, call=name):
                    response, body = self.call_kw(method, args, kwargs)
                    for secret in self.secrets():
                        self.assertNotIn(secret, response.text)
                    if role in ("plain", "portal"):
                        self.assertIn("error", body)
                        continue
                    self.assertIn("result", body, body.get("error"))
                    if name == "web_search_read":
                        records = body["result"]["records"]
                        self.assertEqual(len(records), 3, "the contacts, as contacts")
                        self.assertFalse(any(r.get("is_patient") for r in records))
                        self.assertFalse(any(r.get("guarantor_id") for r in records))
                    elif name == "web_search_read_filtered":
                        self.assertEqual(body["result"]["length"], 0)
                    elif name == "web_read_group":
                        groups = body["result"]["groups"]
                        self.assertEqual(len(groups), 1, "one group: empty")
                        self.assertFalse(groups[0][group_by])
            if role in ("specialist", "manager"):
                data = {
                    "model": "res.partner",
                    "fields": [
                        {"name": "name", "label": "Name"},
                        {"name": "patient_mrn", "label": "MRN"},
                        {"name": "patient_birthdate", "label": "Born"},
                    ],
                    "ids": self.family.ids,
                    "domain": [],
                    "import_compat": False,
                    "context": {},
                }
                response = self.url_open("/web/export/csv?" + urlencode({"data": json.dumps(data)}))
                self.assertEqual(response.status_code, 200)
                self.assertIn(self.child.name, response.text)
                for secret in self.secrets():
                    self.assertNotIn(secret, response.text)

    def test_routes_of_the_patient_company(self):
        """The same calls by company A's specialist return the patient data."""
        user = self.role_user(self.company_a, "specialist")
        self.authenticate(user.login, user.login)
        _response, body = self.call_kw(
            "web_search_read",
            [[("patient_mrn", "=", CHILD_MRN)]],
            {"specification": {"patient_mrn": {}, "patient_birthdate": {}}},
        )
        self.assertEqual(body["result"]["records"][0]["patient_mrn"], CHILD_MRN)

    @mute_logger("odoo.http")
    def test_forged_company_context(self):
        user = self.role_user(self.company_b, "manager")
        self.authenticate(user.login, user.login)
        response, body = self.call_kw(
            "web_search_read",
            [[("patient_mrn", "=", CHILD_MRN)]],
            {
                "specification": {"patient_mrn": {}},
                "context": {"allowed_company_ids": [self.company_a.id]},
            },
        )
        self.assertNotIn("result", body)
        self.assertEqual(body["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.assertNotIn(CHILD_MRN, response.text)
