"""The log filter (logic/log_redaction.py): an exception raised in the module's
code prints where it was raised, never its text, as a message, an argument or a
traceback; one raised elsewhere is logged as it is."""

import logging

from logic import log_redaction

SECRET = "PA000001: $ 400.00 still owed"


def raised_in(module_name):
    """An exception raised by code whose module is ``module_name``."""
    namespace = {"__name__": module_name}
    exec("def refuse():\n    raise ValueError(" + repr(SECRET) + ")\n", namespace)
    try:
        namespace["refuse"]()
    except ValueError as exc:
        return exc
    raise AssertionError("not raised")


def logged(*args, exc=None):
    logger = logging.getLogger("pc_test_log_redaction")
    logger.propagate = False
    logger.filters[:] = [log_redaction.FILTER]
    records = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(logging.Formatter().format(record))
    logger.handlers[:] = [handler]
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    logger.warning(*args, exc_info=exc_info)
    return records[0]


def test_module_exception_as_message_argument_and_traceback():
    exc = raised_in("odoo.addons.patient_collections.models.patient_account_stages")
    for text in (logged(exc), logged("Refused: %s", exc), logged("Refused", exc=exc)):
        assert "400.00" not in text and "PA000001" not in text
        assert "raised in models.patient_account_stages:2 in refuse" in text
        assert "patient_collections" not in text


def test_exception_of_another_module_logged_as_it_is():
    exc = raised_in("odoo.addons.patient_collections_other.models.x")
    assert SECRET in logged(exc)
    assert SECRET in logged("Refused", exc=exc)


def test_installed_once_on_the_loggers():
    log_redaction.install()
    log_redaction.install()
    for name in log_redaction.LOGGERS:
        assert logging.getLogger(name).filters.count(log_redaction.FILTER) == 1
