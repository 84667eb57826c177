/** @odoo-module **/

// Steps the tours of static/tests/tours/ share (no tour of its own).

import { stepUtils } from "@web_tour/tour_service/tour_utils";

/** The dialog on top (not one under an error message). */
export const TOP = ".modal:not(.o_inactive_modal)";
/** An error dialog (a UserError or ValidationError). */
export const ERROR = ".modal .o_error_dialog";

/** Select list rows by a text they contain, then run an entry of the Actions menu. */
export function listAction(rowTexts, entry) {
    return [
        ...rowTexts.map((text) => ({
            trigger: `.o_list_renderer .o_data_row:contains('${text}') .o_list_record_selector input`,
            content: `Select ${text}`,
            run: "check",
        })),
        {
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            content: "Open the Actions menu",
            run: "click",
        },
        {
            trigger: `.o-dropdown--menu .o-dropdown-item:contains('${entry}')`,
            content: entry,
            run: "click",
        },
    ];
}

/** Apply the filter ``name`` of the search view's Filters menu; its facet shows. */
export function applyFilter(name) {
    return [
        {
            trigger: ".o_control_panel .o_searchview_dropdown_toggler",
            content: "Open the filters",
            run: "click",
        },
        {
            trigger: `.o_filter_menu .o-dropdown-item:contains("${name}")`,
            content: name,
            run: "click",
        },
        {
            trigger: `.o_searchview_facet:contains("${name}")`,
            content: `The ${name} filter is on`,
        },
    ];
}

/** From the home menu: the Collections app, its ``section`` menu (xml id without
 * the module), then the entry ``item`` (xml id without the module) of it. */
export function collectionsMenu(section, item, label) {
    return [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='patient_collections.collections_menu_root']",
            content: "Open the Collections app",
            run: "click",
        },
        {
            trigger: `.o_main_navbar [data-menu-xmlid='patient_collections.${section}']`,
            content: "Open the menu",
            run: "click",
        },
        {
            trigger: `.dropdown-item[data-menu-xmlid='patient_collections.${item}']`,
            content: label,
            run: "click",
        },
    ];
}

/** On a form: the Actions menu, Archive, and the archiving confirmed. */
export function archiveFromForm() {
    return [
        {
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            content: "Open the Actions menu",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Archive')",
            content: "Archive",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer .btn-primary:contains('Archive')`,
            content: "Confirm the archiving",
            run: "click",
        },
    ];
}

/** The dialog titled ``title`` is closed. */
export function dialogClosed(title) {
    return {
        trigger: `body:not(:has(.modal .modal-title:contains('${title}')))`,
        content: `The ${title} dialog is closed`,
    };
}

/** An error dialog (a UserError or ValidationError) says ``text``; close it. */
export function refusal(text, content) {
    return [
        {
            trigger: `${ERROR}:contains('${text}')`,
            content: content || `The user is told: ${text}`,
        },
        {
            trigger: `.modal:has(.o_error_dialog:contains('${text}')) .modal-footer .btn-primary`,
            content: "Close the message",
            run: "click",
        },
        {
            trigger: "body:not(:has(.o_error_dialog))",
            content: "The message is closed",
        },
    ];
}

// Send Statements when every one goes by email: Produce, the notification says
// so, and the dialog closes itself (nothing to download for the mail house).
export function emailStatements(count) {
    return [
        {
            trigger: `${TOP} .modal-footer button:contains('Produce Statements')`,
            content: "Produce the statements (all by email)",
            run: "click",
        },
        {
            trigger: `.o_notification:contains('${count} statement(s) sent by email; none to print')`,
            content: "The notification says they went by email, none to print",
        },
        dialogClosed("Send Statements"),
    ];
}

// Send Statements: Produce (the merged PDF downloads), then close the dialog.
export function produceStatements() {
    return [
        {
            trigger: `${TOP} .modal-footer button:contains('Produce Statements')`,
            content: "Produce the statements (the merged PDF downloads)",
            run: "click",
        },
        {
            trigger: `${TOP} .modal-footer button:contains('Cancel'):enabled`,
            content: "Once produced, close the dialog",
            run: "click",
        },
        dialogClosed("Send Statements"),
    ];
}

/** On Odoo's payment form: the Demo provider (test mode), a test card, the
 * provider's answer ``state`` (none: it confirms), then the form's Pay. */
export function payWithTheDemoCard(state) {
    return [
        {
            trigger: "input[name='o_payment_radio'][data-payment-method-code='demo']",
            content: "The Demo provider (test mode)",
            run: "click",
        },
        {
            trigger: "input[name='customer_input']",
            content: "A test card number",
            run: "edit 4242424242424242",
        },
        ...(state
            ? [
                  {
                      trigger: "select#simulated_payment_state",
                      content: `The provider answers: ${state}`,
                      run: `select ${state}`,
                  },
              ]
            : []),
        {
            trigger: "button[name='o_payment_submit_button']:not(:disabled)",
            content: "Pay with the provider",
            run: "click",
        },
    ];
}
