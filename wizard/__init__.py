from . import patient_account_hold
from . import patient_account_assign
