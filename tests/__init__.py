from . import test_patient_partner
from . import test_eob
from . import test_patient_account_balances
from . import test_security
from . import test_collection_run
from . import test_board_tour
from . import test_interactions
from . import test_payment_plans
