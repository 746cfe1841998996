const svgNs = "http://www.w3.org/2000/svg";

/** The SVG polyline points for values scaled into width × height (max at the top, zero at the bottom). */
export function sparkPoints(values: number[], width: number, height: number): string {
  if (values.length === 0) return "";
  const max = Math.max(...values, 1e-9);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (Math.max(0, v) / max) * (height - 2)).toFixed(1)}`)
    .join(" ");
}

/** A tiny SVG sparkline; a few bytes of DOM instead of a chart library on the dashboard. */
export function sparkline(width = 120, height = 24): { element: SVGSVGElement; update(values: number[]): void } {
  const svg = document.createElementNS(svgNs, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "spark");
  const line = document.createElementNS(svgNs, "polyline");
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", "currentColor");
  line.setAttribute("stroke-width", "1.5");
  svg.appendChild(line);
  return {
    element: svg,
    update(values) {
      line.setAttribute("points", sparkPoints(values, width, height));
    },
  };
}
