from . import patient_account
from . import res_partner
from . import account_move
from . import account_partial_reconcile
from . import patient_account_line
