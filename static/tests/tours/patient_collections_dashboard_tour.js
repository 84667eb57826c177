/** @odoo-module **/

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("patient_collections_dashboard_tour", {
    url: "/odoo/action-patient_collections.patient_collection_dashboard_action",
    steps: () => [
        {
            content: "The dashboard shows its tiles",
            trigger: ".o_pc_dashboard .o_pc_tile_balance_due",
        },
        {
            content: "The charts are drawn",
            trigger: ".o_pc_dashboard canvas",
        },
        {
            content: "Open the rows behind the balance due",
            trigger: ".o_pc_tile_balance_due",
            run: "click",
        },
        {
            content: "The rows behind the tile are listed by stage: open a stage",
            trigger: ".o_list_view .o_group_header",
            run: "click",
        },
        {
            content: "The snapshot rows of that stage are listed",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
