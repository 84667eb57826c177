"""A hostile tester's findings: who follows patient records (seen by anyone) and
who may be made a follower, the indexed text of patient files, and clinical
values given to a new contact by whom may not write them."""

from datetime import date, timedelta

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import PatientCollectionsCommon

SPECIALIST = "base.group_user,patient_collections.group_collections_specialist"
ACCOUNTANT = "base.group_user,patient_collections.group_collections_accountant"


class Phi18Common(PatientCollectionsCommon):
    """An account of the test company followed by its guarantor, and the roles
    that should and should not see that."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user("pc18_specialist", SPECIALIST)
        cls.accountant = cls.company_user("pc18_accountant", ACCOUNTANT)
        cls.plain = cls.company_user("pc18_plain", "base.group_user")
        cls.company_b = cls.setup_other_company(name="PC18 Clinic B")["company"]
        cls.specialist_b = cls.company_user("pc18_specialist_b", SPECIALIST, cls.company_b)
        invoice = cls.make_invoice(cls.child, 120.0, date.today() - timedelta(days=40))
        cls.account = invoice.patient_account_id


@tagged("post_install", "-at_install")
class TestPhi18Followers(Phi18Common):
    """Finding 1: ``mail.followers`` searched, grouped or read by id listed the
    followers of every patient account (guarantor names) to any internal user."""

    def test_followers_of_patient_records_only_for_their_readers(self):
        # what the web client's post with mail_post_autofollow does
        self.account.message_subscribe(partner_ids=self.guarantor.ids)
        vendor = self.env["res.partner"].create({"name": "Synthetic Vendor"})
        vendor.message_subscribe(partner_ids=self.guarantor.ids)
        self.vendor_domain = [("res_model", "=", "res.partner"), ("res_id", "=", vendor.id)]
        followers = self.env["mail.followers"].search(
            [("res_model", "=", "patient.account"), ("res_id", "=", self.account.id)]
        )
        self.assertIn(self.guarantor, followers.partner_id)
        domain = [("res_model", "=", "patient.account")]
        for user in (self.plain, self.specialist_b):
            with self.subTest(user=user.login):
                Followers = self.env["mail.followers"].with_user(user)
                self.assertFalse(Followers.search_read(domain, ["res_id", "partner_id"]))
                self.assertFalse(Followers.search_count(domain))
                self.assertFalse(Followers.read_group(domain, ["partner_id"], ["partner_id"]))
                with self.assertRaises(AccessError):
                    followers.with_user(user).read(["partner_id"])
                # other records' followers stay Odoo's
                self.assertEqual(Followers.search(self.vendor_domain).partner_id, self.guarantor)
        # the account's readers still see them, as the chatter lists them
        for user in (self.specialist, self.accountant):
            with self.subTest(user=user.login):
                Followers = self.env["mail.followers"].with_user(user)
                found = Followers.search_read(domain, ["res_id", "partner_id"])
                self.assertIn(self.guarantor.id, [row["partner_id"][0] for row in found])
                self.assertEqual(
                    len(followers.with_user(user).read(["partner_id"])), len(followers)
                )
                thread = self.account.with_user(user)
                self.assertIn(self.guarantor, thread.message_partner_ids)
                self.assertIn(self.guarantor, thread.message_follower_ids.partner_id)

    def test_only_the_followers_of_patient_records_are_searched_for(self):
        """Reading followers by id searches for the followers of patient records
        only: those of other records, their model in the cache after a read, cost
        no query; not in the cache, one (their model).  The patient models are
        listed once per registry."""
        self.account.message_subscribe(partner_ids=self.guarantor.ids)
        vendor = self.env["res.partner"].create({"name": "Synthetic Vendor"})
        vendor.message_subscribe(partner_ids=self.guarantor.ids)
        Followers = self.env["mail.followers"]
        thread_models = Followers._patient_thread_models()
        self.assertIn("patient.account", thread_models)
        self.assertNotIn("patient.phi.thread.mixin", thread_models)
        self.assertIs(Followers._patient_thread_models(), thread_models)
        others = Followers.search([("res_model", "=", "res.partner"), ("res_id", "=", vendor.id)])
        patients = Followers.search(
            [("res_model", "=", "patient.account"), ("res_id", "=", self.account.id)]
        )
        self.assertTrue(others and patients)
        (others | patients).fetch(["res_model"])
        as_plain = (others | patients).with_user(self.plain)
        as_plain.has_access("read")  # the access rights' and rules' caches, warm
        with self.assertQueryCount(0):
            self.assertTrue(others.with_user(self.plain).has_access("read"))
        with self.assertQueryCount(1):
            self.assertFalse(patients.with_user(self.plain).has_access("read"))
        with self.assertQueryCount(1):
            self.assertFalse(as_plain.has_access("read"))
        others.invalidate_recordset(["res_model"])
        with self.assertQueryCount(1):
            self.assertTrue(others.with_user(self.plain).has_access("read"))
        as_reader = patients.with_user(self.specialist)
        as_reader.has_access("read")
        with self.assertQueryCount(1):
            self.assertTrue(as_reader.has_access("read"))


@tagged("post_install", "-at_install")
class TestPhi18FollowerContacts(Phi18Common):
    """Finding 2: the invite wizard made any contact (an outside address, another
    practice's patient) a follower of an account, then emailed the chatter."""

    def invite(self, user, partners):
        return (
            self.env["mail.wizard.invite"]
            .with_user(user)
            .create(
                {
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                    "partner_ids": [(6, 0, partners.ids)],
                    "notify": False,
                }
            )
            .add_followers()
        )

    def test_only_the_accounts_own_contacts_follow_it(self):
        outsider = self.env["res.partner"].create(
            {"name": "Synthetic Outsider", "email": "outsider@example.com"}
        )
        for user in (self.specialist, self.accountant):
            for partners in (outsider, self.other_guarantor, outsider | self.guarantor):
                with self.subTest(user=user.login, partners=partners.ids):
                    with self.assertRaisesRegex(AccessError, "Only the guarantor") as refusal:
                        self.invite(user, partners)
                    message = str(refusal.exception)
                    for partner in partners:
                        self.assertNotIn(partner.name, message)
                    with self.assertRaises(AccessError):
                        self.account.with_user(user).message_subscribe(partners.ids)
        self.assertFalse(
            (outsider | self.other_guarantor) & self.account.message_partner_ids,
        )
        # the account's guarantor and patients are its contacts: they may follow
        self.invite(self.specialist, self.guarantor | self.child)
        self.assertLessEqual(self.guarantor | self.child, self.account.message_partner_ids)


@tagged("post_install", "-at_install")
class TestPhi18IndexedContent(Phi18Common):
    """Finding 3: the text Odoo extracts from a patient file (``index_content``)
    was read and searched by its content, with no download line."""

    def test_the_text_of_patient_files_is_neither_read_nor_searched(self):
        Attachment = self.env["ir.attachment"].sudo()
        files = Attachment.create(
            [
                {
                    "name": "statement-pc18.txt",
                    "raw": b"Statement for MRN-T-002 synthetic",
                    "mimetype": "text/plain",
                    "res_model": "patient.account",
                    "res_id": self.account.id,
                },
                {
                    "name": "contact-pc18.txt",
                    "raw": b"Contact note MRN-T-002 synthetic",
                    "mimetype": "text/plain",
                    "res_model": "res.partner",
                    "res_id": self.other_guarantor.id,
                },
            ]
        )
        statement, other = files
        self.assertIn("MRN-T-002", statement.index_content)
        for user in (self.specialist, self.accountant):
            with self.subTest(user=user.login):
                Files = self.env["ir.attachment"].with_user(user)
                rows = Files.search_read(
                    [("res_model", "=", "patient.account")], ["name", "index_content"]
                )
                self.assertIn(statement.id, [row["id"] for row in rows])
                self.assertFalse([row for row in rows if row["index_content"]])
                self.assertFalse(
                    statement.with_user(user).read(["index_content"])[0]["index_content"]
                )
                for operator in ("ilike", "=like"):
                    found = Files.search([("index_content", operator, "%MRN-T-002%")])
                    self.assertNotIn(statement, found, operator)
                # a negated search answers the same whatever the text: no probe either
                for term in ("MRN-T-002", "absent text"):
                    found = Files.search([("index_content", "not ilike", term)])
                    self.assertIn(statement, found, term)
                groups = Files.read_group(
                    [("id", "=", statement.id)], ["index_content"], ["index_content"]
                )
                self.assertFalse([group for group in groups if group["index_content"]])
                # other files keep Odoo's search
                self.assertIn(other, Files.search([("index_content", "ilike", "Contact note")]))


@tagged("post_install", "-at_install")
class TestPhi18ClinicalCreate(Phi18Common):
    """Finding 4: an accountant created contacts with an MRN or a date of birth
    (given or as ``default_*``), and learned which MRNs exist from the refusal."""

    def test_accountant_creates_no_contact_with_clinical_values(self):
        # the accountant may create contacts (Odoo's Contact Creation right)
        self.accountant.groups_id += self.env.ref("base.group_partner_manager")
        self.specialist.groups_id += self.env.ref("base.group_partner_manager")
        Partner = self.env["res.partner"].with_user(self.accountant)
        before = self.env["res.partner"].search_count([])
        attempts = (
            lambda: Partner.create({"name": "Synthetic Zed", "patient_mrn": "ZZZ-2"}),
            lambda: Partner.create({"name": "Synthetic Zed", "patient_birthdate": "2001-02-03"}),
            lambda: Partner.with_context(default_patient_mrn="ZZZ-3").name_create("Synthetic Y"),
            lambda: Partner.with_context(default_patient_birthdate="2001-02-03").name_create(
                "Synthetic Y"
            ),
            # an MRN in use: the same refusal, no word of the other patient
            lambda: Partner.with_context(default_patient_mrn="MRN-T-002").name_create("Synth X"),
            lambda: Partner.create({"name": "Synthetic Zed", "patient_mrn": "MRN-T-002"}),
        )
        for number, attempt in enumerate(attempts):
            with self.subTest(attempt=number):
                with self.assertRaises(AccessError) as refusal:
                    attempt()
                self.assertNotIn("already used", str(refusal.exception))
                self.assertNotIn("MRN-T-002", str(refusal.exception))
        self.assertEqual(self.env["res.partner"].search_count([]), before)
        # a contact without them is the accountant's to create; a specialist sets them
        self.assertTrue(Partner.name_create("Synthetic Plain"))
        patient = (
            self.env["res.partner"]
            .with_user(self.specialist)
            .create({"name": "Synthetic Zed", "patient_mrn": "ZZZ-2"})
        )
        self.assertEqual(patient.sudo().patient_mrn, "ZZZ-2")
