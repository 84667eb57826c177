from . import report
from . import portal
from . import portal_payment
from . import invoice_portal
