/** @odoo-module **/

// Today's refusals clicked as the role that meets them.  Started (and their
// database effects checked) by tests/test_tours14b.py.
//  1. An accountant opens a posted write-off's journal entry and clicks Reset to
//     Draft: refused (reverse the entry instead); the entry stays posted.
//  2. A specialist who already wrote off 30 on an account writes off 30 more
//     (limit 50): the dialog says it goes to a manager.
//  3. A manager archives the Resolved stage, the only one: refused.

import { registry } from "@web/core/registry";
import {
    TOP,
    archiveFromForm,
    collectionsMenu,
    dialogClosed,
    refusal,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- 1. Write-off entry

tours.add("pc_tours14b_writeoff_entry_kept", {
    steps: () => [
        ...collectionsMenu("collections_menu_billing", "patient_writeoff_menu", "Write-offs"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourfourteenb Writeoff') td[name='reason']",
            content: "Open the posted write-off (requested by Tourfourteenb Writeoff)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            content: "The write-off is posted",
        },
        {
            trigger: ".o_form_view .oe_stat_button[name='action_view_move']",
            content: "Its Journal Entry",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('(WO0')",
            content: "The journal entry opens (the write-off is its reference)",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            content: "The entry is posted",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_draft']",
            content: "Reset to Draft",
            run: "click",
        },
        ...refusal(
            "clicks Reverse on the write-off; to undo the whole entry, reverse it (Reverse Entry)",
            "Told to reverse the write-off or the entry instead"
        ),
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            content: "The entry is still posted",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='button_draft']",
            content: "and still offers Reset to Draft (nothing changed)",
        },
    ],
});

// ---------------------------------------------------------------- 2. Second write-off

tours.add("pc_tours14b_second_writeoff", {
    steps: () => [
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_writeoff']",
            content: "Write Off",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Write Off')`,
            content: "The Write Off dialog opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] select`,
            content: "The reason: bad debt",
            run: 'select "bad_debt"',
        },
        {
            trigger: `${TOP} div[name='amount'] input`,
            content: "10: with the 30 already written off, within the limit of 50",
            run: "edit 10 && click body",
        },
        {
            trigger: `${TOP} .o_patient_dialog:not(:has(.alert-info))`,
            content: "Within the limit: no approval needed",
        },
        {
            trigger: `${TOP} div[name='amount'] input`,
            content: "30: within the limit alone, above it with the 30 already written off",
            run: "edit 30 && click body",
        },
        {
            trigger: `${TOP} .alert-info:contains('Above your write-off limit (with what you already wrote off on this account)')`,
            content: "The dialog says a manager approves it",
        },
        {
            trigger: `${TOP} button[name='action_confirm']`,
            content: "Confirm",
            run: "click",
        },
        dialogClosed("Write Off"),
        {
            trigger: ".o_notification:contains('waiting for a collections manager')",
            content: "Told it waits for a manager",
        },
    ],
});

// ---------------------------------------------------------------- 3. Resolved stage

tours.add("pc_tours14b_resolved_stage_kept", {
    steps: () => [
        ...collectionsMenu("collections_menu_config", "patient_account_stage_menu", "Stages"),
        {
            trigger: ".o_list_renderer .o_data_row td[name='name']:contains('Resolved')",
            content: "Open the Resolved stage",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            content: "The Resolved stage",
            run() {
                if (this.anchor.value !== "Resolved") {
                    throw new Error(`stage ${this.anchor.value}, not Resolved`);
                }
            },
        },
        ...archiveFromForm(),
        ...refusal("Keep one active resolved stage", "Told to keep one active resolved stage"),
        {
            trigger: ".o_form_view:not(:has(.ribbon:contains('Archived')))",
            content: "The stage is not archived",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            content: "Still the Resolved stage",
            run() {
                if (this.anchor.value !== "Resolved") {
                    throw new Error(`stage ${this.anchor.value}, not Resolved`);
                }
            },
        },
    ],
});
