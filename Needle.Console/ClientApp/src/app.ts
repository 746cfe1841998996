import { Api } from "./lib/api";
import { HealthHistory } from "./lib/history";
import type { GuardResult, HealthSummary } from "./lib/types";

/** What every page shares: the API client and the live health feed. */
export interface AppContext {
  api: Api;
  health: HealthFeed;
}

type Listener = (summary: HealthSummary | null) => void;

/**
 * Polls the cluster's health summary (every live node's counts added up; one node's alone on a single host) every 2 s
 * while the console is open (the upper bound), keeps the samples for charts, and tells the open page. A host
 * without AddObservability() answers 404: the feed reports null and backs off.
 */
export class HealthFeed {
  readonly history = new HealthHistory();
  latest: HealthSummary | null = null;
  /** False once the API said it has no health endpoint. */
  available = true;
  /** The guard's verdicts by function, when the host has Needle.Rollback's guard endpoint. */
  guard = new Map<string, GuardResult>();
  private guardAvailable = true;
  private readonly listeners = new Set<Listener>();
  private timer: number | undefined;

  constructor(
    private readonly api: Api,
    private readonly intervalMs = 2000,
  ) {}

  start(): void {
    if (this.timer === undefined) void this.tick();
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.latest || !this.available) listener(this.latest);
    return () => this.listeners.delete(listener);
  }

  private async tick(): Promise<void> {
    let next = this.intervalMs;
    try {
      const summary = await this.api.tryGet<HealthSummary>("/health?scope=cluster");
      this.available = summary !== null;
      this.latest = summary;
      if (summary) this.history.add(summary);
      else next = 30000;
      if (this.guardAvailable) {
        const verdicts = await this.api.tryGet<GuardResult[]>("/guard").catch(() => null);
        this.guardAvailable = verdicts !== null;
        this.guard = new Map((verdicts ?? []).map((g) => [g.function, g]));
      }
    } catch {
      next = 5000;
    }
    for (const listener of this.listeners) listener(this.latest);
    this.timer = window.setTimeout(() => void this.tick(), next);
  }
}
