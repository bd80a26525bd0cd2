// Typed batches: what exec() resolves with is typed after the chain. The assertions below are
// compile-time ones, checked by `npm run typecheck` (this file is in tsconfig's include): each
// `Expect<Equal<...>>` fails to compile if a result degrades to `unknown`, to the old
// `[Error | null, unknown][]`, or to any other type than the command's reply. The run-time test at
// the end only shows that the typed chain builds the same batch as before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createClient,
  defineScript,
  type BatchResult,
  type BatchResults,
  type ClusterClient,
  type Pipeline,
  type PipelineResult,
  type RedisClient,
  type Transaction,
} from '../../src/index';

/** True only when A and B are the same type (unknown and any included). */
type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** One result with its type, as the tests expect it (written out here, not imported). */
type Result<R> = [error: null, value: R] | [error: Error, value: undefined];

// Never called: only compiled.
export async function typeAssertions(client: RedisClient): Promise<void> {
  // A chain: a tuple of typed results, then whatever was added to the same object outside the chain.
  const chained = await client.pipeline().get('a').incr('n').hgetall('h').exec();
  type _chained = Expect<
    Equal<typeof chained, [Result<string | null>, Result<number>, Result<Record<string, string>>, ...PipelineResult[]]>
  >;
  type _first = Expect<Equal<(typeof chained)[0], Result<string | null>>>;
  type _second = Expect<Equal<(typeof chained)[1], Result<number>>>;

  // [err, value] narrows on the error.
  const [first] = chained;
  const [err, value] = first;
  if (err === null) {
    type _narrowed = Expect<Equal<typeof value, string | null>>;
    void value;
  }
  // @ts-expect-error a GET's value is not a number
  const wrong: number = chained[0][1];
  void wrong;

  // Options and shapes follow the method: zrangeWithScores, set with GET, lpopCount.
  const shapes = await client
    .pipeline()
    .zrangeWithScores('z', 0, -1)
    .set('k', 'v', { GET: true })
    .lpopCount('l', 2)
    .exists('a', 'b')
    .exec();
  void shapes;
  type _shapes = Expect<
    Equal<
      typeof shapes,
      [
        Result<{ value: string; score: number }[]>,
        Result<string | null>,
        Result<string[] | null>,
        Result<number>,
        ...PipelineResult[],
      ]
    >
  >;

  // multi(): the same tuple, or null when a WATCHed key changed.
  const tx = await client.multi().incrbyfloat('n', 1.5).sismember('s', 'm').exec();
  type _tx = Expect<Equal<typeof tx, [Result<number>, Result<boolean>, ...PipelineResult[]] | null>>;

  // call() and a script add an unknown reply in their place; the typed ones around them stay typed.
  const script = defineScript('return 1');
  const mixed = await script.run(client.pipeline().get('a').call('OBJECT', 'HELP'), [], []).ttl('a').exec();
  void mixed;
  type _mixed = Expect<
    Equal<typeof mixed, [Result<string | null>, Result<unknown>, Result<unknown>, Result<number>, ...PipelineResult[]]>
  >;
  const txScript = await script.run(client.multi().dbsize(), [], []).exec();
  void txScript;
  type _txScript = Expect<Equal<typeof txScript, [Result<number>, Result<unknown>, ...PipelineResult[]] | null>>;
  // runScript() on the batch: the same place, the same unknown reply.
  const viaMethod = await client.pipeline().get('a').runScript(script, ['a']).ttl('a').exec();
  void viaMethod;
  type _viaMethod = Expect<
    Equal<typeof viaMethod, [Result<string | null>, Result<unknown>, Result<number>, ...PipelineResult[]]>
  >;
  const txMethod = await client.multi().runScript(script).dbsize().exec();
  void txMethod;
  type _txMethod = Expect<Equal<typeof txMethod, [Result<unknown>, Result<number>, ...PipelineResult[]] | null>>;

  // The old shape is still what code written against it sees: assignable, nothing to change.
  const old: PipelineResult[] = chained;
  const oldTx: PipelineResult[] | null = tx;
  void old;
  void oldTx;

  // A batch built in a loop (the type cannot follow): every result is a PipelineResult, as before.
  const loop = client.pipeline();
  for (const key of ['a', 'b', 'c']) loop.get(key);
  const looped = await loop.exec();
  type _looped = Expect<Equal<typeof looped, PipelineResult[]>>;
  const third: PipelineResult = looped[2];
  void third;

  // The plain annotations still accept any chain (a helper that takes "a pipeline").
  let annotated: Pipeline = client.pipeline();
  annotated = annotated.get('a').set('b', '1');
  const annotatedTx: Transaction = client.multi().get('a');
  const fromAnnotated = await annotated.exec();
  const fromAnnotatedTx = await annotatedTx.exec();
  const anyResult: PipelineResult | undefined = fromAnnotated[0];
  void anyResult;
  void fromAnnotatedTx;

  // Empty: nothing typed, the old array.
  const empty = await client.pipeline().exec();
  void empty;
  type _empty = Expect<Equal<typeof empty, PipelineResult[]>>;
}

// The cluster's batches are typed the same way.
export async function clusterTypeAssertions(cluster: ClusterClient): Promise<void> {
  const p = await cluster.pipeline().get('a').incr('n').call('PING').exec();
  type _p = Expect<Equal<typeof p, [Result<string | null>, Result<number>, Result<unknown>, ...PipelineResult[]]>>;
  const t = await cluster.multi().get('{u}a').hlen('{u}h').exec();
  void t;
  type _t = Expect<Equal<typeof t, [Result<string | null>, Result<number>, ...PipelineResult[]] | null>>;
  const old: PipelineResult[] = p;
  void old;
  const script = defineScript('return 1');
  const ps = await cluster.pipeline().get('a').runScript(script, ['a'], [1]).exec();
  void ps;
  type _ps = Expect<Equal<typeof ps, [Result<string | null>, Result<unknown>, ...PipelineResult[]]>>;
  const ts = await cluster.multi().runScript(script, ['{u}a']).hlen('{u}h').exec();
  void ts;
  type _ts = Expect<Equal<typeof ts, [Result<unknown>, Result<number>, ...PipelineResult[]] | null>>;
}

// The exported names are the ones the assertions above spell out.
type _exported = Expect<Equal<BatchResult<number>, Result<number>>>;
type _exportedAll = Expect<Equal<BatchResults<[number]>, [Result<number>, ...PipelineResult[]]>>;

test('a typed chain builds the same batch as before (the types are compile-time only)', () => {
  const client = createClient({ port: 1, reconnect: false, offlineQueue: false });
  try {
    const p = client.pipeline().get('a').incr('n').call('OBJECT', 'HELP');
    assert.equal(p.length, 3);
    const t = client.multi().get('a').hgetall('h');
    assert.equal(t.length, 2);
  } finally {
    client.destroy();
  }
});
