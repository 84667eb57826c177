/** @odoo-module **/
/* Ctrl+K finds a patient account by its number: typing part of an account
   number in the command palette offers the matching accounts the user may
   read (collections users only), each opening the account's form. */

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";

const MIN_CHARACTERS = 3;
const LIMIT = 8;

registry.category("command_categories").add("patient_accounts", {}, { sequence: 15 });

registry.category("command_provider").add("patient_collections.accounts", {
    async provide(env, options = {}) {
        const term = (options.searchValue || "").trim();
        if (term.length < MIN_CHARACTERS || !/\d/.test(term)) {
            return [];
        }
        const allowed =
            (await user.hasGroup("patient_collections.group_collections_specialist")) ||
            (await user.hasGroup("patient_collections.group_collections_accountant"));
        if (!allowed) {
            return [];
        }
        const accounts = await env.services.orm.searchRead(
            "patient.account",
            [["name", "ilike", term]],
            ["name"],
            { limit: LIMIT, order: "name" }
        );
        return accounts.map((account) => ({
            category: "patient_accounts",
            name: _t("Patient account %(number)s", { number: account.name }),
            action() {
                env.services.action.doAction({
                    type: "ir.actions.act_window",
                    res_model: "patient.account",
                    res_id: account.id,
                    views: [[false, "form"]],
                });
            },
        }));
    },
});
