/** @odoo-module **/

// A specialist's buttons and wizards, clicked as a specialist does.  Started (and
// their database effects checked) by tests/test_tours_roles.py.

import { formatDate, formatDateTime } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import {
    TOP,
    dialogClosed,
    produceStatements,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

/** Open the Collections app: specialists land on the board, "My Accounts". */
function openBoard() {
    return [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='patient_collections.collections_menu_root']",
            content: "Open the Collections app",
            run: "click",
        },
        {
            trigger: ".o_kanban_renderer .o_kanban_group .o_kanban_record",
            content: "The board shows its cards",
        },
    ];
}

/**
 * Fill the Log Interaction dialog (already open) and log it.
 * @param {object} values channel, outcome (selection values) and the outcome's fields
 */
function logInteraction({ channel, outcome, amount, promiseDate, callbackAt, note }) {
    const steps = [
        {
            trigger: `${TOP} .modal-title:contains('Log Interaction')`,
            content: "The Log Interaction dialog opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='account_id']:contains('PA')`,
            content: "It names the account",
        },
        {
            trigger: `${TOP} .o_field_widget[name='channel'] select`,
            content: "Choose the channel",
            run: `select "${channel}"`,
        },
        {
            trigger: `${TOP} .o_field_widget[name='outcome'] select`,
            content: "Choose the outcome",
            run: `select "${outcome}"`,
        },
    ];
    if (amount) {
        steps.push({
            trigger: `${TOP} .o_field_widget[name='promise_amount'] input`,
            content: "The amount promised",
            run: `edit ${amount}`,
        });
    }
    if (promiseDate) {
        steps.push({
            trigger: `${TOP} .o_field_widget[name='promise_date'] input`,
            content: "The date it will be paid by",
            run: `edit ${promiseDate}`,
        });
    }
    if (callbackAt) {
        steps.push({
            trigger: `${TOP} .o_field_widget[name='callback_at'] input`,
            content: "When to call back",
            run: `edit ${callbackAt}`,
        });
    }
    steps.push(
        {
            trigger: `${TOP} .o_field_widget[name='note'] textarea`,
            content: "A note (closes the date picker)",
            run: `edit ${note || "Synthetic tour note"}`,
        },
        {
            trigger: `${TOP} .modal-footer .btn-primary:contains('Log')`,
            content: "Log it",
            run: "click",
        },
        dialogClosed("Log Interaction")
    );
    return steps;
}

/** The account form's header button, then its dialog. */
function clickFormButton(label) {
    return {
        trigger: `.o_form_view .o_statusbar_buttons button:contains('${label}')`,
        content: `Click ${label}`,
        run: "click",
    };
}

// ---------------------------------------------------------------- Log Interaction, form

tours.add("pc_role_specialist_log_from_form", {
    steps: () => {
        const { DateTime } = luxon;
        const inAWeek = formatDate(DateTime.now().plus({ days: 7 }));
        // this time tomorrow: early afternoon at the guarantor's (the test gives them
        // such a time zone), inside the contact hours a callback must fall in
        const tomorrow = formatDateTime(DateTime.now().plus({ days: 1 }).set({ second: 0 }));
        return [
            ...openBoard(),
            {
                trigger: ".o_kanban_record:contains('Tourguarantor Logform')",
                content: "Open the account from the board",
                run: "click",
            },
            {
                trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Logform')",
                content: "The account form opens",
            },
            clickFormButton("Log Interaction"),
            ...logInteraction({ channel: "phone_out", outcome: "reached" }),
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Call: reached')",
                content: "The contact is in the chatter",
            },
            clickFormButton("Log Interaction"),
            ...logInteraction({
                channel: "phone_in",
                outcome: "promise_to_pay",
                amount: "125",
                promiseDate: inAWeek,
            }),
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Incoming call: promise to pay')",
                content: "The promise is in the chatter",
            },
            clickFormButton("Log Interaction"),
            ...logInteraction({ channel: "phone_out", outcome: "left_voicemail" }),
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Call: left voicemail')",
                content: "The voicemail is in the chatter",
            },
            clickFormButton("Log Interaction"),
            ...logInteraction({
                channel: "phone_out",
                outcome: "callback_requested",
                callbackAt: tomorrow,
            }),
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Call: callback requested')",
                content: "The callback request is in the chatter",
            },
            {
                trigger: ".o_notebook .nav-link:contains('Interactions')",
                content: "Open the Interactions tab",
                run: "click",
            },
            {
                trigger: ".o_field_widget[name='interaction_ids'] .o_data_row:nth-child(4)",
                content: "The four interactions are listed on the account",
            },
        ];
    },
});

