/** @odoo-module **/
/* A specialist's account form from the keyboard and the contact block, the
   Board's legend and folded columns at 1440 px, and the Board on a phone.
   Started by tests/test_form_actions_tour.py, which checks what the clicks
   left in the database. */

import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");
const DIALOG = ".modal:not(.o_inactive_modal)";
const EMPTY_BORDER = ["transparent", "rgba(0, 0, 0, 0)"];

/** Fail the tour unless the empty input of the dialog shows its line. */
function emptyInputVisible(fieldName) {
    return {
        trigger: `${DIALOG} .o_form_view.o_patient_dialog .o_field_widget[name='${fieldName}'] .o_input`,
        content: `The empty ${fieldName} field shows its input line`,
        run() {
            const input = document.querySelector(
                `${DIALOG} .o_field_widget[name='${fieldName}'] .o_input`
            );
            const style = getComputedStyle(input);
            if (
                EMPTY_BORDER.includes(style.borderBottomColor) ||
                parseFloat(style.borderBottomWidth) < 1
            ) {
                throw new Error(
                    `The empty ${fieldName} input has no visible line (${style.borderBottomColor})`
                );
            }
        },
    };
}

/** An outbound call's outcome (and note) in the open Log Interaction dialog, logged. */
function logCall({ outcome, note }) {
    const fields = { channel: "phone_out", outcome };
    const steps = Object.entries(fields).map(([name, value]) => ({
        trigger: `${DIALOG} .o_field_widget[name='${name}'] select`,
        content: `${name}: ${value}`,
        run: `select "${value}"`,
    }));
    if (note) {
        steps.push({
            trigger: `${DIALOG} .o_field_widget[name='note'] textarea`,
            content: "A note",
            run: `edit ${note}`,
        });
    }
    steps.push({
        trigger: `${DIALOG} .modal-footer .btn-primary:contains('Log')`,
        content: "Log it",
        run: "click",
    });
    return steps;
}

function closeDialog(title) {
    return [
        {
            trigger: `${DIALOG} .modal-title:contains('${title}')`,
            content: `The ${title} dialog is open`,
        },
        {
            trigger: `${DIALOG} .modal-footer button:contains('Cancel'), ${DIALOG} .modal-footer button:contains('Discard')`,
            content: `Close the ${title} dialog`,
            run: "click",
        },
        {
            trigger: `body:not(:has(.modal .modal-title:contains('${title}')))`,
            content: `The ${title} dialog is closed`,
        },
    ];
}

tours.add("patient_collections_specialist_form_actions", {
    steps: () => {
        let location;
        return [
            {
                trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourform Guarantor')",
                content: "The account form is open",
            },
            {
                trigger: "button[name='action_call_guarantor']:not([context*='mobile'])",
                content: "Click-to-call (the dialler is watched, not opened)",
                run(helpers) {
                    location = Object.getOwnPropertyDescriptor(browser, "location");
                    Object.defineProperty(browser, "location", {
                        get: () => ({
                            assign(url) {
                                document.body.dataset.patientDialed = url;
                            },
                        }),
                        configurable: true,
                    });
                    return helpers.click();
                },
            },
            {
                trigger: "body[data-patient-dialed='tel:+13125550123']",
                content: "The contact rules allowed the call: the phone dials the guarantor",
                run() {
                    Object.defineProperty(browser, "location", location);
                },
            },
            {
                trigger: "button[name='action_log_interaction'][data-hotkey='l']",
                content: "After the call, Alt+L logs it",
                run: "press alt+l",
            },
            {
                trigger: `${DIALOG} .modal-title:contains('Log Interaction')`,
                content: "The Log Interaction dialog",
            },
            emptyInputVisible("note"),
            ...logCall({ outcome: "left_voicemail" }),
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Call: left voicemail')",
                content: "The chatter reads as a sentence",
            },
            {
                trigger: "button[name='action_create_plan'][data-hotkey='y']",
                content: "Alt+Y: Payment Plan",
                run: "press alt+y",
            },
            emptyInputVisible("down_payment"),
            ...closeDialog("Payment Plan"),
            {
                trigger: "button[name='action_open_hold'][data-hotkey='o']",
                content: "Alt+O: Hold",
                run: "press alt+o",
            },
            emptyInputVisible("hold_note"),
            ...closeDialog("Hold"),
            {
                trigger: "button[name='action_email_guarantor']",
                content: "Click-to-email",
                run: "click",
            },
            {
                trigger: `${DIALOG} .o_field_widget[name='body'] .odoo-editor-editable`,
                content: "Write to the guarantor",
                run: "editor Synthetic tour question about the statement",
            },
            {
                trigger: `${DIALOG} .modal-footer button.o_mail_send`,
                content: "Send",
                run: "click",
            },
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Synthetic tour question')",
                content: "The email is in the chatter",
            },
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Email sent')",
                content: "The contact is logged as a sentence",
            },
            {
                trigger: "button[name='action_print_statement'][data-hotkey='e']",
                content: "Alt+E: Print Statement",
                run: "press alt+e",
            },
            {
                trigger:
                    ".o_action iframe[src*='/report/html/'], .o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_statement']:enabled",
                content: "The statement is downloaded (or shown in the report viewer)",
            },
        ];
    },
});

