"""What the tests of the collections desk's rules share (an account's stage,
the Resolved stage, promises to pay, opening accounts by hand): a specialist
and a manager of the test company, the default stages, an owing account."""

from datetime import date, timedelta

from .common import PatientCollectionsCommon
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
            {"name": name, "is_patient": True, "tz": daytime_tz()}
        )
        invoice = cls.make_invoice(
            guarantor, amount, date.today() - timedelta(days=days), **invoice_vals
        )
        account = invoice.patient_account_id
        account.user_id = cls.specialist
        return account, invoice
