// What the generated command methods cost up to the lifecycle: the wrapper (with its argument
// checks), the build of the arguments, dispatch, the argument check of the funnel, the command
// object and its promise, for GET, SET and SET with options. The lifecycle's submit() is replaced
// by a stub that answers 'OK' at once: no socket, no encoding.
//   npx tsx test/client/wrapper-cost.bench.ts [path/to/src]
// Prints one JSON line, the best ns per call of each shape over 10 rounds. To compare two trees,
// run it alternately on each (one tree per process: two trees in one process bias the second
// one loaded by about 2x, measured with two copies of the same tree) and compare the minimums.
import { resolve } from 'node:path';

function time(fn: () => unknown, n: number): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n;
}

async function main(): Promise<void> {
  const src = resolve(process.argv[2] ?? resolve(__dirname, '../../src'));
  const { createClient } = (await import(`${src}/index`)) as typeof import('../../src/index');
  const client = createClient({ port: 1 }) as any;
  client.lifecycle.submit = (cmd: { reply(v: unknown): void }) => cmd.reply('OK');
  const shapes: Record<string, () => unknown> = {
    get: () => client.get('bench:key'),
    set: () => client.set('bench:key', 'value'),
    setEx: () => client.set('bench:key', 'value', { EX: 60 }),
  };
  const best: Record<string, number> = {};
  for (const [name, fn] of Object.entries(shapes)) {
    time(fn, 200_000); // warm up
    best[name] = Infinity;
  }
  for (let round = 0; round < 10; round++) {
    for (const [name, fn] of Object.entries(shapes)) best[name] = Math.min(best[name], time(fn, 300_000));
    await new Promise((r) => setImmediate(r)); // let the answered promises settle and be collected
  }
  console.log(JSON.stringify(Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v * 10) / 10]))));
  client.destroy();
}

void main();