tours.add("patient_collections_board_legend", {
    steps: () => [
        {
            trigger: ".o_patient_account_kanban .o_kanban_group .o_kanban_record:contains('Tourlegend Guarantor')",
            content: "The Board",
        },
        {
            trigger: ".o_patient_account_aging_legend .o_patient_aging_legend_item[data-band='current']:contains('Not yet due') + [data-band='1_30'] + [data-band='31_60'] + [data-band='61_90'] + [data-band='91_120'] + [data-band='over_120']:contains('Over 120 days')",
            content: "The legend names the six aging colours of the column bars, in order",
            run() {
                const legend = document.querySelector(".o_patient_account_aging_legend");
                const box = legend.getBoundingClientRect();
                if (box.height < 16 || box.right > window.innerWidth) {
                    throw new Error(`The legend is not readable: ${JSON.stringify(box)}`);
                }
                const swatch = legend.querySelector("[data-band='over_120'] .o_patient_aging_swatch");
                if (!swatch.classList.contains("bg-dark")) {
                    throw new Error("The legend's colour differs from the column bar's");
                }
            },
        },
        {
            trigger: ".o_kanban_group.o_column_folded:contains('Agency placement')",
            content: "The Agency placement column is folded",
        },
        {
            trigger: ".o_kanban_group.o_column_folded:contains('Resolved')",
            content: "So is Resolved",
        },
        {
            trigger: ".o_kanban_group:not(.o_column_folded):contains('New')",
            content: "The worked columns are open",
        },
    ],
});

tours.add("patient_collections_mobile_board", {
    steps: () => [
        {
            trigger: ".o_kanban_record:contains('Tourphone Guarantor') .o_patient_account_card_actions a[name='action_log_interaction']",
            content: "The Board on a phone: the card's buttons are tap targets",
            run() {
                const buttons = document.querySelectorAll(
                    ".o_kanban_record .o_patient_account_card_actions a, .o_kanban_record .o_patient_account_card_actions .o_field_many2one_avatar_user"
                );
                if (!buttons.length) {
                    throw new Error("No card buttons found");
                }
                for (const button of buttons) {
                    const { height, width } = button.getBoundingClientRect();
                    if (height < 32 || width < 32) {
                        throw new Error(
                            `A card button is ${width}x${height} px, under 32 px: ${button.outerHTML}`
                        );
                    }
                }
            },
        },
        {
            trigger: ".o_kanban_record:contains('Tourphone Guarantor') .o_patient_account_card_actions a[name='action_log_interaction']",
            content: "Tap the card's phone icon",
            run: "click",
        },
        {
            trigger: `${DIALOG} .o_form_view.o_patient_dialog .o_field_widget[name='outcome']`,
            content: "The Log Interaction dialog, full screen",
        },
        ...logCall({ outcome: "reached", note: "Synthetic phone note" }),
        {
            trigger: "body:not(:has(.modal .o_patient_dialog))",
            content: "The dialog is closed",
        },
        {
            trigger: ".o_kanban_record:contains('Tourphone Guarantor')",
            content: "Open the account's card",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourphone Guarantor')",
            content: "The account on the phone",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Call: reached'), .o_form_view .o-mail-ChatterContainer, .o_form_view",
            content: "The account form is shown",
        },
    ],
});
