from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools.translate import LazyTranslate

from ..logic import priority
from ..logic.value_types import wrong_type
from .patient_protected import check_value_types, text_problems, type_messages
from .practice_texts import reader_texts

# (minimum, maximum) of each number setting.  Beyond these a setting means nothing
# a practice would want (no call allowed, a statement every 0 days...) or date
# arithmetic and SQL overflow.
SETTING_BOUNDS = {
    "collections_notification_days": (0, 730),
    "collections_final_notice_days": (0, 365),
    "collections_max_calls": (1, 50),
    "collections_call_window_days": (1, 365),
    "collections_plan_min_installment": (0.01, 1_000_000),
    "collections_portal_min_payment": (0.01, 1_000_000),
    "collections_plan_max_months": (1, 120),
    "collections_plan_max_installments": (1, 520),
    "collections_plan_grace_days": (0, 365),
    "collections_plan_misses_default": (1, 60),
    "collections_statement_cycle_days": (1, 365),
    "collections_letter_interval_days": (0, 365),
    "collections_promise_horizon_days": (1, 365),
    **{"collections_weight_" + key: (0, 100) for key in priority.TERM_KEYS},
    "collections_access_log_years": (6, 100),
    "collections_writeoff_limit": (0, 1_000_000),
    "collections_small_balance_threshold": (0.01, 10_000),
    "collections_small_balance_min_days": (0, 3650),
    "collections_assistance_lookback_days": (0, 3650),
}
# Printed on every statement: longer texts would not fit its page.
SETTING_TEXT_LIMITS = {
    "collections_payment_instructions": 2000,
    "collections_assistance_notice": 2000,
}

_lt = LazyTranslate(__name__)
# The shipped "How to pay" and "Financial assistance" texts: terms translated in
# i18n/, stored in English as the fields' defaults.  A practice that never changed
# them gets them in the guarantor's language (``_collections_statement_text``).
# pylint: disable=prefer-env-translation
SHIPPED_TEXTS = {  # (no env at import: lazy terms, translated when read)
    "collections_payment_instructions": _lt(
        "Pay online through the patient portal, by phone with a card, or by check "
        "made out to the practice with the slip below."
    ),
    "collections_assistance_notice": _lt(
        "If you cannot pay this bill in full, you may qualify for financial "
        "assistance or a payment plan. Call us or ask at the front desk for an "
        "application; it is free and will not hurt your credit."
    ),
}
# pylint: enable=prefer-env-translation


def shipped_english(name):
    """The shipped text of the setting ``name`` as stored: its English source."""
    return SHIPPED_TEXTS[name]._source


def type_problems(model, vals):
    """Values of another type than their field's (``{}`` for a date, a list for a
    number...), which Odoo would take for empty or hand to SQL as they are."""
    # a many2one is never of a wrong type here (wrong_type knows none)
    expected = type_messages(model)
    # not inside the message's own _(): the extraction of terms would miss it
    text = model.env._("expects a text")
    problems = []
    for name, value in vals.items():
        field = model._fields.get(name)
        if field is not None and (
            wrong_type(field.type, value) or not_a_choice(model, field, value)
        ):
            problems.append(
                model.env._(
                    "%(field)s %(problem)s.",
                    field=field.get_description(model.env)["string"],
                    problem=expected.get(field.type, text),
                )
            )
    return problems


def not_a_choice(model, field, value):
    """True for a value of a selection that is not one of its choices (Odoo stores
    any text a client sends; a time zone nobody knows breaks every contact check)."""
    return field.type == "selection" and bool(value) and value not in field.get_values(model.env)


def check_setting_values(model, vals):
    """Refuse collections settings of the wrong type (text where a number goes,
    1e300, NaN) or texts that cannot be printed, with a clear message, before
    anything is written.  ``model``: res.company or res.config.settings."""
    vals = {name: value for name, value in vals.items() if name.startswith("collections_")}
    problems = type_problems(model, vals)
    if problems:
        raise ValidationError("\n".join(problems))
    check_value_types(model, [vals])
    problems += text_problems(model, vals, SETTING_TEXT_LIMITS)
    problems += bounds_problems(
        model,
        {
            name: model._fields[name].convert_to_cache(value, model.browse())
            for name, value in vals.items()
            if name in SETTING_BOUNDS
        },
    )
    if problems:
        raise ValidationError("\n".join(dict.fromkeys(problems)))


