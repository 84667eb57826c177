/** @odoo-module **/
/* The dialogs as a user far from the practice's time zone meets them, and the
   Send Statements dialog's minimum balance.  Started (and their effects checked)
   by tests/test_dialog_tours.py. */

import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const DIALOG = ".modal:not(.o_inactive_modal)";

// A specialist a day behind the practice opens the Payment Plan dialog: its first
// due date is the practice's today, so the proposed schedule previews (no "in the
// past" problem) and is confirmed as it is.
tours.add("patient_collections_plan_dialog_practice_day", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourdates Guarantor')",
            content: "The account form is open",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_create_plan']",
            content: "Open the Payment Plan dialog",
            run: "click",
        },
        {
            trigger: `${DIALOG} .modal-title:contains('Payment Plan')`,
            content: "The Payment Plan dialog opens",
        },
        {
            trigger: `${DIALOG}:not(:has(.alert-warning:visible)) .o_field_widget[name='preview_html'] tbody tr:nth-child(3):contains('Installment 3')`,
            content: "The proposed schedule previews, without a problem",
        },
        {
            trigger: `${DIALOG} .modal-footer button:contains('Confirm Plan')`,
            content: "Confirm",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Payment Plan')))",
            content: "The dialog is closed",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            content: "The plan is active",
        },
    ],
});

// A minimum balance of zero is refused with a message saying why.
tours.add("patient_collections_statement_min_balance", {
    steps: () => [
        {
            trigger: `${DIALOG} .modal-title:contains('Send Statements')`,
            content: "The Send Statements dialog is open",
        },
        {
            trigger: `${DIALOG} .o_field_widget[name='min_balance'] input`,
            content: "Ask for a minimum balance of zero",
            run: "edit 0 && press Tab",
        },
        {
            trigger: `${DIALOG} .modal-footer button:contains('Produce Statements')`,
            content: "Produce the statements",
            run: "click",
        },
        {
            trigger: ".modal .modal-body:contains('must be above zero')",
            content: "Refused: statements go only to guarantors who owe something",
        },
        {
            trigger: ".modal:has(.modal-body:contains('must be above zero')) .modal-footer .btn-primary",
            content: "Close the message",
            run: "click",
        },
        {
            trigger: `${DIALOG} .modal-footer button:contains('Cancel')`,
            content: "Leave the dialog",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Send Statements')))",
            content: "The dialog is closed",
        },
    ],
});
