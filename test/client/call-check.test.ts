import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS } from '../../src/client/commands';
import type { CommandDef } from '../../src/client/command-def';
import { paramNames } from '../../src/client/call-check';
import { createClient, createCluster, InvalidArgumentError } from '../../src/index';

// Plain JavaScript callers: no compile-time check, so every call here goes through `any`.
// The client points at a port nobody listens on and never connects: each refusal below happens
// before anything is sent.
const client: any = createClient({ port: 1, reconnect: false, offlineQueue: false });
const cluster: any = createCluster({ nodes: [{ host: '127.0.0.1', port: 1 }] });
after(async () => {
  client.destroy();
  await cluster.close();
});

const table = COMMANDS as Record<string, CommandDef>;

/** The parameter list as the build function's source spells it (rest and default parameters included). */
function sourceParams(d: CommandDef): string[] {
  const src = Function.prototype.toString.call(d.build);
  const m = /^(?:function\b[^(]*)?\(([^)]*)\)/.exec(src) ?? /^([\w$]+)\s*=>/.exec(src);
  return (m?.[1] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

async function refusal(p: unknown): Promise<InvalidArgumentError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call was accepted');
}

function thrown(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidArgumentError, `expected InvalidArgumentError, got ${String(err)}`);
    return err;
  }
  assert.fail('the call was accepted');
}

describe('the command table declares every signature', () => {
  test('a build with rest or default parameters declares its arity (variadic() or arity())', () => {
    const undeclared: string[] = [];
    for (const [method, d] of Object.entries(table)) {
      const params = sourceParams(d);
      const special = params.some((p) => p.startsWith('...') || p.includes('='));
      if (!special) assert.equal(d.maxArgs, params.length, method);
      else if (d.maxArgs === d.build.length) undeclared.push(method);
    }
    assert.deepEqual(undeclared, []);
  });

  test('every parameter named like an options object is declared with its keys', () => {
    const missing: string[] = [];
    for (const [method, d] of Object.entries(table)) {
      sourceParams(d).forEach((p, i) => {
        if (/^(opts|withOpts|filters?|range)\b/.test(p) && !d.options?.some((o) => o.index === i))
          missing.push(`${method}:${p}`);
      });
    }
    assert.deepEqual(missing, []);
  });
});

describe('no method accepts an extra argument silently (walks the whole command table)', () => {
  const fixed = Object.entries(table).filter(([, d]) => Number.isFinite(d.maxArgs));
  const variadic = Object.entries(table).filter(([, d]) => !Number.isFinite(d.maxArgs));

  test('client, cluster and their buffers views reject one argument too many', async () => {
    assert.ok(fixed.length > 150, `only ${fixed.length} fixed-arity methods?`);
    for (const [method, d] of fixed) {
      const args = Array.from({ length: d.maxArgs + 1 }, () => 'x');
      for (const target of [client, client.buffers, cluster, cluster.buffers]) {
        const err = await refusal(target[method](...args));
        assert.match(err.message, new RegExp(`^${method}\\(\\)`), method);
      }
    }
  });

  test('pipeline and multi builders throw for one argument too many', () => {
    for (const [method, d] of fixed) {
      const args = Array.from({ length: d.maxArgs + 1 }, () => 'x');
      for (const batch of [client.pipeline(), client.multi()]) {
        const err = thrown(() => batch[method](...args));
        assert.match(err.message, new RegExp(`^${method}\\(\\)`), method);
      }
    }
  });

  test('variadic methods reject an extra argument that is not a string, number or Buffer', async () => {
    for (const [method] of variadic) {
      await refusal(client[method]('a', 'b', { bogus: 1 }));
    }
  });

  test('every options parameter refuses an unknown key, naming it and the method', async () => {
    let checked = 0;
    for (const [method, d] of Object.entries(table)) {
      for (const o of d.options ?? []) {
        const args: unknown[] = Array.from({ length: o.index }, () => 'x');
        args[o.index] = { bogus: 1 };
        const err = await refusal(client[method](...args));
        assert.match(err.message, new RegExp(`^${method}\\(\\): argument ${o.index + 1} .*'bogus'`), method);
        assert.ok(
          o.keys.every((k) => err.message.includes(k)),
          `${method}: the message lists the known keys: ${err.message}`,
        );
        checked++;
      }
    }
    assert.ok(checked > 40, `only ${checked} options parameters`);
  });
});

