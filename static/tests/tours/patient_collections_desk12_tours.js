/** @odoo-module **/

// Dialog paths that had only API tests, clicked as their role does.  Started (and
// their database effects checked) by tests/test_desk12_tours.py.
//  - Assign to Specialists in Round-robin and Balanced mode: the mode switch in the
//    dialog runs the onchange (these modes crashed there: TypeError/KeyError).
//  - The same as a manager without an email address: assigned, and warned.
//  - Aged Balances' Print PDF on a day with no snapshot: the warning the user reads.

import { registry } from "@web/core/registry";
import { TOP, collectionsMenu, listAction } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");
const ASSIGN_ONE = "Tourspecialist Deskone";
const ASSIGN_TWO = "Tourspecialist Desktwo";

function pickSpecialist(name) {
    return [
        {
            trigger: `${TOP} .o_field_widget[name='user_ids'] input`,
            content: `Type ${name}`,
            run: `edit ${name}`,
        },
        {
            trigger: `${TOP} .o-autocomplete--dropdown-item:contains('${name}')`,
            content: `Pick ${name}`,
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='user_ids'] .o_tag:contains('${name}')`,
            content: `${name} is chosen`,
        },
    ];
}

/** From the accounts list: select ``rows``, open the dialog, switch to ``mode``,
 * choose the two specialists and check the preview's ``preview`` rows. */
function assignSteps(rows, mode, preview) {
    return [
        {
            trigger: `.o_list_renderer .o_data_row:contains('${rows[rows.length - 1]}')`,
            content: "The patient accounts list",
        },
        ...listAction(rows, "Assign to Specialists"),
        {
            trigger: `${TOP} .o_field_widget[name='account_count']:contains('${rows.length}')`,
            content: "The selected accounts are counted",
        },
        {
            trigger: `${TOP} .o_field_widget[name='mode'] input[data-value='${mode}']`,
            content: `Switch to ${mode}`,
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='mode'] input[data-value='${mode}']:checked`,
            content: `${mode} is the mode`,
        },
        {
            trigger: `${TOP} .o_field_widget[name='user_ids']`,
            content: "The specialists field shows in this mode",
        },
        ...pickSpecialist(ASSIGN_ONE),
        ...pickSpecialist(ASSIGN_TWO),
        ...preview.map(([name, count, amount]) => ({
            trigger: `${TOP} .o_patient_assign_preview tr:contains('${name}'):has(td:nth-child(2):contains('${count}')):contains('${amount}')`,
            content: `The preview: ${name} gets ${count} account(s), ${amount}`,
        })),
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
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Assign to Specialists')))",
            content: "The dialog is closed",
        },
    ];
}

tours.add("pc_desk12_assign_round_robin", {
    steps: () => [
        ...assignSteps(
            ["Tourrobin One", "Tourrobin Two", "Tourrobin Three", "Tourrobin Four"],
            "round_robin",
            [
                [ASSIGN_ONE, "2", "200.00"],
                [ASSIGN_TWO, "2", "200.00"],
            ]
        ),
        ...["One", "Two", "Three", "Four"].map((n) => ({
            trigger: `.o_data_row:contains('Tourrobin ${n}') td[name='user_id']:contains('Tourspecialist Desk')`,
            content: `The list shows Tourrobin ${n}'s new specialist`,
        })),
        {
            trigger: `.o_list_renderer:has(.o_data_row td[name='user_id']:contains('${ASSIGN_ONE}')):has(.o_data_row td[name='user_id']:contains('${ASSIGN_TWO}'))`,
            content: "Both specialists got accounts",
        },
    ],
});

// A manager whose user has no email address: Odoo's assignment email cannot go
// out, the accounts are assigned all the same and a warning says why no email went.
tours.add("pc_desk12_assign_no_email", {
    steps: () => [
        ...assignSteps(
            ["Tournomail One", "Tournomail Two"],
            "round_robin",
            [
                [ASSIGN_ONE, "1", "100.00"],
                [ASSIGN_TWO, "1", "100.00"],
            ]
        ),
        {
            trigger: ".o_notification:contains('were not emailed'):contains('My Preferences')",
            content: "The warning: no email went to the specialists, and how to fix it",
        },
        {
            trigger: `.o_data_row:contains('Tournomail Two') td[name='user_id']:contains('Tourspecialist Desk')`,
            content: "The accounts are assigned",
        },
    ],
});

tours.add("pc_desk12_assign_balanced", {
    steps: () => [
        ...assignSteps(
            ["Tourbalance Large", "Tourbalance Middle", "Tourbalance Small"],
            "balanced",
            [
                [ASSIGN_ONE, "1", "500.00"],
                [ASSIGN_TWO, "2", "500.00"],
            ]
        ),
        {
            trigger: `.o_data_row:contains('Tourbalance Large') td[name='user_id']:contains('${ASSIGN_ONE}')`,
            content: "The largest balance went to the first specialist",
        },
        {
            trigger: `.o_data_row:contains('Tourbalance Middle') td[name='user_id']:contains('${ASSIGN_TWO}')`,
            content: "the two smaller ones to the second",
        },
        {
            trigger: `.o_data_row:contains('Tourbalance Small') td[name='user_id']:contains('${ASSIGN_TWO}')`,
            content: "the two smaller ones to the second",
        },
    ],
});

tours.add("pc_desk12_aging_no_snapshot", {
    steps: () => [
        ...collectionsMenu("collections_menu_reporting", "patient_aging_report_menu", "Aged Balances"),
        {
            trigger: `${TOP} .o_field_widget[name='as_of_date'] input`,
            content: "A past day the run never ran",
            run: "edit 01/15/2025",
        },
        {
            trigger: `${TOP} .modal-title`,
            content: "Leave the date field",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='as_of_date'] input:value(01/15/2025)`,
            content: "The day is set",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Print PDF')`,
            content: "Print PDF",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-body:contains('There is no snapshot of 01/15/2025'):contains('Choose a day the run ran, or today for the live balances')`,
            content: "The warning says why and what to do",
        },
        {
            trigger: `${TOP}:not(:has(.o_error_detail)):not(:has(.modal-title:contains('Server Error')))`,
            content: "a warning, not a server error",
        },
        {
            trigger: `${TOP} .modal-footer button.btn-primary`,
            content: "Close the warning",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Print PDF')`,
            content: "Back on the report's dialog, the day can be changed",
        },
    ],
});

// The Board: cards move between stages, the stage columns themselves do not (their
// order is the escalation order of the daily run, set in Configuration > Stages).
tours.add("pc_desk12_board_columns_fixed", {
    steps: () => [
        {
            trigger: ".o_kanban_renderer .o_kanban_group .o_kanban_record:contains('Tourboard Columns')",
            content: "The Board with the account",
        },
        {
            trigger: ".o_kanban_record.o_draggable:contains('Tourboard Columns')",
            content: "The card can be dragged to another stage",
        },
        {
            trigger: ".o_kanban_renderer:has(.o_kanban_group):not(:has(.o_kanban_group.o_group_draggable))",
            content: "No stage column can be dragged",
        },
    ],
});
