import { describe, expect, it } from "vitest";
import { diffLines, unifiedDiff } from "./diff";
import { formatAge, formatMs, formatPercent, formatRate } from "./format";
import { judge, judgeFunction, judgeGuard } from "./health";
import { sparkPoints } from "./sparkline";
import { toEditorDiagnostics } from "../pages/diagnostics";
import type { FunctionHealth, WindowStats } from "./types";

const w = (requests: number, errors: number, p99: number | null = 10): WindowStats => ({
  window: "1m", seconds: 60, requests, errors, rate: requests / 60, errorRatio: requests ? errors / requests : 0, p50Ms: p99, p95Ms: p99, p99Ms: p99,
});

describe("format", () => {
  it("formats a heartbeat age in seconds, minutes, hours", () => {
    expect(formatAge(0.4)).toBe("0 s");
    expect(formatAge(4.6)).toBe("5 s");
    expect(formatAge(125)).toBe("2 min");
    expect(formatAge(7300)).toBe("2 h");
    expect(formatAge(-3)).toBe("0 s");
  });

  it("formats rates, ratios and durations briefly", () => {
    expect(formatRate(0)).toBe("0/s");
    expect(formatRate(0.35)).toBe("0.35/s");
    expect(formatRate(1234)).toBe("1.2k/s");
    expect(formatPercent(0.0025)).toBe("0.25 %");
    expect(formatPercent(0.5)).toBe("50 %");
    expect(formatMs(1250)).toBe("1.25 s");
    expect(formatMs(null)).toBe("–");
  });
});

describe("judge", () => {
  it("says nothing below the minimum sample", () => expect(judge(w(2, 2))).toBe("none"));
  it("is green, amber, red by error ratio", () => {
    expect(judge(w(100, 0))).toBe("green");
    expect(judge(w(100, 2))).toBe("amber");
    expect(judge(w(100, 10))).toBe("red");
  });
  it("is red by p99", () => expect(judge(w(100, 0, 5000))).toBe("red"));
  it("judges a canary against its stable version", () => expect(judge(w(100, 3), undefined, w(100, 0))).toBe("red"));
  it("judges a function by its worst version", () => {
    const health: FunctionHealth = {
      function: "f", stableVersion: 1, canaryVersion: 2, windows: [w(200, 0)], lastError: null,
      versions: [{ function: "f", version: 2, role: "canary", windows: [w(100, 20)], lastError: null }, { function: "f", version: 1, role: "stable", windows: [w(100, 0)], lastError: null }],
    };
    expect(judgeFunction(health)).toBe("red");
  });
});

describe("diff", () => {
  it("marks added and removed lines", () => {
    const lines = diffLines("a\nb\nc\n", "a\nx\nc\n");
    expect(lines.map((l) => l.kind + l.text)).toEqual([" a", "-b", "+x", " c"]);
  });
  it("writes a unified diff with hunk headers", () => {
    const old = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const changed = old.replace("line 5", "line five");
    expect(unifiedDiff(old, changed, "f.js")).toBe(
      "--- a/f.js\n+++ b/f.js\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n",
    );
  });
  it("is empty for equal texts", () => expect(unifiedDiff("a\n", "a\n")).toBe(""));
  it("marks a missing final newline", () => {
    expect(unifiedDiff("a\nb", "a\nc")).toBe("--- a/function.js\n+++ b/function.js\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n");
  });
});

describe("sparkline", () => {
  it("scales the maximum to the top", () => expect(sparkPoints([0, 2], 10, 10)).toBe("0.0,9.0 10.0,1.0"));
});

describe("diagnostics", () => {
  it("maps line and column to a range", () => {
    const text = ["abc", "defg"];
    const doc = { lines: 2, length: 8, line: (n: number) => ({ from: n === 1 ? 0 : 4, to: n === 1 ? 3 : 8 }) };
    expect(toEditorDiagnostics(doc, [{ message: "m", line: 2, column: 2, severity: "error" }])).toEqual([{ from: 5, to: 8, severity: "error", message: "m" }]);
    expect(text.length).toBe(2);
  });
});

describe("guard", () => {
  const result = (verdict: number | string) => ({ function: "f", stableVersion: 1, canaryVersion: 2, decision: { verdict, reason: "r" }, rolledBack: false });
  it("maps the guard's verdict by name or number", () => {
    expect(judgeGuard(result("Breach"))).toBe("red");
    expect(judgeGuard(result(2))).toBe("amber");
    expect(judgeGuard(result("healthy"))).toBe("green");
    expect(judgeGuard(result(0))).toBe("none");
    expect(judgeGuard(undefined)).toBe("none");
  });
});
