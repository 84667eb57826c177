/** @odoo-module **/

// The desk's new refusals and filters, clicked as their role does.  Started (and
// their database effects checked) by tests/test_desk13_tours.py.
//  - A specialist releasing a bankruptcy hold from the Hold dialog is told to ask
//    a manager; the hold stays.
//  - A specialist unticking Cease Communication is told a manager lifts it; a
//    manager lifts it and the change is in the chatter.
//  - Today's Callbacks in the Interactions list: the overdue callback (asked for last
//    month) not made.
//  - A specialist opens the Interactions list from the Follow-up menu: My
//    Interactions and Today's Callbacks show their own overdue callback, not another
//    specialist's, not the one made.

import { registry } from "@web/core/registry";
import {
    TOP,
    applyFilter,
    collectionsMenu,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

function errorDialog(words) {
    return [
        {
            trigger: `.modal .modal-body:contains('${words}')`,
            content: `The user is told: ${words}`,
        },
        {
            trigger: `${TOP} .modal-footer button.btn-primary`,
            content: "Close the message",
            run: "click",
        },
    ];
}

function contactRulesTab() {
    return {
        trigger: ".o_form_view .o_notebook .nav-link:contains('Contact Rules')",
        content: "Open the Contact Rules tab",
        run: "click",
    };
}

function untickCease() {
    return [
        contactRulesTab(),
        {
            trigger: ".o_form_view .o_field_widget[name='cease_communication'] input:checked",
            content: "Cease Communication is ticked",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            content: "Save",
            run: "click",
        },
    ];
}

tours.add("pc_desk13_release_bankruptcy_refused", {
    steps: () => [
        {
            trigger: ".o_form_view .ribbon:contains('On Hold')",
            content: "The account is on hold",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Release Hold')",
            content: "Release Hold",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='action'] input[data-value='release']:checked`,
            content: "The dialog proposes the release",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Apply')`,
            content: "Apply",
            run: "click",
        },
        ...errorDialog("Only a collections manager releases a bankruptcy or deceased hold"),
        {
            trigger: `${TOP} .modal-footer button:contains('Cancel'), ${TOP} .modal-footer button:contains('Discard')`,
            content: "Close the Hold dialog",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "No dialog left",
        },
        {
            trigger: ".o_form_view .ribbon:contains('On Hold')",
            content: "Still on hold",
        },
    ],
});

tours.add("pc_desk13_lift_cease_refused", {
    steps: () => [
        ...untickCease(),
        ...errorDialog("Only a collections manager lifts a request to cease communication"),
        {
            trigger: ".o_form_view .o_form_button_cancel",
            content: "Discard the change",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='cease_communication'] input:checked",
            content: "Cease Communication is still ticked",
        },
    ],
});

tours.add("pc_desk13_manager_lifts_cease", {
    steps: () => [
        ...untickCease(),
        {
            trigger: ".o_form_view .o_form_saved",
            content: "Saved",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='cease_communication'] input:not(:checked)",
            content: "Cease Communication is lifted",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Cease Communication')",
            content: "The change is in the chatter",
        },
    ],
});

tours.add("pc_desk13_todays_callbacks", {
    steps: () => [
        {
            // asked for last month: no default Date filter hides it
            trigger: ".o_list_renderer .o_data_row:contains('Tourcallback Waiting')",
            content: "The interactions list, as it opens",
        },
        ...applyFilter("Today's Callbacks"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourcallback Waiting')",
            content: "The overdue callback is listed",
        },
        {
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Tourcallback Made')))",
            content: "The callback already made is not",
        },
    ],
});

tours.add("pc_desk13_specialist_interactions_menu", {
    steps: () => [
        ...collectionsMenu("collections_menu_followup", "patient_interaction_menu", "Interactions"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourmine Waiting')",
            content: "The interactions list opens for the specialist",
        },
        ...applyFilter("My Interactions"),
        {
            // the filters menu stays open
            trigger: `.o_filter_menu .o-dropdown-item:contains("Today's Callbacks")`,
            content: "Today's Callbacks",
            run: "click",
        },
        {
            trigger: `.o_searchview_facet:contains("Today's Callbacks")`,
            content: "The Today's Callbacks filter is on",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourmine Waiting')",
            content: "The specialist's overdue callback is listed",
        },
        {
            trigger:
                ".o_list_renderer:not(:has(.o_data_row:contains('Tourmine Made'))):not(:has(.o_data_row:contains('Tourtheirs Waiting')))",
            content: "Not the callback already made, nor another user's",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourmine Waiting') td.o_data_cell",
            content: "Open it",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='outcome']",
            content: "The interaction's form",
        },
    ],
});
