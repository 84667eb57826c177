/** @odoo-module **/

// Refusals and filters clicked as their role meets them: Send Statements when
// nothing qualifies, a stage that holds accounts archived, a document added to a
// financial-assistance application, a second online payment while the first is
// processed, the Promises Due filter, the Payment Plan button of an account that
// owes nothing, a write-off whose journal entry the accountant reverses, the
// interactions' Promises Due filter.  Started (and their database effects
// checked) by tests/test_owed_tours.py.

import { registry } from "@web/core/registry";
import { session } from "@web/session";
import {
    ERROR,
    TOP,
    applyFilter,
    archiveFromForm,
    collectionsMenu,
    dialogClosed,
    listAction,
    refusal,
} from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

// ---------------------------------------------------------------- 1. Send Statements

tours.add("pc_owed_send_statements_nothing_qualifies", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Owedwhy Held')",
            content: "The patient accounts list",
        },
        ...listAction(["Owedwhy Ceased", "Owedwhy Held"], "Send Statements"),
        {
            trigger: `${TOP} .modal-title:contains('Send Statements')`,
            content: "The wizard opens on the two accounts",
        },
        {
            trigger: `${TOP} .o_field_widget[name='account_ids'] .o_tag:contains('PA')`,
            content: "The selected accounts are shown",
        },
        {
            trigger: `${TOP} .o_field_widget[name='qualifying_count']:contains('0')`,
            content: "No account qualifies",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Produce Statements')`,
            content: "Produce the statements all the same",
            run: "click",
        },
        {
            trigger: `${ERROR}:contains('Accounts asked for whose guarantor asked to cease communication: 1.')`,
            content: "Told that one account asked to cease communication",
        },
        {
            trigger: `${ERROR}:contains('Accounts asked for on hold: 1.')`,
            content: "Told that one account is on hold, and what to untick",
        },
        ...refusal("No account qualifies", "Told which settings to widen"),
        {
            trigger: `${TOP} .modal-footer button:contains('Cancel')`,
            content: "Leave the wizard",
            run: "click",
        },
        dialogClosed("Send Statements"),
    ],
});

// ---------------------------------------------------------------- 2. Stage archive

const ARCHIVE_REFUSED = "Stage Owedstage Busy still holds 1 account(s): move them";

tours.add("pc_owed_stage_archive_refused", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Owedstage Busy')",
            content: "The stages list",
        },
        ...listAction(["Owedstage Busy"], "Archive"),
        {
            trigger: `${TOP} .modal-footer button.btn-primary:contains('Archive')`,
            content: "Confirm the archiving",
            run: "click",
        },
        ...refusal(ARCHIVE_REFUSED, "Refused from the list: the stage holds an account"),
        {
            trigger: ".o_list_renderer .o_data_row:contains('Owedstage Busy') td[name='name']",
            content: "The stage is still listed; open it",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            content: "The stage form",
        },
        ...archiveFromForm(),
        ...refusal(ARCHIVE_REFUSED, "Refused from the form too"),
        {
            trigger: ".o_form_view .o_form_sheet:not(:has(.ribbon:contains('Archived')))",
            content: "The stage is not archived",
        },
    ],
});

// ---------------------------------------------------------------- 3. Assistance documents

tours.add("pc_owed_assistance_document", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='account_id']:contains('PA')",
            content: "The application form",
        },
        {
            trigger: ".o_notebook .nav-link:contains('Documents')",
            content: "The Documents tab",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='attachment_ids'] .o_attach",
            content: "Attach a pay slip (the file chooser is filled as a person picks a file)",
            async run() {
                const input = document.querySelector(
                    ".o_field_widget[name='attachment_ids'] input.o_input_file"
                );
                const files = new DataTransfer();
                files.items.add(
                    new File(["%PDF-1.4 synthetic"], "owed_payslip.pdf", {
                        type: "application/pdf",
                    })
                );
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            trigger:
                ".o_field_widget[name='attachment_ids'] .o_attachment:not(.o_attachment_uploading)[title='owed_payslip.pdf']",
            content: "The document is uploaded and listed",
        },
        {
            trigger: ".o_form_button_save:enabled",
            content: "Save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_saved",
            content: "Saved",
        },
        {
            trigger: ".o_field_widget[name='attachment_ids'] .o_attachment[title='owed_payslip.pdf']",
            content: "The document stays on the saved application",
        },
    ],
});

