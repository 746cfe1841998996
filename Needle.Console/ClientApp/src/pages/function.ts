import type { AppContext } from "../app";
import { confirmAction, toast } from "../confirm";
import { ApiError, seg } from "../lib/api";
import { diffLines } from "../lib/diff";
import { h, link, replace, type Child } from "../lib/dom";
import { formatAge, formatAgo, formatMs, formatPercent, formatRate, shortHash } from "../lib/format";
import { judge, judgeGuard, pickWindow, versionHealth } from "../lib/health";
import type { AuditEvent, FunctionDetail, FunctionHealth, FunctionVersion, NodeFunction, NodeRecord, ReleasePlan, ReleaseRecord } from "../lib/types";
import { skippedBadge } from "./gate";
import { patchDialog } from "./patch";
import { versionCharts } from "./charts";

/** One function: release state and actions, live charts per version, versions and diffs, audit, errors, nodes. */
export function functionPage(ctx: AppContext, root: HTMLElement, name: string): () => void {
  const base = `/functions/${seg(name)}`;
  const release = h("section", { class: "release", "data-testid": "release" });
  const actions = h("div", { class: "actions" });
  const convergence = h("section", { class: "nodes", "data-testid": "nodes" });
  const charts = h("section", { class: "charts" });
  const health = h("section", { class: "health", "data-testid": "health" });
  const versions = h("section", { class: "versions" });
  const diff = h("section", { class: "diff", "data-testid": "diff" });
  const audit = h("section", { class: "audit" });
  const errors = h("section", { class: "errors" });
  const plan = h("section", { class: "plan", hidden: true });
  replace(
    root,
    h("p", null, link("/", "← all functions")),
    h("h1", null, name),
    release,
    actions,
    plan,
    convergence,
    h("h2", null, "Last 15 minutes (since the console opened)"),
    charts,
    health,
    errors,
    h("h2", null, "Versions"),
    versions,
    diff,
    h("h2", null, "Audit trail"),
    audit,
  );

  let detail: FunctionDetail | null = null;
  let lastRevision = 0;
  let stopped = false;
  let timer = 0;
  const chart = versionCharts(charts);

  const act = async (label: string, run: () => Promise<{ revision?: number } | unknown>) => {
    try {
      const result = (await run()) as { revision?: number } | null;
      if (result && typeof result.revision === "number") lastRevision = result.revision;
      toast(`${label}: done`);
    } catch (error) {
      toast(`${label} refused: ${(error as Error).message}`, "error");
    }
    await refresh();
  };

  const renderActions = (r: ReleaseRecord | null, stableHash: string | undefined) => {
    const buttons: Child[] = [];
    const button = (text: string, testId: string, onclick: () => void, cls = "") => h("button", { type: "button", class: cls, "data-testid": testId, onclick }, text);
    if (r?.canaryVersion) {
      buttons.push(
        button("Canary weight…", "action-weight", async () => {
          const v = await confirmAction("Change the canary weight", `v${r.canaryVersion} gets this share of traffic.`, [{ name: "weight", label: "Weight (%)", type: "number", value: String(r.canaryWeight) }]);
          if (v) await act("Weight", () => ctx.api.send("POST", `${base}/canary`, { weight: Number(v.weight), reason: v.reason }));
        }),
        button("Promote", "action-promote", async () => {
          const v = await confirmAction("Promote the canary", `v${r.canaryVersion} becomes the stable version for all traffic.`);
          if (v) await act("Promote", () => ctx.api.send("POST", `${base}/promote`, { reason: v.reason }));
        }),
        button("Abort", "action-abort", async () => {
          const v = await confirmAction("Abort the canary", `v${r.canaryVersion} stops taking traffic; v${r.stableVersion} serves everyone.`);
          if (v) await act("Abort", () => ctx.api.send("POST", `${base}/abort`, { reason: v.reason }));
        }),
      );
    }
    if (r) {
      buttons.push(
        button("Roll back", "action-rollback", async () => {
          const what = r.canaryVersion ? `The canary v${r.canaryVersion} is dropped and marked bad.` : `v${r.stableVersion} is marked bad and the previous good version serves.`;
          const v = await confirmAction("Roll back", what, [], "Roll back");
          if (v) await act("Rollback", () => ctx.api.send("POST", `${base}/rollback`, { reason: v.reason }));
        }, "danger"),
      );
      if (r.killSwitch) {
        buttons.push(
          button("Lift kill switch", "action-revive", async () => {
            const v = await confirmAction("Lift the kill switch", `v${r.stableVersion} serves again.`);
            if (v) await act("Revive", () => ctx.api.send("DELETE", `${base}/kill?reason=${encodeURIComponent(v.reason)}`));
          }),
        );
      } else {
        buttons.push(
          button("Kill switch…", "action-kill", async () => {
            const v = await confirmAction("Kill switch", "Every request gets this response; no version runs until the switch is lifted.", [
              { name: "status", label: "Status", type: "number", value: "503" },
              { name: "body", label: "Body", type: "textarea", value: '{"error":"temporarily unavailable"}', required: false },
              { name: "contentType", label: "Content type", value: "application/json; charset=utf-8" },
            ], "Kill");
            if (v) await act("Kill switch", () => ctx.api.send("POST", `${base}/kill`, { fallback: { status: Number(v.status), body: v.body, contentType: v.contentType }, reason: v.reason }));
          }, "danger"),
        );
      }
      buttons.push(
        button("Emergency patch…", "action-patch", async () => {
          const stable = await ctx.api.get<FunctionVersion>(`${base}/versions/${r.stableVersion}`);
          const v = await patchDialog(stable);
          if (v) await act("Patch", () => ctx.api.send("POST", `${base}/patches`, { baseHash: stableHash ?? stable.contentHash, diff: v.diff, reason: v.reason, ticket: v.ticket || undefined }));
        }, "danger"),
      );
    }
    buttons.push(link(`/edit/${encodeURIComponent(name)}${r ? `/${r.stableVersion}` : ""}`, "Open in editor"));
    replace(actions, ...buttons);
  };

  const renderNodes = async (r: ReleaseRecord | null) => {
    const nodes = await ctx.api.get<NodeRecord[]>("/nodes");
    const target = Math.max(lastRevision, r?.revision ?? 0);
    // Gone nodes (no heartbeat for the host's NodeGoneAfter) are shown but left out of convergence.
    const live = nodes.filter((n) => n.live);
    const converged = live.length > 0 && live.every((n) => n.revision >= target);
    const row = (n: NodeRecord) => {
      const current = n.revision >= target;
      return h(
        "tr",
        { "data-testid": "node", "data-node": n.nodeId, class: n.live ? "" : "gone" },
        h("td", null, n.nodeId),
        h("td", { class: n.live ? "ok" : "error", "data-testid": "node-state" }, n.state),
        h("td", { "data-testid": "node-serves" }, servesText(n.functions.find((f) => f.name === name))),
        h("td", null, `revision ${n.revision}`),
        h("td", { class: !n.live ? "muted" : current ? "ok" : "pending" }, !n.live ? "not counted" : current ? "current" : "behind"),
        h("td", { class: "muted", "data-testid": "node-heartbeat" }, `heartbeat ${formatAge(n.heartbeatAgeSeconds)} ago`),
      );
    };
    replace(
      convergence,
      h("h2", null, "Nodes"),
      h("p", { class: converged ? "ok" : "pending", "data-testid": "converged" }, converged ? `Every live node serves revision ${target} or later.` : `Waiting for nodes to reach revision ${target}…`),
      h("table", null, h("thead", null, h("tr", null, ...["node", "state", "serves", "revision", "", "heartbeat"].map((t) => h("th", null, t)))), h("tbody", null, ...nodes.map(row))),
    );
  };

  const servesText = (f: NodeFunction | undefined) =>
    !f ? "not served" : `v${f.stableVersion}${f.canaryVersion != null ? ` + canary v${f.canaryVersion}` : ""}${f.killSwitchOn ? " (kill switch on)" : ""}`;

  const renderHealth = (fh: FunctionHealth | undefined) => {
    if (!ctx.health.available) {
      replace(health, h("p", { class: "banner" }, "No health data — add AddObservability() to the host."));
      replace(errors);
      return;
    }
    if (!fh) {
      replace(health, h("p", { class: "muted" }, "No traffic recently."));
      replace(errors);
      return;
    }
    const stable = pickWindow(versionHealth(fh, fh.stableVersion)?.windows);
    const rows = fh.versions.map((v) => {
      const w = pickWindow(v.windows);
      const rag = judge(w, undefined, v.version === fh.canaryVersion ? stable : undefined);
      return h("tr", null, h("td", { class: `rag ${rag}` }), h("td", null, `v${v.version}`), h("td", null, v.role), h("td", null, formatRate(w?.rate)), h("td", null, formatPercent(w?.errorRatio)), h("td", null, formatMs(w?.p50Ms)), h("td", null, formatMs(w?.p99Ms)), h("td", null, String(w?.requests ?? 0)));
    });
    const guard = ctx.health.guard.get(name);
    replace(health, guard ? h("p", { class: `guard ${judgeGuard(guard)}`, "data-testid": "guard" }, `Guard on canary v${guard.canaryVersion}: ${guard.decision.reason}`) : null, h("table", null, h("thead", null, h("tr", null, ...["", "version", "role", "rate (1 m)", "errors", "p50", "p99", "requests"].map((t) => h("th", null, t)))), h("tbody", null, ...rows)));
    const recent = fh.versions.filter((v) => v.lastError).sort((a, b) => Date.parse(b.lastError!.at) - Date.parse(a.lastError!.at));
    replace(errors, h("h2", null, "Recent errors"), recent.length === 0 ? h("p", { class: "muted" }, "None.") : h("ul", null, ...recent.map((v) => h("li", null, h("strong", null, `v${v.version} `), h("span", { class: "muted" }, `${formatAgo(v.lastError!.at)} ${v.lastError!.outcome ?? ""} `), h("code", null, v.lastError!.message)))));
  };

  // The diff selection outlives the refresh every 3 s; it starts at the two newest versions.
  let a: number | undefined;
  let b: number | undefined;
  const renderVersions = (d: FunctionDetail) => {
    a ??= d.versions[1]?.number ?? d.versions[0]?.number;
    b ??= d.versions[0]?.number;
    const rows = d.versions.map((v) =>
      h(
        "tr",
        null,
        h("td", null, h("input", { type: "radio", name: "diff-a", checked: v.number === a, onchange: () => (a = v.number), title: "diff from" })),
        h("td", null, h("input", { type: "radio", name: "diff-b", checked: v.number === b, onchange: () => (b = v.number), title: "diff to" })),
        h("td", null, link(`/edit/${encodeURIComponent(name)}/${v.number}`, `v${v.number}`)),
        h("td", null, roleOf(d.function.release, v.number), skippedBadge(v)),
        h("td", null, h("code", null, shortHash(v.contentHash))),
        h("td", null, v.parent ? `patch of v${v.parent}` : ""),
        h("td", null, v.author),
        h("td", { class: "muted" }, formatAgo(v.createdAt)),
      ),
    );
    replace(
      versions,
      h("table", null, h("thead", null, h("tr", null, ...["from", "to", "version", "role", "hash", "", "author", "created"].map((t) => h("th", null, t)))), h("tbody", null, ...rows)),
      h("button", { type: "button", "data-testid": "show-diff", onclick: () => void showDiff(a, b) }, "Diff selected versions"),
    );
  };

  const showDiff = async (a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined) return;
    const [va, vb] = await Promise.all([ctx.api.get<FunctionVersion>(`${base}/versions/${a}`), ctx.api.get<FunctionVersion>(`${base}/versions/${b}`)]);
    const lines = diffLines(va.source + "\n// manifest\n" + JSON.stringify(va.manifest, null, 2), vb.source + "\n// manifest\n" + JSON.stringify(vb.manifest, null, 2));
    replace(
      diff,
      h("h3", null, `v${a} → v${b}`),
      h("pre", { class: "diff" }, ...lines.map((l) => h("div", { class: l.kind === "+" ? "add" : l.kind === "-" ? "del" : "" }, `${l.kind} ${l.text}`))),
    );
  };

  const renderAudit = (events: AuditEvent[]) => {
    replace(
      audit,
      // A skip of the test cases stands out, with its route and how many cases did not run (the event's detail).
      h("table", null, h("tbody", null, ...events.map((e) => h("tr", e.action === "tests-skipped" ? { class: "tests-skipped", "data-testid": "audit-tests-skipped" } : null, h("td", { class: "muted" }, formatAgo(e.at)), h("td", null, e.action), h("td", null, e.version ? `v${e.version}` : ""), h("td", null, e.actor), h("td", null, e.reason ?? ""), h("td", { class: "muted" }, e.action === "tests-skipped" ? (e.detail ?? "") : e.revision ? `rev ${e.revision}` : ""))))),
    );
  };

  // Release plans come from Needle.Rollback (GET /functions/{name}/plans/current); without it the section stays hidden.
  const renderPlan = (p: ReleasePlan | null) => {
    plan.hidden = p === null;
    if (!p) return;
    replace(
      plan,
      h("h2", null, `Release plan for v${p.version}: ${p.status}`),
      h("ol", { class: "plan-steps", "data-testid": "plan" }, ...p.steps.map((weight, i) => h("li", { class: i < p.stepIndex || p.status === "completed" ? "done" : i === p.stepIndex ? "current" : "" }, `${weight} %`))),
      h("p", { class: "muted" }, p.detail ?? "", p.status === "running" ? ` — next step ${formatAgo(p.nextAt).replace(" ago", "")}` : ""),
    );
  };

  const refresh = async () => {
    try {
      detail = await ctx.api.get<FunctionDetail>(base);
    } catch (error) {
      replace(release, h("p", { class: "error" }, error instanceof ApiError && error.status === 404 ? `Function '${name}' does not exist.` : (error as Error).message));
      return;
    }
    const r = detail.function.release;
    const stableHash = detail.versions.find((v) => v.number === r?.stableVersion)?.contentHash;
    replace(
      release,
      h(
        "dl",
        null,
        h("dt", null, "route"),
        h("dd", null, `${(detail.function.methods ?? []).join(" ")} ${detail.function.route ?? "—"}`),
        h("dt", null, "stable"),
        h("dd", { "data-testid": "stable" }, r ? `v${r.stableVersion}` : "none (not released)", skippedBadge(detail.versions.find((v) => v.number === r?.stableVersion))),
        h("dt", null, "canary"),
        h("dd", { "data-testid": "canary" }, r?.canaryVersion ? `v${r.canaryVersion} at ${r.canaryWeight} %${r.pins?.length ? `, pinned: ${r.pins.join(", ")}` : ""}` : "none", r?.canaryVersion ? skippedBadge(detail.versions.find((v) => v.number === r.canaryVersion)) : null),
        h("dt", null, "kill switch"),
        h("dd", { class: r?.killSwitch ? "error" : "" }, r?.killSwitch ? `ON — answers ${r.killSwitch.status}` : "off"),
        h("dt", null, "last change"),
        h("dd", null, r ? `${r.action} by ${r.actor} ${formatAgo(r.createdAt)}${r.reason ? ` — ${r.reason}` : ""} (revision ${r.revision})` : "—"),
        h("dt", null, "this node serves"),
        h("dd", null, detail.function.serving ?? "nothing", detail.function.loadError ? h("span", { class: "error" }, ` load error: ${detail.function.loadError}`) : null),
      ),
    );
    renderActions(r, stableHash);
    renderVersions(detail);
    const [events, planState] = await Promise.all([
      ctx.api.get<AuditEvent[]>(`/audit?function=${encodeURIComponent(name)}&limit=30`),
      ctx.api.tryGet<ReleasePlan>(`${base}/plans/current`).catch(() => null),
      renderNodes(r).catch(() => undefined),
    ]);
    renderAudit(events);
    renderPlan(planState);
  };

  const onHealth = () => {
    const fh = ctx.health.latest?.functions.find((f) => f.function === name);
    renderHealth(fh);
    chart.update(ctx.health.history, name, fh);
  };

  const loop = async () => {
    await refresh();
    if (!stopped) timer = window.setTimeout(loop, 3000);
  };
  void loop();
  const unsubscribe = ctx.health.subscribe(onHealth);
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    unsubscribe();
    chart.dispose();
  };
}

function roleOf(r: ReleaseRecord | null, n: number): string {
  if (!r) return "";
  if (r.stableVersion === n) return "stable";
  if (r.canaryVersion === n) return `canary ${r.canaryWeight} %`;
  return "";
}
