/** @odoo-module **/

// Buttons no tour clicked yet, clicked by the role that uses them: the account's
// Financial Assistance button and the application's Submit (specialist), the
// account's Write-offs smart button (specialist), and the aged balances report's
// Export XLSX (manager).  Started (and their database effects checked) by
// tests/test_tours20.py.

import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { ERROR, TOP, collectionsMenu } from "@patient_collections/../tests/tours/tour_steps";

const tours = registry.category("web_tour.tours");

tours.add("pc_tours20_assistance_submit", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tourassist Applicant')",
            content: "The guarantor's account",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_assistance']",
            content: "Financial Assistance",
            run: "click",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name='household_size']) .o_field_widget[name='account_id'] input:value(PA)",
            content: "A new application, for this account",
        },
        {
            trigger:
                ".o_form_view:has(.o_field_widget[name='household_size']) .o_field_widget[name='partner_id']:contains('Tourassist Applicant')",
            content: "Its guarantor",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='year']:contains('20'):not(:contains(','))",
            content: "The guideline's year reads as a year (no thousands separator)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='household_size'] input",
            content: "Three people in the household",
            run: "edit 3",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='annual_income'] input",
            content: "Their yearly income",
            run: "edit 20000",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='discount_percent']:contains('100')",
            content: "The sliding scale gives the discount before saving",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            content: "Save",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_statusbar button[name='action_submit']",
            content: "Submit, once saved",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Submitted')",
            content: "The application waits for the manager's decision",
        },
        {
            trigger: `body:not(:has(${ERROR}))`,
            content: "No error",
        },
    ],
});

tours.add("pc_tours20_writeoffs_button", {
    steps: () => [
        {
            trigger: "button[name='action_view_writeoffs']:contains('Write-offs'):contains('1')",
            content: "The account's smart button counts its write-off",
            run: "click",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Small balance'):contains('Posted')",
            content: "The list of the account's write-offs, the posted one in it",
        },
        {
            trigger: ".o_list_renderer:not(:has(.o_data_row:nth-child(2)))",
            content: "Only this account's",
        },
    ],
});

// The download is caught where the web client starts it (a headless browser that
// navigates to a file stops the tour) and fetched as the browser would fetch it.
const downloads = [];

function catchDownloads() {
    const real = window.location;
    Object.defineProperty(browser, "location", {
        get() {
            return {
                assign: (url) => downloads.push(url),
                href: real.href,
                origin: real.origin,
                pathname: real.pathname,
                search: real.search,
                hash: real.hash,
            };
        },
        configurable: true,
    });
}

function releaseDownloads() {
    Object.defineProperty(browser, "location", {
        get: () => window.location,
        set: (value) => (window.location = value),
        configurable: true,
    });
}

tours.add("pc_tours20_aging_xlsx", {
    steps: () => [
        ...collectionsMenu("collections_menu_reporting", "patient_aging_report_menu", "Aged Balances"),
        {
            trigger: `${TOP} .modal-footer button[name='action_export_xlsx']`,
            content: "Export XLSX (today: the live balances)",
            run(helpers) {
                catchDownloads();
                helpers.click();
            },
        },
        {
            trigger: "body",
            content: "The workbook downloads",
            async run() {
                for (let attempt = 0; attempt < 100 && !downloads.length; attempt++) {
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                releaseDownloads();
                if (downloads.length !== 1) {
                    throw new Error(`One download expected, got ${downloads.length}`);
                }
                const response = await fetch(downloads[0]);
                const type = response.headers.get("Content-Type") || "";
                const disposition = response.headers.get("Content-Disposition") || "";
                if (!response.ok || !type.includes("spreadsheetml")) {
                    throw new Error(`The download failed: ${response.status} ${type}`);
                }
                if (!disposition.includes("attachment") || !disposition.includes(".xlsx")) {
                    throw new Error(`Not a workbook file: ${disposition}`);
                }
            },
        },
        {
            trigger: `body:not(:has(${ERROR}))`,
            content: "No error",
        },
    ],
});
