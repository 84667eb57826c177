"""The guarantor's portal: their patient accounts, online payment, a payment plan
and questions about the bill.

Who may see an account: the portal user whose contact is its guarantor, or
whoever holds the account's token link (printed on statements).  Nobody else:
not another guarantor, not a public visitor, not an internal user (they work the
account in the back office).  Every refusal is the same 404 and is written to the
access log; every view is logged (the portal user, or "token link", and the
address).  Once the visitor is checked, the pages read the account as superuser.
"""

import re

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing
from odoo.addons.portal.controllers.portal import CustomerPortal

from ..logic import holds
from ..models.patient_account_portal import (
    MAX_PORTAL_INSTALLMENTS,
    PORTAL_ROOT,
    QUESTION_OUTCOMES,
)
from ..models.patient_payment_plan_creation import ActivePlanExists

ACCOUNT_MODEL = "patient.account"


# What a browser's number input sends (HTML's "valid floating-point number"),
# ASCII digits only: Python's float() and int() also take "1_0" (as 10), "inf",
# "nan", " 3 " and other scripts' digits, which no form sends.
_DECIMAL_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
# a whole number, written "3" or "3.0" (a number input may send either)
_WHOLE_RE = re.compile(r"([0-9]+)(?:\.0*)?", re.ASCII)

# Every page of an account is PHI, and a token visitor's address carries the token:
# no shared cache (a proxy, a CDN) or the browser's back-forward store keeps it, no
# link followed from it sends its address (the token) in a Referer, no search
# engine that found a leaked link indexes it.
PRIVATE_HEADERS = (
    ("Cache-Control", "no-store, private"),
    ("Pragma", "no-cache"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Robots-Tag", "noindex, nofollow"),
)


def _private(response):
    """``response`` with the PRIVATE_HEADERS (a rendered page, a file or a redirect)."""
    for name, value in PRIVATE_HEADERS:
        response.headers[name] = value
    return response


def _as_float(value):
    """A number from a form (a string of digits) or a JSON request (a number);
    None for anything else."""
    if isinstance(value, str):
        value = value.strip()
        if not _DECIMAL_RE.fullmatch(value):
            return None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) < 1e12 else None


