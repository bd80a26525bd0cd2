/**
 * The doctor's report on a terminal: one aligned line per step (mark, name, time, finding), the
 * warnings under their step, and a failure's explanation and fix right under the step that failed.
 */
import type { DoctorReport, StepResult, Verdict } from './doctor-report';
import { formatMs, padEnd, padStart, wrap, type Style } from './terminal';

const MARKS: Record<Verdict, string> = { ok: '✓', warn: '!', fail: '✗', skip: '·' };

export function renderDoctor(report: DoctorReport, style: Style, width: number): string {
  const lines: string[] = [];
  lines.push(`${style.bold('romaine doctor')}  ${report.target}`, '');
  const titleWidth = Math.max(...report.steps.map((s) => s.title.length));
  const msWidth = 9;
  const indent = ' '.repeat(2 + 1 + 2 + titleWidth + 2 + msWidth + 2);
  const notRun = report.steps.filter((s) => s.verdict === 'skip' && s.summary.startsWith('not run'));
  for (const s of report.steps) {
    if (notRun.includes(s)) continue;
    const mark = paint(style, s.verdict, MARKS[s.verdict]);
    const title = s.verdict === 'skip' ? style.dim(padEnd(s.title, titleWidth)) : padEnd(s.title, titleWidth);
    const ms = s.ms === undefined ? '' : formatMs(s.ms);
    const summary = s.verdict === 'skip' ? style.dim(s.summary) : s.summary;
    lines.push(`  ${mark}  ${title}  ${style.dim(padStart(ms, msWidth))}  ${summary}`);
    for (const note of s.notes ?? []) {
      const wrapped = wrap(note, width, indent);
      wrapped[0] = `${indent.slice(0, -2)}${paint(style, s.verdict === 'ok' ? 'skip' : 'warn', '-')} ${wrapped[0].slice(indent.length)}`;
      lines.push(...wrapped);
    }
    if (s.problem !== undefined) lines.push(...explain(s, style, width));
  }
  if (notRun.length > 0) {
    lines.push(`  ${style.dim(MARKS.skip)}  ${style.dim(`not run: ${notRun.map((s) => s.title).join(', ')}`)}`);
  }
  lines.push('');
  const { warn, fail } = report.counts;
  const warnings = warn === 0 ? '' : `${warn} warning${warn === 1 ? '' : 's'}`;
  const total = style.dim(`(${formatMs(report.totalMs)})`);
  if (report.healthy) {
    lines.push(`  ${style.ok('healthy')}${warnings ? `, ${style.warn(warnings)}` : ''}  ${total}`);
  } else {
    const first = report.steps.find((s) => s.verdict === 'fail') as StepResult;
    const what = fail === 1 ? `${first.title} failed` : `${fail} steps failed`;
    lines.push(`  ${style.fail('not healthy')}: ${what}${warnings ? `, ${style.warn(warnings)}` : ''}  ${total}`);
  }
  return `${lines.join('\n')}\n`;
}

function explain(s: StepResult, style: Style, width: number): string[] {
  const p = s.problem;
  if (p === undefined) return [];
  const pad = '       ';
  const out = ['', ...wrap(p.what, width, pad)];
  if (p.fix.length > 0) {
    out.push(`${pad}${style.bold('What to do:')}`);
    p.fix.forEach((f, i) => {
      const bullet = p.fix.length === 1 ? '  ' : `  ${i + 1}. `;
      const lines = wrap(f, width, pad + ' '.repeat(bullet.length));
      lines[0] = pad + bullet + lines[0].trimStart();
      out.push(...lines);
    });
  }
  out.push('');
  return out;
}

function paint(style: Style, verdict: Verdict, text: string): string {
  switch (verdict) {
    case 'ok':
      return style.ok(text);
    case 'warn':
      return style.warn(text);
    case 'fail':
      return style.fail(text);
    default:
      return style.dim(text);
  }
}
