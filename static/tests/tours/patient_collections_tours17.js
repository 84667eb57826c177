/** @odoo-module **/

// Clicked as the role that meets it.  Started (and its database effects checked)
// by tests/test_tours17.py.
//  1. A collections manager who keeps the books picks the bad-debt write-off
//     account on the Collections Settings form: offered the practice's expense
//     accounts, not another company's, not an equity or a revenue account.

import { registry } from "@web/core/registry";
import { collectionsMenu } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

const BAD_DEBT = ".o_field_widget[name='collections_writeoff_account_bad_debt_id']";
const OFFERED = ".o-autocomplete--dropdown-menu";

tours.add("pc_tours17_writeoff_account_choice", {
    steps: () => [
        ...collectionsMenu("collections_menu_config", "collections_company_settings_menu", "Collections Settings"),
        {
            trigger: `.o_form_view ${BAD_DEBT} input`,
            content: "The bad-debt write-off account",
            run: "edit Tourwo",
        },
        {
            trigger: `${OFFERED} .o-autocomplete--dropdown-item:contains('Tourwo practice expense')`,
            content: "The practice's expense account is offered",
        },
        {
            trigger: `${OFFERED}:not(:has(.o-autocomplete--dropdown-item:contains('Tourwo other clinic expense'))):not(:has(.o-autocomplete--dropdown-item:contains('Tourwo owner equity'))):not(:has(.o-autocomplete--dropdown-item:contains('Tourwo revenue')))`,
            content: "Not another company's, not equity, not revenue",
        },
        {
            trigger: `${OFFERED} .o-autocomplete--dropdown-item:contains('Tourwo practice expense') a`,
            content: "Choose it",
            run: "click",
        },
        {
            trigger: `.o_form_view ${BAD_DEBT} input:value('Tourwo practice expense')`,
            content: "Chosen",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
            content: "Saved",
        },
    ],
});