def _as_int(value):
    """A whole number from a form ("12", "12.0") or a JSON request (an integer);
    None for anything else ("1_0", "3.5", "-2", "١٢")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    found = _WHOLE_RE.fullmatch(value.strip())
    if not found:
        return None
    try:
        return int(found.group(1))
    except ValueError:  # more digits than Python converts
        return None


class PatientPortal(CustomerPortal):
    # ------------------------------------------------------------------ access

    def _document_check_access(self, model_name, document_id, access_token=None):
        if model_name != ACCOUNT_MODEL:
            return super()._document_check_access(model_name, document_id, access_token)
        return self._patient_account_access(document_id, access_token)[0]

    def _patient_account_access(self, account_id, access_token=None, detail="portal"):
        """(account as superuser, whether through the token link), or AccessError /
        MissingError, logged.  Read rights are not enough: an internal user is
        refused here too (Odoo's default check would let a specialist in)."""
        Account = request.env[ACCOUNT_MODEL].sudo()
        account = Account.browse(account_id).exists() if account_id else Account
        Log = request.env["patient.access.log"].sudo()
        if not account or not account.active:
            Log._log_denied(account, detail=detail)
            raise MissingError(request.env._("This document does not exist."))
        user = request.env.user
        if account in Account._portal_accounts_of(user):
            return account, False
        if (
            # a token of other characters (or a JSON number, a list) is no token:
            # consteq compares ASCII strings only (it raised a 500)
            isinstance(access_token, str)
            and access_token.isascii()
            and account.access_token
            and consteq(account.access_token, access_token)
        ):
            return account, True
        Log._log_denied(account, detail=detail)
        raise AccessError(request.env._("This document does not exist."))

    def _patient_account_or_404(self, account_id, access_token=None, detail="portal"):
        try:
            return self._patient_account_access(account_id, access_token, detail=detail)
        except (AccessError, MissingError):
            # the same answer for every refusal: nothing disclosed
            raise NotFound() from None

    # ------------------------------------------------------------------ home and list

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "patient_account_count" in counters:
            values["patient_account_count"] = len(
                request.env[ACCOUNT_MODEL]._portal_accounts_of(request.env.user)
            )
        return values

    @http.route(PORTAL_ROOT, type="http", auth="user", website=True)
    def portal_my_patient_accounts(self, **kw):
        user = request.env.user
        if not user.share:
            request.env["patient.access.log"].sudo()._log_denied(
                request.env[ACCOUNT_MODEL], detail="portal list"
            )
            raise NotFound()
        accounts = request.env[ACCOUNT_MODEL]._portal_accounts_of(user)
        if accounts:
            request.env["patient.access.log"].sudo()._log(
                "list", accounts, batch=True, detail=request.env._("portal")
            )
        values = self._prepare_portal_layout_values()
        values.update({"accounts": accounts, "page_name": "patient_accounts"})
        return _private(request.render("patient_collections.portal_my_patient_accounts", values))

    # ------------------------------------------------------------------ the account

    @http.route(f"{PORTAL_ROOT}/<int:account_id>", type="http", auth="public", website=True)
    def portal_patient_account(self, account_id, access_token=None, message=None, **kw):
        account, via_token = self._patient_account_or_404(account_id, access_token)
        account._portal_log("open", via_token)
        if message == "paid":
            message = self._patient_paid_message(account)
        account = self._patient_token_lang(account, via_token)
        values = self._prepare_portal_layout_values()
        values.update(account._portal_values())
        values.update(
            {
                "page_name": "patient_account",
                "plan_offered": holds.takes_plan(account.hold_reason),
                "access_token": access_token if via_token else None,
                "token_query": f"?access_token={access_token}" if via_token else "",
                "message": message,
            }
        )
        return _private(request.render("patient_collections.portal_patient_account", values))

    @staticmethod
    def _patient_token_lang(account, via_token):
        """A token visitor reads the pages in the guarantor's language: the
        template, and the words and amounts computed on the account (returned
        in that language; read before, it kept the visitor's)."""
        lang = account.partner_id.lang
        if via_token and lang and request.env["res.lang"]._get_data(code=lang):
            request.update_context(lang=lang)
            return account.with_context(lang=lang)
        return account

    @staticmethod
    def _patient_paid_message(account):
        """The payment form lands here (``message=paid``) whatever became of the
        payment: Odoo's status page leaves it cancelled, failed, pending or
        booked.  The visitor's last transaction (in their session) says which."""
        tx = (
            request.env["payment.transaction"]
            .sudo()
            .browse(request.session.get(PaymentPostProcessing.MONITORED_TX_ID_KEY))
            .exists()
        )
        if tx.patient_account_id == account and tx.state == "cancel":
            return "pay_cancelled"
        if tx.patient_account_id == account and tx.state == "error":
            return "pay_failed"
        if tx.patient_account_id == account and tx.state == "done" and tx.is_post_processed:
            return "pay_received"  # booked: the balance shown counts it
        return "paid"

    @http.route(
        f"{PORTAL_ROOT}/<int:account_id>/statement", type="http", auth="public", website=True
    )
    def portal_patient_statement(self, account_id, access_token=None, **kw):
        """Today's statement as a PDF, written to the access log as a download."""
        account, via_token = self._patient_account_or_404(
            account_id, access_token, "portal statement"
        )
        pdf = account._statement_pdfs()[0]
        account._portal_log("download", via_token, field_names="statement")
        return _private(
            request.make_response(
                pdf,
                headers=[
                    ("Content-Type", "application/pdf"),
                    ("Content-Length", len(pdf)),
                    # the id, not the account number: nothing of the patient in a file name
                    ("Content-Disposition", f'inline; filename="statement-{account.id}.pdf"'),
                ],
            )
        )

    @http.route(
        f"{PORTAL_ROOT}/<int:account_id>/plan",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_patient_plan(
        self, account_id, access_token=None, installment_count=None, installment_amount=None, **kw
    ):
        """A plan of ``installment_count`` monthly installments, or of about
        ``installment_amount`` a month."""
        account, via_token = self._patient_account_or_404(account_id, access_token, "portal plan")
        count = _as_int(installment_count)
        # anything sent but no whole number ("1_0", "3.5", a file posted as the field)
        count_unreadable = count is None and not (
            installment_count is None
            or (isinstance(installment_count, str) and not installment_count.strip())
        )
        if not count and installment_amount and not count_unreadable:
            count = account._portal_plan_count_for_amount(_as_float(installment_amount))
        if account.active_plan_id:
            # a second submit, or a page opened before the plan was set up: the plan
            # stands, no request goes to the specialist (first: a payment in progress
            # does not make it one to set up later)
            message = "plan_exists"
        elif account._portal_has_payment_in_progress():
            # a page opened before the payment, or a forged form: nothing is made
            message = "plan_in_progress"
        elif account.currency_id.compare_amounts(account.balance_due, 0.0) <= 0:
            # a page opened before the balance was paid: nothing to spread
            message = "plan_nothing_due"
        elif not holds.takes_plan(account.hold_reason):
            # a dispute or a stay: no plan, and no request either (a page opened
            # before the hold, or a forged form)
            message = "plan_on_hold"
        elif count_unreadable:
            # "1_0", "3.5", "-2": not read as some other number, refused with the reason
            message = "plan_count_invalid"
        elif not count or count < 1:
            message = "plan_invalid"
        elif count > MAX_PORTAL_INSTALLMENTS:
            # a few cents a month asked: say the limit, not "choose a number"
            message = "plan_too_many"
        else:
            try:
                plan, _problems = account._portal_plan_request(count)
                message = "plan_created" if plan else "plan_requested"
            except ActivePlanExists:
                # the form sent twice at once (a double click): the other request made
                # the plan, this one makes nothing (not a server error page)
                message = "plan_exists"
        account._portal_log("open", via_token, field_names="plan")
        return _private(
            request.redirect(self._patient_account_url(account, access_token, via_token, message))
        )

    @http.route(
        f"{PORTAL_ROOT}/<int:account_id>/question",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_patient_question(self, account_id, access_token=None, topic=None, text=None, **kw):
        account, via_token = self._patient_account_or_404(
            account_id, access_token, "portal question"
        )
        if topic not in QUESTION_OUTCOMES or not account._portal_question_text(text):
            message = "question_invalid"
        elif account._portal_question_too_long(text):
            # refused, not cut: the page says the limit (the text is never logged)
            message = "question_too_long"
        elif account._portal_question_repeated(topic, text):
            # the same form posted again (a double click, back and resubmit): the
            # question was sent, nothing more is made
            message = "question_sent"
        elif account._portal_question_limit_reached():
            # a bot or a script with the statement's link: no more to-dos, holds or
            # interactions than a guarantor writes in a day
            message = "question_limit"
        else:
            account._portal_question(topic, text)
            message = "question_sent"
        account._portal_log("open", via_token, field_names="question")
        return _private(
            request.redirect(self._patient_account_url(account, access_token, via_token, message))
        )

    @http.route(
        [f"{PORTAL_ROOT}/<int:account_id>/plan", f"{PORTAL_ROOT}/<int:account_id>/question"],
        type="http",
        auth="public",
        website=True,
        methods=["GET"],
    )
    def portal_patient_form_address(self, account_id, access_token=None, **kw):
        """A form's address opened (a reload after posting, the browser's history):
        the account page, where the forms are."""
        account, via_token = self._patient_account_or_404(account_id, access_token, "portal form")
        return _private(
            request.redirect(self._patient_account_url(account, access_token, via_token))
        )

    @staticmethod
    def _patient_account_url(account, access_token, via_token, message=None):
        params = []
        if via_token:
            params.append(f"access_token={access_token}")
        if message:
            params.append(f"message={message}")
        return f"{PORTAL_ROOT}/{account.id}" + ("?" + "&".join(params) if params else "")
