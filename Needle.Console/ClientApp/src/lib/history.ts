import type { HealthSummary, WindowStats } from "./types";

/** One sample of a version's shortest window, taken at each health poll. */
export interface Sample {
  t: number;
  rate: number;
  errorRatio: number;
  p99: number | null;
}

/**
 * The health API answers sliding windows, not time series; the console keeps the samples it polled (every 2 s) for
 * the last 15 minutes, per function and per version, to draw sparklines and charts.
 */
export class HealthHistory {
  private readonly series = new Map<string, Sample[]>();

  constructor(
    private readonly keepMs = 15 * 60 * 1000,
    private readonly window = "10s",
  ) {}

  add(summary: HealthSummary, now = Date.now()): void {
    for (const fn of summary.functions) {
      this.push(fn.function, this.pick(fn.windows), now);
      for (const v of fn.versions) this.push(`${fn.function}@${v.version}`, this.pick(v.windows), now);
    }
  }

  /** Samples of a function (`name`) or a version (`name@3`), oldest first. */
  get(key: string): Sample[] {
    return this.series.get(key) ?? [];
  }

  private pick(windows: WindowStats[]): WindowStats | undefined {
    return windows.find((w) => w.window === this.window) ?? windows[0];
  }

  private push(key: string, stats: WindowStats | undefined, now: number): void {
    if (!stats) return;
    let list = this.series.get(key);
    if (!list) {
      list = [];
      this.series.set(key, list);
    }
    list.push({ t: now, rate: stats.rate, errorRatio: stats.errorRatio, p99: stats.p99Ms });
    const cutoff = now - this.keepMs;
    let drop = 0;
    while (drop < list.length && list[drop].t < cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
  }
}