def bounds_problems(model, values):
    """What is out of bounds in ``values`` ({setting: number})."""
    return [
        model.env._(
            "%(setting)s must be between %(low)s and %(high)s (entered: %(value)s).",
            setting=model._fields[name].get_description(model.env)["string"],
            low=SETTING_BOUNDS[name][0],
            high=SETTING_BOUNDS[name][1],
            value=value,
        )
        for name, value in values.items()
        if not SETTING_BOUNDS[name][0] <= value <= SETTING_BOUNDS[name][1]
    ]


class ResCompany(models.Model):
    _inherit = "res.company"

    collections_501r_gating = fields.Boolean(
        string="501(r) Reasonable Efforts",
        default=True,
        help="No extraordinary collection action before the notification period has passed "
        "since the first statement, a final notice was sent, and while a financial "
        "assistance application is open.",
    )
    collections_dispute_gating = fields.Boolean(
        string="No Surprises Act Disputes",
        default=True,
        help="No extraordinary collection action while a billing dispute is open.",
    )
    collections_notification_days = fields.Integer(
        string="Notification Period (days)",
        default=120,
        help="Days after the first statement before any extraordinary collection action (501(r): "
        "120 days at least).",
    )
    collections_final_notice_days = fields.Integer(
        string="Final Notice Lead Time (days)",
        default=30,
        help="Days a final notice must precede an extraordinary collection action (501(r): 30 days "
        "at least).",
    )
    collections_max_calls = fields.Integer(
        string="Call Attempts Allowed",
        default=7,
        help="Outbound call attempts allowed per account in the rolling window (Regulation F: "
        "more than 7 in 7 days is presumed harassment).",
    )
    collections_call_window_days = fields.Integer(
        string="Call Window (days)",
        default=7,
        help="The rolling window, in days, over which the call attempts allowed are counted.",
    )
    collections_plan_min_installment = fields.Float(
        string="Minimum Installment",
        default=25.0,
        digits="Account",
        help="The smallest installment a payment plan may have.",
    )
    collections_plan_max_months = fields.Integer(
        string="Maximum Plan Term (months)",
        default=24,
        help="The longest a payment plan may run, in months.",
    )
    collections_portal_min_payment = fields.Float(
        string="Minimum Online Payment",
        default=5.0,
        digits="Account",
        help="The least a guarantor may pay online when paying another amount than the "
        "full balance or the next installment.",
    )
    collections_plan_grace_days = fields.Integer(
        string="Grace Days",
        default=10,
        help="Days after its due date before an unpaid installment counts as missed.",
    )
    collections_plan_misses_default = fields.Integer(
        string="Misses Before Default",
        default=2,
        help="Missed installments after which a plan defaults and the account returns to "
        "collections.",
    )
    collections_statement_cycle_days = fields.Integer(
        string="Statement Cycle (days)",
        default=30,
        help="The daily run sends a statement to accounts in statement stages every this "
        "many days.",
    )
    collections_letter_interval_days = fields.Integer(
        string="Days Between Letters",
        default=0,
        help="The daily run moves an account into the next letter of the notice sequence "
        "(first statement, second statement... final notice) only this many days after its "
        "previous letter went out. 0: the statement cycle.",
    )
    collections_payment_instructions = fields.Text(
        string="How to Pay",
        translate=True,
        default=shipped_english("collections_payment_instructions"),
        help="Printed on every statement: how the guarantor can pay.",
    )
    collections_assistance_notice = fields.Text(
        string="Financial Assistance Notice",
        translate=True,
        default=shipped_english("collections_assistance_notice"),
        help="Printed on every statement: how to ask for financial assistance or a plan.",
    )
    collections_weight_balance = fields.Integer(
        string="Weight: Balance",
        default=priority.DEFAULT_WEIGHTS["balance"],
        help="Weight of the open balance in the priority score (0 ignores it).",
    )
    collections_weight_days_past_due = fields.Integer(
        string="Weight: Days Past Due",
        default=priority.DEFAULT_WEIGHTS["days_past_due"],
        help="Weight of the days past due in the priority score (0 ignores it).",
    )
    collections_weight_broken_promises = fields.Integer(
        string="Weight: Broken Promises",
        default=priority.DEFAULT_WEIGHTS["broken_promises"],
        help="Weight of broken promises to pay in the priority score (0 ignores it).",
    )
    collections_weight_days_since_contact = fields.Integer(
        string="Weight: Days Since Contact",
        default=priority.DEFAULT_WEIGHTS["days_since_contact"],
        help="Weight of the days since the last contact in the priority score (0 ignores it).",
    )
    collections_weight_defaulted_plans = fields.Integer(
        string="Weight: Defaulted Plans",
        default=priority.DEFAULT_WEIGHTS["defaulted_plans"],
        help="Weight of defaulted payment plans in the priority score (0 ignores it).",
    )

    collections_access_log_years = fields.Integer(
        string="Keep Access Log (years)",
        default=6,
        help="How long who-saw-what entries are kept before the scheduled purge removes "
        "them. HIPAA asks for six years at least.",
    )

    collections_plan_max_installments = fields.Integer(
        string="Maximum Installments",
        default=60,
        help="The payment plan wizard refuses plans of more installments than this "
        "(the down payment aside).",
    )
    collections_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)",
        default=60,
        help="How far ahead a promise to pay may be dated, and how long a promise may hold "
        "an account (1 to 365 days).",
    )

    collections_writeoff_limit = fields.Float(
        string="Specialist Write-off Limit",
        default=50.0,
        digits="Account",
        help="Specialists write off up to this amount at once; above it a collections "
        "manager approves the write-off before anything is posted.",
    )
    collections_small_balance_writeoff = fields.Boolean(
        string="Write Off Small Balances",
        help="The daily run writes off balances under the threshold that are past due long enough.",
    )
    collections_small_balance_threshold = fields.Float(
        string="Small Balance Under",
        default=5.0,
        digits="Account",
        help="Balances under this amount may be written off by the daily run.",
    )
    collections_small_balance_min_days = fields.Integer(
        string="Small Balance Days Past Due",
        default=90,
        help="Days past due a small balance waits before the daily run writes it off.",
    )
    collections_assistance_lookback_days = fields.Integer(
        string="Assistance Look-back (days)",
        default=365,
        help="An approved financial-assistance application discounts the invoices whose "
        "date of service is at most this many days before the application.",
    )

    @api.constrains("collections_access_log_years")
    def _check_access_log_years(self):
        for company in self:
            if company.collections_access_log_years < 6:
                raise ValidationError(
                    self.env._(
                        "The access log is kept six years at least (HIPAA documentation "
                        "retention): enter 6 or more."
                    )
                )

    @api.constrains(*SETTING_BOUNDS)
    def _check_collections_bounds(self):
        problems = [
            problem
            for company in self
            for problem in bounds_problems(self, {name: company[name] for name in SETTING_BOUNDS})
        ]
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check_setting_values(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        """Collections managers configure the collections settings of their
        companies without Odoo's administration rights; nothing else."""
        check_setting_values(self, vals)
        user = self.env.user
        if (
            vals
            and not self.env.su
            and user.has_group("patient_collections.group_collections_manager")
            and not user.has_group("base.group_erp_manager")
        ):
            others = sorted(name for name in vals if not name.startswith("collections_"))
            if others:
                raise AccessError(
                    self.env._(
                        "Collections managers change the collections settings only; ask an "
                        "administrator to change %(fields)s.",
                        fields=", ".join(others),
                    )
                )
            if self - user.company_ids:
                raise AccessError(
                    self.env._("You can only configure collections for your own companies.")
                )
        return super().write(vals)

    def action_open_collections_settings(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Collections Settings"),
            "res_model": "res.company",
            "res_id": self.env.company.id,
            "view_mode": "form",
            "views": [
                (self.env.ref("patient_collections.res_company_view_form_collections").id, "form")
            ],
            "target": "current",
        }

    def _collections_statement_text(self, name):
        """The company's text ``name`` (how to pay, the financial-assistance notice)
        in the context's language (:meth:`_collections_statement_texts`)."""
        self.ensure_one()
        return self._collections_statement_texts(name)[self.id]

    def _collections_statement_texts(self, name):
        """{company id: its text ``name`` in the context's language}: the
        practice's own text when it changed it in any language (its own in that
        language first), the shipped text as translated when it never did
        (``logic.practice_texts``, the rule of the stages' texts too; stored in
        English only, Odoo would print the shipped text in English to everyone)."""
        shipped = SHIPPED_TEXTS[name]._translate
        return reader_texts(self, name, lambda _company_id: shipped)

    def _collections_letter_interval(self):
        """Minimum days between two letters of the notice sequence."""
        self.ensure_one()
        return self.collections_letter_interval_days or max(
            self.collections_statement_cycle_days, 1
        )

    def _collections_priority_weights(self):
        self.ensure_one()
        return {key: self["collections_weight_" + key] for key in priority.TERM_KEYS}
