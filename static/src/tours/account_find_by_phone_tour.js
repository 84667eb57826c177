/** @odoo-module **/
/* A specialist's first minutes: the Board opens at login, a caller gives a
   patient's phone number, the account is found from the board's search and
   opened, and the guarantor's contact details are on the form.  Started, and
   its data set up, by tests/test_board_tour.py. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("patient_collections_account_find_by_phone", {
    url: "/odoo",
    steps: () => [
        {
            trigger: ".o_patient_account_kanban .o_kanban_renderer .o_kanban_group",
            content: "Collections users land on the Board",
        },
        {
            trigger: ".o_searchview_input",
            content: "Type the patient's phone number as the caller says it",
            run: "edit 010 4477",
        },
        {
            trigger: ".o_searchview_autocomplete .o_menu_item:contains('Phone')",
            content: "Search the accounts by phone",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains('010 4477')",
            content: "The phone is a search facet",
        },
        {
            trigger:
                ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tourfind Other'))) .o_kanban_record:contains('Tourfind Guarantor')",
            content: "Only the account of the patient's guarantor remains: open it",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='guarantor_phone']:contains('555-0100')",
            content: "The guarantor's phone",
        },
        {
            trigger: ".o_field_widget[name='guarantor_email']:contains('tourfind@example.com')",
            content: "The guarantor's email",
        },
        {
            trigger: ".o_field_widget[name='preferred_channel'] select:has(option:checked:contains('Text message'))",
            content: "The preferred channel",
        },
        {
            trigger: ".o_field_widget[name='best_time'] select:has(option:checked:contains('Evening'))",
            content: "The best time to call",
        },
        {
            trigger: ".o_field_widget[name='contact_tz']:contains('America/Chicago')",
            content: "A guarantor without a time zone is reached in the practice's",
        },
        {
            trigger: "button[name='action_call_guarantor']",
            content: "Click-to-call next to the phone",
        },
        {
            trigger: "button[name='action_log_interaction'][data-hotkey='l']",
            content: "Log Interaction has a hotkey: Alt+L",
            run: "press alt+l",
        },
        {
            trigger: ".modal .modal-title:contains('Log Interaction')",
            content: "Alt+L opened the Log Interaction dialog",
        },
    ],
});
