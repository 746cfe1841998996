import type { AppContext } from "../app";
import { h, link, replace, setText } from "../lib/dom";
import { formatMs, formatPercent, formatRate } from "../lib/format";
import { judgeFunction, judgeGuard, pickWindow, versionHealth, worst } from "../lib/health";
import { sparkline } from "../lib/sparkline";
import type { FunctionSummary, HealthSummary } from "../lib/types";

interface Row {
  tr: HTMLTableRowElement;
  cells: Record<"route" | "stable" | "canary" | "rate" | "errors" | "p99" | "status", HTMLTableCellElement>;
  spark: ReturnType<typeof sparkline>;
}

/** Every function with its versions and live numbers; rows update in place. */
export function dashboard(ctx: AppContext, root: HTMLElement): () => void {
  const banner = h("p", { class: "banner", hidden: true, "data-testid": "no-health" }, "No health data — add AddObservability() to the host to see rates, errors and latency.");
  const body = h("tbody");
  const table = h(
    "table",
    { class: "functions", "data-testid": "functions" },
    h("thead", null, h("tr", null, ...["", "function", "route", "stable", "canary", "rate", "errors", "p99", "last 15 min"].map((t) => h("th", null, t)))),
    body,
  );
  const status = h("p", { class: "muted" });
  const scope = h("p", { class: "muted", "data-testid": "health-scope" });
  replace(root, h("h1", null, "Functions"), banner, scope, table, status);

  const rows = new Map<string, Row>();
  let functions: FunctionSummary[] = [];
  let stopped = false;

  const render = (health: HealthSummary | null) => {
    banner.hidden = ctx.health.available;
    const nodes = health?.nodes?.map((n) => n.nodeId) ?? [];
    setText(scope, health?.scope === "cluster" && nodes.length > 1 ? `Cluster figures: ${nodes.length} live nodes (${nodes.join(", ")})` : health ? `Figures of node ${health.nodeId}` : "");
    const byName = new Map(health?.functions.map((f) => [f.function, f]) ?? []);
    for (const fn of functions) {
      let row = rows.get(fn.name);
      if (!row) {
        row = createRow(fn.name);
        rows.set(fn.name, row);
      }
      body.appendChild(row.tr);
      const release = fn.release;
      setText(row.cells.route, fn.route ? `${(fn.methods ?? []).join(" ")} ${fn.route}` : "");
      setText(row.cells.stable, release ? `v${release.stableVersion}` : "—");
      setText(row.cells.canary, release?.killSwitch ? "killed" : release?.canaryVersion ? `v${release.canaryVersion} · ${release.canaryWeight} %` : "—");
      const fh = byName.get(fn.name);
      const overall = pickWindow(fh?.windows);
      const stable = pickWindow(versionHealth(fh, fh?.stableVersion)?.windows);
      const canary = pickWindow(versionHealth(fh, fh?.canaryVersion)?.windows);
      setText(row.cells.rate, fh ? formatRate(overall?.rate) : "–");
      setText(row.cells.errors, fh ? formatPercent(overall?.errorRatio) + (canary ? ` (canary ${formatPercent(canary.errorRatio)})` : "") : "–");
      setText(row.cells.p99, fh ? formatMs(stable?.p99Ms ?? overall?.p99Ms) + (canary ? ` (canary ${formatMs(canary.p99Ms)})` : "") : "–");
      const guard = ctx.health.guard.get(fn.name);
      const rag = fn.loadError ? "red" : worst(judgeFunction(fh), judgeGuard(guard));
      row.cells.status.className = `rag ${rag}`;
      row.cells.status.title = fn.loadError ?? guard?.decision?.reason ?? rag;
      row.tr.dataset.rag = rag;
      row.spark.update(ctx.health.history.get(fn.name).map((s) => s.rate));
    }
    for (const [name, row] of rows) {
      if (!functions.some((f) => f.name === name)) {
        row.tr.remove();
        rows.delete(name);
      }
    }
  };

  const loadFunctions = async () => {
    try {
      functions = await ctx.api.get<FunctionSummary[]>("/functions");
      setText(status, `${functions.length} function${functions.length === 1 ? "" : "s"}`);
    } catch (error) {
      setText(status, `Could not list functions: ${(error as Error).message}`);
    }
    render(ctx.health.latest);
    if (!stopped) timer = window.setTimeout(loadFunctions, 5000);
  };
  let timer = 0;
  void loadFunctions();
  const unsubscribe = ctx.health.subscribe(render);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    unsubscribe();
  };
}

function createRow(name: string): Row {
  const cell = () => h("td");
  const cells = { status: h("td", { class: "rag none" }), route: h("td", { class: "muted route" }), stable: cell(), canary: cell(), rate: cell(), errors: cell(), p99: cell() };
  const spark = sparkline();
  const tr = h(
    "tr",
    { "data-function": name },
    cells.status,
    h("td", null, link(`/fn/${encodeURIComponent(name)}`, name)),
    cells.route,
    cells.stable,
    cells.canary,
    cells.rate,
    cells.errors,
    cells.p99,
    h("td", null, spark.element),
  );
  return { tr, cells, spark };
}