describe('ioredis and node-redis spellings get the romaine form', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['set', ['k', 'v', 'EX', 60], /did you mean set\(key, value, \{ EX: 60 \}\)\?/],
    ['set', ['k', 'v', 'EX', 60, 'NX'], /did you mean set\(key, value, \{ EX: 60, NX: true \}\)\?/],
    ['set', ['k', 'v', 'NX'], /did you mean set\(key, value, \{ NX: true \}\)\?/],
    ['set', ['k', 'v', { ex: 60 }], /unknown option 'ex': did you mean set\(key, value, \{ EX: 60 \}\)\?/],
    ['set', ['k', 'v', { expiration: { type: 'EX', value: 60 } }], /did you mean set\(key, value, \{ EX: 60 \}\)\?/],
    ['set', ['k', 'v', { condition: 'NX' }], /did you mean set\(key, value, \{ NX: true \}\)\?/],
    ['set', ['k', 'v', { bogus: 1 }], /unknown option 'bogus' \(known: EX, PX, EXAT, PXAT, NX, XX, KEEPTTL, GET\)/],
    ['zrange', ['k', 0, -1, 'WITHSCORES'], /did you mean zrangeWithScores\(key, start, stop\)\?/],
    ['zrange', ['k', 0, -1, { WITHSCORES: true }], /did you mean zrangeWithScores\(key, start, stop\)\?/],
    ['zadd', ['z', { score: 1, value: 'a' }, { condition: 'NX', comparison: 'GT' }], /\{ NX: true, GT: true \}/],
    ['lpop', ['k', 2], /lpop\(\) takes at most 1 argument \(key\), got 2: did you mean lpopCount\(key, count\)\?/],
    [
      'scan',
      [0, 'MATCH', 'session:*', 'COUNT', 100],
      /did you mean scan\(cursor, \{ MATCH: 'session:\*', COUNT: 100 \}\)/,
    ],
    ['scan', [0, { match: 'session:*' }], /did you mean scan\(cursor, \{ MATCH: 'session:\*' \}\)/],
    ['eval', ['return 1', 1, 'k', 'a'], /keys and arguments are arrays/],
    ['get', ['k', 'x'], /^get\(\) takes at most 1 argument \(key\), got 2$/],
  ];
  for (const [method, args, expected] of cases) {
    test(`${method}(${args.map((a) => JSON.stringify(a)).join(', ')})`, async () => {
      const err = await refusal(client[method](...args));
      assert.match(err.message, expected);
      assert.equal(err.code, 'EINVALIDARG');
    });
  }

  test('multi([...]) and pipeline([...]) (the ioredis array form) point at the chained form', () => {
    const tx = thrown(() =>
      client.multi([
        ['set', 'a', '1'],
        ['get', 'a'],
      ]),
    );
    assert.match(
      tx.message,
      /multi\(\) takes no arguments: .*client\.multi\(\)\.set\(\.\.\.\)\.get\(\.\.\.\)\.exec\(\)/,
    );
    assert.ok(!tx.message.includes("'1'"), 'values are not echoed');
    const p = thrown(() => client.pipeline([['hmset', 'h', 'f', 'v']]));
    assert.match(p.message, /client\.pipeline\(\)\.call\('HMSET', \.\.\.\)\.exec\(\)/);
  });

  test('scanIterator and friends take MATCH/COUNT/TYPE like scan(), and refuse the lower-case spelling', () => {
    const err = thrown(() => client.scanIterator({ match: 'session:*' }));
    assert.match(
      err.message,
      /^scanIterator\(\): argument 1 \(opts\) has unknown option 'match': did you mean scanIterator\(\{ MATCH: 'session:\*' \}\)\?/,
    );
    for (const m of ['hscanIterator', 'sscanIterator', 'zscanIterator']) {
      const e = thrown(() => client[m]('k', { count: 10 }));
      assert.match(
        e.message,
        new RegExp(`^${m}\\(\\): argument 2 \\(opts\\) .*did you mean ${m}\\(key, \\{ COUNT: 10 \\}\\)`),
      );
    }
    assert.throws(() => client.hscanIterator('k', { TYPE: 'hash' }), /unknown option 'TYPE'/);
  });

  test('HSET with an object, a Map or tuples names the field whose value is not valid', async () => {
    for (const fields of [
      { name: 'a', age: undefined },
      new Map([
        ['name', 'a'],
        ['age', undefined],
      ]),
      [
        ['name', 'a'],
        ['age', undefined],
      ],
    ]) {
      const err = await refusal(client.hset('user:1', fields));
      assert.equal(err.message, "hset(): field 'age': undefined is not a valid argument (remove a field with hdel)");
    }
    const mset = await refusal(client.mset({ a: '1', b: null }));
    assert.equal(mset.message, "mset(): key 'b': null is not a valid argument");
    assert.throws(
      () => client.pipeline().hset('h', { f: true }),
      /^InvalidArgumentError: hset\(\): field 'f': a boolean/,
    );
    await refusal(client.hset('h', { f: '1' }, 'extra'));
  });

  test('parameter names come from the definitions', () => {
    assert.deepEqual(paramNames(table.set), ['key', 'value', 'opts']);
    assert.deepEqual(paramNames(table.xrange), ['key', 'start', 'end', 'opts']);
  });
});
