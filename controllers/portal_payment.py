"""Paying a patient account online on the guarantor's portal (the account
pages: controllers/portal.py)."""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.payment.controllers.portal import PaymentPortal

from ..models.patient_account_portal import PORTAL_ROOT
from .portal import PatientPortal, _as_float, _as_int, _private


class PatientPaymentPortal(PaymentPortal):
    """Paying a patient account online with any provider configured in Odoo."""

    def _patient_portal(self):
        return PatientPortal()

    @staticmethod
    def _patient_providers(account, partner, amount, report=None):
        """The providers that may take ``amount`` for ``account``: its company's,
        published, for its currency (the pay page offers these and no other)."""
        return (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                account.company_id.id,
                partner.id,
                amount,
                currency_id=account.currency_id.id,
                report=report,
            )
        )

    @staticmethod
    def _patient_chosen_provider(kwargs):
        """The provider the payment form chose: the saved token's, or the one named."""
        if kwargs.get("flow") == "token":
            token = request.env["payment.token"].sudo().browse(_as_int(kwargs.get("token_id")))
            return token.exists().provider_id
        provider_id = _as_int(kwargs.get("provider_id"))
        return request.env["payment.provider"].sudo().browse(provider_id).exists()

    @http.route(f"{PORTAL_ROOT}/<int:account_id>/pay", type="http", auth="public", website=True)
    def portal_patient_pay(self, account_id, access_token=None, amount=None, choice=None, **kw):
        portal = self._patient_portal()
        account, via_token = portal._patient_account_or_404(account_id, access_token, "portal pay")
        account = portal._patient_token_lang(account, via_token)
        currency = account.currency_id
        if choice == "balance":
            amount = currency.round(account._portal_payable())
        elif choice == "installment":
            amount = currency.round(account._portal_next_installment_amount())
        else:
            amount = _as_float(amount)
        problems = account._portal_payment_problems(amount)
        if not problems and not account._portal_amount_fits_currency(amount):
            # 1500.5 yen, 12.345 dollars: more decimals than the currency has (the
            # amount input's step allows none of them)
            return _private(
                request.redirect(
                    portal._patient_account_url(account, access_token, via_token, "pay_decimals")
                )
            )
        if problems:
            in_progress = account._portal_payments_in_progress()
            if in_progress:
                message = "pay_in_progress"
            elif account.currency_id.compare_amounts(account.balance_due, 0.0) <= 0:
                # a page opened before the balance was paid: not "choose an amount"
                message = "pay_nothing_due"
            else:
                message = "pay_invalid"
            return _private(
                request.redirect(
                    portal._patient_account_url(account, access_token, via_token, message)
                )
            )
        account._portal_log("open", via_token, field_names="pay")
        user = request.env.user
        partner = user.partner_id if not user._is_public() else account.partner_id
        availability_report = {}
        providers = self._patient_providers(account, partner, amount, availability_report)
        methods = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers.ids,
                partner.id,
                currency_id=account.currency_id.id,
                report=availability_report,
            )
        )
        # a token-link visitor neither sees nor saves the guarantor's payment details
        logged_in = not user._is_public()
        tokens = (
            request.env["payment.token"].sudo()._get_available_tokens(providers.ids, partner.id)
            if logged_in
            else request.env["payment.token"]
        )
        tokenize = self._compute_show_tokenize_input_mapping(providers)
        if not logged_in:
            tokenize = dict.fromkeys(tokenize, False)
        values = portal._prepare_portal_layout_values()
        values.update(
            {
                "account": account,
                "page_name": "patient_account",
                "amount": amount,
                "currency": account.currency_id,
                "partner_id": partner.id,
                "providers_sudo": providers,
                "payment_methods_sudo": methods,
                "tokens_sudo": tokens,
                "availability_report": availability_report,
                "show_tokenize_input_mapping": tokenize,
                "transaction_route": f"{PORTAL_ROOT}/{account.id}/transaction",
                "landing_route": portal._patient_account_url(
                    account, access_token, via_token, "paid"
                ),
                "access_token": access_token if via_token else None,
                "payment_reference": False,
                "format_amount": account.currency_id.format,
            }
        )
        return _private(request.render("patient_collections.portal_patient_pay", values))

    @http.route(f"{PORTAL_ROOT}/<int:account_id>/transaction", type="json", auth="public")
    def portal_patient_transaction(self, account_id, access_token=None, amount=None, **kwargs):
        """A draft transaction for ``amount`` (checked again here: the client sends
        it), linked to the account; its processing values.  Only the payment
        details come from the client: never a validation (a 0.00 transaction of
        the provider's), and the landing page is always the account's own."""
        try:
            account, via_token = self._patient_portal()._patient_account_access(
                _as_int(account_id), access_token, detail="portal transaction"
            )
        except (AccessError, MissingError):
            raise ValidationError(request.env._("The access token is invalid.")) from None
        self._validate_transaction_kwargs(kwargs)
        # two forms of the account (two tabs, a double click) one after the other:
        # the newest replaces the drafts of those left, and pays at most what is left
        account._portal_lock_for_payment()
        account._portal_supersede_drafts()
        amount = _as_float(amount)
        if account._portal_payment_problems(amount) or not account._portal_amount_fits_currency(
            amount
        ):
            # the reason names the balance: shown on the page, never written to the server log
            raise UserError(
                request.env._("This amount cannot be paid online: go back to your account page.")
            )
        user = request.env.user
        partner = user.partner_id if not user._is_public() else account.partner_id
        flow = kwargs.get("flow")
        token_id = _as_int(kwargs.get("token_id"))
        tokenize = kwargs.get("tokenization_requested") is True
        if user._is_public() and (token_id or tokenize):
            # the token link pays; it does not use or save the guarantor's payment details
            raise ValidationError(request.env._("Sign in to use or save payment details."))
        provider = self._patient_chosen_provider(kwargs)
        if not provider or provider not in self._patient_providers(account, partner, amount):
            # another company's provider would book the money there, unreconciled
            raise ValidationError(
                request.env._(
                    "This payment method cannot pay this account: go back to your account "
                    "page and choose one of those offered."
                )
            )
        method = (
            request.env["payment.method"].sudo().browse(_as_int(kwargs.get("payment_method_id")))
        )
        if flow not in ("redirect", "direct", "token") or (
            flow != "token" and (not method.exists() or provider not in method.provider_ids)
        ):
            # a form that names no flow or a method of another provider: the same
            # answer as another provider (a forged or broken request)
            raise ValidationError(
                request.env._(
                    "This payment method cannot pay this account: go back to your account "
                    "page and choose one of those offered."
                )
            )
        tx = self._create_transaction(
            provider_id=provider.id,
            payment_method_id=method.id if flow != "token" else None,
            token_id=token_id if flow == "token" else None,
            amount=amount,
            currency_id=account.currency_id.id,
            partner_id=partner.id,
            flow=flow,
            tokenization_requested=tokenize,
            # the account's page, whatever the client sent (it is where the payment
            # status page sends the guarantor back)
            landing_route=self._patient_portal()._patient_account_url(
                account, access_token, via_token, "paid"
            ),
            is_validation=False,
            custom_create_values={"patient_account_id": account.id},
        )
        return tx._get_processing_values()
