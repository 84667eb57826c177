/** @odoo-module **/

// The guarantor's side, clicked as a guarantor does on a phone or a computer.
// Started (and their database effects checked) by tests/test_portal_tours.py,
// with Odoo's Demo payment provider (module payment_demo) in test mode.

import { registry } from "@web/core/registry";
import { payWithTheDemoCard } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// From the account page showing a balance of ``balance``: pay ``amount`` (a
// number, typed as a guarantor types it) of it as "Another amount" (asked at
// least ``minimum``) with the Demo provider, come back to the account page and
// see ``left``.
function payAnotherAmountWithDemo({ balance, minimum, amount, left }) {
    return [
        {
            trigger: `.o_patient_balance_due:contains('${balance}')`,
            content: "The balance due is shown",
        },
        {
            trigger: ".o_patient_portal_account:contains('days past due')",
            content: "The aging in words",
        },
        {
            trigger: `label[for='pay_other']:contains('Another amount (at least'):contains('${minimum}')`,
            content: "The least the practice takes online",
        },
        {
            trigger: `.o_patient_pay input[name='amount'][min='${minimum}'][max='${balance}']`,
            content: "The amount field takes what the practice takes",
        },
        {
            trigger: "#pay_other",
            content: "Another amount",
            run: "click",
        },
        {
            trigger: ".o_patient_pay input[name='amount']",
            content: "The amount to pay",
            run: `edit ${amount} && press Tab`,
        },
        {
            trigger: ".o_patient_pay_button",
            content: "Pay",
            run: "click",
        },
        {
            trigger: `h2:contains('${amount.toFixed(2)}')`,
            content: "The amount to pay",
        },
        ...payWithTheDemoCard(),
        {
            trigger: ".alert-success:contains('Thank you')",
            content: "Back on the account page after the provider confirmed",
            timeout: 20000,
        },
        {
            trigger: `.o_patient_balance_due:contains('${left}')`,
            content: "The new balance",
        },
    ];
}

// 60.00 of 300.00 (the company's minimum: 10.00)
function payPartWithDemo() {
    return payAnotherAmountWithDemo({
        balance: "300.00",
        minimum: "10.00",
        amount: 60,
        left: "240.00",
    });
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

// 3.00 left, below the company's minimum of 10.00: asked for at least 3.00, paid
tours.add("pc_portal_guarantor_pay_little_left", {
    steps: () => [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        {
            trigger: "label[for='pay_other']:not(:contains('10.00'))",
            content: "The company's minimum is not asked for: less is left",
        },
        ...payAnotherAmountWithDemo({
            balance: "3.00",
            minimum: "3.00",
            amount: 3,
            left: "0.00",
        }),
    ],
});
