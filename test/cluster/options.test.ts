// createCluster() from the side of a JavaScript user coming from ioredis or node-redis: their
// option names and shapes are refused with the romaine form, never silently ignored. No server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCluster, InvalidArgumentError } from '../../src/index';

const nodes = ['redis://127.0.0.1:7000'];
const refused: [string, () => unknown, RegExp][] = [
  ['ioredis natMap', () => createCluster({ nodes, natMap: {} } as never), /'natMap'.*use 'nodeAddressMap'/],
  [
    'node-redis rootNodes',
    () => createCluster({ rootNodes: [{ url: nodes[0] }] } as never),
    /'nodes'.*node-redis' rootNodes/,
  ],
  [
    'node-redis rootNodes next to nodes',
    () => createCluster({ nodes, rootNodes: [] } as never),
    /use 'nodes' in createCluster\(\)/,
  ],
  [
    'node-redis defaults',
    () => createCluster({ nodes, defaults: { password: 'x' } } as never),
    /client options go next to 'nodes'/,
  ],
  [
    'ioredis redisOptions',
    () => createCluster({ nodes, redisOptions: { password: 'x' } } as never),
    /ioredis Cluster's redisOptions/,
  ],
  [
    'node-redis maxCommandRedirections',
    () => createCluster({ nodes, maxCommandRedirections: 3 } as never),
    /use 'maxRedirections'/,
  ],
  [
    'ioredis slotsRefreshInterval',
    () => createCluster({ nodes, slotsRefreshInterval: 5000 } as never),
    /use 'refreshIntervalMs'/,
  ],
  [
    'ioredis retryDelayOnFailover',
    () => createCluster({ nodes, retryDelayOnFailover: 100 } as never),
    /unavailableTimeoutMs/,
  ],
  [
    'ioredis clusterRetryStrategy',
    () => createCluster({ nodes, clusterRetryStrategy: () => 100 } as never),
    /'reconnect'/,
  ],
  [
    'ioredis enableAutoPipelining',
    () => createCluster({ nodes, enableAutoPipelining: true } as never),
    /always pipelines/,
  ],
  [
    'a host:port string',
    () => createCluster({ nodes: ['127.0.0.1:7000'] }),
    /'127\.0\.0\.1:7000' is an address, not a URL: write 'redis:\/\/127\.0\.0\.1:7000'/,
  ],
  [
    'two seeds with different passwords',
    () => createCluster({ nodes: ['redis://:first-secret@127.0.0.1:7000', 'redis://:second-secret@127.0.0.1:7001'] }),
    /nodes\[1\]'.*different 'password'/,
  ],
];
for (const [what, make, message] of refused) {
  test(`refused: ${what}`, () => {
    assert.throws(make, (err: Error) => {
      assert.ok(err instanceof InvalidArgumentError, String(err));
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /secret/, 'no password in the message');
      return true;
    });
  });
}

test('accepted: the same credentials in every seed URL, and the ioredis array form createCluster([...], options)', () => {
  const a = createCluster({ nodes: ['redis://:pw@127.0.0.1:7000', 'redis://:pw@127.0.0.1:7001'] });
  const b = createCluster([{ host: '127.0.0.1', port: 7000 }], { readFrom: 'replica' });
  a.destroy();
  b.destroy();
});

// The hand-written methods of the cluster client refuse extra arguments as RedisClient's do
// (publish(ch, msg, callback) from ioredis habits), before anything is sent: no seed is reachable
// here, so a call that got through would fail later with another error.
test('cluster methods refuse extra arguments with a typed error', async () => {
  const c: any = createCluster({ nodes: ['redis://127.0.0.1:1'], reconnect: { initialTimeoutMs: 200 } });
  const listener = (): void => {};
  const refused = async (name: string, call: () => unknown): Promise<void> => {
    let outcome: unknown;
    try {
      outcome = await call();
    } catch (err) {
      outcome = err;
    }
    assert.ok(outcome instanceof InvalidArgumentError, `${name}: ${String(outcome)}`);
    assert.match(outcome.message, new RegExp(`^${name}\\(\\) `), name);
  };
  await refused('publish', () => c.publish('ch', 'm', () => {}));
  await refused('spublish', () => c.spublish('ch', 'm', 'x'));
  await refused('connect', () => c.connect(() => {}));
  await refused('subscribe', () => c.subscribe('ch', listener, {}, 'x'));
  await refused('psubscribe', () => c.psubscribe('p*', listener, {}, 'x'));
  await refused('ssubscribe', () => c.ssubscribe('ch', listener, {}, 'x'));
  await refused('unsubscribe', () => c.unsubscribe('ch', listener, 'x'));
  await refused('punsubscribe', () => c.punsubscribe('p*', listener, 'x'));
  await refused('sunsubscribe', () => c.sunsubscribe('ch', listener, 'x'));
  await refused('scanIterator', () => c.scanIterator({}, 10));
  await refused('hscanIterator', () => c.hscanIterator('k', {}, 10));
  await refused('runScript', () => c.runScript({}, [], [], 'x'));
  await refused('nodes', () => c.nodes('primary', 'x'));
  await refused('node', () => c.node('127.0.0.1:1', 'x'));
  await refused('pipeline', () => c.pipeline([['set', 'k', 'v']]));
  await refused('multi', () => c.multi([['set', 'k', 'v']]));
  await refused('close', () => c.close(true));
  await refused('destroy', () => c.destroy(new Error('x')));
  c.destroy();
});
