/** @odoo-module **/
/* The Collections Board's column totals (balance due) carry the currency of
   the companies shown, when they share one. */

import { getCurrency } from "@web/core/currency";
import { patch } from "@web/core/utils/patch";
import { KanbanHeader } from "@web/views/kanban/kanban_header";

patch(KanbanHeader.prototype, {
    get groupAggregate() {
        const aggregate = super.groupAggregate;
        const list = this.props.group.list;
        const sumField = this.props.progressBarState?.progressAttributes?.sumField;
        if (list?.resModel !== "patient.account" || sumField?.type !== "monetary") {
            return aggregate;
        }
        const company = this.env.services.company;
        const currencyIds = new Set(
            company.activeCompanyIds.map((id) => company.allowedCompanies[id]?.currency_id)
        );
        const currency = currencyIds.size === 1 ? getCurrency([...currencyIds][0]) : false;
        return currency ? { ...aggregate, currency } : aggregate;
    },
});
