/** @odoo-module **/

// The guarantor's side, clicked as a guarantor does on a phone or a computer.
// Started (and their database effects checked) by tests/test_portal.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

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
            trigger: ".o_patient_portal_account:contains('days past due')",
            content: "The aging in words",
        },
        {
            trigger: "input[name='installment_count']",
            content: "Three monthly installments",
            run: "edit 3",
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
    ],
});

tours.add("pc_portal_token_pay", {
    steps: () => [
        {
            trigger: ".o_patient_balance_due:contains('300.00')",
            content: "The token link opens the account",
        },
        {
            trigger: "#pay_other",
            content: "Another amount",
            run: "click",
        },
        {
            trigger: ".o_patient_pay input[name='amount']",
            content: "Part of the balance",
            run: "edit 60",
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
            trigger: "#o_payment_form",
            content: "The payment form of the providers",
        },
    ],
});
