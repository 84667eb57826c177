"""Last session's dialogs clicked in the browser by the role that uses them
(static/tests/tours/patient_collections_tours14.js), then the database state
those clicks must have left:

1. the hold dialog refuses a weaker hold on an account on a Dispute hold, which
   keeps it;
2. Send Statements on a selection: the ordinary guarantor's email goes out, the
   one of a guarantor at night waits in the queue for their hours, the account
   on a bankruptcy hold gets nothing;
3. the 501(r) gate and its day counts saved from Settings (by an administrator:
   the Settings page is Administration/Settings only);
4. the Interactions list's Person Contacted column (a manager's menu)."""

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..logic import contact_rules
from .common_desk import DeskCommon
from .common_tours import TourMixin
from .test_outbound_gate import zone_at
from .test_tours_roles import ACCOUNT_FORM, ACCOUNT_LIST, MANAGER

ADMIN = f"{MANAGER},base.group_system"


@tagged("post_install", "-at_install")
class TestTours14(TourMixin, DeskCommon, HttpCase):
    def emailed_account(self, name, tz=None):
        """The specialist's owing account whose guarantor gets statements by email."""
        account, _invoice = self.owing_account(name)
        account.partner_id.email = f"{name.lower().replace(' ', '.')}@example.com"
        if tz:
            account.partner_id.tz = tz
        account.statement_delivery = "email"
        return account

    def test_hold_dialog_keeps_the_dispute_hold(self):
        account, _invoice = self.owing_account("Tourfourteen Dispute")
        account._set_hold("dispute")
        self.run_tour(ACCOUNT_FORM % account.id, "pc_tours14_hold_kept", self.specialist)
        self.assertRecordValues(account, [{"hold_reason": "dispute", "hold_until": False}])

    def test_send_statements_holds_the_night_email_and_skips_bankruptcy(self):
        daytime = self.emailed_account("Tourfourteen Daytime")
        # 02:00 at the guarantor's: their window opens at 08:00, whenever the suite runs
        night = self.emailed_account("Tourfourteen Night", tz=zone_at(2))
        bankrupt = self.emailed_account("Tourfourteen Bankrupt")
        bankrupt._set_hold("bankruptcy")
        self.run_tour(ACCOUNT_LIST, "pc_tours14_send_statements", self.specialist)
        today = self.env.company._patient_today()
        self.assertEqual((daytime | night).mapped("last_statement_date"), [today, today])
        now = fields.Datetime.now()
        opening = contact_rules.next_contact_window(now, night.partner_id.tz)
        opening = opening.replace(tzinfo=None)
        self.assertGreater(opening, now)
        held = self.env["mail.mail"].search([("recipient_ids", "in", night.partner_id.ids)])
        self.assertRecordValues(held, [{"state": "outgoing", "scheduled_date": opening}])
        emails = (daytime | night).interaction_ids.filtered(lambda i: i.channel == "email")
        self.assertEqual(emails.account_id, daytime | night)
        self.assertEqual(emails.filtered(lambda i: i.account_id == night).date, opening)
        self.assertLessEqual(emails.filtered(lambda i: i.account_id == daytime).date, now)
        # the daytime guarantor's email is not held (the queue sends it at once)
        sent = self.env["mail.mail"].search([("recipient_ids", "in", daytime.partner_id.ids)])
        self.assertRecordValues(sent, [{"scheduled_date": False}])
        # the bankruptcy hold: no statement of any kind
        self.assertFalse(bankrupt.last_statement_date)
        self.assertFalse(bankrupt.interaction_ids)
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "patient.account"), ("res_id", "=", bankrupt.id)]
            )
        )
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", bankrupt.partner_id.ids)])
        )
        self.assertEqual(bankrupt.hold_reason, "bankruptcy")

    def test_501r_settings(self):
        admin = self.company_user("pc_t14_admin", ADMIN, name="Touradmin Fourteen")
        company = self.env.company
        company.write(
            {
                "collections_501r_gating": False,
                "collections_notification_days": 120,
                "collections_final_notice_days": 30,
            }
        )
        self.run_tour("/odoo", "pc_tours14_501r_settings", admin)
        self.assertRecordValues(
            company,
            [
                {
                    "collections_501r_gating": True,
                    "collections_notification_days": 150,
                    "collections_final_notice_days": 45,
                }
            ],
        )

    def test_person_contacted_in_the_interactions_list(self):
        account, _invoice = self.owing_account("Tourfourteen Guarantor")
        contact = self.env["res.partner"].create(
            {"name": "Tourfourteen Contactchild", "parent_id": account.partner_id.id}
        )
        self.env["patient.interaction"].with_user(self.specialist).create(
            {
                "account_id": account.id,
                "partner_id": contact.id,
                "channel": "phone_in",
                "outcome": "reached",
            }
        )
        # the Interactions menu is a manager's (a specialist reads interactions on
        # the account form)
        self.run_tour("/odoo", "pc_tours14_person_contacted", self.manager)
        # and the specialist, on the account form's Interactions tab
        self.run_tour(
            f"/odoo/action-patient_collections.patient_account_action/{account.id}",
            "pc_tours14_person_contacted_form",
            self.specialist,
        )
