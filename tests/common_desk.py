"""What the tests of the collections desk's rules share (an account's stage,
the Resolved stage, promises to pay, opening accounts by hand): a specialist
and a manager of the test company, the default stages, an owing account."""

from datetime import date, datetime, timedelta

from .common import TEST_ADDRESS, PatientCollectionsCommon
from .test_tours_roles import MANAGER, SPECIALIST, daytime_tz


class DeskCommon(PatientCollectionsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.specialist = cls.company_user("pc_desk_specialist", SPECIALIST)
        cls.manager = cls.company_user("pc_desk_manager", MANAGER)
        cls.Stage = cls.env["patient.account.stage"]
        cls.new = cls.env.ref("patient_collections.stage_new")
        cls.resolved = cls.env.ref("patient_collections.stage_resolved")

    @classmethod
    def owing_account(cls, name, amount=150.0, days=20, **invoice_vals):
        """The specialist's account of a new guarantor owing ``amount`` on one
        invoice ``days`` old; returns (account, invoice)."""
        guarantor = cls.env["res.partner"].create(
            {"name": name, "is_patient": True, "tz": daytime_tz(), **TEST_ADDRESS}
        )
        invoice = cls.make_invoice(
            guarantor, amount, date.today() - timedelta(days=days), **invoice_vals
        )
        account = invoice.patient_account_id
        account.user_id = cls.specialist
        return account, invoice

    def callbacks_waiting_and_made(self, prefix, days_ago=2, logged_by=None):
        """Two accounts of the specialist whose guarantors asked, ``days_ago`` days
        ago, to be called back half an hour later (logged by the specialist, else
        ``logged_by``: older than 30 days, a manager); the second has been called
        since.  Returns (waiting, made)."""
        Interaction = self.env["patient.interaction"].with_user(logged_by or self.specialist)
        now = datetime.now().replace(microsecond=0)
        waiting, _invoice = self.owing_account(f"{prefix} Waiting")
        made, _invoice = self.owing_account(f"{prefix} Made")
        asked = {"channel": "phone_in", "outcome": "callback_requested"}
        Interaction.create(
            [
                {
                    **asked,
                    "account_id": account.id,
                    "partner_id": account.partner_id.id,
                    "date": now - timedelta(days=days_ago),
                    "callback_at": now - timedelta(days=days_ago, minutes=-30),
                }
                for account in (waiting, made)
            ]
        )
        Interaction.create(
            {
                "account_id": made.id,
                "partner_id": made.partner_id.id,
                "channel": "phone_out",
                "outcome": "no_answer",
                "date": now - timedelta(minutes=5),
            }
        )
        return waiting, made
