/**
 * ECharts options for the dashboard's charts: pure functions of the data, so the views stay
 * declarative. Every label that comes from user data goes through escapeHtml in tooltips.
 */
import type { ChartOption } from "./Chart.tsx";
import { escapeHtml } from "./Chart.tsx";
import type { ClassCurves, FeatureDrift, Histogram, PredictionStats } from "./api.ts";
import { fmt } from "./stats.ts";

const AXIS = { axisLine: { lineStyle: { color: "#cbd5e1" } }, splitLine: { lineStyle: { color: "#eef2f7" } }, axisLabel: { color: "#64748b" } };

export function histogramOption(h: Histogram, color = "#2563eb"): ChartOption {
  const data = h.counts.map((count, i) => [(h.edges[i] + h.edges[i + 1]) / 2, count, h.edges[i], h.edges[i + 1]]);
  const width = h.edges.length > 1 ? h.edges[1] - h.edges[0] : 1;
  return {
    grid: { left: 44, right: 12, top: 12, bottom: 28 },
    tooltip: {
      trigger: "item",
      formatter: (p: { data: number[] }) => `${fmt(p.data[2])} – ${fmt(p.data[3])}<br/><b>${p.data[1]}</b> rows`,
    },
    xAxis: { type: "value", min: h.edges[0], max: h.edges[h.edges.length - 1], ...AXIS, axisLabel: { color: "#64748b", formatter: (v: number) => fmt(v, 3), hideOverlap: true } },
    yAxis: { type: "value", minInterval: 1, ...AXIS },
    series: [
      {
        type: "custom",
        // Bars spanning their bin exactly (a value axis, so uneven labels stay honest).
        renderItem: (_params: unknown, api: { value(i: number): number; coord(p: number[]): number[]; size(p: number[]): number[] }) => {
          const start = api.coord([api.value(2), api.value(1)]);
          const size = api.size([width, api.value(1)]);
          return { type: "rect", shape: { x: start[0] + 0.5, y: start[1], width: Math.max(1, size[0] - 1), height: size[1] }, style: { fill: color, opacity: 0.85 } };
        },
        encode: { x: [2, 3], y: 1 },
        data,
      },
    ],
  };
}

export function categoryBarOption(values: { value: string; count: number }[], color = "#0d9488"): ChartOption {
  return {
    grid: { left: 96, right: 16, top: 8, bottom: 24 },
    tooltip: { trigger: "item", formatter: (p: { name: string; value: number }) => `${escapeHtml(p.name)}: <b>${p.value}</b>` },
    xAxis: { type: "value", minInterval: 1, ...AXIS },
    yAxis: { type: "category", inverse: true, data: values.map((v) => v.value), ...AXIS, axisLabel: { color: "#475569", width: 84, overflow: "truncate" } },
    series: [{ type: "bar", data: values.map((v) => v.count), itemStyle: { color, borderRadius: [0, 3, 3, 0] }, barMaxWidth: 18 }],
  };
}

export function heatmapOption(columns: string[], matrix: (number | null)[][]): ChartOption {
  // White text on the dark (strong) cells, dark text elsewhere.
  const data = matrix.flatMap((row, i) =>
    row.map((r, j) => ({ value: [j, i, r === null ? "-" : Number(r.toFixed(3))], label: { color: r !== null && Math.abs(r) > 0.6 ? "#fff" : "#0f172a" } })),
  );
  return {
    grid: { left: 110, right: 80, top: 10, bottom: 90 },
    tooltip: {
      trigger: "item",
      formatter: (p: { value: (number | string)[] }) => `${escapeHtml(columns[p.value[1] as number])} × ${escapeHtml(columns[p.value[0] as number])}<br/>r = <b>${p.value[2]}</b>`,
    },
    xAxis: { type: "category", data: columns, axisLabel: { rotate: 40, color: "#475569", width: 90, overflow: "truncate" }, splitArea: { show: false } },
    yAxis: { type: "category", data: columns, inverse: true, axisLabel: { color: "#475569", width: 100, overflow: "truncate" } },
    visualMap: {
      min: -1,
      max: 1,
      calculable: false,
      orient: "vertical",
      right: 8,
      top: "middle",
      itemHeight: 160,
      inRange: { color: ["#b91c1c", "#f87171", "#fee2e2", "#f8fafc", "#dbeafe", "#60a5fa", "#1d4ed8"] },
      textStyle: { color: "#64748b" },
    },
    series: [
      {
        type: "heatmap",
        data,
        label: { show: columns.length <= 10, fontSize: 11 },
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        emphasis: { itemStyle: { borderColor: "#0f172a", borderWidth: 1 } },
      },
    ],
  };
}

