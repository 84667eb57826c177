/** @odoo-module **/

// Clicked in the browser by the role that meets it.  Started (and the database
// state the clicks must leave checked) by tests/test_tours19.py:
// 1. a collections manager voids a callback request from the account: the Void
//    dialog, the interaction shown voided, its call-back activity gone;
// 2. the guarantor opens the portal's payment form twice (another tab started a
//    payment and was left) and pays the newest: the older one, confirmed late by
//    its provider, pays nothing; the page shows the payment, nothing below zero.

import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";
import { TOP, dialogClosed, payWithTheDemoCard } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- 1. Void a callback

const CALLBACK_ROW =
    ".o_field_widget[name='interaction_ids'] .o_data_row:contains('Callback requested')";

// On the account form: the Interactions tab, the callback request opened.
function openTheCallbackRequest() {
    return [
        {
            trigger: ".o_form_view .o_field_widget[name='name']:contains('PA')",
            content: "The account form",
        },
        {
            trigger: ".o-mail-Activity:contains('Call back at')",
            content: "The call back the guarantor asked for is planned",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Interactions')",
            content: "The Interactions tab",
            run: "click",
        },
        {
            trigger: `${CALLBACK_ROW} td[name='state']:contains('Logged')`,
            content: "The callback request is logged",
        },
        {
            trigger: `${CALLBACK_ROW} td[name='outcome']`,
            content: "Open it",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='callback_at']`,
            content: "The callback request, with the time to call back",
        },
    ];
}

tours.add("pc_tours19_manager_voids_a_callback", {
    steps: () => [
        ...openTheCallbackRequest(),
        {
            trigger: `${TOP} .o_statusbar_buttons button:contains('Void')`,
            content: "Void",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Void')`,
            content: "The Void dialog",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] input`,
            content: "Why",
            run: "edit Testtour guarantor never asked",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Void')`,
            content: "Void it",
            run: "click",
        },
        dialogClosed("Void"),
        {
            trigger: "body:not(:has(.modal))",
            content: "Both dialogs close: back on the account, read afresh",
        },
        {
            trigger: ".o-mail-Message:contains('the callback request was voided')",
            content: "The account's chatter: the call back was closed, and why",
        },
        {
            trigger: ".o-mail-Activity:contains('Testtour call about the statement')",
            content: "The specialist's own call is still planned",
        },
        {
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Activity:contains('Call back at')))",
            content: "The call back is no longer planned",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Interactions')",
            content: "The Interactions tab",
            run: "click",
        },
        {
            trigger: `${CALLBACK_ROW} td[name='state']:contains('Voided')`,
            content: "The callback request is listed voided",
        },
    ],
});

// A specialist opens the same request: voiding is a manager's, no Void button.
tours.add("pc_tours19_specialist_sees_no_void", {
    steps: () => [
        ...openTheCallbackRequest(),
        {
            trigger: `${TOP} .o_form_statusbar .o_statusbar_status`,
            content: "The interaction's header is shown",
        },
        {
            trigger: `${TOP} .modal-body:not(:has(.o_statusbar_buttons button:contains('Void')))`,
            content: "No Void button for a specialist",
        },
        {
            trigger: `${TOP} .modal-header .btn-close`,
            content: "Close the interaction",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "Back on the account",
        },
    ],
});

// ---------------------------------------------------------------- 2. Pay twice

const FIRST_TX_KEY = "pc_tours19_first_tx";

// The account listed, opened; the full balance of ``balance`` chosen, Pay.
function payTheFullBalance(balance) {
    return [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        {
            trigger: `.o_patient_balance_due:contains('${balance}')`,
            content: "The balance due is shown",
        },
        {
            trigger: ".o_patient_portal_account:not(:has(.o_patient_payment_in_progress))",
            content: "No payment in progress",
        },
        {
            trigger: "#pay_balance:checked",
            content: "The full balance is chosen",
        },
        {
            trigger: ".o_patient_pay_button",
            content: "Pay",
            run: "click",
        },
        {
            trigger: `h2:contains('Pay'):contains('${balance}')`,
            content: "The payment form, for the full balance",
        },
    ];
}

tours.add("pc_tours19_portal_pay_twice", {
    steps: () => [
        ...payTheFullBalance("300.00"),
        {
            trigger: "input[name='o_payment_radio'][data-payment-method-code='demo']",
            content:
                "The first tab: its form starts the payment (what Pay sends), then the " +
                "tab is left before the provider answers",
            async run() {
                const form = document.querySelector("#o_payment_form");
                const values = await rpc(form.dataset.transactionRoute, {
                    provider_id: parseInt(this.anchor.dataset.providerId),
                    payment_method_id: parseInt(this.anchor.dataset.paymentOptionId),
                    token_id: null,
                    amount: parseFloat(form.dataset.amount),
                    flow: "direct",
                    tokenization_requested: false,
                    landing_route: form.dataset.landingRoute,
                    is_validation: false,
                    access_token: form.dataset.accessToken,
                    csrf_token: odoo.csrf_token,
                });
                window.sessionStorage.setItem(FIRST_TX_KEY, values.reference);
            },
        },
        {
            trigger: ".breadcrumb a[href='/my/patient-accounts']",
            content: "Back to the Medical Bills",
            run: "click",
        },
        ...payTheFullBalance("300.00"),
        ...payWithTheDemoCard(),
        {
            trigger: ".alert-success:contains('Thank you: your payment was received')",
            content: "Back on the account page: the payment is received",
            timeout: 20000,
        },
        {
            trigger: ".o_patient_balance_due:contains('0.00'):not(:contains('300'))",
            content: "Nothing is due any more",
        },
        {
            trigger: ".o_patient_portal_account:not(:has(.o_patient_pay))",
            content: "Nothing more to pay online",
        },
        {
            trigger: ".o_patient_balance_due",
            content: "The first tab's provider confirms the payment left there, late",
            async run() {
                const reference = window.sessionStorage.getItem(FIRST_TX_KEY);
                if (!reference) {
                    throw new Error("the first tab's payment was not started");
                }
                await rpc("/payment/demo/simulate_payment", {
                    reference,
                    payment_details: "4242",
                    simulated_state: "done",
                });
            },
        },
        {
            trigger: ".breadcrumb a[href='/my/patient-accounts']",
            content: "Back to the Medical Bills",
            run: "click",
        },
        {
            trigger: ".o_portal_my_doc_table tr:has(a[href^='/my/patient-accounts/']) td.text-end:contains('0.00'):not(:contains('300'))",
            content: "The account listed with nothing due",
        },
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "Open the account again",
            run: "click",
        },
        {
            trigger: ".o_patient_balance_due:contains('0.00'):not(:contains('300'))",
            content: "Still nothing due: paid once",
        },
        {
            trigger:
                ".o_patient_portal_account:not(:has(.o_patient_credit)):not(:has(.o_patient_payment_in_progress))",
            content: "No credit, no second payment in progress",
        },
    ],
});
