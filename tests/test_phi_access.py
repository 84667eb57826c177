"""Who may do what with patient data: the role x operation matrix and the attacks.

Every role is a real user; every check goes through the ORM entry points a client
reaches (search, read, web_read, read_group, name_search, export_data, write,
create, unlink, report rendering).
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.patient_collections.models.patient_protected import trusted

from .common import PatientCollectionsCommon

ALLOWED = "ok"
DENIED = "denied"

ROLES = ("accountant", "specialist", "manager", "plain", "portal")
# What each role may read; nothing else of the module is readable.
READABLE = {
    "patient.account": {"accountant", "specialist", "manager"},
    "patient.account.line": {"accountant", "specialist", "manager"},
    "patient.account.stage": {"accountant", "specialist", "manager"},
    "patient.interaction": {"specialist", "manager"},
    "patient.payment.plan": {"accountant", "specialist", "manager"},
    "patient.payment.plan.installment": {"accountant", "specialist", "manager"},
    "patient.collection.run": {"manager"},
    "patient.collection.run.line": {"manager"},
    "patient.access.log": {"manager"},
}
# PHI fields on other models and on module models, and the roles that may read them.
PHI_FIELDS = {
    ("res.partner", "patient_mrn"): {"specialist", "manager"},
    ("res.partner", "patient_birthdate"): {"specialist", "manager"},
    ("res.partner", "guarantor_id"): {"accountant", "specialist", "manager"},
    ("res.partner", "is_patient"): {"accountant", "specialist", "manager"},
    ("res.partner", "patient_balance"): {"accountant", "specialist", "manager"},
    # invoices are the accountants' (specialists see the EOB on the account's open items)
    ("account.move", "patient_id"): {"accountant"},
    ("account.move", "amount_copay"): {"accountant"},
    ("account.move", "insurance_status"): {"accountant"},
    ("patient.account", "hold_note"): {"specialist", "manager"},
    ("patient.account", "interaction_ids"): {"specialist", "manager"},
}


@tagged("post_install", "-at_install")
class TestPhiAccess(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        export = "base.group_allow_export"
        cls.users = {
            "accountant": cls.company_user(
                "phi_accountant",
                "patient_collections.group_collections_accountant,"
                f"account.group_account_invoice,{export}",
            ),
            "specialist": cls.company_user(
                "phi_specialist", f"patient_collections.group_collections_specialist,{export}"
            ),
            "manager": cls.company_user(
                "phi_manager", f"patient_collections.group_collections_manager,{export}"
            ),
            "plain": cls.company_user("phi_plain", f"base.group_user,{export}"),
            "portal": cls.company_user("phi_portal", "base.group_portal"),
        }
        cls.other_specialist = cls.company_user(
            "phi_specialist_2", "patient_collections.group_collections_specialist"
        )
        cls.invoice = cls.make_invoice(cls.child, 400.0, "2026-01-05")
        cls.account = cls.invoice.patient_account_id
        cls.account.write({"user_id": cls.users["specialist"].id})
        trusted(cls.account)._set_hold("other", note="Synthetic hold note")
        cls.interaction = cls.env["patient.interaction"].create(
            {
                "account_id": cls.account.id,
                "channel": "phone_in",
                "outcome": "reached",
                "note": "Synthetic call note",
            }
        )
        cls.plan = cls.account._create_payment_plan(
            {
                "total_amount": 300.0,
                "installment_count": 3,
                "first_due_date": fields.Date.context_today(cls.account) + timedelta(days=5),
            }
        )
        cls.env["patient.collection.run"].run()
        cls.records = {
            model: cls.env[model].search([], limit=1)
            for model in READABLE
            if model != "patient.access.log"
        }
        cls.records["patient.access.log"] = (
            cls.env["patient.access.log"].sudo()._log("open", cls.account)
        )
        for model, record in cls.records.items():
            assert record, model

    def as_role(self, role, record):
        return record.with_user(self.users[role])

    # ------------------------------------------------------------------ the matrix

    def test_read_matrix(self):
        """read, search, search_count, read_group, name_search, web_read and export
        for every role on every module model."""
        for model, readers in READABLE.items():
            record = self.records[model]
            for role in ROLES:
                expected = ALLOWED if role in readers else DENIED
                rec = self.as_role(role, record)
                Model = rec.browse()
                operations = {
                    "read": lambda rec=rec: rec.read(["display_name"]),
                    "search": lambda Model=Model: Model.search([]),
                    "search_count": lambda Model=Model: Model.search_count([]),
                    "read_group": lambda Model=Model: Model.read_group([], ["__count"], []),
                    "name_search": lambda Model=Model: Model.name_search(""),
                    "web_read": lambda rec=rec: rec.web_read({"display_name": {}}),
                    "export": lambda rec=rec: rec.export_data(["display_name"]),
                }
                for operation, call in operations.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        if expected == ALLOWED:
                            call()
                        else:
                            with self.assertRaises(AccessError):
                                call()

    def test_write_create_delete_matrix(self):
        """What each role may change: (model, operation) -> roles allowed."""
        allowed = {
            ("patient.account", "write"): {"specialist", "manager"},
            # accounts open from invoices; by hand, a manager only
            ("patient.account", "create"): {"manager"},
            ("patient.account", "unlink"): {"manager"},
            ("patient.account.stage", "write"): {"manager"},
            ("patient.account.stage", "create"): {"manager"},
            ("patient.account.stage", "unlink"): {"manager"},
            ("patient.interaction", "create"): {"specialist", "manager"},
        }
        Partner = self.env["res.partner"]

        def new_guarantor():
            return Partner.create({"name": "Testperson Delta"})

        cases = {
            "patient.account": {
                "write": lambda rec: rec.write({"color": 3, "sms_consent_method": "written"}),
                "create": lambda rec: rec.create({"partner_id": new_guarantor().id}),
                "unlink": lambda rec: (
                    rec.create({"partner_id": new_guarantor().id}).unlink()
                    if rec.env.user.has_group("patient_collections.group_collections_manager")
                    else rec.unlink()
                ),
            },
            "patient.account.stage": {
                "write": lambda rec: rec.write({"fold": True}),
                "create": lambda rec: rec.create({"name": "Synthetic stage"}),
                "unlink": lambda rec: (
                    rec.create({"name": "Synthetic stage"}).unlink()
                    if rec.env.user.has_group("patient_collections.group_collections_manager")
                    else rec.unlink()
                ),
            },
            "patient.interaction": {
                "create": lambda rec: rec.create(
                    {"account_id": self.account.id, "channel": "phone_in", "outcome": "reached"}
                ),
            },
        }
        for model, operations in cases.items():
            for operation, call in operations.items():
                for role in ROLES:
                    with self.subTest(model=model, operation=operation, role=role):
                        rec = self.as_role(role, self.records[model])
                        if role in allowed.get((model, operation), set()):
                            with self.env.cr.savepoint():
                                call(rec)
                        else:
                            with self.assertRaises(UserError):
                                call(rec)

    def test_records_nobody_edits(self):
        """Interactions, installments (allocations of posted payments), run records
        and the access log are written by the module only."""
        installment = self.plan.installment_ids[:1]
        run = self.records["patient.collection.run"]
        attempts = {
            "interaction write": lambda env: (
                self.interaction.with_env(env)
                .with_context(interaction_voiding=True)
                .write({"state": "voided"})
            ),
            "interaction unlink": lambda env: self.interaction.with_env(env).unlink(),
            "installment write": lambda env: installment.with_env(env).write({"amount_paid": 1.0}),
            "installment unlink": lambda env: installment.with_env(env).unlink(),
            "installment create": lambda env: installment.with_env(env).create(
                {"plan_id": self.plan.id, "due_date": "2026-12-01", "amount": 5.0}
            ),
            "run write": lambda env: (
                run.with_env(env)
                .with_context(collections_run_writing=True)
                .write({"moved_count": 0})
            ),
            "run unlink": lambda env: run.with_env(env).unlink(),
            "run line write": lambda env: run.line_ids[:1].with_env(env).write({"count": 0}),
            "plan terms": lambda env: self.plan.with_env(env).write({"total_amount": 1.0}),
            "plan create": lambda env: self.plan.with_env(env).create(
                {"account_id": self.account.id, "total_amount": 5.0, "first_due_date": "2026-12-01"}
            ),
        }
        for role in ("specialist", "manager"):
            env = self.env(user=self.users[role])
            for name, attempt in attempts.items():
                with self.subTest(role=role, attempt=name), self.assertRaises(UserError):
                    attempt(env)
        # nor code running as superuser, unless it is the module's own voiding or run
        with self.assertRaises(UserError):
            self.interaction.sudo().write({"state": "voided"})
        with self.assertRaises(AccessError):
            run.sudo().write({"moved_count": 0})
        with self.assertRaises(AccessError):
            run.line_ids[:1].sudo().write({"count": 0})
        self.assertEqual(self.interaction.state, "logged")

    # ------------------------------------------------------------------ PHI fields

    def test_phi_field_matrix(self):
        """Each PHI field through read, search, read_group, order and export."""
        targets = {
            "res.partner": self.child,
            "account.move": self.invoice,
            "patient.account": self.account,
        }
        for (model, field), readers in PHI_FIELDS.items():
            field_def = self.env[model]._fields[field]
            for role in ROLES:
                user = self.users[role]
                record = targets[model].with_user(user)
                if role == "portal" and model != "res.partner":
                    continue  # portal users reach neither model at all (see the read matrix)
                operations = {"read": lambda record=record, field=field: record.read([field])}
                if field_def.store and field_def.column_type:
                    operations["search"] = lambda record=record, field=field: record.search(
                        [(field, "!=", False)]
                    )
                    operations["order"] = lambda record=record, field=field: record.search(
                        [], order=field, limit=1
                    )
                    operations["export"] = lambda record=record, field=field: record.export_data(
                        [field]
                    )
                    if field_def.type not in ("text", "one2many", "many2many"):
                        operations["read_group"] = lambda record=record, field=field: (
                            record.read_group([], ["__count"], [field])
                        )
                for operation, call in operations.items():
                    with self.subTest(field=f"{model}.{field}", role=role, operation=operation):
                        if role in readers:
                            call()
                        else:
                            # UserError: Odoo's own refusal of an export to portal users
                            with self.assertRaises(UserError):
                                call()

    def test_accountant_sees_no_notes(self):
        accountant = self.users["accountant"]
        account = self.account.with_user(accountant)
        self.assertEqual(account.balance_due, 400.0)
        self.assertNotIn("hold_note", account.fields_get())
        with self.assertRaises(AccessError):
            account.read_group([], ["__count"], ["hold_note"])
        with self.assertRaises(AccessError):
            account.export_data(["hold_note"])
        with self.assertRaises(AccessError):
            self.env["patient.interaction"].with_user(accountant).read_group(
                [], ["__count"], ["note"]
            )
        # nor through the chatter: interaction lines carry channel and outcome only
        bodies = " ".join(account.message_ids.mapped("body"))
        self.assertNotIn("Synthetic call note", bodies)
        self.assertNotIn("Synthetic hold note", bodies)
        # but plans, installments and open items are theirs to read
        self.assertEqual(self.plan.with_user(accountant).total_amount, 300.0)
        self.assertEqual(len(self.plan.with_user(accountant).installment_ids), 3)
        self.assertTrue(account.open_item_ids)

    def test_print_matrix(self):
        Report = self.env["ir.actions.report"]
        reports = {
            "patient_collections.report_patient_statement": self.account,
            "patient_collections.report_payment_plan_agreement": self.plan,
        }
        for report_name, record in reports.items():
            for role in ROLES:
                with self.subTest(report=report_name, role=role):
                    call = lambda role=role, report_name=report_name, record=record: (  # noqa: E731
                        Report.with_user(self.users[role])._render_qweb_pdf(report_name, record.ids)
                    )
                    if role in ("accountant", "specialist", "manager"):
                        self.assertTrue(call()[0].startswith(b"%PDF"))
                    else:
                        with self.assertRaises(AccessError):
                            call()

    # ------------------------------------------------------------------ attacks

    def test_specialist_cannot_change_another_specialists_account(self):
        """By id, through every way of changing an account."""
        self.account.user_id = self.other_specialist
        intruder = self.users["specialist"]
        account = self.account.with_user(intruder)
        stage = self.env.ref("patient_collections.stage_payment_plan")
        changes = {
            "stage": lambda: account.write({"stage_id": stage.id}),
            "take over": lambda: account.write({"user_id": intruder.id}),
            "hold": lambda: account.write({"hold_reason": "other"}),
            "hold wizard": lambda: (
                self.env["patient.account.hold"]
                .with_user(intruder)
                .create({"account_ids": [Command.set(self.account.ids)], "hold_reason": "other"})
                .action_apply()
            ),
            "assign wizard": lambda: (
                self.env["patient.account.assign"]
                .with_user(intruder)
                .create({"account_ids": [Command.set(self.account.ids)], "user_id": intruder.id})
                .action_assign()
            ),
            "plan": lambda: self.account.with_user(intruder)._create_payment_plan(
                {
                    "total_amount": 20.0,
                    "installment_count": 1,
                    "first_due_date": fields.Date.to_date("2027-01-01"),
                }
            ),
            "cancel plan": lambda: self.plan.with_user(intruder).action_cancel(),
            "archive": lambda: account.write({"active": False}),
        }
        for name, change in changes.items():
            with self.subTest(change=name), self.assertRaises(AccessError):
                change()
        self.assertEqual(self.account.user_id, self.other_specialist)
        self.assertEqual(self.plan.state, "active")
        # outside a test the refusal is logged again after the request's rollback
        self.assert_refused_and_kept(lambda: account.write({"stage_id": stage.id}))
        denied = self.env["patient.access.log"].search(
            [
                ("event", "=", "denied"),
                ("user_id", "=", intruder.id),
                ("res_id", "=", self.account.id),
            ]
        )
        self.assertTrue(denied, "the attempts are in the access log")
        self.assertEqual(denied.mapped("record_ref"), [self.account.name])
        # what any specialist may still do on it: log calls, record contact preferences
        self.env["patient.interaction"].with_user(intruder).create(
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "reached"}
        )
        account.write({"sms_consent_method": "verbal"})
        account.action_record_sms_consent()
        self.assertTrue(self.account.sms_consent)

    def test_specialist_works_own_and_unassigned_accounts(self):
        specialist = self.users["specialist"]
        self.account.with_user(specialist)._set_hold("other")
        other = self.make_invoice(self.other_guarantor, 90.0, "2026-02-01").patient_account_id
        self.assertFalse(other.user_id)
        other.with_user(specialist).write({"user_id": specialist.id})
        self.assertEqual(other.user_id, specialist)

    def test_manager_changes_any_account_of_their_companies(self):
        self.account.user_id = self.other_specialist
        self.account.with_user(self.users["manager"])._set_hold("dispute")
        self.assertEqual(self.account.hold_reason, "dispute")

    def test_specialist_of_another_company(self):
        other_company = self.setup_other_company(name="Other Clinic PHI")["company"]
        outsider = self.company_user(
            "phi_outsider", "patient_collections.group_collections_specialist", other_company
        )
        Account = self.env["patient.account"].with_user(outsider)
        self.assertFalse(Account.search([("id", "=", self.account.id)]))
        self.assertEqual(Account.search_count([]), 0)
        columns = Account.read_group([], ["__count"], ["stage_id"])
        self.assertEqual(sum(column["stage_id_count"] for column in columns), 0)
        self.assertFalse(Account.name_search(self.account.name))
        self.assert_refused_and_kept(
            lambda: self.account.with_user(outsider).web_read({"name": {}})
        )
        with self.assertRaises(AccessError):
            self.plan.with_user(outsider).read(["total_amount"])
        with self.assertRaises(AccessError):
            self.interaction.with_user(outsider).read(["channel"])
        self.assertTrue(
            self.env["patient.access.log"].search(
                [("event", "=", "denied"), ("user_id", "=", outsider.id)]
            )
        )
        # nor can an account of theirs be handed to them
        with self.assertRaises(UserError):
            self.account.write({"user_id": outsider.id})

    def test_plain_user_name_search(self):
        plain = self.users["plain"]
        with self.assertRaises(AccessError):
            self.env["patient.account"].with_user(plain).name_search(self.account.name)
        # contacts are theirs, but not by medical record number
        Partner = self.env["res.partner"].with_user(plain)
        self.assertFalse(Partner.name_search("MRN-T-002"))
        with self.assertRaises(AccessError):
            Partner.search([("patient_mrn", "=", "MRN-T-002")])
        with self.assertRaises(AccessError):
            self.invoice.with_user(plain).read(["patient_account_id"])

    def test_access_error_messages_name_no_patient(self):
        """What a refused user reads names no patient."""
        for role in ("plain", "portal"):
            with self.subTest(role=role):
                with self.assertRaises(AccessError) as caught:
                    self.account.with_user(self.users[role]).read(["balance_due"])
                message = str(caught.exception)
                self.assertNotIn("Testparent", message)
                self.assertNotIn("Testchild", message)
        self.account.user_id = self.other_specialist
        with self.assertRaises(AccessError) as caught:
            self.account.with_user(self.users["specialist"])._set_hold("dispute")
        self.assertIn(self.account.name, str(caught.exception))
        self.assertNotIn("Testparent", str(caught.exception))

    def test_export_requires_the_export_right(self):
        specialist = self.users["specialist"]
        specialist.groups_id -= self.env.ref("base.group_allow_export")
        for model in ("patient.account", "patient.interaction", "patient.payment.plan"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.records[model].with_user(specialist).export_data(["display_name"])
        # administrators too: the right is checked on the server
        admin = self.company_user(
            "phi_admin", "base.group_system,patient_collections.group_collections_manager"
        )
        admin.groups_id -= self.env.ref("base.group_allow_export")
        self.assertTrue(admin._is_admin())
        self.assertFalse(admin.has_group("base.group_allow_export"))
        with self.assertRaises(AccessError):
            self.account.with_user(admin).export_data(["display_name"])

    def test_manager_configures_collections_not_the_company(self):
        manager = self.users["manager"]
        self.assertFalse(manager.has_group("base.group_system"))
        company = self.env.company.with_user(manager)
        company.write({"collections_max_calls": 5, "collections_access_log_years": 8})
        self.assertEqual(self.env.company.collections_max_calls, 5)
        with self.assertRaises(AccessError):
            company.write({"name": "Renamed Clinic"})
        with self.assertRaises(AccessError):
            company.write({"collections_max_calls": 6, "name": "Renamed Clinic"})
        for role in ("specialist", "accountant", "plain"):
            with self.subTest(role=role), self.assertRaises(AccessError):
                self.env.company.with_user(self.users[role]).write({"collections_max_calls": 9})
        action = company.action_open_collections_settings()
        self.assertEqual(action["res_id"], self.env.company.id)

    def test_changes_are_tracked_with_who(self):
        specialist = self.users["specialist"]
        # the test classes switch tracking off; the practice's database does not
        account = self.account.with_user(specialist).with_context(
            tracking_disable=False, mail_notrack=False
        )
        # the account is on a payment plan: it moves by hand only into a manual stage
        stage = self.env["patient.account.stage"].create(
            {"name": "Synthetic manual review", "is_manual": True}
        )
        # as in the specialist's own request: a transaction of their own (the fixtures'
        # pending tracking, made as the test user, would otherwise take the authorship)
        self.env.flush_all()
        self.env.cr.precommit.clear()
        account.write({"stage_id": stage.id})
        account.write({"user_id": False})
        self.env["patient.account.hold"].with_user(specialist).create(
            {"account_ids": [Command.set(self.account.ids)], "hold_reason": "other"}
        ).action_apply()
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        self.account.invalidate_recordset(["message_ids"])
        messages = self.account.message_ids.filtered(lambda m: m.author_id == specialist.partner_id)
        tracked = messages.tracking_value_ids.field_id.mapped("name")
        self.assertIn("stage_id", tracked)
        self.assertIn("user_id", tracked)
        self.assertTrue(any("On hold" in (m.body or "") for m in messages))
        self.assertTrue(all(m.date for m in messages))

    def test_accountant_notes_but_does_not_contact(self):
        accountant = self.users["accountant"]
        account = self.account.with_user(accountant)
        account.message_post(body="Check returned by the bank", subtype_xmlid="mail.mt_note")
        account.activity_schedule(
            "mail.mail_activity_data_todo", user_id=self.users["specialist"].id
        )
        with self.assertRaises(AccessError):
            account.message_post(
                body="About your bill",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                partner_ids=self.guarantor.ids,
            )
        self.assertFalse(
            self.env["patient.interaction"].search(
                [("account_id", "=", self.account.id), ("user_id", "=", accountant.id)]
            )
        )
