from . import report
from . import portal
