/** One line of a line diff: kept (" "), removed ("-") or added ("+"). */
export interface DiffLine {
  kind: " " | "-" | "+";
  text: string;
  /** 1-based line in the old text (kept and removed lines). */
  oldLine?: number;
  /** 1-based line in the new text (kept and added lines). */
  newLine?: number;
}

/** Splits a text into lines without their terminators; a final newline does not make an empty last line. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/**
 * Line diff by longest common subsequence. Function sources are small (hundreds of lines), so the quadratic table is
 * cheaper to read and trust than a Myers implementation; common head and tail are trimmed first.
 */
export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  const table: Uint32Array[] = [];
  for (let i = 0; i <= n; i++) table.push(new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i][j] = am[i] === bm[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const out: DiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let k = 0; k < head; k++) out.push({ kind: " ", text: a[k], oldLine: oldLine++, newLine: newLine++ });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      out.push({ kind: " ", text: am[i], oldLine: oldLine++, newLine: newLine++ });
      i++;
      j++;
    } else if (i < n && (j >= m || table[i + 1][j] >= table[i][j + 1])) {
      // Removals before additions, as diff -u writes them.
      out.push({ kind: "-", text: am[i], oldLine: oldLine++ });
      i++;
    } else {
      out.push({ kind: "+", text: bm[j], newLine: newLine++ });
      j++;
    }
  }
  for (let k = a.length - tail; k < a.length; k++) out.push({ kind: " ", text: a[k], oldLine: oldLine++, newLine: newLine++ });
  return out;
}

/**
 * A unified diff (as `diff -u` writes it) from the old text to the new, with `context` lines around each change.
 * Empty when the texts are equal. Needle's patch endpoint applies it strictly against the base version.
 */
export function unifiedDiff(oldText: string, newText: string, name = "function.js", context = 3): string {
  const lines = diffLines(oldText, newText);
  const changed = lines.map((l, index) => (l.kind === " " ? -1 : index)).filter((index) => index >= 0);
  if (changed.length === 0 && oldText.endsWith("\n") === newText.endsWith("\n")) return "";
  const out = [`--- a/${name}`, `+++ b/${name}`];
  const oldEndsWithNewline = oldText.length === 0 || oldText.endsWith("\n");
  const newEndsWithNewline = newText.length === 0 || newText.endsWith("\n");
  // A change of only the final newline touches the last line.
  if (changed.length === 0) changed.push(lines.length - 1);
  const lastOld = lines.reduce((max, l) => Math.max(max, l.oldLine ?? 0), 0);
  const lastNew = lines.reduce((max, l) => Math.max(max, l.newLine ?? 0), 0);
  let start = 0;
  while (start < changed.length) {
    let end = start;
    while (end + 1 < changed.length && changed[end + 1] - changed[end] <= context * 2 + 1) end++;
    const from = Math.max(0, changed[start] - context);
    const to = Math.min(lines.length - 1, changed[end] + context);
    const hunk = lines.slice(from, to + 1);
    const oldCount = hunk.filter((l) => l.kind !== "+").length;
    const newCount = hunk.filter((l) => l.kind !== "-").length;
    const firstOld = hunk.find((l) => l.oldLine !== undefined)?.oldLine;
    const firstNew = hunk.find((l) => l.newLine !== undefined)?.newLine;
    const oldStart = oldCount === 0 ? precedingLine(lines, from, "oldLine") : firstOld!;
    const newStart = newCount === 0 ? precedingLine(lines, from, "newLine") : firstNew!;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const l of hunk) {
      out.push(l.kind + l.text);
      if (l.kind !== "+" && l.oldLine === lastOld && !oldEndsWithNewline && (l.kind === "-" || newEndsWithNewline || l.newLine !== lastNew)) {
        out.push("\\ No newline at end of file");
      } else if (l.kind !== "-" && l.newLine === lastNew && !newEndsWithNewline) {
        out.push("\\ No newline at end of file");
      }
    }
    start = end + 1;
  }
  return out.join("\n") + "\n";
}

function precedingLine(lines: DiffLine[], index: number, key: "oldLine" | "newLine"): number {
  for (let k = index - 1; k >= 0; k--) {
    const value = lines[k][key];
    if (value !== undefined) return value;
  }
  return 0;
}
