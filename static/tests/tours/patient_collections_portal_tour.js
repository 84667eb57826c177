/** @odoo-module **/

// The guarantor's side, clicked as a guarantor does on a phone or a computer.
// Started (and their database effects checked) by tests/test_portal_tours.py,
// with Odoo's Demo payment provider (module payment_demo) in test mode.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// From the account page showing a balance of 300.00: pay 60.00 of it with the
// Demo provider, come back to the account page and see 240.00.
function payPartWithDemo() {
    return [
        {
            trigger: ".o_patient_balance_due:contains('300.00')",
            content: "The balance due is shown",
        },
        {
            trigger: ".o_patient_portal_account:contains('days past due')",
            content: "The aging in words",
        },
        {
            trigger: "#pay_other",
            content: "Another amount",
            run: "click",
        },
        {
            trigger: ".o_patient_pay input[name='amount']",
            content: "Part of the balance",
            run: "edit 60 && press Tab",
        },
        {
            trigger: ".o_patient_pay_button",
            content: "Pay",
            run: "click",
        },
        {
            trigger: "h2:contains('60.00')",
            content: "The amount to pay",
        },
        {
            trigger: "input[name='o_payment_radio'][data-payment-method-code='demo']",
            content: "The Demo provider (test mode)",
            run: "click",
        },
        {
            trigger: "input[name='customer_input']",
            content: "A test card number",
            run: "edit 4242424242424242",
        },
        {
            trigger: "button[name='o_payment_submit_button']:not(:disabled)",
            content: "Pay with the provider",
            run: "click",
        },
        {
            trigger: ".alert-success:contains('Thank you')",
            content: "Back on the account page after the provider confirmed",
            timeout: 20000,
        },
        {
            trigger: ".o_patient_balance_due:contains('240.00')",
            content: "The new balance",
        },
    ];
}

tours.add("pc_portal_guarantor_pay", {
    steps: () => [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        ...payPartWithDemo(),
    ],
});

tours.add("pc_portal_token_pay", {
    steps: () => payPartWithDemo(),
});

tours.add("pc_portal_guarantor_plan", {
    steps: () => [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        {
            trigger: ".o_patient_balance_due:contains('300.00')",
            content: "The balance due is shown",
        },
        {
            trigger: "input[name='installment_count']",
            content: "Three monthly installments",
            run: "edit 3 && press Tab",
        },
        {
            trigger: ".o_patient_plan_button",
            content: "Set up the plan",
            run: "click",
        },
        {
            trigger: ".alert-success:contains('Your payment plan is set up')",
            content: "The plan is confirmed",
        },
        {
            trigger: ".o_patient_portal_account:contains('Your payment plan')",
            content: "Its schedule is shown",
        },
        {
            trigger: "#pay_installment",
            content: "The next installment is offered for payment",
        },
    ],
});
