import type { Diagnostic } from "../lib/types";

/** The document shape the mapping needs (CodeMirror's Text satisfies it). */
export interface Lines {
  lines: number;
  length: number;
  line(n: number): { from: number; to: number };
}

/** Maps the server's diagnostics (1-based line and column, 0 when unknown) to editor ranges. */
export function toEditorDiagnostics(doc: Lines, list: Diagnostic[]): { from: number; to: number; severity: "error" | "warning"; message: string }[] {
  return list.map((d) => {
    const severity = d.severity === "warning" ? "warning" : "error";
    if (d.line <= 0 || doc.lines === 0) return { from: 0, to: Math.min(doc.length, 1), severity, message: d.message };
    const line = doc.line(Math.min(d.line, doc.lines));
    const from = Math.min(line.to, line.from + Math.max(0, d.column - 1));
    return { from, to: Math.max(from, line.to), severity, message: d.message };
  });
}
