"""What the tests of the collections run share: the stages of the notice
sequence and the run model."""

from .common import PatientCollectionsCommon

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
