/** @odoo-module **/

// What only API tests covered, clicked as the role that meets it.  Started (and
// their database effects checked) by tests/test_tours16.py.
//  1. A collections manager sends statements to two selected accounts: the
//     dialog says one is left out for want of a mailing address.
//  2. A specialist sees the account form's no-address warning on the account of
//     a guarantor without an address, and none on one with an address.
//  3. An accountant's Reverse Entry on a write-off's own reversal is refused.

import { registry } from "@web/core/registry";
import {
    TOP,
    collectionsMenu,
    listAction,
    produceStatements,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- 1. Send Statements

const LEFT_OUT = "account(s) left out: the guarantor has no mailing address";

tours.add("pc_tours16_statements_leave_out_no_address", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourstmt Noaddr')",
            content: "The patient accounts list",
        },
        ...listAction(["Tourstmt Noaddr", "Tourstmt Withaddr"], "Send Statements"),
        {
            trigger: `${TOP} .modal-title:contains('Send Statements')`,
            content: "The dialog opens on the selection",
        },
        {
            trigger: `${TOP} .o_field_widget[name='account_ids']:has(.o_tag:nth-child(2))`,
            content: "The two selected accounts are shown",
        },
        {
            trigger: `${TOP} .o_field_widget[name='qualifying_count']:contains('1')`,
            content: "One account qualifies",
        },
        {
            trigger: `${TOP} .o_patient_no_address_note:contains('${LEFT_OUT}')`,
            content: "The dialog says an account is left out for want of a mailing address",
        },
        {
            trigger: `${TOP} .o_patient_no_address_note .o_field_widget[name='no_address_count']:contains('1')`,
            content: "one account",
        },
        ...produceStatements(),
    ],
});

// ---------------------------------------------------------------- 2. Account form warning

const NO_ADDRESS = "The guarantor has no mailing address";

function openTimeline(name) {
    return [
        {
            trigger: `.o_list_renderer .o_data_row:contains('${name}') td[name='partner_id']`,
            content: `Open the account of ${name}`,
            run: "click",
        },
        {
            trigger: `.o_form_view .o_field_widget[name='partner_id']:contains('${name}')`,
            content: "Its form opens",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Collection Timeline')",
            content: "The Collection Timeline tab",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link.active:contains('Collection Timeline')",
            content: "The tab shows",
        },
    ];
}

tours.add("pc_tours16_account_no_address_warning", {
    steps: () => [
        ...openTimeline("Tourstmt Formnoaddr"),
        {
            trigger: `.o_form_view .o_patient_no_address:contains('${NO_ADDRESS}'):contains('no statement goes out')`,
            content: "Warned: no statement goes out until an address is entered",
        },
        {
            trigger: ".o_breadcrumb a:contains('Patient Accounts')",
            content: "Back to the list",
            run: "click",
        },
        ...openTimeline("Tourstmt Formwithaddr"),
        {
            trigger: ".o_form_view .o_notebook .tab-pane.active:not(:has(.o_patient_no_address))",
            content: "The guarantor has an address: no warning",
        },
    ],
});

// ---------------------------------------------------------------- 3. Reverse of a reversal

tours.add("pc_tours16_reversal_not_reversed", {
    steps: () => [
        ...collectionsMenu("collections_menu_billing", "patient_writeoff_menu", "Write-offs"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Toursixteen Reverser') td[name='reason']",
            content: "Open the write-off reversed by Toursixteen Reverser",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Reversed')",
            content: "The write-off is reversed",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='reversal_move_id'] a",
            content: "Open its reversal entry",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .active:contains('(Reversal of write-off')",
            content: "The reversal entry opens (the write-off's reversal is its reference)",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Posted')",
            content: "It is posted",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button:contains('Reverse Entry')))",
            content: "Odoo's Reverse Entry is not offered on a write-off's own reversal",
        },
    ],
});
