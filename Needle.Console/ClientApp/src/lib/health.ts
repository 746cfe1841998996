import type { FunctionHealth, GuardResult, VersionHealth, WindowStats } from "./types";

/** Red, amber, green, or none when there is too little traffic to judge. */
export type Rag = "red" | "amber" | "green" | "none";

/**
 * The thresholds a function is judged by. The defaults are the health guard's defaults (error ratio and p99 against
 * a minimum sample); a canary is also judged against its stable version, as the guard does.
 */
export interface Thresholds {
  /** Error ratio at or above which a version is red. */
  errorRatioRed: number;
  /** Error ratio at or above which a version is amber. */
  errorRatioAmber: number;
  /** p99 in ms at or above which a version is red. */
  p99RedMs: number;
  /** p99 in ms at or above which a version is amber. */
  p99AmberMs: number;
  /** Fewer requests than this in the window: no judgement. */
  minRequests: number;
  /** A canary whose error ratio exceeds its stable's by this much (absolute) is red. */
  canaryErrorDelta: number;
  /** A canary whose p99 exceeds its stable's by this factor is amber. */
  canaryP99Factor: number;
}

export const defaultThresholds: Thresholds = {
  errorRatioRed: 0.05,
  errorRatioAmber: 0.01,
  p99RedMs: 2000,
  p99AmberMs: 500,
  minRequests: 5,
  canaryErrorDelta: 0.02,
  canaryP99Factor: 1.5,
};

const order: Rag[] = ["none", "green", "amber", "red"];

/** The worse of two judgements. */
export function worst(a: Rag, b: Rag): Rag {
  return order.indexOf(a) >= order.indexOf(b) ? a : b;
}

/** The window named `name` ("10s", "1m", "5m"), else the shortest one. */
export function pickWindow(windows: WindowStats[] | undefined, name = "1m"): WindowStats | undefined {
  if (!windows || windows.length === 0) return undefined;
  return windows.find((w) => w.window === name) ?? windows[0];
}

/** Judges one window, optionally against a baseline (the stable version, for a canary). */
export function judge(stats: WindowStats | undefined, t: Thresholds = defaultThresholds, baseline?: WindowStats): Rag {
  if (!stats || stats.requests < t.minRequests) return "none";
  let rag: Rag = "green";
  if (stats.errorRatio >= t.errorRatioRed) rag = "red";
  else if (stats.errorRatio >= t.errorRatioAmber) rag = "amber";
  const p99 = stats.p99Ms ?? 0;
  if (p99 >= t.p99RedMs) rag = worst(rag, "red");
  else if (p99 >= t.p99AmberMs) rag = worst(rag, "amber");
  if (baseline && baseline.requests >= t.minRequests) {
    if (stats.errorRatio - baseline.errorRatio >= t.canaryErrorDelta) rag = worst(rag, "red");
    const baseP99 = baseline.p99Ms ?? 0;
    if (baseP99 > 0 && p99 > baseP99 * t.canaryP99Factor) rag = worst(rag, "amber");
  }
  return rag;
}

/** A version's health entry, if the function's health lists it. */
export function versionHealth(health: FunctionHealth | undefined, version: number | null | undefined): VersionHealth | undefined {
  if (!health || version === null || version === undefined) return undefined;
  return health.versions.find((v) => v.version === version);
}

/** Judges a function: its stable version on its own, its canary against the stable. */
export function judgeFunction(health: FunctionHealth | undefined, window = "1m", t: Thresholds = defaultThresholds): Rag {
  if (!health) return "none";
  const stable = pickWindow(versionHealth(health, health.stableVersion)?.windows, window);
  const canary = pickWindow(versionHealth(health, health.canaryVersion)?.windows, window);
  const overall = judge(pickWindow(health.windows, window), t);
  return worst(worst(overall, judge(stable, t)), canary ? judge(canary, t, stable) : "none");
}

/**
 * The health guard's own verdict (Needle.Rollback), when the host has it: it judges a canary against its stable with
 * the guard's configured thresholds, so it overrides the console's defaults. The verdict may arrive as a name or as
 * the enum's number (InsufficientData, Healthy, Marginal, Breach).
 */
export function judgeGuard(result: GuardResult | undefined): Rag {
  if (!result) return "none";
  const verdict = result.decision?.verdict;
  const name = typeof verdict === "number" ? ["insufficientdata", "healthy", "marginal", "breach"][verdict] : String(verdict).toLowerCase().replace(/[^a-z]/g, "");
  return name === "breach" ? "red" : name === "marginal" ? "amber" : name === "healthy" ? "green" : "none";
}
