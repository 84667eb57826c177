"""Demo data of the collections desk (demo/patient_collection_demo.xml): payment plans
in every state, a manager's override of a contact rule and the guarantors' portal
requests, made through the module's own code paths, and access-log lines."""

import base64
from datetime import datetime, time, timedelta

import pytz

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class PatientAccountDemo(models.Model):
    _inherit = "patient.account"

    @api.model
    def _demo_desk(self, plans, override_guarantor, question_guarantor, request_guarantor):
        """Demo data only.  ``plans``: {state: guarantor xmlid} of the payment plans
        to show (``active`` with paid, missed and open installments and its signed
        agreement, ``completed``, ``defaulted``, ``cancelled``); a call a manager
        logged outside the contact hours with an override reason; a question and a
        plan request (outside the plan policy: a to-do for the staff) from the portal.
        The plans' past is invented: made today, their dates moved back, then paid
        through Odoo's payment registration; the run that follows judges them."""
        if not self.env.su:
            raise AccessError(self.env._("Demo data is loaded with the demo data only."))
        company = self.env.ref("base.main_company")
        today = company._patient_today()

        def account_of(partner_xmlid):
            partner = self.env.ref(partner_xmlid, raise_if_not_found=False)
            return self.search(
                [
                    ("partner_id", "=", partner.id if partner else 0),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )

        # (down payment, installments, days back, installments paid after the down payment)
        shapes = {
            "active": (100.0, 8, 75, 1),
            "completed": (None, 3, 100, 3),
            "defaulted": (None, 4, 80, 0),
            "cancelled": (None, 3, 0, 0),
        }
        for state, partner_xmlid in plans.items():
            account = account_of(partner_xmlid)
            if not account or account.active_plan_id or account.balance_due <= 50:
                continue
            down, count, days_back, paid = shapes[state]
            if down is None:
                # the odd cents on the down payment, round installments after it
                down = round(account.balance_due % 50 or 50.0, 2)
            plan = account._create_payment_plan(
                {
                    "down_payment": down,
                    "installment_count": count,
                    "frequency": "monthly",
                    "first_due_date": today + timedelta(days=14),
                }
            )
            if state == "cancelled":
                plan.action_cancel()
                account._set_hold(
                    "other",
                    today + timedelta(days=21),
                    "Demo: travelling until the end of the month; asked us to wait.",
                )
                continue
            self._demo_backdate_plan(plan, days_back)
            # one payment a few days after the agreement: the down payment and the
            # first installments (paid ahead), the later ones left to come or missed.
            # Odoo posts a payment before reconciling it: while it is registered the
            # grace days are stretched so that the plan does not see its installments
            # missed in between; then the plan is brought up to date as the run does.
            installments = plan.installment_ids.sorted("sequence")[: paid + 1]
            grace = company.collections_plan_grace_days
            company.collections_plan_grace_days = 365
            self._demo_pay(
                account,
                sum(installments.mapped("amount")),
                installments[0].due_date + timedelta(days=3),
            )
            company.collections_plan_grace_days = grace
            plan._allocate_payments()
            if state == "active":
                # the agreement as printed, standing in for the scan of the signed copy
                [pdf] = plan._agreement_pdfs()
                plan.write(
                    {
                        "agreement": base64.b64encode(pdf),
                        "agreement_filename": f"Signed agreement {plan.name}.pdf",
                    }
                )
        self._demo_override_call(account_of(override_guarantor), today)
        question = account_of(question_guarantor)
        if question:
            question._portal_question(
                "insurance",
                "Demo question: my insurer says the March claim was paid in full. "
                "Why do I still owe the coinsurance?",
            )
        request = account_of(request_guarantor)
        if request and request.balance_due > 0:
            # sixty months of a small amount: beyond the plan policy, a to-do for the staff
            request._portal_plan_request(60)
        return True

    @api.model
    def _demo_access_log(self, signed_in_guarantor, token_guarantor):
        """Demo data only (demo/patient_portal_demo.xml, once the portal users exist):
        access-log lines as the module writes them when the demo users open accounts
        and plans and the guarantors view their portal page (signed in, and through
        the link of their statement)."""
        if not self.env.su:
            raise AccessError(self.env._("Demo data is loaded with the demo data only."))
        company = self.env.ref("base.main_company")
        portal_accounts = self.browse()
        for partner_xmlid in (signed_in_guarantor, token_guarantor):
            partner = self.env.ref(partner_xmlid, raise_if_not_found=False)
            portal_accounts |= self.search(
                [
                    ("partner_id", "=", partner.id if partner else 0),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        Log = self.env["patient.access.log"]
        specialist = self.env.ref("patient_collections.user_specialist_demo", False)
        manager = self.env.ref("patient_collections.user_manager_demo", False)
        for user, records in (
            # the specialist's own accounts; the manager's plans of the day
            (
                specialist,
                self.search([("user_id", "=", specialist.id if specialist else 0)], limit=3),
            ),
            (manager, self.env["patient.payment.plan"].search([], limit=2, order="id desc")),
        ):
            for record in records if user else ():
                Log.with_user(user).sudo()._log("open", record)
        for via_token, account in zip((False, True), portal_accounts, strict=False):
            # the guarantor signed in; the other through the link of their statement
            visitor = (
                self.env.ref("base.public_user")
                if via_token
                else self.env["res.users"].search([("partner_id", "=", account.partner_id.id)])
            )
            account.with_user(visitor[:1] or self.env.user)._portal_log("open", via_token)
        return True

    @api.model
    def _demo_backdate_plan(self, plan, days):
        """Demo data only: ``plan`` agreed ``days`` ago, its schedule moved with it."""
        if not days:
            return
        plan.flush_recordset()
        plan.installment_ids.flush_recordset()
        self.env.cr.execute(
            SQL(
                """
                UPDATE patient_payment_plan
                   SET activation_date = activation_date - %(days)s,
                       first_due_date = first_due_date - %(days)s
                 WHERE id = %(plan)s;
                UPDATE patient_payment_plan_installment
                   SET due_date = due_date - %(days)s
                 WHERE plan_id = %(plan)s
                """,
                days=days,
                plan=plan.id,
            )
        )
        plan.invalidate_recordset()
        plan.installment_ids.invalidate_recordset()
        plan.installment_ids.modified(["due_date"])
        plan.flush_recordset()

    @api.model
    def _demo_pay(self, account, amount, date):
        """Demo data only: the guarantor pays ``amount`` on ``date``: one payment,
        registered with Odoo's payment wizard on the account's open invoices (not the
        claims the insurer still has), reconciled at once."""
        invoices = self.env["account.move"].search(
            [
                ("patient_account_id", "=", account.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("insurance_status", "!=", "pending"),
            ],
            order="invoice_date_due, id",
        )
        if not invoices:
            return
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create(
            {
                # in the account's currency, whatever the invoices' (Odoo converts)
                "amount": min(amount, sum(invoices.mapped("amount_residual_signed"))),
                "currency_id": account.currency_id.id,
                "payment_date": date,
                "group_payment": True,
                "payment_difference_handling": "open",
            }
        ).action_create_payments()

    @api.model
    def _demo_override_call(self, account, today):
        """Demo data only: the manager called the guarantor late in the evening at
        their request, past the contact hours, and logged it with an override reason."""
        manager = self.env.ref("patient_collections.user_manager_demo", raise_if_not_found=False)
        if not account or not manager:
            return
        # 23:30 the evening before yesterday at the guarantor's (or the practice's) time
        tz = pytz.timezone(account._contact_tz())
        local = datetime.combine(today - timedelta(days=2), time(23, 30))
        moment = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        self.env["patient.interaction"].with_user(manager).create(
            {
                "account_id": account.id,
                "channel": "phone_out",
                "outcome": "reached",
                "duration_minutes": 5,
                "date": moment,
                "override_reason": "Demo: the guarantor works nights and asked to be "
                "called after his shift.",
                "note": "Went over the balance; he will look at a payment plan.",
            }
        )
