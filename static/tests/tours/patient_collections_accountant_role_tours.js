/** @odoo-module **/

// An accountant's buttons, clicked as an accountant does.  Started (and their
// database effects checked) by tests/test_tours_roles.py.

import { registry } from "@web/core/registry";
import { TOP } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

tours.add("pc_role_accountant_account_buttons", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Books')",
            content: "The account form is open",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_print_statement']",
            content: "Accountants may print the statement",
        },
        {
            trigger:
                ".o_form_view:not(:has(button[name='action_log_interaction'])):not(:has(button[name='action_open_hold'])):not(:has(button[name='action_create_plan'])):not(:has(button[name='action_view_access_log']))",
            content: "No Log Interaction, hold, plan or access log button",
        },
        {
            trigger: ".o_form_view button[name='action_view_invoices']",
            content: "The Invoices button",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourguarantor Books')",
            content: "The account's invoices are listed",
        },
    ],
});

tours.add("pc_role_accountant_board_link", {
    steps: () => [
        {
            trigger:
                "body:not(:has(.o_error_dialog)) .o_list_renderer .o_data_row:contains('Tourguarantor Boardlink')",
            content: "A shared Board link opens the accounts list, not an error",
        },
        {
            trigger: ".o_control_panel .o_breadcrumb:contains('Patient Accounts')",
            content: "the Patient Accounts list",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourguarantor Boardlink') td.o_data_cell",
            content: "Open the account",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Boardlink')",
            content: "The account form opens",
        },
    ],
});

tours.add("pc_role_accountant_partner_balance", {
    steps: () => [
        {
            trigger: ".o_form_view button[name='action_view_patient_accounts']",
            content: "The contact's Patient Balance button",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='balance_due']",
            content: "The patient account opens",
        },
        {
            trigger: ".o_form_view:not(:has(button[name='action_log_interaction']))",
            content: "with no contact button",
        },
    ],
});

tours.add("pc_role_accountant_register_payment", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            content: "The active payment plan is open",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_register_payment']",
            content: "Register Payment",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='amount'] input`,
            content: "The next installment's amount is proposed",
            run() {
                const value = this.anchor.value.replace(/[^0-9.]/g, "");
                if (parseFloat(value) !== 100) {
                    throw new Error(`Register Payment proposes ${this.anchor.value}, not 100.00`);
                }
            },
        },
        {
            trigger: `${TOP} .modal-footer button[name='action_create_payments']:visible`,
            content: "Create the payment",
            run: "click",
        },
        {
            // the payment's own form (its direction radio), not the wizard or the plan
            trigger:
                "body:not(:has(.modal)) .o_form_view:has(.o_field_widget[name='payment_type']) .o_field_widget[name='amount']:contains('100')",
            content: "The payment opens",
        },
    ],
});

tours.add("pc_role_accountant_print_agreement", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_print_agreement']",
            content: "Print Agreement",
            run: "click",
        },
        {
            trigger:
                ".o_action iframe[src*='/report/html/'], .o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_agreement']:enabled",
            content:
                "The agreement is downloaded (wkhtmltopdf present) or shown in the report viewer",
        },
        {
            trigger: ".o_action_manager",
            content: "Back to the record (the report viewer, when shown, is closed)",
            async run(helpers) {
                const back = document.querySelector(".o_breadcrumb li.o_back_button");
                if (document.querySelector(".o_action iframe[src*='/report/html/']") && back) {
                    await helpers.click(back);
                }
            },
        },
        {
            trigger: ".o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_agreement']:enabled",
            content: "The record's form is back",
        },
    ],
});

tours.add("pc_role_accountant_installments_due", {
    steps: () => [
        {
            trigger: ".o_searchview_facet:contains('Active Plans')",
            content: "The Installments list opens on the active plans' due installments",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourguarantor Due')",
            content: "The active plan's installment due today is listed",
        },
        {
            trigger: ".o_list_renderer:not(:has(.o_data_row:contains('Tourguarantor Ended')))",
            content: "not those of a cancelled plan",
        },
    ],
});
