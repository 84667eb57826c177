/** @odoo-module **/

// Steps the tours of static/tests/tours/ share (no tour of its own).

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
