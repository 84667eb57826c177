/** @odoo-module **/
/* An accountant names the patient of an invoice posted without one (before the
   module was installed): the guarantor's account opens with it.  Started (and
   its database effects checked) by tests/test_existing_invoices.py: once for a
   contact already a patient, once for a customer the practice invoiced before
   it installed the module (not yet a patient: the field offers them too). */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

function namePatientSteps(name) {
    return [
        {
            trigger: `.o_form_view .o_field_widget[name='partner_id']:contains('${name}')`,
            content: "The posted invoice is open",
        },
        {
            trigger: ".o_form_view .badge:contains('Posted'), .o_form_view .o_arrow_button_current:contains('Posted')",
            content: "It is posted",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='patient_id'] input",
            content: "Name the patient",
            run: `edit ${name}`,
        },
        {
            trigger: `.o_field_widget[name='patient_id'] .o-autocomplete--dropdown-item a:contains('${name}')`,
            content: "Pick the patient",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            trigger: ".o_form_view .o_notebook a:contains('Patient & EOB')",
            content: "The Patient & EOB tab",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='patient_account_id'] :contains('PA')",
            content: "The invoice is on the guarantor's patient account",
        },
    ];
}

registry.category("web_tour.tours").add("pc_existing_invoice_patient", {
    steps: () => namePatientSteps("Testperson Gamma"),
});

registry.category("web_tour.tours").add("pc_existing_customer_patient", {
    steps: () => namePatientSteps("Testcustomer Onboard"),
});
