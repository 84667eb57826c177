/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A collections manager opens the dashboard, clicks the "Over 120 Days" bucket
 * and lands on the accounts behind it (only the account over 120 days), goes
 * back and clicks the "Plans Active" tile to land on the active plans.
 * Data: tests/test_reporting_dashboard.py (guarantors "Tourguarantor Old",
 * "Tourguarantor Recent"; a plan on the recent account).
 */
function assertRowCount(count) {
    const rows = document.querySelectorAll(".o_list_view .o_data_row");
    if (rows.length !== count) {
        throw new Error(`expected ${count} row(s) behind the tile, found ${rows.length}`);
    }
}

registry.category("web_tour.tours").add("patient_collections_reporting_dashboard_tour", {
    url: "/odoo/action-patient_collections.patient_collection_dashboard_action",
    steps: () => [
        {
            content: "The dashboard shows its tiles and charts",
            trigger: ".o_pc_dashboard .o_pc_tile_balance_due",
        },
        {
            content: "The trend is drawn",
            trigger: ".o_pc_dashboard canvas",
        },
        {
            content: "Open the accounts behind the dollars over 120 days",
            trigger: ".o_pc_dashboard .o_pc_bucket_aging_over_120",
            run: "click",
        },
        {
            content: "The list behind the bucket is the accounts over 120 days",
            trigger: ".o_breadcrumb .active:contains(Over 120 Days)",
        },
        {
            content: "The account over 120 days is listed",
            trigger: ".o_list_view .o_data_row:contains(Tourguarantor Old)",
            run: () => assertRowCount(1),
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_breadcrumb a:contains(Collections Dashboard)",
            run: "click",
        },
        {
            content: "Open the active plans",
            trigger: ".o_pc_dashboard .o_pc_tile_plans_active",
            run: "click",
        },
        {
            content: "The list behind the tile is the active plans",
            trigger: ".o_breadcrumb .active:contains(Active Plans)",
        },
        {
            content: "The active plan of the recent account is listed",
            trigger: ".o_list_view .o_data_row:contains(Tourguarantor Recent)",
            run: () => assertRowCount(1),
        },
    ],
});