// ---------------------------------------------------------------- 4. Portal

/** The guarantor opens their account from the list: 300.00 still due (not booked). */
function openUnbookedAccount() {
    return [
        {
            trigger: "a[href^='/my/patient-accounts/']",
            content: "The guarantor's account is listed",
            run: "click",
        },
        {
            trigger: ".o_patient_balance_due:contains('300.00')",
            content: "The balance due: the payment is not booked yet",
        },
    ];
}

tours.add("pc_owed_portal_payment_in_progress", {
    steps: () => [
        ...openUnbookedAccount(),
        {
            trigger:
                ".o_patient_payment_in_progress:contains('An online payment of'):contains('300.00'):contains('nothing more is due now')",
            content: "Told up front the whole balance is being paid",
        },
        {
            trigger:
                ".o_patient_portal_account:not(:has(.o_patient_pay)):not(:has(.o_patient_pay_button)):not(:has(#pay_balance))",
            content: "No Pay form: nothing more may be paid",
        },
        {
            trigger:
                ".o_patient_plan .o_patient_plan_waits:contains('you can set up a payment plan for what is left once it is booked')",
            content: "Pay over time says why it waits, and until when",
        },
        {
            trigger:
                ".o_patient_portal_account:not(:has(.o_patient_plan form)):not(:has(.o_patient_plan_button)):not(:has(#installment_count))",
            content: "No plan form: a plan now would cover the money being paid",
        },
    ],
});

tours.add("pc_owed_portal_payment_partly_in_progress", {
    steps: () => [
        ...openUnbookedAccount(),
        {
            trigger:
                ".o_patient_payment_in_progress:contains('An online payment of'):contains('100.00'):contains('you can pay the rest')",
            content: "Told up front part of the balance is being paid",
        },
        {
            trigger: "label[for='pay_balance']:contains('The rest of the balance'):contains('200.00')",
            content: "The balance choice offers the rest, not the whole balance",
        },
        {
            trigger: ".o_patient_pay:not(:contains('300.00'))",
            content: "The Pay form offers nothing of the whole balance",
        },
        {
            trigger: "#pay_balance:checked",
            content: "The rest is chosen",
        },
        {
            trigger: ".o_patient_pay_button",
            content: "Pay",
            run: "click",
        },
        {
            trigger: "h2:contains('Pay'):contains('200.00')",
            content: "The payment page takes the rest",
        },
        {
            trigger: "input[name='o_payment_radio']",
            content: "The payment form is offered",
        },
    ],
});

// ---------------------------------------------------------------- 5. Promises Due

tours.add("pc_owed_promises_due_filter", {
    steps: () => [
        {
            trigger: ".o_list_renderer .o_data_row:contains('Owedpromise Later')",
            content: "The patient accounts list, both promises in it",
        },
        ...applyFilter("Promises Due"),
        {
            trigger:
                ".o_list_renderer:not(:has(.o_data_row:contains('Owedpromise Later'))) .o_data_row:contains('Owedpromise Today')",
            content: "The promise due today (the practice's today) is listed, the later one is not",
        },
    ],
});

// ---------------------------------------------------------------- 6. Payment Plan

/** Odoo's external JSON-RPC API, as another user (no cookie of this session). */
async function externalCall(service, method, args) {
    const response = await fetch("/jsonrpc", {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", method: "call", params: { service, method, args } }),
    });
    const data = await response.json();
    if (data.error) {
        throw new Error(`${service}.${method}: ${JSON.stringify(data.error)}`);
    }
    return data.result;
}

