/** @odoo-module **/
/* A manager's morning on the Board: column totals in the company's currency,
   the "Today's Callbacks" and "Promises Due" filters, the card of an
   account whose promise is due today, and Ctrl+K finding an account by number.  Started by tests/test_board_tour.py. */

import { registry } from "@web/core/registry";

function toggleFilter(name) {
    return [
        {
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            content: "Open the filters",
            run: "click",
        },
        {
            trigger: `.o_filter_menu .o-dropdown-item:contains("${name}")`,
            content: `Filter: ${name}`,
            run: "click",
        },
        {
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            content: "Close the filters",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("patient_collections_board_manager_filters", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_patient_account_kanban .o_kanban_renderer .o_kanban_record:contains('Tourboard Promise')",
            content: "The manager lands on the Board, every account in view",
        },
        {
            trigger: ".o_kanban_group:has(.o_kanban_record:contains('Tourboard Promise')) .o_kanban_header .o_animated_number:contains('$')",
            content: "The column's total is in the company's currency",
        },
        ...toggleFilter("Today's Callbacks"),
        {
            trigger:
                ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tourboard Promise'))) .o_kanban_record:contains('Tourboard Callback')",
            content: "Only the account with a call to make today",
        },
        ...toggleFilter("Today's Callbacks"),
        ...toggleFilter("Promises Due"),
        {
            trigger:
                ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tourboard Callback'))) .o_kanban_record:contains('Tourboard Promise') .o_patient_promise_due_today",
            content: "Only the promise due today, marked on its card",
        },
        {
            trigger: "body",
            content: "Ctrl+K: the command palette",
            run: "press control+k",
        },
        {
            trigger: ".o_command_palette_search input",
            content: "Type part of an account number",
            run: "edit TOUR0042",
        },
        {
            trigger: ".o_command_palette .o_command:contains('PATOUR0042')",
            content: "The account is found by its number: open it",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='name']:contains('PATOUR0042')",
            content: "The account's form",
        },
    ],
});
