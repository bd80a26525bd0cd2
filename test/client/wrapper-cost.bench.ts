// What the generated command methods cost before anything is sent: the wrapper (with its
// argument checks), the build of the arguments and dispatch, for GET, SET and SET with options.
// sendCommand is replaced by a stub, so no socket, lifecycle or promise settling is measured:
// only the part of the path that the call checks touch.
//   npx tsx test/client/wrapper-cost.bench.ts [path/to/other/src]
// With a path (e.g. main's src/ before a change), both trees run in this one process, round after
// round in alternation, so that load from elsewhere falls on both alike; prints the best ns per
// call of each and the ratio this/other.
import { resolve } from 'node:path';

type Shapes = Record<string, () => unknown>;

async function shapes(src: string): Promise<Shapes> {
  const { createClient } = (await import(`${src}/index`)) as typeof import('../../src/index');
  const client = createClient({ port: 1 }) as any;
  const done = Promise.resolve('OK');
  client.sendCommand = () => done;
  return {
    get: () => client.get('bench:key'),
    set: () => client.set('bench:key', 'value'),
    setEx: () => client.set('bench:key', 'value', { EX: 60 }),
  };
}

function time(fn: () => unknown, n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n;
}

async function main(): Promise<void> {
  const trees: [string, Shapes][] = [['this', await shapes(resolve(__dirname, '../../src'))]];
  if (process.argv[2] !== undefined) trees.push(['other', await shapes(resolve(process.argv[2]))]);
  const n = 1_000_000;
  const best: Record<string, Record<string, number>> = {};
  for (const [tree, s] of trees) {
    best[tree] = {};
    for (const [name, fn] of Object.entries(s)) {
      time(fn, 200_000); // warm up
      best[tree][name] = Infinity;
    }
  }
  for (let round = 0; round < 15; round++) {
    for (const [tree, s] of round % 2 === 0 ? trees : [...trees].reverse()) {
      for (const [name, fn] of Object.entries(s)) best[tree][name] = Math.min(best[tree][name], time(fn, n));
    }
  }
  for (const name of Object.keys(best.this)) {
    const other = best.other?.[name];
    const ratio = other === undefined ? '' : `  ratio ${(best.this[name] / other).toFixed(2)}`;
    const vs = other === undefined ? '' : ` vs ${other.toFixed(1)} ns`;
    console.log(`${name.padEnd(6)} ${best.this[name].toFixed(1)} ns${vs}${ratio}`);
  }
}

void main();