// ---------------------------------------------------------------- the card's icons

tours.add("pc_role_specialist_card_icons", {
    steps: () => [
        ...openBoard(),
        {
            trigger:
                ".o_kanban_record:contains('Tourguarantor Card') a[name='action_log_interaction']",
            content: "The card's phone icon",
            run: "click",
        },
        ...logInteraction({ channel: "phone_out", outcome: "no_answer" }),
        {
            trigger: ".o_kanban_record:contains('Tourguarantor Card') a[name='action_open_hold']",
            content: "The card's hold icon",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Hold')`,
            content: "The Hold wizard opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='hold_reason'] select`,
            content: "Why",
            run: 'select "financial_assistance"',
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Apply')`,
            content: "Apply",
            run: "click",
        },
        dialogClosed("Hold"),
        {
            trigger: ".o_kanban_record:contains('Tourguarantor Card') .badge:contains('Financial assistance')",
            content: "The card shows the hold",
        },
    ],
});

// ---------------------------------------------------------------- Hold wizard, form

tours.add("pc_role_specialist_hold_form", {
    steps: () => {
        const inAMonth = formatDate(luxon.DateTime.now().plus({ days: 30 }));
        return [
            {
                trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Hold')",
                content: "The account form is open",
            },
            clickFormButton("Put on Hold"),
            {
                trigger: `${TOP} .modal-title:contains('Hold')`,
                content: "The Hold wizard opens",
            },
            {
                trigger: `${TOP} .o_field_widget[name='hold_reason'] select`,
                content: "Why",
                run: 'select "dispute"',
            },
            {
                trigger: `${TOP} .o_field_widget[name='hold_until'] input`,
                content: "Until",
                run: `edit ${inAMonth}`,
            },
            {
                trigger: `${TOP} .o_field_widget[name='hold_note'] textarea`,
                content: "A note",
                run: "edit Synthetic dispute note",
            },
            {
                trigger: `${TOP} .modal-footer button:contains('Apply')`,
                content: "Apply",
                run: "click",
            },
            dialogClosed("Hold"),
            {
                trigger: ".o_form_view .ribbon:contains('On Hold')",
                content: "The account is on hold",
            },
            clickFormButton("Release Hold"),
            {
                trigger: `${TOP} .o_field_widget[name='action'] input[data-value='release']:checked`,
                content: "The wizard proposes the release",
            },
            {
                trigger: `${TOP} .modal-footer button:contains('Apply')`,
                content: "Apply",
                run: "click",
            },
            dialogClosed("Hold"),
            {
                trigger: ".o_form_view:not(:has(.ribbon:contains('On Hold')))",
                content: "The hold is lifted",
            },
            {
                trigger: ".o-mail-Chatter .o-mail-Message:contains('Hold lifted')",
                content: "The release is in the chatter",
            },
        ];
    },
});

// ---------------------------------------------------------------- Payment Plan wizard

// The proposed terms (the balance over six monthly installments), previewed, confirmed.
tours.add("pc_role_specialist_payment_plan_default", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Sixplan')",
            content: "The account form is open",
        },
        clickFormButton("Payment Plan"),
        {
            trigger: `${TOP} .o_field_widget[name='preview_html'] tbody tr:nth-child(6):contains('Installment 6')`,
            content: "The preview shows six installments",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Confirm Plan')`,
            content: "Confirm",
            run: "click",
        },
        dialogClosed("Payment Plan"),
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            content: "The plan is active",
        },
    ],
});

// Changed terms: the preview follows them before the plan is confirmed.