export function rocOption(curves: ClassCurves[], auc: number | null | undefined): ChartOption {
  return {
    grid: { left: 52, right: 20, top: 30, bottom: 44 },
    legend: { show: curves.length > 1, top: 0, right: 0 },
    tooltip: { trigger: "item", formatter: (p: { seriesName: string; data: number[] }) => `${escapeHtml(p.seriesName)}<br/>FPR ${fmt(p.data[0])}, TPR ${fmt(p.data[1])}` },
    xAxis: { type: "value", min: 0, max: 1, name: "False positive rate", nameLocation: "middle", nameGap: 26, ...AXIS },
    yAxis: { type: "value", min: 0, max: 1, name: "True positive rate", nameLocation: "middle", nameGap: 36, ...AXIS },
    title: auc === null || auc === undefined ? undefined : { text: `AUC ${fmt(auc, 3)}`, right: 24, bottom: 56, textStyle: { fontSize: 13, fontWeight: 600, color: "#1e293b" } },
    series: [
      ...curves.map((c) => ({
        name: curves.length > 1 ? `class ${c.class}` : `positive class: ${c.class}`,
        type: "line",
        data: c.roc.map((p) => [p.fpr, p.tpr]),
        showSymbol: false,
        lineStyle: { width: 2.5 },
        areaStyle: curves.length === 1 ? { opacity: 0.08 } : undefined,
      })),
      { name: "chance", type: "line", data: [[0, 0], [1, 1]], showSymbol: false, silent: true, lineStyle: { type: "dashed", color: "#94a3b8", width: 1 }, tooltip: { show: false } },
    ],
  };
}

export function precisionRecallOption(curves: ClassCurves[]): ChartOption {
  return {
    grid: { left: 52, right: 20, top: 30, bottom: 44 },
    legend: { show: curves.length > 1, top: 0, right: 0 },
    tooltip: { trigger: "item", formatter: (p: { seriesName: string; data: number[] }) => `${escapeHtml(p.seriesName)}<br/>recall ${fmt(p.data[0])}, precision ${fmt(p.data[1])}` },
    xAxis: { type: "value", min: 0, max: 1, name: "Recall", nameLocation: "middle", nameGap: 26, ...AXIS },
    yAxis: { type: "value", min: 0, max: 1, name: "Precision", nameLocation: "middle", nameGap: 36, ...AXIS },
    series: curves.map((c) => ({
      name: curves.length > 1 ? `class ${c.class}` : `positive class: ${c.class}`,
      type: "line",
      step: "end",
      data: c.precisionRecall.map((p) => [p.recall, p.precision]),
      showSymbol: false,
      lineStyle: { width: 2.5 },
    })),
  };
}

export function residualsOption(points: { fitted: number; residual: number }[]): ChartOption {
  return {
    grid: { left: 64, right: 20, top: 16, bottom: 44 },
    tooltip: { trigger: "item", formatter: (p: { data: number[] }) => `fitted ${fmt(p.data[0])}<br/>residual ${fmt(p.data[1])}` },
    xAxis: { type: "value", scale: true, name: "Fitted value", nameLocation: "middle", nameGap: 26, ...AXIS, axisLabel: { color: "#64748b", formatter: (v: number) => fmt(v, 3) } },
    yAxis: { type: "value", scale: true, name: "Residual", nameLocation: "middle", nameGap: 48, ...AXIS, axisLabel: { color: "#64748b", formatter: (v: number) => fmt(v, 3) } },
    series: [
      {
        type: "scatter",
        data: points.map((p) => [p.fitted, p.residual]),
        symbolSize: 7,
        itemStyle: { color: "#2563eb", opacity: 0.7 },
        markLine: { silent: true, symbol: "none", data: [{ yAxis: 0 }], lineStyle: { color: "#94a3b8", type: "dashed" }, label: { show: false } },
      },
    ],
  };
}

