/** Requests per second, short: "0", "0.35/s", "12/s", "1.2k/s". */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return "–";
  if (perSecond === 0) return "0/s";
  if (perSecond < 10) return `${trim(perSecond.toFixed(2))}/s`;
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  return `${trim((perSecond / 1000).toFixed(1))}k/s`;
}

/** A ratio (0–1) as a percentage: "0 %", "0.25 %", "12 %". */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  const percent = ratio * 100;
  if (percent === 0) return "0 %";
  if (percent < 10) return `${trim(percent.toFixed(2))} %`;
  return `${Math.round(percent)} %`;
}

/** Milliseconds: "0.4 ms", "12 ms", "1.25 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  if (ms < 1) return `${trim(ms.toFixed(2))} ms`;
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${trim((ms / 1000).toFixed(2))} s`;
}

/** How long ago, from an ISO time: "5 s ago", "3 min ago", "2 h ago", else the date. */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(at).toISOString().slice(0, 16).replace("T", " ");
}

/** An age in seconds, as "4 s", "3 min", "2 h" (a node's heartbeat age). */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}

/** A short content hash for tables. */
export function shortHash(hash: string): string {
  return hash.slice(0, 10);
}

function trim(fixed: string): string {
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}
