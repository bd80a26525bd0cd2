/**
 * The results as one self-contained SVG: a panel per workload, one horizontal bar per client
 * (ops/s, each panel on its own scale, the figure written at the end of the bar), romaine's bar
 * in a colour of its own. No fonts, scripts or images from elsewhere.
 */
export interface ChartPanel {
  title: string;
  /** A short line under the title, e.g. romaine's ratio to the best peer. */
  note: string;
  bars: { client: string; label: string; value: number }[];
}

const COLORS: Record<string, string> = {
  romaine: '#2e7d32',
  'romaine-dist': '#66bb6a',
  ioredis: '#5c6bc0',
  'ioredis-auto': '#9fa8da',
  'node-redis': '#d84315',
  'valkey-glide': '#8d6e63',
};

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function formatRate(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** 1.20M -> 1.2M, 2.0k -> 2k. */
const tickLabel = (x: number): string =>
  formatRate(x)
    .replace(/(\.\d*?)0+(?=[kM]?$)/, '$1')
    .replace(/\.(?=[kM]?$)/, '');

/** Axis ticks: a round step (1, 2 or 5 times a power of ten), at most 5 intervals, covering x. */
function ticks(x: number): number[] {
  if (!(x > 0)) return [0, 1];
  const rough = x / 5;
  const p = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= rough) ?? 10 * p;
  const n = Math.ceil(x / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => i * step);
}

export function renderChart(title: string, subtitle: string[], panels: ChartPanel[]): string {
  const width = 900;
  const labelW = 190;
  const barMaxW = width - labelW - 110;
  const barH = 18;
  const barGap = 5;
  const panelHead = 40;
  const panelGap = 22;
  const top = 50 + 16 * subtitle.length;
  const out: string[] = [];
  let y = top;
  for (const panel of panels) {
    const axis = ticks(Math.max(...panel.bars.map((b) => b.value)));
    const max = axis[axis.length - 1];
    out.push(
      `<text x="16" y="${y + 14}" class="h">${escape(panel.title)}</text>`,
      `<text x="16" y="${y + 31}" class="n">${escape(panel.note)}</text>`,
    );
    const barsTop = y + panelHead;
    const barsH = panel.bars.length * (barH + barGap) - barGap;
    for (const t of axis) {
      const x = labelW + (barMaxW * t) / max;
      out.push(
        `<line x1="${x}" y1="${barsTop - 4}" x2="${x}" y2="${barsTop + barsH + 2}" class="g"/>`,
        `<text x="${x}" y="${barsTop + barsH + 14}" class="t" text-anchor="middle">${tickLabel(t)}</text>`,
      );
    }
    panel.bars.forEach((bar, i) => {
      const by = barsTop + i * (barH + barGap);
      const w = Math.max(1, (barMaxW * bar.value) / max);
      const color = COLORS[bar.client] ?? '#78909c';
      const strong = bar.client.startsWith('romaine') ? ' font-weight="bold"' : '';
      out.push(
        `<text x="${labelW - 8}" y="${by + barH - 5}" class="l" text-anchor="end"${strong}>${escape(bar.label)}</text>`,
        `<rect x="${labelW}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${color}" rx="2"/>`,
        `<text x="${labelW + w + 6}" y="${by + barH - 5}" class="v"${strong}>${formatRate(bar.value)} ops/s</text>`,
      );
    });
    y = barsTop + barsH + 18 + panelGap;
  }
  const height = y;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    '<style>',
    '.T{font-size:18px;font-weight:bold;fill:#212121}.S{font-size:12px;fill:#616161}',
    '.h{font-size:14px;font-weight:bold;fill:#212121}.n{font-size:12px;fill:#424242}',
    '.l{font-size:12px;fill:#212121}.v{font-size:12px;fill:#212121}.t{font-size:10px;fill:#757575}',
    '.g{stroke:#e0e0e0;stroke-width:1}',
    '</style>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="28" class="T">${escape(title)}</text>`,
    ...subtitle.map((line, i) => `<text x="16" y="${48 + 16 * i}" class="S">${escape(line)}</text>`),
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