export function confusionOption(classes: string[], matrix: number[][]): ChartOption {
  const max = Math.max(1, ...matrix.flat());
  const data = matrix.flatMap((row, i) => row.map((count, j) => ({ value: [j, i, count], label: { color: count > max * 0.55 ? "#fff" : "#0f172a" } })));
  return {
    grid: { left: 80, right: 16, top: 10, bottom: 50 },
    tooltip: { trigger: "item", formatter: (p: { value: number[] }) => `true ${escapeHtml(classes[p.value[1]])}, predicted ${escapeHtml(classes[p.value[0]])}: <b>${p.value[2]}</b>` },
    xAxis: { type: "category", data: classes, name: "Predicted", nameLocation: "middle", nameGap: 30, axisLabel: { color: "#475569" } },
    yAxis: { type: "category", data: classes, inverse: true, name: "True", nameLocation: "middle", nameGap: 60, axisLabel: { color: "#475569" } },
    visualMap: { show: false, min: 0, max, inRange: { color: ["#f8fafc", "#1d4ed8"] } },
    series: [{ type: "heatmap", data, label: { show: true, fontSize: 13, fontWeight: 600 }, itemStyle: { borderColor: "#fff", borderWidth: 2 } }],
  };
}

export function importanceOption(items: { feature: string; importance: number; std?: number | null }[]): ChartOption {
  const sorted = [...items].sort((a, b) => b.importance - a.importance).slice(0, 20);
  return {
    grid: { left: 120, right: 24, top: 8, bottom: 28 },
    tooltip: {
      trigger: "item",
      formatter: (p: { name: string; value: number; dataIndex: number }) =>
        `${escapeHtml(p.name)}: <b>${fmt(p.value)}</b>${sorted[p.dataIndex].std ? ` ± ${fmt(sorted[p.dataIndex].std)}` : ""}`,
    },
    xAxis: { type: "value", ...AXIS },
    yAxis: { type: "category", inverse: true, data: sorted.map((i) => i.feature), ...AXIS, axisLabel: { color: "#475569", width: 110, overflow: "truncate" } },
    series: [{ type: "bar", data: sorted.map((i) => i.importance), itemStyle: { color: "#7c3aed", borderRadius: [0, 3, 3, 0] }, barMaxWidth: 16 }],
  };
}

export function predictionsOverTimeOption(stats: PredictionStats): ChartOption {
  return {
    grid: { left: 52, right: 20, top: 16, bottom: 40 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time", min: stats.from, max: stats.to, ...AXIS },
    yAxis: { type: "value", minInterval: 1, name: "Predictions", nameLocation: "middle", nameGap: 38, ...AXIS },
    series: [{ name: "predictions", type: "bar", data: stats.buckets.map((b) => [b.start, b.count]), itemStyle: { color: "#0d9488" }, barMaxWidth: 14, barMinWidth: 2 }],
  };
}

export function driftOption(drift: FeatureDrift[], threshold = 0.2): ChartOption {
  return {
    grid: { left: 120, right: 24, top: 8, bottom: 28 },
    tooltip: { trigger: "item", formatter: (p: { name: string; value: number }) => `${escapeHtml(p.name)}: PSI <b>${fmt(p.value, 3)}</b>` },
    xAxis: { type: "value", ...AXIS },
    yAxis: { type: "category", inverse: true, data: drift.map((d) => d.feature), ...AXIS, axisLabel: { color: "#475569", width: 110, overflow: "truncate" } },
    series: [
      {
        type: "bar",
        // Grey without a verdict (too few logged values): that PSI is mostly sampling noise.
        data: drift.map((d) => ({ value: d.psi, itemStyle: { color: d.drifted === null ? "#94a3b8" : d.drifted ? "#dc2626" : "#0d9488" } })),
        barMaxWidth: 16,
        markLine: { silent: true, symbol: "none", data: [{ xAxis: threshold }], lineStyle: { color: "#dc2626", type: "dashed" }, label: { formatter: `PSI ${threshold}`, color: "#dc2626" } },
      },
    ],
  };
}
