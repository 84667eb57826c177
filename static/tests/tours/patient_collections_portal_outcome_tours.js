/** @odoo-module **/

// A payment cancelled at the provider (Odoo's Demo provider, "Cancelled"): back on
// the account page, the guarantor reads that nothing was paid, not "Thank you".
// Started (and its database effects checked) by tests/test_portal12_tours.py.

import { registry } from "@web/core/registry";
import { payWithTheDemoCard } from "@patient_collections/../tests/tours/tour_steps";

registry.category("web_tour.tours").add("pc_portal_guarantor_pay_cancelled", {
    steps: () => [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        {
            trigger: "#pay_other",
            content: "Another amount",
            run: "click",
        },
        {
            trigger: ".o_patient_pay input[name='amount']",
            content: "The amount to pay",
            run: "edit 60 && press Tab",
        },
        {
            trigger: ".o_patient_pay_button",
            content: "Pay",
            run: "click",
        },
        ...payWithTheDemoCard("cancel"),
        {
            trigger: ".o_patient_pay_cancelled:contains('nothing was paid')",
            content: "Back on the account page: the payment was cancelled",
            timeout: 20000,
        },
        {
            trigger: ".o_patient_portal_account:not(:contains('Thank you'))",
            content: "No thanks for a payment that was not made",
        },
        {
            trigger: ".o_patient_balance_due:contains('300.00')",
            content: "The balance is unchanged",
        },
        {
            trigger: ".o_patient_pay_button",
            content: "The guarantor can pay again",
        },
    ],
});
