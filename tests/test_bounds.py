"""Bad input never crashes: every wizard, every collections setting and the
``create`` of every model of the module answer any value of any type either with
a clear error (UserError, ValidationError, AccessError with a message) or with a
consistent record — never another exception, never a partial write.

Property-based (hypothesis): each example runs in a savepoint rolled back after
it, so examples do not leak into each other.
"""

import os
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from ..models.patient_protected import _value_problem
from ..models.res_company import SETTING_BOUNDS, SETTING_TEXT_LIMITS
from .common import PatientCollectionsCommon

CLEAR_ERRORS = (UserError, ValidationError, AccessError)
# A few examples per property keep the suite fast; each run draws new ones
# (PC_BOUNDS_EXAMPLES=500 for a deeper search).
EXAMPLES = int(os.environ.get("PC_BOUNDS_EXAMPLES") or 25)
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

EXTREMES = st.sampled_from(
    [
        None,
        False,
        True,
        0,
        -1,
        1,
        2**31,
        -(2**31) - 1,
        2**63,
        10**30,
        0.0,
        -0.0,
        1e-300,
        1e300,
        -1e300,
        float("inf"),
        float("-inf"),
        float("nan"),
        "",
        "abc",
        "12",
        "1e400",
        "nan",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "9999-12-31 23:59:59",
        "\x00",
        "x" * 20000,
        "Testname" * 500,
        date(1, 1, 1),
        date(9999, 12, 31),
        datetime(9999, 12, 31, 23, 59, 59),
        [],
        [1, 2],
        [(6, 0, [1])],
        [(0, 0, {})],
        {},
        {"a": 1},
        (1, "x"),
    ]
)
ANY_VALUE = st.one_of(
    EXTREMES,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(min_value=-5, max_value=2**40), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
# Fields the ORM or mail own: not the module's input.
SKIPPED_FIELDS = frozenset(
    {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
)


def message_of(error):
    return str(error.args[0] if error.args else "").strip()


@tagged("post_install", "-at_install")
class TestBounds(PatientCollectionsCommon):
    """As a collections manager of the company (an administrator for the settings
    screen, which Odoo keeps to administrators)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.today()
        cls.manager = cls.company_user(
            "pc_bounds_manager", "patient_collections.group_collections_manager"
        )
        cls.admin = cls.company_user(
            "pc_bounds_admin", "base.group_system,patient_collections.group_collections_manager"
        )
        invoice = cls.make_invoice(
            cls.child,
            600.0,
            cls.today - timedelta(days=45),
            due_date=cls.today - timedelta(days=45),
        )
        cls.account = invoice.patient_account_id
        cls.account.user_id = cls.manager
        cls.interaction = (
            cls.env["patient.interaction"]
            .with_user(cls.manager)
            .create({"account_id": cls.account.id, "channel": "phone_in", "outcome": "reached"})
        )

    # ------------------------------------------------------------------ helpers

    def counts(self, models):
        """Rows in the tables of ``models`` as the database holds them now."""
        result = {}
        for model in models:
            self.env.cr.execute(f'SELECT count(*) FROM "{self.env[model]._table}"')  # noqa: S608
            result[model] = self.env.cr.fetchone()[0]
        return result

    def attempt(self, call, watched=(), check=None, validated_first=True):
        """Run ``call`` in a savepoint rolled back afterwards.  A refusal is one of
        the clear errors with a message and leaves the ``watched`` tables as they
        were; a success passes ``check``.  Anything else fails the example.

        ``validated_first``: the code validates before it writes, so the tables are
        unchanged right after the refusal.  Otherwise (a record refused by its own
        constraints, which Odoo checks once the row is inserted) they are compared
        once the savepoint is rolled back, as the request's transaction would be."""
        before = self.counts(watched)
        savepoint = self.env.cr.savepoint()
        try:
            try:
                result = call()
                self.env.flush_all()
            except CLEAR_ERRORS as error:
                self.assertTrue(message_of(error), f"{type(error).__name__} without a message")
                if not validated_first:
                    savepoint.rollback()
                self.assertEqual(self.counts(watched), before, "a refusal left records behind")
                return None
            if check:
                check(result)
            return result
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def plausible(self, field):
        """Values of the field's own type, near the bounds, for the examples that
        should pass (mixed with anything at all)."""
        kind = field.type
        if kind == "integer":
            return st.integers(min_value=-3, max_value=800)
        if kind in ("float", "monetary"):
            return st.floats(min_value=-50, max_value=5000, allow_nan=False)
        if kind == "date":
            return st.dates(
                min_value=self.today - timedelta(days=30),
                max_value=self.today + relativedelta(years=11),
            )
        if kind == "datetime":
            return st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)).map(
                fields.Datetime.to_string
            )
        if kind == "boolean":
            return st.booleans()
        if kind == "selection":
            values = [value for value, _label in field._description_selection(self.env)]
            return st.sampled_from([*values, "not_a_choice"]) if values else st.none()
        if kind in ("char", "text", "html"):
            return st.text(max_size=60)
        if kind in ("many2one", "many2many"):
            ids = self.env[field.comodel_name].sudo().search([], limit=3, order="id").ids
            pick = st.sampled_from([*ids, 0, -7, 2**31 - 1]) if ids else st.just(0)
            if kind == "many2one":
                return pick
            return st.lists(pick, max_size=3).map(lambda found: [Command.set(found)])
        return st.none()

    def random_vals(self, data, model, names, size=4):
        """A dict of up to ``size`` of the fields ``names`` of ``model``, each with
        a value of its own type or of any type."""
        Model = self.env[model]
        chosen = data.draw(st.lists(st.sampled_from(sorted(names)), max_size=size, unique=True))
        return {
            name: data.draw(st.one_of(self.plausible(Model._fields[name]), ANY_VALUE), label=name)
            for name in chosen
        }

    def assert_stored_values_sane(self, records):
        """Every number and date a record holds is one check_value_types accepts."""
        for record in records:
            for name, field in record._fields.items():
                if (
                    field.store
                    and field.type in ("integer", "float", "monetary", "date", "datetime")
                    and name not in SKIPPED_FIELDS
                ):
                    problem = _value_problem(record, field, record[name])
                    self.assertFalse(
                        problem, f"{record._name}.{name} = {record[name]!r}: {problem}"
                    )

    # ------------------------------------------------------------------ settings

    def check_settings(self, vals):
        company = self.env.company
        for name, (low, high) in SETTING_BOUNDS.items():
            self.assertTrue(low <= company[name] <= high, f"{name} = {company[name]!r}")
        for name, limit in SETTING_TEXT_LIMITS.items():
            self.assertLessEqual(len(company[name] or ""), limit)
        for name, value in vals.items():
            if name in SETTING_BOUNDS and type(value) is int:
                self.assertEqual(company[name], value, f"{name} was not stored as given")

    def setting_names(self):
        return sorted(name for name in self.env["res.company"]._fields if name in SETTING_BOUNDS)

    @PROPERTY
    @given(data=st.data())
    def test_company_settings_take_any_value(self, data):
        names = [*self.setting_names(), *SETTING_TEXT_LIMITS, "collections_501r_gating"]
        vals = self.random_vals(data, "res.company", names, size=3)
        company = self.env.company.with_user(self.manager)
        self.attempt(
            lambda: company.write(vals),
            watched=["res.company"],
            check=lambda _r: self.check_settings(vals),
        )

    @PROPERTY
    @given(data=st.data())
    def test_settings_screen_takes_any_value(self, data):
        names = [*self.setting_names(), *SETTING_TEXT_LIMITS]
        vals = self.random_vals(data, "res.config.settings", names, size=3)

        def save():
            settings_form = self.env["res.config.settings"].with_user(self.admin).create(vals)
            settings_form.set_values()
            return settings_form

        self.attempt(save, check=lambda _r: self.check_settings(vals))

    def test_settings_refusals_say_what_to_enter(self):
        company = self.env.company.with_user(self.manager)
        cases = {
            "collections_max_calls": (0, "Call Attempts Allowed must be between 1 and 50"),
            "collections_statement_cycle_days": (0, "between 1 and 365"),
            "collections_plan_min_installment": (0.0, "between 0.01"),
            "collections_plan_max_installments": (10**6, "Maximum Installments"),
            "collections_promise_horizon_days": (366, "Promise Horizon"),
            "collections_weight_balance": (-1, "Weight: Balance"),
            "collections_access_log_years": (1000, "between 6 and 100"),
            "collections_notification_days": ("abc", "expects a whole number"),
            "collections_plan_grace_days": (float("nan"), "expects a whole number"),
        }
        for name, (value, message) in cases.items():
            with self.subTest(setting=name), self.assertRaisesRegex(ValidationError, message):
                company.write({name: value})
        with self.assertRaisesRegex(ValidationError, "Call Attempts Allowed"):
            self.env["res.config.settings"].with_user(self.admin).create(
                {"collections_max_calls": 0}
            ).set_values()
        with self.assertRaisesRegex(ValidationError, "expects a whole number"):
            self.env["res.config.settings"].with_user(self.admin).create(
                {"collections_max_calls": "seven"}
            )
        self.assertEqual(self.env.company.collections_max_calls, 7, "nothing was written")
        self.assertEqual(self.env.company.collections_plan_max_installments, 60)
        self.assertEqual(self.env.company.collections_promise_horizon_days, 60)

    def test_501r_periods_need_the_laws_minimums(self):
        company = self.env.company.with_user(self.manager)
        self.assertTrue(company.collections_501r_gating)
        with self.assertRaisesRegex(ValidationError, "120 days at least"):
            company.write({"collections_notification_days": 0})
        with self.assertRaisesRegex(ValidationError, "30 days at least"):
            self.env["res.config.settings"].with_user(self.admin).create(
                {"collections_final_notice_days": 10}
            ).set_values()
        # a practice not bound by 501(r) sets what it wants, once the gating is off
        company.write(
            {
                "collections_501r_gating": False,
                "collections_notification_days": 0,
                "collections_final_notice_days": 0,
            }
        )
        with self.assertRaisesRegex(ValidationError, "Reasonable Efforts need"):
            company.write({"collections_501r_gating": True})

    # ------------------------------------------------------------------ wizards

    def wizard_names(self, model, skip=()):
        Model = self.env[model]
        return [
            name
            for name, field in Model._fields.items()
            if field.store
            and not field.readonly
            and name not in SKIPPED_FIELDS
            and name not in skip
        ]

    @PROPERTY
    @given(data=st.data())
    def test_hold_wizard_takes_any_value(self, data):
        vals = self.random_vals(
            data, "patient.account.hold", self.wizard_names("patient.account.hold")
        )
        Wizard = (
            self.env["patient.account.hold"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=self.account.ids)
        )

        def check(wizard):
            account = self.account
            if wizard.action == "set":
                self.assertEqual(account.hold_reason, wizard.hold_reason)
                if account.hold_until:
                    self.assertTrue(
                        self.today <= account.hold_until <= self.today + relativedelta(years=10)
                    )
                if account.hold_reason == "promise_to_pay" and account.hold_until:
                    horizon = account.company_id.collections_promise_horizon_days
                    self.assertLessEqual((account.hold_until - self.today).days, horizon)
            else:
                self.assertFalse(account.hold_reason)

        def run():
            wizard = Wizard.create(vals)
            wizard.action_apply()
            return wizard

        self.attempt(run, watched=["patient.interaction"], check=check)

    @PROPERTY
    @given(data=st.data())
    def test_void_wizard_takes_any_value(self, data):
        vals = self.random_vals(
            data, "patient.interaction.void", self.wizard_names("patient.interaction.void")
        )
        Wizard = (
            self.env["patient.interaction.void"]
            .with_user(self.manager)
            .with_context(active_model="patient.interaction", active_ids=self.interaction.ids)
        )

        def run():
            wizard = Wizard.create(vals)
            wizard.action_void()
            return wizard

        def check(wizard):
            self.assertTrue(wizard.interaction_ids)
            for interaction in wizard.interaction_ids:
                self.assertEqual(interaction.state, "voided")
                self.assertTrue(interaction.void_reason)

        self.attempt(run, watched=["patient.interaction"], check=check)

    @PROPERTY
    @given(data=st.data())
    def test_plan_wizard_takes_any_value(self, data):
        names = self.wizard_names("patient.payment.plan.create")
        vals = self.random_vals(data, "patient.payment.plan.create", names, size=5)
        Wizard = (
            self.env["patient.payment.plan.create"]
            .with_user(self.manager)
            .with_context(
                active_model="patient.account",
                active_id=self.account.id,
                active_ids=self.account.ids,
            )
        )
        watched = [
            "patient.payment.plan",
            "patient.payment.plan.installment",
            "patient.interaction",
        ]

        def run():
            wizard = Wizard.create(vals)
            wizard.read(["preview_html", "problems"])  # the form's preview never crashes
            action = wizard.action_confirm()
            return self.env["patient.payment.plan"].browse(action["res_id"])

        def check(plan):
            company = self.account.company_id
            installments = plan.installment_ids.filtered("sequence")
            self.assertEqual(plan.state, "active")
            self.assertTrue(1 <= len(installments) <= company.collections_plan_max_installments)
            self.assertAlmostEqual(sum(plan.installment_ids.mapped("amount")), plan.total_amount)
            self.assertLessEqual(plan.total_amount, self.account.balance_due + plan.amount_paid)
            self.assertTrue(
                self.today <= plan.first_due_date <= self.today + relativedelta(years=10)
            )
            self.assert_stored_values_sane(plan)
            self.assert_stored_values_sane(plan.installment_ids)

        self.attempt(run, watched=watched, check=check)

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_statement_wizard_takes_any_value(self, data):
        names = self.wizard_names("patient.statement.send", skip=("email",))
        vals = self.random_vals(data, "patient.statement.send", names, size=3)
        Wizard = (
            self.env["patient.statement.send"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=self.account.ids)
        )

        def run():
            wizard = Wizard.create(vals)
            self.assertGreaterEqual(wizard.qualifying_count, 0)
            return wizard.action_send()

        def check(action):
            self.assertIn("/web/content/", action["url"])
            self.assertEqual(self.account.last_statement_date, self.today)
            self.assert_stored_values_sane(self.account)

        self.attempt(run, watched=["patient.interaction", "ir.attachment"], check=check)

    def test_wizard_refusals_say_what_to_change(self):
        Plan = (
            self.env["patient.payment.plan.create"]
            .with_user(self.manager)
            .with_context(
                active_model="patient.account",
                active_id=self.account.id,
                active_ids=self.account.ids,
            )
        )
        plans = self.env["patient.payment.plan"].search_count([])
        for vals, message in (
            ({"installment_count": 61}, "60 installments at most"),
            ({"installment_count": 0}, "at least one"),
            ({"schedule_by": "amount", "installment_amount": 0.01}, "60 installments at most"),
            ({"first_due_date": self.today + relativedelta(years=11)}, "within ten years"),
            ({"first_due_date": self.today - timedelta(days=1)}, "in the past"),
            ({"total_amount": 10**6}, "balance due"),
            ({"installment_count": "six"}, "expects a whole number"),
            ({"first_due_date": "9999-12-31"}, "between 1900 and 2199"),
            ({"total_amount": float("nan")}, "out of range"),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex((UserError, ValidationError), message),
            ):
                Plan.create(vals).action_confirm()
        self.assertEqual(self.env["patient.payment.plan"].search_count([]), plans)
        self.env.company.write(
            {"collections_plan_max_installments": 100, "collections_plan_min_installment": 5.0}
        )
        plan = self.env["patient.payment.plan"].browse(
            Plan.create(
                {"installment_count": 61, "total_amount": 600.0, "frequency": "weekly"}
            ).action_confirm()["res_id"]
        )
        self.assertEqual(len(plan.installment_ids), 61, "the maximum is the company's setting")

        Hold = (
            self.env["patient.account.hold"]
            .with_user(self.manager)
            .with_context(active_model="patient.account", active_ids=self.account.ids)
        )
        for vals, message in (
            ({"hold_until": self.today + relativedelta(years=10, days=1)}, "within ten years"),
            (
                {"hold_reason": "promise_to_pay", "hold_until": self.today + timedelta(days=61)},
                "60 days at most",
            ),
            ({"hold_note": "x" * 2001}, "too long"),
            ({"hold_note": "a\x00b"}, "NUL"),
            ({"account_ids": [Command.set([2**31 - 1])]}, "do not exist"),
            ({"account_ids": [Command.create({})]}, "existing records"),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex((UserError, ValidationError), message),
            ):
                Hold.create({"hold_reason": "dispute", **vals}).action_apply()
        self.assertFalse(self.account.hold_reason)
        Hold.create(
            {"hold_reason": "promise_to_pay", "hold_until": self.today + timedelta(days=60)}
        ).action_apply()
        self.assertEqual(self.account.hold_reason, "promise_to_pay")

        Send = self.env["patient.statement.send"].with_user(self.manager)
        for vals, message in (
            ({"days_since_last": 10**6}, "between 0 and 3650"),
            ({"days_since_last": -1}, "between 0 and 3650"),
            ({"min_balance": -5}, "above zero"),
            ({"min_balance": "lots"}, "expects a number"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                Send.create(vals)

    # ------------------------------------------------------------------ stages

    def test_stage_bounds(self):
        Stage = self.env["patient.account.stage"].with_user(self.manager)
        stage = Stage.create({"name": "Testing stage", "days_past_due_min": 3650})
        for vals, message in (
            ({"days_past_due_min": 3651}, "between 0 and 3650"),
            ({"days_past_due_min": -1}, "negative|between 0 and 3650"),
            ({"balance_min": 1e10}, "between 0 and"),
            ({"sequence": -1}, "between 0 and"),
            ({"name": "x" * 101}, "100 characters at most"),
            ({"statement_message": "a\x00"}, "NUL"),
            ({"days_past_due_min": "ninety"}, "expects a whole number"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                stage.write(vals)
        self.assertEqual(stage.days_past_due_min, 3650)

    # ------------------------------------------------------------------ models

    def model_names(self, model):
        Model = self.env[model]
        return [
            name
            for name, field in Model._fields.items()
            if field.store
            and name not in SKIPPED_FIELDS
            and not name.startswith(("message_", "activity_", "website_message"))
            and field.type not in ("one2many", "binary", "properties", "json", "reference")
            and not (field.compute and not field.inverse)
            and not field.related
        ]

    def model_property(self, data, model, base):
        vals = {**base, **self.random_vals(data, model, self.model_names(model), size=3)}

        def check(records):
            self.assertTrue(records.exists())
            records.read()
            self.assert_stored_values_sane(records)

        self.attempt(
            lambda: self.env[model].with_user(self.manager).create(vals),
            watched=[model],
            check=check,
            validated_first=False,
        )

    @PROPERTY
    @given(data=st.data())
    def test_account_create_takes_any_value(self, data):
        self.model_property(data, "patient.account", {"partner_id": self.other_guarantor.id})

    @PROPERTY
    @given(data=st.data())
    def test_interaction_create_takes_any_value(self, data):
        self.model_property(
            data,
            "patient.interaction",
            {"account_id": self.account.id, "channel": "phone_in", "outcome": "reached"},
        )

    @PROPERTY
    @given(data=st.data())
    def test_plan_create_takes_any_value(self, data):
        self.model_property(
            data,
            "patient.payment.plan",
            {"account_id": self.account.id, "total_amount": 100.0, "first_due_date": self.today},
        )

    @PROPERTY
    @given(data=st.data())
    def test_installment_create_takes_any_value(self, data):
        self.model_property(data, "patient.payment.plan.installment", {})

    @PROPERTY
    @given(data=st.data())
    def test_stage_create_takes_any_value(self, data):
        self.model_property(data, "patient.account.stage", {"name": "Testing stage"})

    @PROPERTY
    @given(data=st.data())
    def test_run_create_takes_any_value(self, data):
        self.model_property(data, "patient.collection.run", {})

    @PROPERTY
    @given(data=st.data())
    def test_run_line_create_takes_any_value(self, data):
        self.model_property(data, "patient.collection.run.line", {})

    @PROPERTY
    @given(data=st.data())
    def test_access_log_create_takes_any_value(self, data):
        self.model_property(data, "patient.access.log", {})

    @PROPERTY
    @given(data=st.data())
    def test_account_line_create_takes_any_value(self, data):
        self.model_property(data, "patient.account.line", {})
