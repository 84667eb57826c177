/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("patient_collections_board_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='patient_collections.collections_menu_root']",
            content: "Open the Collections app",
            run: "click",
        },
        {
            trigger: ".o_kanban_renderer .o_kanban_group",
            content: "The board opens",
        },
        {
            trigger: ".o_searchview_facet:contains('My Accounts')",
            content: "Specialists start on their own accounts",
        },
        {
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains('Tourperson Unassigned')))",
            content: "Accounts of others are filtered out",
        },
        {
            trigger: ".o_kanban_group:eq(0) .o_kanban_record:contains('Tourperson Mine')",
            content: "Drag my account to the next stage",
            run: "drag_and_drop(.o_kanban_group:eq(1))",
        },
        {
            trigger: ".o_kanban_group:eq(1) .o_kanban_record:contains('Tourperson Mine')",
            content: "Open the moved account",
            run: "click",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Message:contains('First statement')",
            content: "The move is in the chatter",
        },
    ],
});
