/** Tiny inline-SVG charts for the HTML reports: no library, no CDN, readable without JavaScript. */

export interface Point {
  x: number;
  y: number;
}
export interface Series {
  name: string;
  points: Point[];
  color?: string;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
const W = 720;
const H = 280;
const M = { top: 20, right: 20, bottom: 44, left: 60 };

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}

function axes(xMax: number, yMax: number, xLabel: string, yLabel: string, xMin = 0): string {
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  let out = `<line x1="${M.left}" y1="${M.top + ih}" x2="${M.left + iw}" y2="${M.top + ih}" stroke="#555"/>`;
  out += `<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ih}" stroke="#555"/>`;
  for (let i = 0; i <= 5; i++) {
    const y = M.top + ih - (i / 5) * ih;
    out += `<line x1="${M.left}" y1="${y}" x2="${M.left + iw}" y2="${y}" stroke="#eee"/>`;
    out += `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt((i / 5) * yMax)}</text>`;
  }
  for (let i = 0; i <= 6; i++) {
    const x = M.left + (i / 6) * iw;
    out += `<text x="${x}" y="${M.top + ih + 16}" text-anchor="middle" font-size="11">${fmt(xMin + (i / 6) * (xMax - xMin))}</text>`;
  }
  out += `<text x="${M.left + iw / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`;
  out += `<text x="14" y="${M.top + ih / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${M.top + ih / 2})">${esc(yLabel)}</text>`;
  return out;
}

function legend(names: string[], colors: string[]): string {
  return `<div class="legend">${names.map((n, i) => `<span><i style="background:${colors[i]}"></i>${esc(n)}</span>`).join('')}</div>`;
}

export function lineChart(title: string, series: Series[], xLabel: string, yLabel: string): string {
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p.y)));
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const colors = series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]!);
  const paths = series
    .map((s, i) => {
      if (s.points.length === 0) return '';
      const d = s.points
        .map((p, j) => `${j === 0 ? 'M' : 'L'}${(M.left + (p.x / xMax) * iw).toFixed(1)},${(M.top + ih - (p.y / yMax) * ih).toFixed(1)}`)
        .join(' ');
      return `<path d="${d}" fill="none" stroke="${colors[i]}" stroke-width="1.8"/>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${axes(xMax, yMax, xLabel, yLabel)}${paths}</svg>${legend(
    series.map((s) => s.name),
    colors,
  )}</figure>`;
}

export interface BarGroup {
  label: string;
  values: { name: string; value: number }[];
}

/** Grouped bars (one group per label, one bar per value name). */
export function barChart(title: string, groups: BarGroup[], yLabel: string): string {
  const names = [...new Set(groups.flatMap((g) => g.values.map((v) => v.name)))];
  const colors = names.map((_, i) => PALETTE[i % PALETTE.length]!);
  const yMax = niceMax(Math.max(0, ...groups.flatMap((g) => g.values.map((v) => v.value)).filter(Number.isFinite)));
  const width = Math.max(W, M.left + M.right + groups.length * (names.length * 14 + 24));
  const height = H + 60;
  const iw = width - M.left - M.right;
  const ih = height - M.top - M.bottom - 60;
  const gw = iw / Math.max(1, groups.length);
  const bw = Math.min(28, (gw - 12) / Math.max(1, names.length));
  let out = `<line x1="${M.left}" y1="${M.top + ih}" x2="${M.left + iw}" y2="${M.top + ih}" stroke="#555"/>`;
  for (let i = 0; i <= 5; i++) {
    const y = M.top + ih - (i / 5) * ih;
    out += `<line x1="${M.left}" y1="${y}" x2="${M.left + iw}" y2="${y}" stroke="#eee"/><text x="${M.left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${fmt((i / 5) * yMax)}</text>`;
  }
  out += `<text x="14" y="${M.top + ih / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${M.top + ih / 2})">${esc(yLabel)}</text>`;
  groups.forEach((g, gi) => {
    const x0 = M.left + gi * gw + (gw - bw * names.length) / 2;
    names.forEach((name, ni) => {
      const v = g.values.find((x) => x.name === name)?.value ?? 0;
      if (!Number.isFinite(v)) return;
      const h = (v / yMax) * ih;
      out += `<rect x="${(x0 + ni * bw).toFixed(1)}" y="${(M.top + ih - h).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[ni]}"><title>${esc(`${g.label} ${name}: ${fmt(v)}`)}</title></rect>`;
    });
    const cx = M.left + gi * gw + gw / 2;
    out += `<text x="${cx}" y="${M.top + ih + 14}" text-anchor="end" font-size="10" transform="rotate(-30 ${cx} ${M.top + ih + 14})">${esc(g.label)}</text>`;
  });
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${out}</svg>${legend(names, colors)}</figure>`;
}

export function htmlTable(rows: (string | number)[][]): string {
  const [head, ...body] = rows;
  return `<table><thead><tr>${(head ?? []).map((c) => `<th>${esc(String(c))}</th>`).join('')}</tr></thead><tbody>${body
    .map((r) => `<tr>${r.map((c) => `<td${typeof c === 'number' ? ' class="n"' : ''}>${esc(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f5}figure{margin:12px 0}figcaption{font-weight:600;margin-bottom:4px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
.ok{color:#15803d;font-weight:600}.bad{color:#b91c1c;font-weight:600}code{background:#f4f4f5;padding:1px 4px}
</style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}
