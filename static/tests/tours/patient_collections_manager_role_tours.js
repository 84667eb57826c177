/** @odoo-module **/

// A collections manager's buttons and wizards, clicked as a manager does.  Started
// (and their database effects checked) by tests/test_tours_roles.py.

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { TOP, dialogClosed, listAction } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- Assign wizard

tours.add("pc_role_manager_assign", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourguarantor Assign Two')",
            content: "The patient accounts list",
        },
        ...listAction(
            ["Tourguarantor Assign One", "Tourguarantor Assign Two"],
            "Assign to Specialists"
        ),
        {
            trigger: `${TOP} .o_field_widget[name='account_count']:contains('2')`,
            content: "Two accounts are selected",
        },
        {
            trigger: `${TOP} .o_field_widget[name='mode'] input[data-value='single']:checked`,
            content: "To one specialist",
        },
        {
            trigger: `${TOP} .o_field_widget[name='user_id'] input`,
            content: "Type the specialist's name",
            run: "edit Tourspecialist Assignee",
        },
        {
            trigger: `${TOP} .o-autocomplete--dropdown-item:contains('Tourspecialist Assignee')`,
            content: "Pick the specialist",
            run: "click",
        },
        {
            trigger: `${TOP} .o_patient_assign_preview tr:contains('Tourspecialist Assignee'):contains('2')`,
            content: "The preview: both accounts go to the specialist",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Assign')`,
            content: "Assign",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer button.btn-primary:contains('Ok')`,
            content: "Confirm the assignment",
            run: "click",
        },
        dialogClosed("Assign to Specialists"),
        {
            trigger:
                ".o_data_row:contains('Tourguarantor Assign One'):contains('Tourspecialist Assignee')",
            content: "The list shows the new specialist",
        },
    ],
});

// ---------------------------------------------------------------- Hold wizard from the list

tours.add("pc_role_manager_list_hold", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourguarantor Listhold')",
            content: "The patient accounts list",
        },
        ...listAction(["Tourguarantor Listhold"], "Hold or Release"),
        {
            trigger: `${TOP} .o_field_widget[name='hold_reason'] select`,
            content: "Why",
            run: 'select "bankruptcy"',
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Apply')`,
            content: "Apply",
            run: "click",
        },
        dialogClosed("Hold or Release"),
        {
            trigger: ".o_data_row:contains('Tourguarantor Listhold') td[name='hold_reason']:contains('Bankruptcy')",
            content: "The list shows the hold",
        },
    ],
});

// ---------------------------------------------------------------- Void wizard

tours.add("pc_role_manager_void", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Left voicemail')",
            content: "The interactions list",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Left voicemail') td[name='outcome']",
            content: "Open the interaction",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Void')",
            content: "Void",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='reason'] input`,
            content: "Why",
            run: "edit Logged on the wrong account",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Void')`,
            content: "Void it",
            run: "click",
        },
        dialogClosed("Void"),
        {
            trigger: ".o_form_view .ribbon:contains('Voided')",
            content: "The interaction is void",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='void_reason']:contains('Logged on the wrong account')",
            content: "with its reason",
        },
    ],
});

tours.add("pc_role_manager_void_from_list", {
    steps: () => [
        ...listAction(["Reached"], "Void"),
        {
            trigger: `${TOP} .o_field_widget[name='reason'] input`,
            content: "Why",
            run: "edit Duplicate entry",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Void')`,
            content: "Void it",
            run: "click",
        },
        dialogClosed("Void"),
        {
            trigger: ".o_data_row:contains('Reached') td[name='state']:contains('Voided')",
            content: "The list shows it voided",
        },
    ],
});

// ---------------------------------------------------------------- Run now

tours.add("pc_role_manager_run_now", {
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='patient_collections.collections_menu_root']",
            content: "Open the Collections app",
            run: "click",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='patient_collections.collections_menu_reporting']",
            content: "The Reporting menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='patient_collections.patient_collection_run_menu']",
            content: "Collections Runs",
            run: "click",
        },
        {
            trigger: "button[name='action_run_now']",
            content: "Run Now",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='trigger']:contains('Run now')",
            content: "The run's record opens",
        },
    ],
});

// ---------------------------------------------------------------- stage and access log

tours.add("pc_role_manager_stage_and_access_log", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Stage')",
            content: "The account form is open",
        },
        {
            trigger: ".o_statusbar_status button:contains('Second statement')",
            content: "Move the account to Second statement",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Second statement')",
            content: "The stage changed",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Second statement')",
            content: "The move is tracked in the chatter",
        },
        {
            trigger: ".o_form_view button[name='action_view_access_log']",
            content: "Access Log",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row td[name='event']",
            content: "The account's access log lists who opened it",
        },
    ],
});

// ---------------------------------------------------------------- collections settings

tours.add("pc_role_manager_settings", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='collections_max_calls'] input",
            content: "Configuration > Collections Settings: at most six calls",
            run: "edit 6",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='collections_portal_min_payment'] input",
            content: "Online payments: at least 10.00 when paying another amount",
            run: "edit 10",
        },
        ...stepUtils.saveForm(),
    ],
});
