import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "../lib/dom";
import type { HealthHistory, Sample } from "../lib/history";
import type { FunctionHealth } from "../lib/types";

type Metric = { title: string; pick: (s: Sample) => number | null };

const metrics: Metric[] = [
  { title: "rate (req/s)", pick: (s) => s.rate },
  { title: "error ratio (%)", pick: (s) => s.errorRatio * 100 },
  { title: "p99 (ms)", pick: (s) => s.p99 },
];

/** Rate, errors and p99 per version (stable against canary), from the samples the console polled. */
export function versionCharts(container: HTMLElement): { update(history: HealthHistory, name: string, health: FunctionHealth | undefined): void; dispose(): void } {
  let plots: uPlot[] = [];
  let key = "";
  const build = (versions: { label: string; version: number }[]) => {
    plots.forEach((p) => p.destroy());
    container.replaceChildren();
    plots = metrics.map((m) => {
      const box = h("div", { class: "chart" });
      container.appendChild(box);
      const colors = ["#2b6cb0", "#dd6b20", "#718096", "#38a169"];
      return new uPlot(
        {
          title: m.title,
          width: 360,
          height: 180,
          series: [{}, ...versions.map((v, i) => ({ label: v.label, stroke: colors[i % colors.length], width: 1.5 }))],
          axes: [{}, { size: 50 }],
          legend: { show: true },
        },
        [[]],
        box,
      );
    });
  };
  return {
    update(history, name, health) {
      if (!health) return;
      const versions = health.versions
        .filter((v) => v.version === health.stableVersion || v.version === health.canaryVersion || history.get(`${name}@${v.version}`).some((s) => s.rate > 0))
        .slice(0, 4)
        .map((v) => ({ version: v.version, label: `v${v.version} ${v.version === health.stableVersion ? "stable" : v.version === health.canaryVersion ? "canary" : v.role}` }));
      const nextKey = versions.map((v) => v.label).join("|");
      if (nextKey !== key) {
        key = nextKey;
        build(versions);
      }
      const series = versions.map((v) => history.get(`${name}@${v.version}`));
      const times = (series.reduce((longest, s) => (s.length > longest.length ? s : longest), [] as Sample[]) ?? []).map((s) => s.t / 1000);
      plots.forEach((plot, i) => {
        const data = [times, ...series.map((s) => alignTo(times, s, metrics[i].pick))] as uPlot.AlignedData;
        plot.setData(data);
      });
    },
    dispose() {
      plots.forEach((p) => p.destroy());
      plots = [];
    },
  };
}

function alignTo(times: number[], samples: Sample[], pick: (s: Sample) => number | null): (number | null)[] {
  const byTime = new Map(samples.map((s) => [s.t / 1000, pick(s)]));
  return times.map((t) => byTime.get(t) ?? null);
}
