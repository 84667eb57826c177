/** @odoo-module **/

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { formatFloat } from "@web/core/utils/numbers";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";

/**
 * Collections dashboard: KPI tiles and bucket tiles (each opens the accounts,
 * plans or interactions behind it) and charts drawn with the web client's own
 * Chart.js bundle (a bar opens the accounts behind it).
 */
export class CollectionsDashboard extends Component {
    static template = "patient_collections.CollectionsDashboard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        this.bucketCanvas = useRef("bucketChart");
        this.stageCanvas = useRef("stageChart");
        this.trendCanvas = useRef("trendChart");
        this.charts = [];
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            this.state.data = await this.orm.call(
                "patient.collection.snapshot",
                "get_dashboard_data",
                []
            );
        });
        onMounted(() => this.renderCharts());
        onWillUnmount(() => this.charts.forEach((chart) => chart.destroy()));
    }

    formatValue(tile) {
        if (tile.value === false || tile.value === null || tile.value === undefined) {
            return "—";
        }
        if (tile.unit === "%") {
            return `${formatFloat(tile.value, { digits: [16, 1] })} %`;
        }
        if (tile.unit === "days") {
            return `${formatFloat(tile.value, { digits: [16, 1] })} ${_t("days")}`;
        }
        if (tile.unit === "money") {
            const amount = formatFloat(tile.value, { digits: [16, 2] });
            const currency = this.state.data.currency;
            return currency.position === "before"
                ? `${currency.symbol} ${amount}`
                : `${amount} ${currency.symbol}`;
        }
        return String(tile.value);
    }

    /** Open the list behind a tile, bucket or stage: the window action the
     * server built (accounts, plans or interactions, in the user's scope). */
    openTile(tile) {
        if (tile.action) {
            this.action.doAction(tile.action);
        }
    }

    /** Chart.js onClick: the bar clicked opens the list behind it. */
    onBarClick(items) {
        return (event, elements) => {
            if (elements.length) {
                this.openTile(items[elements[0].index]);
            }
        };
    }

    chart(canvas, config) {
        if (canvas.el) {
            this.charts.push(new Chart(canvas.el, config));
        }
    }

    renderCharts() {
        const data = this.state.data;
        if (!data || !data.date) {
            return;
        }
        this.chart(this.bucketCanvas, {
            type: "bar",
            data: {
                labels: data.buckets.map((b) => b.label),
                datasets: [{ label: _t("Balance"), data: data.buckets.map((b) => b.value) }],
            },
            options: {
                plugins: { legend: { display: false } },
                animation: false,
                onClick: this.onBarClick(data.buckets),
            },
        });
        this.chart(this.stageCanvas, {
            type: "bar",
            data: {
                labels: data.stages.map((s) => s.label),
                datasets: [{ label: _t("Balance Due"), data: data.stages.map((s) => s.value) }],
            },
            options: {
                indexAxis: "y",
                plugins: { legend: { display: false } },
                animation: false,
                onClick: this.onBarClick(data.stages),
            },
        });
        this.chart(this.trendCanvas, {
            type: "line",
            data: {
                labels: data.trend.map((t) => t.label),
                datasets: [
                    { label: _t("Balance Due"), data: data.trend.map((t) => t.balance_due) },
                    { label: _t("Collected"), data: data.trend.map((t) => t.collected) },
                    {
                        label: _t("Average Days to Pay"),
                        data: data.trend.map((t) => t.days_to_pay),
                        yAxisID: "days",
                    },
                ],
            },
            options: {
                animation: false,
                scales: {
                    y: { beginAtZero: true },
                    days: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
                },
            },
        });
    }
}

registry.category("actions").add("patient_collections.dashboard", CollectionsDashboard);
