/** @odoo-module **/

// Clicked as the role that meets it.  Started (and its database effects checked)
// by tests/test_tours18_moves.py.
//  1. An accountant names the patient of invoices posted before the module: from
//     Invoicing > Customers > Invoices, the "Without patient" filter, two
//     invoices of one guarantor selected and their patient named once in the
//     Patient column (the list's multi-edit: one write for both).

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { TOP, applyFilter } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

const ROW = ".o_list_renderer .o_data_row";
const FIRST = `${ROW}:contains('Tourmove Parent'):contains('111.00')`;
const SECOND = `${ROW}:contains('Tourmove Parent'):contains('222.00')`;

tours.add("pc_tours18_moves_name_patients", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            content: "Open the Invoicing app",
            run: "click",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='account.menu_finance_receivables']",
            content: "Customers",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='account.menu_action_move_out_invoice_type']",
            content: "Invoices",
            run: "click",
        },
        {
            trigger: `${ROW}:contains('Tourmove Named')`,
            content: "The invoices are listed, one naming its patient already",
        },
        ...applyFilter("Without patient"),
        {
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Tourmove Named'))) .o_data_row:contains('Tourmove Other')",
            content: "Only the invoices without a patient are left",
        },
        {
            trigger: `${FIRST} .o_list_record_selector input`,
            content: "Select the guarantor's first invoice",
            run: "check",
        },
        {
            trigger: `${SECOND} .o_list_record_selector input`,
            content: "and the second",
            run: "check",
        },
        {
            trigger: `${FIRST} .o_data_cell[name='patient_id']`,
            content: "The Patient column",
            run: "click",
        },
        {
            trigger: `${FIRST} .o_field_widget[name='patient_id'] input`,
            content: "Name the patient",
            run: "edit Tourmove Child",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tourmove Child')",
            content: "Pick the patient",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer .btn-primary:contains('Confirm')`,
            content: "Confirm the change on both invoices",
            run: "click",
        },
        {
            trigger: `${FIRST} .o_data_cell[name='patient_id']:contains('Tourmove Child')`,
            content: "The first invoice names the patient",
        },
        {
            trigger: `${SECOND} .o_data_cell[name='patient_id']:contains('Tourmove Child')`,
            content: "and the second",
        },
        {
            trigger: `${ROW}:contains('Tourmove Other') .o_data_cell[name='patient_id']:not(:contains('Tourmove'))`,
            content: "The other customer's invoice is left alone",
        },
    ],
});
