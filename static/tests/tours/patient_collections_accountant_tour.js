/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// An accountant opens a patient account: balances yes, notes and contact buttons no.
registry.category("web_tour.tours").add("patient_collections_accountant_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='patient_collections.collections_menu_root']",
            content: "Open the Collections app",
            run: "click",
        },
        {
            trigger: ".o_list_renderer",
            content: "Accountants land on the list of patient accounts",
        },
        {
            trigger: ".o_searchview_facet .o_facet_remove",
            content: "Show every account, not only the ones with a balance",
            run: "click",
        },
        {
            trigger: ".o_data_row .o_data_cell[name='name']:contains('PA')",
            content: "Open the account",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='balance_due']",
            content: "The balance is shown",
        },
        {
            trigger:
                ".o_form_view:not(:has(.o_field_widget[name='hold_note'])):not(:has(button[name='action_log_interaction']))",
            content: "No hold note, no contact button",
        },
    ],
});
