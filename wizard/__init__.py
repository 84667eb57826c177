from . import common
from . import patient_account_hold
from . import patient_account_assign
from . import patient_interaction_void
from . import patient_payment_plan_create
from . import patient_statement_send
from . import patient_account_writeoff
from . import patient_financial_assistance_deny
