/**
 * One ECharts chart (canvas renderer, tree-shaken imports). The container carries
 * `data-chart` (a name for tests and people) and `data-rendered="true"` once ECharts has
 * finished drawing, so a test can wait for the drawing rather than for time.
 */
import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { BarChart, HeatmapChart, LineChart, ScatterChart, CustomChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, HeatmapChart, LineChart, ScatterChart, CustomChart, GridComponent, TooltipComponent, VisualMapComponent, LegendComponent, MarkLineComponent, TitleComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export function Chart({ name, option, height = 260 }: { name: string; option: ChartOption; height?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const element = ref.current!;
    const instance = echarts.init(element, null, { renderer: "canvas" });
    chart.current = instance;
    instance.on("finished", () => element.setAttribute("data-rendered", "true"));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    ref.current?.removeAttribute("data-rendered");
    chart.current?.setOption({ ...BASE, ...option }, { notMerge: true });
  }, [option]);

  return <div ref={ref} className="chart" data-chart={name} style={{ height }} />;
}

/** The look every chart shares. */
const BASE: ChartOption = {
  color: ["#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#65a30d", "#0891b2", "#dc2626"],
  textStyle: { fontFamily: "Inter, ui-sans-serif, system-ui, -apple-system, Segoe UI, Roboto, sans-serif", color: "#334155" },
  animationDuration: 400,
  grid: { left: 56, right: 20, top: 24, bottom: 40, containLabel: false },
  tooltip: { trigger: "axis", confine: true },
};

/** Text for HTML tooltips: ECharts puts a formatter's string into the page as HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
