/** @odoo-module **/

// The plan form's refusals a guarantor meets in the browser. Started (and their
// database effects checked) by tests/test_portal12_tours.py.

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

function openTheAccount(balance) {
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
    ];
}

// The plan asked for twice: the page is open with its plan form while the plan is
// set up from another tab (the same form posted there); "Set up my plan" on this
// page then says the plan exists and shows its schedule.
tours.add("pc_portal_plan_asked_twice", {
    steps: () => [
        ...openTheAccount("300.00"),
        {
            trigger: "form[action$='/plan'] .o_patient_plan_button",
            content: "Three monthly installments, set up from another tab",
            async run() {
                const form = document.querySelector("form[action$='/plan']");
                const data = new FormData(form);
                data.set("installment_count", "3");
                const response = await fetch(form.action, { method: "POST", body: data });
                if (!response.ok) {
                    throw new Error(`the other tab's plan failed: ${response.status}`);
                }
            },
        },
        {
            trigger: "input[name='installment_count']",
            content: "Six installments asked on this page, opened before",
            run: "edit 6 && press Tab",
        },
        {
            trigger: ".o_patient_plan_button",
            content: "Set up the plan",
            run: "click",
        },
        {
            trigger: ".o_patient_plan_exists:contains('You already have a payment plan')",
            content: "The plan exists: nothing more is set up",
        },
        {
            trigger: ".o_patient_portal_account:contains('Your payment plan')",
            content: "Its schedule is shown",
        },
        {
            trigger: ".o_patient_portal_account:not(:has(.o_patient_plan_button))",
            content: "No plan form any more",
        },
    ],
});

// 2 a month of 1,300.00: 650 installments, more than the portal takes; the page
// says the limit and what to change, and the form is there to try again.
tours.add("pc_portal_plan_amount_too_small", {
    steps: () => [
        ...openTheAccount("1,300.00"),
        {
            trigger: "input[name='installment_amount']",
            content: "About 2 a month",
            run: "edit 2 && press Tab",
        },
        {
            trigger: ".o_patient_plan_button",
            content: "Set up the plan",
            run: "click",
        },
        {
            trigger: ".o_patient_plan_too_many:contains('more than 520 installments')",
            content: "The limit and what to change",
        },
        {
            trigger: ".o_patient_plan_too_many:contains('a larger amount per month')",
            content: "What to change",
        },
        {
            trigger: "input[name='installment_amount']",
            content: "The form is there to try again",
        },
    ],
});
