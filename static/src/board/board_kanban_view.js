/** @odoo-module **/
/* The Collections Board: the kanban of patient accounts, with a legend of its
   column bars (each colour an aging band, from "Not yet due" to "Over 120
   days"), read from the view's own progress bar so the two never disagree. */

import { registry } from "@web/core/registry";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { kanbanView } from "@web/views/kanban/kanban_view";

export class PatientBoardKanbanController extends KanbanController {
    static template = "patient_collections.BoardKanbanView";

    /** [{value, label, color}] of the column bar, in the field's order. */
    get agingLegend() {
        const progress = this.props.archInfo.progressAttributes;
        if (!progress || !this.model.root.isGrouped) {
            return [];
        }
        const selection = this.props.fields[progress.fieldName]?.selection || [];
        return selection
            .filter(([value]) => progress.colors[value])
            .map(([value, label]) => ({ value, label, color: progress.colors[value] }));
    }
}

registry.category("views").add("patient_account_board_kanban", {
    ...kanbanView,
    Controller: PatientBoardKanbanController,
});
