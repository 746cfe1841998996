import { javascript } from "@codemirror/lang-javascript";
import { StreamLanguage } from "@codemirror/language";
import { csharp } from "@codemirror/legacy-modes/mode/clike";
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { Compartment, EditorState } from "@codemirror/state";
import { basicSetup, EditorView } from "codemirror";
import type { AppContext } from "../app";
import { confirmAction, toast } from "../confirm";
import { ApiError, seg } from "../lib/api";
import { h, link, replace } from "../lib/dom";
import { formatMs } from "../lib/format";
import type { DeployResponse, Diagnostic, FunctionDetail, FunctionVersion, InvokeResponse, Manifest, TestCaseResult, TestRunResponse } from "../lib/types";
import { toEditorDiagnostics } from "./diagnostics";
import { askToSkip, CasesFailed, casesFailedOf } from "./gate";

const jsTemplate = `export default async function (req, ctx) {
  ctx.log.info("called", req.query.name ?? "");
  return { message: \`Hello, \${req.query.name ?? "world"}!\` };
}
`;

const csTemplate = `// A C# function: one public class implementing INeedleFunction (compiled by Roslyn on deploy).
public sealed class MyFunction : INeedleFunction
{
    public Task<object?> InvokeAsync(FunctionRequest request, FunctionContext context)
    {
        context.Log.Info("called");
        return Task.FromResult<object?>(new { message = "Hello from C#" });
    }
}
`;

/**
 * The online editor: open a version or start a function, edit with highlighting, see diagnostics inline, run it as a
 * draft (a version deployed with activate=false takes no traffic; drafts become versions), then deploy as canary.
 * The function's test cases sit beside the source; every deploy runs them (the quality gate), so a failing draft is
 * refused with its failing cases shown inline. A refused deploy offers the explicit skip: with a required reason it
 * deploys the same way again with skipTests (audited as tests-skipped, shown on the version).
 */