/** The accountant books the guarantor's payment of the whole invoice. */
async function accountantPays(guarantorName) {
    const login = "pc_ow_accountant";
    const uid = await externalCall("common", "login", [session.db, login, login]);
    const call = (model, method, args, kwargs = {}) =>
        externalCall("object", "execute_kw", [session.db, uid, login, model, method, args, kwargs]);
    const invoiceIds = await call("account.move", "search", [
        [
            ["partner_id.name", "=", guarantorName],
            ["move_type", "=", "out_invoice"],
            ["state", "=", "posted"],
        ],
    ]);
    const context = { active_model: "account.move", active_ids: invoiceIds };
    const [wizardId] = await call("account.payment.register", "create", [[{}]], { context });
    await call("account.payment.register", "action_create_payments", [[wizardId]], { context });
}

tours.add("pc_owed_plan_nothing_owed", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Owedplan Person')",
            content: "The account form, the balance still owed",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_create_plan']",
            content: "The Payment Plan button is offered",
        },
        {
            trigger: ".o_form_view",
            content: "Meanwhile the accountant books the guarantor's payment of it all",
            async run() {
                await accountantPays("Owedplan Person");
            },
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_create_plan']",
            content: "Payment Plan (the form was opened before the payment)",
            run: "click",
        },
        ...refusal("there is no balance to put on a payment plan", "Refused: nothing is owed"),
        {
            trigger: "body:not(:has(.modal .modal-title:contains('Payment Plan')))",
            content: "No Payment Plan dialog",
        },
    ],
});

// ---------------------------------------------------------------- 7. Reversed write-off

tours.add("pc_owed_writeoff_reversed", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='posted']",
            content: "The posted write-off's form",
        },
        {
            trigger: ".o_form_view .o-form-buttonbox button[name='action_view_move']",
            content: "Open its journal entry",
            run: "click",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button:contains('WO')",
            content: "The journal entry, opened from the write-off",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Reverse Entry')",
            content: "Odoo's Reverse Entry",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer button[name='refund_moves']`,
            content: "Reverse, on the wizard's date and journal",
            run: "click",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_breadcrumb:has(.breadcrumb-item:contains('WO') + .breadcrumb-item.o_back_button)",
            content: "The reversing entry opens, one step past the reversed one",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains('WO') a",
            content: "Back to the write-off",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='reversed']:contains('Reversed')",
            content: "The write-off is Reversed",
        },
        {
            trigger: ".o-mail-Message:contains('Its journal entry was reversed by')",
            content: "Its chatter says which entry reversed it",
        },
        {
            trigger: ".o_breadcrumb .breadcrumb-item:contains('Write-offs') a",
            content: "Back to the write-offs",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('19.25')",
            content: "The write-offs list, the one that stands in it",
        },
        ...applyFilter("Reversed"),
        {
            trigger:
                ".o_list_renderer:not(:has(.o_data_row:contains('19.25'))) .o_data_row:contains('61.50'):contains('Reversed')",
            content: "The reversed write-off is listed, the one that stands is not",
        },
    ],
});

// ---------------------------------------------------------------- 8. Interactions' Promises Due

tours.add("pc_owed_interaction_promises_due", {
    steps: () => [
        ...collectionsMenu(
            "collections_menu_followup",
            "patient_interaction_promise_menu",
            "Promise Calendar"
        ),
        {
            trigger: ".o_control_panel .o_switch_view.o_list",
            content: "The promised interactions as a list",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('42.29')",
            content: "Both promises are listed",
        },
        ...applyFilter("Promises Due"),
        {
            trigger:
                ".o_list_renderer:not(:has(.o_data_row:contains('42.29'))) .o_data_row:contains('31.41')",
            content: "The promise due today (the practice's today) is listed, tomorrow's is not",
        },
    ],
});
