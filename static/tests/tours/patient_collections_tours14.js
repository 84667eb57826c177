/** @odoo-module **/

// Last session's dialogs clicked as their role does.  Started (and their
// database effects checked) by tests/test_tours14.py.
//  1. The hold dialog on an account on a Dispute hold: a weaker hold (a promise
//     to pay) is refused, the account stays on its Dispute hold.
//  2. Send Statements on three selected accounts (an ordinary one, one whose
//     guarantor is at night, one on a bankruptcy hold): two qualify, even with
//     Skip Accounts on Hold unticked; both statements go out by email.
//  3. The 501(r) gate in Settings: ticked, its two day counts set and saved; the
//     day counts hide again when it is unticked.
//  4. The Interactions list (a manager's menu) shows the person contacted.

import { registry } from "@web/core/registry";
import { formatDate } from "@web/core/l10n/dates";
import {
    TOP,
    collectionsMenu,
    dialogClosed,
    emailStatements,
    listAction,
    refusal,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- 1. Hold dialog

tours.add("pc_tours14_hold_kept", {
    steps: () => {
        const inAWeek = formatDate(luxon.DateTime.now().plus({ days: 7 }));
        return [
            {
                trigger: ".o_form_view .ribbon:contains('On Hold')",
                content: "The account is on hold",
            },
            {
                trigger: ".o_form_view .o_field_widget[name='hold_reason']:contains('Dispute')",
                content: "A Dispute hold",
            },
            {
                trigger: ".o_form_view .o_statusbar_buttons button:contains('Release Hold')",
                content: "The hold dialog (the form's Release Hold button)",
                run: "click",
            },
            {
                trigger: `${TOP} .o_field_widget[name='action'] input[data-value='set']`,
                content: "Put on hold instead",
                run: "click",
            },
            {
                trigger: `${TOP} .o_field_widget[name='hold_reason'] select`,
                content: "A weaker reason: a promise to pay",
                run: 'select "promise_to_pay"',
            },
            {
                trigger: `${TOP} .o_field_widget[name='hold_until'] input`,
                content: "Until a week from now",
                run: `edit ${inAWeek}`,
            },
            {
                trigger: `${TOP} .modal-footer button:contains('Apply')`,
                content: "Apply",
                run: "click",
            },
            ...refusal(
                "1 of the selected accounts are on a hold stronger than Promise to pay (Dispute)",
                "Told the Dispute hold is stronger and is not replaced"
            ),
            {
                trigger: `${TOP} .modal-footer button:contains('Cancel')`,
                content: "Leave the hold dialog",
                run: "click",
            },
            dialogClosed("Hold"),
            {
                trigger: ".o_form_view .ribbon:contains('On Hold')",
                content: "Still on hold",
            },
            {
                trigger: ".o_form_view .o_field_widget[name='hold_reason']:contains('Dispute')",
                content: "Still the Dispute hold",
            },
        ];
    },
});

// ---------------------------------------------------------------- 2. Send Statements

tours.add("pc_tours14_send_statements", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourfourteen Bankrupt')",
            content: "The patient accounts list",
        },
        ...listAction(
            ["Tourfourteen Daytime", "Tourfourteen Night", "Tourfourteen Bankrupt"],
            "Send Statements"
        ),
        {
            trigger: `${TOP} .modal-title:contains('Send Statements')`,
            content: "The dialog opens on the selection",
        },
        {
            trigger: `${TOP} .o_field_widget[name='account_ids']:has(.o_tag:nth-child(3))`,
            content: "The three selected accounts are shown",
        },
        {
            trigger: `${TOP} .o_field_widget[name='exclude_holds'] input:checked`,
            content: "Untick Skip Accounts on Hold",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='exclude_holds'] input:not(:checked)`,
            content: "Accounts on hold are asked for",
        },
        {
            trigger: `${TOP} .o_field_widget[name='email'] input:not(:checked)`,
            content: "Email the guarantors who chose email",
            run: "click",
        },
        {
            trigger: `${TOP} .o_field_widget[name='email'] input:checked`,
            content: "Email is ticked",
        },
        {
            trigger: `${TOP} .o_field_widget[name='qualifying_count']:contains('2')`,
            content: "Two accounts qualify: the bankruptcy hold is left out all the same",
        },
        {
            trigger: `${TOP} .alert-info:contains('bankruptcy or deceased hold')`,
            content: "The dialog says why: a bankruptcy or deceased hold gets no statement",
        },
        {
            trigger: `${TOP} .alert-info:contains('waits in the queue until their hours open')`,
            content: "and that an email outside the guarantor's hours waits for them",
        },
        ...emailStatements(2),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tourfourteen Night') td[name='partner_id']",
            content: "Open the account whose guarantor is at night",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains('Interactions')",
            content: "Its interactions",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='interaction_ids'] .o_data_row:contains('Email')",
            content: "The statement email is logged (for when it reaches the guarantor)",
        },
    ],
});

// ---------------------------------------------------------------- 3. 501(r) settings

const GATE = ".o_setting_box#collections_501r";

tours.add("pc_tours14_501r_settings", {
    steps: () => [
        ...collectionsMenu("collections_menu_config", "collections_settings_menu", "Settings"),
        {
            trigger: `${GATE} .o_field_widget[name='collections_501r_gating'] input:not(:checked)`,
            content: "The 501(r) gate is off: tick it",
            run: "click",
        },
        {
            trigger: `${GATE} .o_field_widget[name='collections_notification_days'] input`,
            content: "The notification period shows: 150 days",
            run: "edit 150",
        },
        {
            trigger: `${GATE} .o_field_widget[name='collections_final_notice_days'] input`,
            content: "The final notice lead time: 45 days",
            run: "edit 45",
        },
        {
            // saving reloads the page (Odoo's settings): the steps after it must
            // wait for the new page, or a click may land on the old one
            trigger: "body",
            content: "Mark the page before saving",
            run() {
                document.body.dataset.pcBeforeSave = "1";
            },
        },
        {
            trigger: ".o_control_panel .o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: `body:not([data-pc-before-save]) ${GATE} .o_field_widget[name='collections_501r_gating'] input:checked`,
            content: "Saved, the page reloaded: the gate is on",
        },
        {
            trigger: `${GATE} .o_field_widget[name='collections_notification_days'] input`,
            content: "The notification period is saved",
            run() {
                if (this.anchor.value !== "150") {
                    throw new Error(`notification period ${this.anchor.value}, not 150`);
                }
            },
        },
        {
            trigger: `${GATE} .o_field_widget[name='collections_501r_gating'] input:checked`,
            content: "Untick the gate",
            run: "click",
        },
        {
            trigger: `${GATE}:not(:has(.o_field_widget[name='collections_notification_days'])):not(:has(.o_field_widget[name='collections_final_notice_days']))`,
            content: "The day counts are hidden again",
        },
        {
            trigger: ".o_control_panel .o_form_button_cancel",
            content: "Discard",
            run: "click",
        },
        {
            trigger: `${GATE} .o_field_widget[name='collections_501r_gating'] input:checked`,
            content: "Discarded: the gate is still on",
        },
    ],
});

// ---------------------------------------------------------------- 4. Interactions list

tours.add("pc_tours14_person_contacted", {
    steps: () => [
        ...collectionsMenu("collections_menu_followup", "patient_interaction_menu", "Interactions"),
        {
            trigger: ".o_list_renderer thead th[data-name='partner_id']:contains('Person Contacted')",
            content: "The Person Contacted column",
        },
        {
            trigger: ".o_list_renderer .o_data_row td[name='partner_id']:contains('Tourfourteen Contactchild')",
            content: "The person contacted on the interaction's row",
        },
    ],
});

// A specialist reads interactions on the account form too: its tab shows the
// person contacted.
tours.add("pc_tours14_person_contacted_form", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook a.nav-link:contains('Interactions')",
            content: "The account's Interactions tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='interaction_ids'] thead th[data-name='partner_id']:contains('Person Contacted')",
            content: "The Person Contacted column",
        },
        {
            trigger: ".o_field_widget[name='interaction_ids'] .o_data_row td[name='partner_id']:contains('Tourfourteen Contactchild')",
            content: "The person contacted on the interaction's row",
        },
    ],
});