export async function editorPage(ctx: AppContext, root: HTMLElement, name?: string, versionNumber?: number): Promise<() => void> {
  let source = jsTemplate;
  let manifest: Manifest = { route: "/my-function", methods: ["GET"] };
  let hasRelease = false;
  let stableVersion: number | undefined;
  if (name) {
    const detail = await ctx.api.tryGet<FunctionDetail>(`/functions/${seg(name)}`);
    if (detail) {
      hasRelease = detail.function.release !== null;
      stableVersion = detail.function.release?.stableVersion;
      const number = versionNumber ?? stableVersion ?? detail.function.latestVersion;
      const version = await ctx.api.get<FunctionVersion>(`/functions/${seg(name)}/versions/${number}`);
      source = version.source;
      manifest = version.manifest;
    }
  }

  const nameInput = h("input", { type: "text", value: name ?? "", placeholder: "function-name", pattern: "[a-z0-9][a-z0-9-]{0,62}", "data-testid": "editor-name", readonly: name ? true : null });
  const runtime = h("select", { "data-testid": "editor-runtime" }, h("option", { value: "javascript" }, "JavaScript"), h("option", { value: "csharp" }, "C#"));
  runtime.value = manifest.runtime ?? "javascript";
  const { name: _ignored, tests: cases, ...manifestRest } = manifest;
  void _ignored;
  const manifestBox = h("textarea", { rows: 8, class: "code", spellcheck: false, "data-testid": "editor-manifest" });
  manifestBox.value = JSON.stringify(manifestRest, null, 2);
  const testsBox = h("textarea", { rows: 10, class: "code", spellcheck: false, placeholder: '[{ "name": "...", "request": {}, "fetch": [], "expect": { "status": 200 } }]', "data-testid": "editor-tests" });
  testsBox.value = cases && cases.length > 0 ? JSON.stringify(cases, null, 2) : "";

  const language = new Compartment();
  const languageFor = (r: string) => (r === "csharp" ? StreamLanguage.define(csharp) : javascript());
  const editorHost = h("div", { class: "editor", "data-testid": "editor" });
  const view = new EditorView({
    parent: editorHost,
    state: EditorState.create({ doc: source, extensions: [basicSetup, language.of(languageFor(runtime.value)), lintGutter(), EditorView.lineWrapping] }),
  });
  runtime.addEventListener("change", () => {
    view.dispatch({ effects: language.reconfigure(languageFor(runtime.value)) });
    if (!name && (view.state.doc.toString() === jsTemplate || view.state.doc.toString() === csTemplate)) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: runtime.value === "csharp" ? csTemplate : jsTemplate } });
    }
  });

  const method = h("select", null, ...["GET", "POST", "PUT", "DELETE", "PATCH"].map((m) => h("option", { value: m }, m)));
  const path = h("input", { type: "text", placeholder: "path (default: the route)", "data-testid": "sample-path" });
  const query = h("input", { type: "text", value: "{}", "data-testid": "sample-query", class: "code" });
  const params = h("input", { type: "text", value: "{}", "data-testid": "sample-params", class: "code" });
  const body = h("textarea", { rows: 3, class: "code", placeholder: "JSON body (optional)", "data-testid": "sample-body" });
  const weight = h("input", { type: "number", value: "10", min: "0", max: "100", step: "any", "data-testid": "canary-weight" });
  const planSteps = h("input", { type: "text", placeholder: "e.g. 1, 5, 20, 50, 100", "data-testid": "plan-steps" });
  const planWait = h("input", { type: "number", value: "60", min: "1", "data-testid": "plan-wait" });

  const problems = h("ul", { class: "diagnostics", "data-testid": "diagnostics" });
  const result = h("section", { class: "run-result", "data-testid": "run-result" });
  let draft: { key: string; version: number; active: boolean } | undefined;

  const currentName = () => nameInput.value.trim();
  const currentManifest = (): Manifest => {
    const parsed = JSON.parse(manifestBox.value || "{}") as Manifest;
    const tests = testsBox.value.trim() ? (JSON.parse(testsBox.value) as unknown[]) : undefined;
    return { ...parsed, runtime: runtime.value === "javascript" ? (parsed.runtime ?? undefined) : runtime.value, tests: tests ?? parsed.tests };
  };
  const contentKey = () => JSON.stringify([currentName(), view.state.doc.toString(), manifestBox.value, testsBox.value, runtime.value]);
  const casesResult = h("section", { class: "test-results", "data-testid": "test-results" });

  const showCases = (results: TestCaseResult[], summary: string) => {
    replace(
      casesResult,
      h("p", { "data-testid": "test-summary" }, summary),
      h(
        "ul",
        { class: "test-cases" },
        ...results.map((c) =>
          h(
            "li",
            { class: c.passed ? "passed" : "failed", "data-testid": "test-case" },
            h("strong", null, `${c.passed ? "✓" : "✗"} ${c.name}`),
            ` ${c.actual.status} in ${formatMs(c.actual.durationMs)}`,
            c.mismatches.length > 0 ? h("ul", null, ...c.mismatches.map((m) => h("li", null, `${m.field}: expected ${m.expected ?? "—"}, got ${m.actual ?? "—"}`))) : null,
            c.actual.logs.length > 0 ? h("pre", { class: "code" }, c.actual.logs.map((l) => `${l.level} ${l.message}`).join("\n")) : null,
          ),
        ),
      ),
    );
  };

  const showDiagnostics = (list: Diagnostic[], message?: string) => {
    view.dispatch(setDiagnostics(view.state, toEditorDiagnostics(view.state.doc, list) as CmDiagnostic[]));
    replace(problems, ...(list.length > 0 ? list : message ? [{ message, line: 0, column: 0, severity: "error" }] : []).map((d) => h("li", { class: d.severity }, d.line > 0 ? `${d.line}:${d.column} ` : "", d.message)));
  };

  const deploy = async (extra: Record<string, unknown>): Promise<DeployResponse | null> => {
    let manifestValue: Manifest;
    try {
      manifestValue = currentManifest();
    } catch (error) {
      showDiagnostics([], `The manifest is not valid JSON: ${(error as Error).message}`);
      return null;
    }
    try {
      const response = await ctx.api.send<DeployResponse>("POST", `/functions/${seg(currentName())}/versions`, { source: view.state.doc.toString(), manifest: manifestValue, ...extra });
      showDiagnostics(response.warnings ?? []);
      return response;
    } catch (error) {
      const failed = casesFailedOf(error);
      if (failed) {
        // The quality gate refused the version: nothing was stored; each failing case is shown beside the source.
        showDiagnostics([]);
        showCases(failed.failures, `Refused: ${failed.message}`);
        throw failed;
      }
      if (error instanceof ApiError) {
        showDiagnostics(error.problem.diagnostics ?? [], error.message);
        return null;
      }
      throw error;
    }
  };

  const runDraft = async () => {
    replace(result, h("p", { class: "muted" }, "Running…"));
    const key = contentKey();
    if (draft?.key !== key) {
      const deployed = await deploy({ activate: false, reason: "draft from the console editor" }).catch((error: unknown) => {
        if (error instanceof CasesFailed) return null;
        throw error;
      });
      if (!deployed) return void replace(result);
      // The same content as an existing version comes back unchanged: that version runs, whatever it serves.
      draft = { key, version: deployed.version, active: deployed.active };
    }
    const { version, active } = draft;
    if (testsBox.value.trim()) {
      const run = await ctx.api.send<TestRunResponse>("POST", `/functions/${seg(currentName())}/versions/${version}/test`);
      showCases(run.cases, `${run.cases.length - run.failed} of ${run.cases.length} cases passed on v${version}${run.cached ? " (kept result)" : ""}`);
    }
    let sample: Record<string, unknown>;
    try {
      sample = { method: method.value, path: path.value || undefined, query: JSON.parse(query.value || "{}"), params: JSON.parse(params.value || "{}"), body: body.value.trim() ? JSON.parse(body.value) : undefined };
    } catch (error) {
      return void replace(result, h("p", { class: "error" }, `The sample request is not valid JSON: ${(error as Error).message}`));
    }
    try {
      const run = await ctx.api.send<InvokeResponse>("POST", `/functions/${seg(currentName())}/versions/${version}/invoke`, sample);
      replace(
        result,
        h("p", null, h("strong", { "data-testid": "run-status" }, `${run.status}`), ` in ${formatMs(run.durationMs)} — ${active ? `v${version} (same content as a released version)` : `draft v${version} (takes no traffic)`}`),
        run.error ? h("p", { class: "error" }, run.error) : null,
        h("pre", { class: "code", "data-testid": "run-body" }, typeof run.body === "string" ? run.body : JSON.stringify(run.body, null, 2)),
        h("h3", null, "Log"),
        h("pre", { class: "code", "data-testid": "run-logs" }, run.logs.length === 0 ? "(nothing logged)" : run.logs.map((l) => `${l.at} ${l.level} ${l.message}`).join("\n")),
      );
    } catch (error) {
      replace(result, h("p", { class: "error" }, (error as Error).message));
    }
  };

  const deployCanary = async () => {
    const fn = currentName();
    const first = !hasRelease;
    const steps = planSteps.value.split(/[ ,]+/).filter(Boolean).map(Number);
    if (steps.some((n) => !Number.isFinite(n))) return toast("The plan's steps must be numbers, e.g. 1, 5, 20, 50, 100.", "error");
    const withPlan = !first && steps.length > 0;
    const confirmed = await confirmAction(
      first ? "Deploy the first version" : withPlan ? "Deploy with a release plan" : "Deploy as canary",
      first
        ? `${fn} has no stable version yet: this version serves all its traffic.`
        : withPlan
          ? `The version becomes the canary beside stable v${stableVersion} and moves through ${steps.join(" → ")} %, every ${planWait.value} s while the guard's gate passes.`
          : `The version takes ${weight.value} % of ${fn}'s traffic beside stable v${stableVersion}.`,
      [],
      "Deploy",
    );
    if (!confirmed) return;
    // The same deploy, with skipTests when the user chose the explicit skip after a refusal.
    const attempt = async (reason: string, skipTests: boolean) => {
      const gate = skipTests ? { skipTests: true } : {};
      const drafted = draft?.key === contentKey() ? draft.version : undefined;
      let version: number | undefined;
      if (first) {
        version = (await deploy({ activate: true, reason, ...gate }))?.version;
      } else if (withPlan) {
        version = drafted ?? (await deploy({ activate: false, reason, ...gate }))?.version;
        if (version !== undefined) {
          try {
            await ctx.api.send("POST", `/functions/${seg(fn)}/plans`, { version, steps, stepWaitSeconds: Number(planWait.value), reason, ...gate });
          } catch (error) {
            if (error instanceof ApiError && (error.status === 404 || error.status === 405)) throw new Error("release plans need AddRollback() on the host");
            throw error;
          }
        }
      } else if (drafted !== undefined) {
        await ctx.api.send("POST", `/functions/${seg(fn)}/canary`, { version: drafted, weight: Number(weight.value), reason, ...gate });
        version = drafted;
      } else {
        version = (await deploy({ canary: { weight: Number(weight.value) }, reason, ...gate }))?.version;
      }
      if (version !== undefined) {
        toast(`${fn} v${version} deployed${skipTests ? " without running its cases (audited)" : ""}`);
        location.hash = `#/fn/${encodeURIComponent(fn)}`;
      }
    };
    const run = async (reason: string, skipTests: boolean) => {
      try {
        await attempt(reason, skipTests);
      } catch (error) {
        const failed = casesFailedOf(error);
        if (!failed) return toast(`Deploy refused: ${(error as Error).message}`, "error");
        showCases(failed.failures, `Refused: ${failed.message}`);
        const skip = async () => {
          const why = await askToSkip(fn, failed);
          if (why) await run(why, true);
        };
        casesResult.append(h("button", { type: "button", class: "danger", "data-testid": "skip-and-deploy", onclick: () => void skip() }, "Deploy anyway, skipping the cases…"));
      }
    };
    await run(confirmed.reason, false);
  };

  replace(
    root,
    h("p", null, name ? link(`/fn/${encodeURIComponent(name)}`, `← ${name}`) : link("/", "← all functions")),
    h("h1", null, name ? `Edit ${name}${versionNumber ? ` (from v${versionNumber})` : ""}` : "New function"),
    h("div", { class: "editor-bar" }, h("label", null, "Name ", nameInput), h("label", null, "Runtime ", runtime)),
    h("div", { class: "editor-with-tests" }, editorHost, h("div", { class: "editor-tests" }, h("h3", null, "Test cases"), testsBox, casesResult)),
    problems,
    h("details", null, h("summary", null, "Manifest (route, methods, config, limits, services)"), manifestBox),
    h("h2", null, "Test run"),
    h("div", { class: "sample" }, h("label", null, "Method ", method), h("label", null, "Path ", path), h("label", null, "Route params ", params), h("label", null, "Query ", query), h("label", null, "Body ", body)),
    h(
      "div",
      { class: "actions" },
      h("button", { type: "button", class: "primary", "data-testid": "run-draft", onclick: () => void runDraft() }, "Run as draft"),
      h("label", null, "Canary weight (%) ", weight),
      hasRelease ? h("label", null, "or a plan (%) ", planSteps, " every ", planWait, " s") : null,
      h("button", { type: "button", "data-testid": "deploy-canary", onclick: () => void deployCanary() }, hasRelease ? "Deploy as canary…" : "Deploy…"),
    ),
    h("p", { class: "muted" }, "A draft is a version deployed with activate=false: it takes no traffic, but it stays in the version list. Every deploy, drafts included, runs the test cases first; a failing one refuses it, and only the explicit, audited skip (with a reason) goes around it."),
    result,
  );
  return () => view.destroy();
}
