/** @odoo-module **/
/* Issue 14, as the roles that do it: an accountant's payment reaching the plan
   across time zones, a manager's morning (run, the accounts behind a reason,
   bulk assignment with preview and confirmation), "Run now" handing the rest to
   the scheduled action, and the statement settings seen on the printed
   statement.  Started (and their database effects checked) by
   tests/test_tours_manager_accountant.py. */

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");
const DIALOG = ".modal:not(.o_inactive_modal)";

const runNow = {
    trigger: "button[name='action_run_now']",
    content: "Collections Runs: Run Now",
    run: "click",
};

// ---------------------------------------------------------------- accountant

tours.add("pc14_accountant_pays_across_time_zones", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourtz Guarantor')",
            content: "The guarantor's posted invoice is open",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_register_payment']:visible",
            content: "Pay (Odoo's Register Payment)",
            run: "click",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='payment_date'] input`,
            content: "The payment is dated by the accountant's own calendar (Honolulu)",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='amount'] input`,
            content: "One installment: 100.00",
            run: "edit 100 && press Tab",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='payment_difference'], ${DIALOG} .o_field_widget[name='payment_difference_handling']`,
            content: "A partial payment: the rest stays open",
        },
        {
            trigger: `${DIALOG} .modal-footer button[name='action_create_payments']:visible`,
            content: "Create the payment",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The dialog is closed",
        },
        {
            trigger: ".o_form_view .ribbon:contains('Partial'), .o_form_view .ribbon:contains('In Payment')",
            content: "The invoice is partly paid",
        },
    ],
});

// ---------------------------------------------------------------- manager's morning

tours.add("pc14_manager_morning", {
    steps: () => [
        runNow,
        {
            trigger: ".o_form_view .o_field_widget[name='trigger']:contains('Run now')",
            content: "The run ran at once (small data) and its record opens",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='state'] .o_arrow_button_current:contains('Done')",
            content: "The run is done",
        },
        {
            trigger:
                ".o_field_widget[name='line_ids'] .o_data_row:contains('On hold') button[name='action_open_accounts']",
            content: "The accounts behind the reason 'On hold'",
            run: "click",
        },
        {
            trigger:
                ".o_list_renderer:not(:has(.o_data_row:contains('Tourmorning Moves'))) .o_data_row:contains('Tourmorning Held Two')",
            content: "Only the accounts held back by their hold are listed",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourmorning Held One')",
            content: "both of them",
        },
        {
            trigger: ".o_list_renderer thead .o_list_record_selector input",
            content: "Select all the accounts behind the reason",
            run: "check",
        },
        {
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            content: "Open the Actions menu",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Assign to Specialists')",
            content: "Assign to Specialists",
            run: "click",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='account_count']:contains('2')`,
            content: "Two accounts are selected",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='user_id'] input`,
            content: "Type the specialist's name",
            run: "edit Tourmorning Assignee",
        },
        {
            trigger: `${DIALOG} .o-autocomplete--dropdown-item:contains('Tourmorning Assignee')`,
            content: "Pick the specialist",
            run: "click",
        },
        {
            trigger: `${DIALOG} .o_patient_assign_preview tr:contains('Tourmorning Assignee'):contains('2')`,
            content: "The preview: who gets how many accounts",
        },
        {
            trigger: `${DIALOG} .modal-footer button:contains('Assign')`,
            content: "Assign",
            run: "click",
        },
        {
            trigger: `${DIALOG} .modal-body:contains('as the preview shows')`,
            content: "The manager is asked to confirm",
        },
        {
            trigger: `${DIALOG} .modal-footer button.btn-primary:contains('Ok')`,
            content: "Confirm",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The dialogs are closed",
        },
        {
            trigger: ".o_data_row:contains('Tourmorning Held One'):contains('Tourmorning Assignee')",
            content: "The list shows the new specialist",
        },
    ],
});

// ---------------------------------------------------------------- Run now hands over

tours.add("pc14_manager_run_now_hands_over", {
    steps: () => [
        runNow,
        {
            trigger: ".o_notification:contains('The run goes on in the background')",
            content: "The manager is told the rest runs in the background",
        },
        {
            trigger: ".o_notification:contains('scheduled action')",
            content: "by the scheduled action",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='state'] .o_arrow_button_current:contains('Running')",
            content: "The run's record opens, still running",
        },
    ],
});

// ---------------------------------------------------------------- statement settings

tours.add("pc14_manager_statement_settings", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='collections_remit_to_address'] textarea",
            content: "Collections Settings: where payments are mailed",
            // two lines: the run string parser takes one line only
            async run(helpers) {
                await helpers.edit("PO Box 7788\nSpringfield, IL 62704");
            },
        },
        {
            trigger: ".o_form_view .o_field_widget[name='collections_billing_phone'] input",
            content: "The billing phone",
            run: "edit +1 555 0177 && press Tab",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='collections_office_hours'] input",
            content: "The office hours",
            run: "edit Monday to Thursday, 9 am to 4 pm && press Tab",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='collections_tz'] select",
            content: "The practice's time zone",
            run: 'select "America/Denver"',
        },
        ...stepUtils.saveForm(),
    ],
});

tours.add("pc14_manager_prints_statement", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourstatement Guarantor')",
            content: "The account form is open",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_print_statement']",
            content: "Print Statement",
            run: "click",
        },
        {
            trigger:
                ".o_action iframe[src*='/report/html/'], .o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_statement']:enabled",
            content: "The statement is downloaded (or shown in the report viewer)",
        },
    ],
});

// ---------------------------------------------------------------- statement link

tours.add("pc_manager_replaces_statement_link", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourlink Guarantor')",
            content: "The account is open",
        },
        {
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Collection Timeline')",
            content: "The Collection Timeline tab: the statements",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook button[name='action_new_portal_link']:visible",
            content: "New Statement Link",
            run: "click",
        },
        {
            trigger: `${DIALOG} .modal-body:contains('no longer open the account')`,
            content: "The manager is asked to confirm",
        },
        {
            trigger: `${DIALOG} .modal-footer button.btn-primary`,
            content: "Confirm",
            run: "click",
        },
        {
            trigger: ".o-mail-Message:contains('Statement link replaced')",
            content: "The chatter says the link was replaced",
        },
    ],
});
