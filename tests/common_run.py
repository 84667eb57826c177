"""What the tests of the collections run share: the stages of the notice
sequence and the run model."""

from datetime import timedelta

from .common import TEST_ADDRESS, PatientCollectionsCommon

STAGES = {
    "new": "stage_new",
    "first": "stage_first_statement",
    "second": "stage_second_statement",
    "final": "stage_final_notice",
    "review": "stage_pre_collection",
    "plan": "stage_payment_plan",
    "agency": "stage_agency",
    "resolved": "stage_resolved",
}


class CollectionRunCommon(PatientCollectionsCommon):
    """``cls.new``, ``cls.first`` … ``cls.resolved``: the default stages;
    ``cls.Run``: the run model."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for attribute, xmlid in STAGES.items():
            setattr(cls, attribute, cls.env.ref(f"patient_collections.{xmlid}"))
        cls.Run = cls.env["patient.collection.run"]

    @classmethod
    def accounts_due(cls, prefix, count, day):
        """``count`` new guarantors (``prefix`` and a number), each with an account
        owing 100.00 on one invoice due 40 days before ``day``: their accounts."""
        partners = cls.env["res.partner"].create(
            [{"name": f"{prefix} {n}", "is_patient": True, **TEST_ADDRESS} for n in range(count)]
        )
        due = day - timedelta(days=40)
        accounts = cls.Account
        for partner in partners:
            accounts |= cls.make_invoice(partner, 100.0, due, due_date=due).patient_account_id
        return accounts
