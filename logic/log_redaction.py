"""What the server log may say of an exception the module raised: where it was
raised, never its text.

The module's refusals tell the user what is wrong on which account ("Promises to
pay $ 100.00 are still pending on PA000001…"): account numbers, names and
amounts, PHI once they reach the server log.  Odoo logs a refusal raised in an
RPC or a page as a WARNING of ``odoo.http`` whose message is the exception
itself (``_logger.warning(exc)``), and an unexpected error with its traceback,
whose last line is the exception's text.  One rule, judged by where the
exception was raised (its innermost frame is in this package), not by what it
says or by a flag: the log line keeps the exception's class and the file, line
and function that raised it, and drops its text.  The exception itself is left
alone, so the user still reads the whole message.
"""

import logging
import traceback

PACKAGE = "odoo.addons.patient_collections"
# the loggers that print an exception of a request (odoo/http.py
# Application.__call__), of a report download or an export (their tracebacks),
# of a scheduled action (its traceback)
LOGGERS = (
    "odoo.http",
    "odoo.addons.web.controllers.report",
    "odoo.addons.web.controllers.export",
    "odoo.addons.base.models.ir_cron",
)
WITHHELD = "text withheld from the log: it may name an account, a person or an amount"


def raising_frame(exc):
    """The frame that raised ``exc`` when it is in this package, else None."""
    tb = getattr(exc, "__traceback__", None)
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = tb.tb_frame.f_globals.get("__name__", "")
    if module == PACKAGE or module.startswith(PACKAGE + "."):
        return tb
    return None


def withheld(exc):
    """What the log says of ``exc`` when the package raised it, else None."""
    tb = raising_frame(exc)
    if tb is None:
        return None
    # the place inside the addon ("models.patient_interaction"): the addon's
    # name is left out, so the line reads as a refusal, not as a fault of it
    module = tb.tb_frame.f_globals["__name__"][len(PACKAGE) + 1 :] or "__init__"
    where = f"{module}:{tb.tb_lineno} in {tb.tb_frame.f_code.co_name}"
    return f"{type(exc).__name__} raised in {where} ({WITHHELD})"


class PatientExceptionFilter(logging.Filter):
    """Rewrites a log record that would print the text of an exception the
    package raised: as the message, as an argument or as the traceback."""

    def filter(self, record):
        if isinstance(record.msg, BaseException):
            text = withheld(record.msg)
            if text is not None:
                record.msg, record.args = text, ()
        if isinstance(record.args, tuple) and any(
            isinstance(arg, BaseException) for arg in record.args
        ):
            record.args = tuple(
                (withheld(arg) or arg) if isinstance(arg, BaseException) else arg
                for arg in record.args
            )
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None:
            text = withheld(exc_info[1])
            if text is not None:
                record.exc_text = (
                    "Traceback (most recent call last):\n"
                    + "".join(traceback.format_tb(exc_info[2]))
                    + text
                )
        return True


FILTER = PatientExceptionFilter()


def install(names=LOGGERS):
    """Puts the filter on the loggers that print a request's exceptions (once:
    ``addFilter`` keeps one copy of a filter)."""
    for name in names:
        logging.getLogger(name).addFilter(FILTER)
