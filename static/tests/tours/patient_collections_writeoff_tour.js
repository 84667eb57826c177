/** @odoo-module **/

// Write-offs and financial assistance, clicked by the roles that use them.  Started
// (and their database effects checked) by tests/test_writeoffs.py (TestWriteoffTour).

import { registry } from "@web/core/registry";
import { TOP } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

function openWriteoff() {
    return [
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_writeoff']",
            content: "Open the Write Off wizard from the account",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Write Off')`,
            content: "The Write Off dialog opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] select`,
            content: "Choose the reason",
            run: 'select "bad_debt"',
        },
    ];
}

function confirmWriteoff() {
    return [
        {
            trigger: `${TOP} button[name='action_confirm']`,
            content: "Confirm",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Write Off')))",
            content: "The dialog is closed",
        },
    ];
}

tours.add("patient_collections_writeoff_specialist_tour", {
    steps: () => [
        ...openWriteoff(),
        {
            trigger: `${TOP} div[name='amount'] input`,
            content: "The amount defaults to the balance due",
            run() {
                const value = this.anchor.value.replace(/[^0-9.]/g, "");
                if (parseFloat(value) !== 30) {
                    throw new Error(`amount defaults to ${this.anchor.value}, not 30.00`);
                }
            },
        },
        ...confirmWriteoff(),
    ],
});

tours.add("patient_collections_writeoff_propose_tour", {
    steps: () => [
        ...openWriteoff(),
        {
            trigger: `${TOP} .alert-info:contains('Above your write-off limit')`,
            content: "Above the limit: the dialog says a manager approves it",
        },
        ...confirmWriteoff(),
    ],
});

tours.add("patient_collections_writeoff_approve_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            content: "The manager approves the proposed write-off",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            content: "It is posted",
        },
    ],
});

tours.add("patient_collections_assistance_approve_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='discount_percent']:contains('100')",
            content: "At 100 % FPL the scale gives 100 %",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_approve']",
            content: "Approve",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer .btn-primary`,
            content: "Confirm the approval",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Approved')",
            content: "The application is approved",
        },
    ],
});

tours.add("patient_collections_assistance_deny_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_deny']",
            content: "Deny",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] textarea`,
            content: "Say why",
            run: "edit Income above the policy's scale",
        },
        {
            trigger: `${TOP} button[name='action_deny']`,
            content: "Deny the application",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_statusbar .o_statusbar_status:not(:has(.o_arrow_button_current:contains('Draft')))",
            content: "The application is decided",
        },
        {
            trigger: ".o_form_view .ribbon:contains('Denied')",
            content: "It shows the Denied ribbon",
        },
    ],
});

tours.add("patient_collections_writeoff_reverse_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_reverse']",
            content: "The manager reverses the posted write-off",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Reverse Write-off')`,
            content: "The Reverse dialog opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] input`,
            content: "Say why",
            run: "edit Disputed by the guarantor",
        },
        {
            trigger: `${TOP} button[name='action_reverse']`,
            content: "Reverse it",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Reverse Write-off')))",
            content: "The dialog is closed",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Reversed')",
            content: "It is reversed",
        },
    ],
});
