/** @odoo-module **/

// A collections manager finds the accounts whose statement could not go out for
// want of a mailing address: from the run's count, then with the accounts'
// "No Mailing Address" filter (tests/test_statement_address.py).

import { registry } from "@web/core/registry";
import { applyFilter } from "@patient_collections/../tests/tours/tour_steps";

registry.category("web_tour.tours").add("pc_address15_manager_finds_unmailed", {
    steps: () => [
        {
            trigger:
                ".o_field_widget[name='line_ids'] .o_data_row:contains('no mailing address') " +
                "button[name='action_open_accounts']",
            content: "The run's count of statements not sent: open its accounts",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tournoaddress Guarantor')",
            content: "The account without a mailing address is listed",
        },
        {
            trigger: "body:not(:has(.o_data_row:contains('Tourwithaddress Guarantor')))",
            content: "The account with an address is not",
        },
        ...applyFilter("No Mailing Address"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tournoaddress Guarantor')",
            content: "The filter finds it",
        },
    ],
});