tours.add("pc_role_specialist_payment_plan", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Plan')",
            content: "The account form is open",
        },
        clickFormButton("Payment Plan"),
        {
            trigger: `${TOP} .modal-title:contains('Payment Plan')`,
            content: "The Payment Plan wizard opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='preview_html'] tbody tr:nth-child(6)`,
            content: "The proposed six installments are previewed",
        },
        {
            trigger: `${TOP} .o_field_widget[name='installment_count'] input`,
            content: "Four installments",
            run: "edit 4 && press Tab",
        },
        {
            trigger: `${TOP} .o_field_widget[name='frequency'] select`,
            content: "Monthly",
            run: 'select "monthly"',
        },
        {
            trigger: `${TOP} .o_field_widget[name='preview_html'] tbody tr:nth-child(4):contains('Installment 4')`,
            content: "The preview shows the four installments",
        },
        {
            trigger: `${TOP} .o_field_widget[name='preview_html']:not(:has(tbody tr:nth-child(5)))`,
            content: "and no fifth (the preview follows the changed count)",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Confirm Plan')`,
            content: "Confirm",
            run: "click",
        },
        dialogClosed("Payment Plan"),
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            content: "The plan is active",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='installment_ids'] .o_data_row:nth-child(4)",
            content: "with its installments",
        },
    ],
});

tours.add("pc_role_specialist_cancel_plan", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
            content: "The active plan is open",
        },
        clickFormButton("Cancel Plan"),
        {
            trigger: `${TOP} .modal-body:contains('Cancel this payment plan?')`,
            content: "Odoo asks to confirm",
        },
        {
            trigger: `${TOP} .modal-footer .btn-primary`,
            content: "Confirm",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Cancelled')",
            content: "The plan is cancelled",
        },
    ],
});

// ---------------------------------------------------------------- text consent

tours.add("pc_role_specialist_sms_consent", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Consent')",
            content: "The account form is open",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Contact Rules')",
            content: "Open the Contact Rules tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='sms_consent_method'] select",
            content: "How consent was given",
            run: 'select "verbal"',
        },
        {
            trigger: "button[name='action_record_sms_consent']",
            content: "Record Consent",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='sms_consent'] input:checked",
            content: "Consent is recorded",
        },
        {
            trigger: "button[name='action_revoke_sms_consent']",
            content: "Revoke Consent",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='sms_consent'] input:not(:checked)",
            content: "Consent is revoked",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Consent to text messages revoked')",
            content: "The revocation is in the chatter",
        },
    ],
});

// ---------------------------------------------------------------- statements

tours.add("pc_role_specialist_print_statement", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourguarantor Print')",
            content: "The account form is open",
        },
        clickFormButton("Refresh Balances"),
        {
            trigger: ".o_form_view .o_field_widget[name='balance_due']:contains('310')",
            content: "The balance is still shown after the refresh",
        },
        clickFormButton("Print Statement"),
        {
            trigger:
                ".o_action iframe[src*='/report/html/'], .o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_statement']:enabled",
            content:
                "The statement is downloaded (wkhtmltopdf present) or shown in the report viewer",
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
            trigger: ".o_action_manager > .o_form_view .o_statusbar_buttons button[name='action_print_statement']:enabled",
            content: "The record's form is back",
        },
    ],
});

tours.add("pc_role_specialist_send_statements", {
    steps: () => [
        ...openBoard(),
        {
            trigger: ".o_main_navbar [data-menu-xmlid='patient_collections.collections_menu_followup']",
            content: "The Follow-up menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='patient_collections.patient_statement_send_menu']",
            content: "The Send Statements menu",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-title:contains('Send Statements')`,
            content: "The wizard opens",
        },
        {
            trigger: `${TOP} .o_field_widget[name='stage_ids'] .o_tag:contains('First statement')`,
            content: "The stages that send statements are proposed",
        },
        {
            trigger: `${TOP} .o_field_widget[name='qualifying_count']:contains('1')`,
            content: "One account qualifies",
        },
        ...produceStatements(),
        {
            trigger: ".o_kanban_record:contains('Tourguarantor Mail')",
            content: "Open the account",
            run: "click",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Statement sent by mail')",
            content: "The statement is in the account's chatter",
        },
    ],
});
