/** @odoo-module **/

// A specialist follows the account's guarantor to their contact and reads the
// medical record number on its Patient tab: an open of patient data that the
// access log records (tests/test_access_log_contact_tour.py).

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("pc_contact_open_from_account", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id'] a.o_form_uri",
            content: "Open the guarantor's contact from the account",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Patient')",
            content: "Open the contact's Patient tab",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_field_widget[name='patient_mrn'] input:value(MRN-TOUR-77), " +
                ".o_form_view .o_field_widget[name='patient_mrn']:contains(MRN-TOUR-77)",
            content: "The medical record number is shown",
        },
    ],
});
