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

/** A round axis maximum at or above x: 1, 2, 2.5 or 5 times a power of ten. */
function niceMax(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function renderChart(title: string, subtitle: string, panels: ChartPanel[]): string {
  const width = 900;
  const labelW = 190;
  const barMaxW = width - labelW - 110;
  const barH = 18;
  const barGap = 5;
  const panelHead = 40;
  const panelGap = 22;
  const top = 66;
  const out: string[] = [];
  let y = top;
  for (const panel of panels) {
    const max = niceMax(Math.max(...panel.bars.map((b) => b.value)));
    out.push(
      `<text x="16" y="${y + 14}" class="h">${escape(panel.title)}</text>`,
      `<text x="16" y="${y + 31}" class="n">${escape(panel.note)}</text>`,
    );
    const barsTop = y + panelHead;
    const barsH = panel.bars.length * (barH + barGap) - barGap;
    for (let t = 0; t <= 4; t++) {
      const x = labelW + (barMaxW * t) / 4;
      out.push(
        `<line x1="${x}" y1="${barsTop - 4}" x2="${x}" y2="${barsTop + barsH + 2}" class="g"/>`,
        `<text x="${x}" y="${barsTop + barsH + 14}" class="t" text-anchor="middle">${formatRate((max * t) / 4)}</text>`,
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
    `<text x="16" y="48" class="S">${escape(subtitle)}</text>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
