/** @odoo-module **/
/* A specialist tries to resolve an account that still owes: dragged to the
   Resolved column of the board, then clicked in the form's stage bar. Both are
   refused with the amount still owed, and the account stays in its stage.
   Started by tests/test_resolved_move.py, which checks the stage afterwards. */

import { registry } from "@web/core/registry";

const CARD = ".o_kanban_record:contains('Resolvedperson Tour')";
const NEW_COLUMN = ".o_kanban_group:has(.o_column_title:contains('New'))";
const RESOLVED_COLUMN = ".o_kanban_group:has(.o_column_title:contains('Resolved'))";

function refusalShownAndClosed(where) {
    return [
        {
            trigger: ".modal .modal-body:contains('still owed'):contains('Record the payment')",
            content: `${where}: the move is refused with the amount still owed`,
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            content: "Close the message",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The message is closed",
        },
    ];
}

registry.category("web_tour.tours").add("patient_collections_resolved_move_tour", {
    url: "/odoo/action-patient_collections.patient_account_board_action",
    steps: () => [
        {
            trigger: `${NEW_COLUMN} ${CARD}`,
            content: "Drag the account to Resolved",
            run: `drag_and_drop(${RESOLVED_COLUMN})`,
        },
        ...refusalShownAndClosed("Board"),
        {
            trigger: `${NEW_COLUMN} ${CARD}`,
            content: "The card is back in its stage: open it",
            run: "click",
        },
        {
            // Resolved is folded: the stage bar lists it under its "..." button
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button.dropdown-toggle.o_first",
            content: "Open the stage bar's folded stages",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains('Resolved')",
            content: "Choose Resolved",
            run: "click",
        },
        ...refusalShownAndClosed("Form"),
        {
            trigger: ".o_form_view .o_form_button_cancel",
            content: "Discard the refused change",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('New')",
            content: "The account is still New",
        },
    ],
});
