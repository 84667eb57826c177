/** @odoo-module **/
/* The dialogs as a user far from the practice's time zone meets them, and the
   Send Statements dialog's minimum balance.  Started (and their effects checked)
   by tests/test_dialog_tours.py. */

import { registry } from "@web/core/registry";

// the dialog on top (not one under an error message)
const TOP = ".modal:not(.o_inactive_modal)";

/** A step from a row [what is checked or done, where, what to do (optional)]. */
function toStep([content, trigger, run]) {
    return run ? { content, trigger, run } : { content, trigger };
}

function closed(title) {
    return ["The dialog is closed", `body:not(:has(.modal .modal-title:contains('${title}')))`];
}

// A specialist a day behind the practice opens the Payment Plan dialog: its first
// due date is the practice's today, so the proposed schedule previews (no "in the
// past" problem) and is confirmed as it is.
registry.category("web_tour.tours").add("patient_collections_plan_dialog_practice_day", {
    steps: () =>
        [
            [
                "The account form is open",
                ".o_form_view .o_field_widget[name='partner_id']:contains('Tourdates Guarantor')",
            ],
            [
                "Open the Payment Plan dialog",
                ".o_form_view .o_form_statusbar button[name='action_create_plan']",
                "click",
            ],
            ["The Payment Plan dialog opens", `${TOP} .modal-title:contains('Payment Plan')`],
            [
                "The proposed schedule previews, without a problem",
                `${TOP}:not(:has(.alert-warning:visible)) .o_field_widget[name='preview_html'] tbody tr:nth-child(3):contains('Installment 3')`,
            ],
            ["Confirm", `${TOP} .modal-footer button:contains('Confirm Plan')`, "click"],
            closed("Payment Plan"),
            [
                "The plan is active",
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            ],
        ].map(toStep),
});

// A minimum balance of zero is refused with a message saying why.
registry.category("web_tour.tours").add("patient_collections_statement_min_balance", {
    steps: () =>
        [
            ["The Send Statements dialog is open", `${TOP} .modal-title:contains('Send Statements')`],
            [
                "Ask for a minimum balance of zero",
                `${TOP} .o_field_widget[name='min_balance'] input`,
                "edit 0 && press Tab",
            ],
            [
                "Produce the statements",
                `${TOP} .modal-footer button:contains('Produce Statements')`,
                "click",
            ],
            [
                "Refused: statements go only to guarantors who owe something",
                ".modal .modal-body:contains('must be above zero')",
            ],
            [
                "Close the message",
                ".modal:has(.modal-body:contains('must be above zero')) .modal-footer .btn-primary",
                "click",
            ],
            ["Leave the dialog", `${TOP} .modal-footer button:contains('Cancel')`, "click"],
            closed("Send Statements"),
        ].map(toStep),
});
