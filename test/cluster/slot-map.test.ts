// Unit tests of the slot map: every reply shape of CLUSTER SHARDS and CLUSTER SLOTS (RESP2 flat
// arrays, RESP3 maps), announced endpoints that cannot be used as they are, and view choice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SLOT_COUNT,
  chooseView,
  currentEpochOf,
  slotMapFromShards,
  slotMapFromSlots,
  type TopologyView,
} from '../../src/cluster/slot-map';

const reporter = { host: '10.0.0.9', port: 7000 };

// As Redis 7.0 sends CLUSTER SHARDS over RESP3 (maps decode to objects).
const shardsResp3 = [
  {
    slots: [0, 5460],
    nodes: [
      {
        id: 'a',
        port: 7001,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 9,
        health: 'online',
      },
      {
        id: 'd',
        port: 7004,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'replica',
        'replication-offset': 9,
        health: 'online',
      },
    ],
  },
  {
    slots: [5461, 10922, 12000, 12000],
    nodes: [
      {
        id: 'b',
        port: 7002,
        'tls-port': 8002,
        ip: '127.0.0.1',
        endpoint: 'b.example',
        hostname: 'b.example',
        role: 'master',
        health: 'online',
      },
    ],
  },
  {
    slots: [10923, 11999, 12001, 16383],
    nodes: [{ id: 'c', port: 7003, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' }],
  },
];

// The same over RESP2: every map is a flat [key, value, ...] array.
const flat = (o: Record<string, unknown>) => Object.entries(o).flat();
const shardsResp2 = shardsResp3.map((s) => ['slots', s.slots, 'nodes', s.nodes.map(flat)]);

for (const [name, reply] of [
  ['RESP3', shardsResp3],
  ['RESP2', shardsResp2],
] as const) {
  test(`slotMapFromShards (${name}): owners, replicas, endpoints, full coverage`, () => {
    const m = slotMapFromShards(reply, { reporter });
    assert.equal(m.coveredSlots, SLOT_COUNT);
    assert.equal(m.primaryFor(0)!.key, '127.0.0.1:7001');
    assert.equal(m.primaryFor(5460)!.id, 'a');
    assert.equal(m.primaryFor(12000)!.key, 'b.example:7002');
    assert.equal(m.primaryFor(12001)!.key, '127.0.0.1:7003');
    assert.deepEqual(
      m.shardFor(1)!.replicas.map((r) => r.key),
      ['127.0.0.1:7004'],
    );
    assert.deepEqual(m.rangesOf(m.shardFor(5461)!), [
      [5461, 10922],
      [12000, 12000],
    ]);
    assert.deepEqual(
      m.nodes.map((n) => n.key),
      ['127.0.0.1:7001', 'b.example:7002', '127.0.0.1:7003', '127.0.0.1:7004'],
    );
  });
}

test('slotMapFromShards: with tls, the tls-port is used where the node announces one', () => {
  const m = slotMapFromShards(shardsResp3, { reporter, tls: true });
  assert.equal(m.primaryFor(6000)!.port, 8002);
  assert.equal(m.primaryFor(0)!.port, 7001);
});

test("slotMapFromShards: null, '' and '?' endpoints fall back to the ip or the reporter's host", () => {
  const node = (id: string, port: number, endpoint: unknown, ip: string) => ({
    id,
    port,
    ip,
    endpoint,
    role: 'master',
    health: 'online',
  });
  const m = slotMapFromShards(
    [
      { slots: [0, 1], nodes: [node('n', 7001, null, '')] },
      { slots: [2, 3], nodes: [node('e', 7002, '', '')] },
      { slots: [4, 5], nodes: [node('q', 7003, '?', '192.0.2.7')] },
      { slots: [6, 7], nodes: [node('q2', 7004, '?', '')] },
    ],
    { reporter },
  );
  assert.equal(m.primaryFor(0)!.key, '10.0.0.9:7001');
  assert.equal(m.primaryFor(2)!.key, '10.0.0.9:7002');
  assert.equal(m.primaryFor(4)!.key, '192.0.2.7:7003');
  assert.equal(m.primaryFor(6)!.key, '10.0.0.9:7004');
  assert.equal(m.primaryFor(8), undefined);
  assert.equal(m.coveredSlots, 8);
});

test('slotMapFromShards: a primary with no slots is known but owns nothing; a shard with no primary is skipped', () => {
  const m = slotMapFromShards(
    [
      ...shardsResp3,
      {
        slots: [],
        nodes: [{ id: 'new', port: 7007, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' }],
      },
      {
        slots: [],
        nodes: [
          { id: 'orphan', port: 7008, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'replica', health: 'failed' },
        ],
      },
    ],
    { reporter },
  );
  assert.ok(m.nodes.some((n) => n.key === '127.0.0.1:7007'));
  assert.ok(!m.nodes.some((n) => n.key === '127.0.0.1:7008'));
  assert.deepEqual(m.rangesOf(m.shards[3]), []);
  assert.equal(m.coveredSlots, SLOT_COUNT);
});

test('slotMapFromShards: a failed old primary listed as replica stays a replica, health kept', () => {
  const m = slotMapFromShards(
    [
      {
        slots: [0, 16383],
        nodes: [
          { id: 'old', port: 7001, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'replica', health: 'failed' },
          { id: 'new', port: 7004, ip: '127.0.0.1', endpoint: '127.0.0.1', role: 'master', health: 'online' },
        ],
      },
    ],
    { reporter },
  );
  assert.equal(m.primaryFor(100)!.id, 'new');
  assert.equal(m.shardFor(100)!.replicas[0].health, 'failed');
});

test('slotMapFromShards: malformed replies throw TypeError', () => {
  assert.throws(() => slotMapFromShards('nope', { reporter }), TypeError);
  assert.throws(
    () => slotMapFromShards([{ slots: [0, 99999], nodes: [{ port: 1, endpoint: 'h', role: 'master' }] }], { reporter }),
    TypeError,
  );
  assert.throws(
    () => slotMapFromShards([{ slots: [], nodes: [{ port: 'x', endpoint: 'h', role: 'master' }] }], { reporter }),
    TypeError,
  );
});

// CLUSTER SLOTS as Redis 7.0 sends it: [start, end, [host, port, id, meta], replicas...].
const slotsReply = (meta: (o: Record<string, unknown>) => unknown) => [
  [0, 5460, ['127.0.0.1', 7001, 'a', meta({})], ['127.0.0.1', 7004, 'd', meta({})]],
  [5461, 10922, ['b.example', 7002, 'b', meta({ ip: '127.0.0.1' })]],
  [10923, 16383, [null, 7003, 'c', meta({})]],
  [12000, 12000, ['b.example', 7002, 'b', meta({ ip: '127.0.0.1' })]],
];

for (const [name, meta] of [
  ['RESP3', (o: Record<string, unknown>) => o],
  ['RESP2', flat],
  ['Redis 6 (no metadata)', () => undefined],
] as const) {
  test(`slotMapFromSlots (${name}): ranges, one shard per primary, null host means the reporter`, () => {
    const m = slotMapFromSlots(slotsReply(meta), { reporter });
    assert.equal(m.coveredSlots, SLOT_COUNT);
    assert.equal(m.shards.length, 3);
    assert.equal(m.primaryFor(0)!.key, '127.0.0.1:7001');
    assert.equal(m.shardFor(0)!.replicas[0].key, '127.0.0.1:7004');
    assert.equal(m.primaryFor(12000)!.key, 'b.example:7002');
    assert.equal(m.primaryFor(12001)!.key, '10.0.0.9:7003');
  });
}

test('withSlotOwner: a copy with one slot moved; the original is untouched; an unknown node becomes a shard', () => {
  const m = slotMapFromShards(shardsResp3, { reporter });
  const moved = m.withSlotOwner(100, { host: '127.0.0.1', port: 7003 });
  assert.equal(moved.primaryFor(100)!.key, '127.0.0.1:7003');
  assert.equal(m.primaryFor(100)!.key, '127.0.0.1:7001');
  assert.equal(moved.primaryFor(101)!.key, '127.0.0.1:7001');
  const fresh = m.withSlotOwner(5, { host: '127.0.0.1', port: 7099 });
  assert.equal(fresh.primaryFor(5)!.key, '127.0.0.1:7099');
  assert.equal(fresh.shards.length, 4);
  assert.equal(m.shards.length, 3);
});

test('chooseView: the highest current epoch wins, then the better coverage', () => {
  const full = slotMapFromShards(shardsResp3, { reporter });
  const partial = slotMapFromShards(shardsResp3.slice(0, 1), { reporter });
  const v = (map: typeof full, currentEpoch: number, port: number): TopologyView => ({
    map,
    currentEpoch,
    reporter: { host: '127.0.0.1', port },
  });
  assert.equal(chooseView([v(full, 6, 1), v(partial, 7, 2)])!.reporter.port, 2);
  assert.equal(chooseView([v(partial, 7, 1), v(full, 7, 2)])!.reporter.port, 2);
  assert.equal(chooseView([v(full, 7, 1), v(full, 7, 2)])!.reporter.port, 1);
  assert.equal(chooseView([]), undefined);
  assert.equal(currentEpochOf('cluster_state:ok\r\ncluster_current_epoch:12\r\ncluster_my_epoch:3\r\n'), 12);
  assert.equal(currentEpochOf(Buffer.from('cluster_current_epoch:4\r\n')), 4);
});

test('describe: one line per shard', () => {
  const m = slotMapFromShards(shardsResp3, { reporter });
  assert.deepEqual(m.describe(), [
    '127.0.0.1:7001 [0-5460] replicas 127.0.0.1:7004',
    'b.example:7002 [5461-10922,12000]',
    '127.0.0.1:7003 [10923-11999,12001-16383]',
  ]);
});

// Real replies of Redis 7.0, taken from a 3 + 3 cluster (test/support) after SIGKILL of the primary
// of slots 5461-10922 (port 25824): first its shard lists it as a failed master, then its replica
// (10503) is promoted and the old primary is left as a master of its own with no slots.
const killedResp2 = [
  [
    'slots',
    [0, 5460],
    'nodes',
    [
      [
        'id',
        'f77fc50cb8b2a0cf097749e0fa21efdd015f588f',
        'port',
        31056,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'online',
      ],
      [
        'id',
        '0b7729a80e0fad684fbe9f08b38c49b491749549',
        'port',
        21675,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'replica',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
  [
    'slots',
    [10923, 16383],
    'nodes',
    [
      [
        'id',
        '5d8a8bc88793d96a44c99f36135b82bc6e2b5653',
        'port',
        31898,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'online',
      ],
      [
        'id',
        '275a1cc3ba062d7bf1b7d985943e58dfd0b79468',
        'port',
        26921,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'replica',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
  [
    'slots',
    [5461, 10922],
    'nodes',
    [
      [
        'id',
        'ed5b44799a25dcd71a38aea27f70cf5ff06c3cd0',
        'port',
        25824,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'fail',
      ],
      [
        'id',
        '97ca58c8f205f69278ac4cab64d6852eca097d04',
        'port',
        10503,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'replica',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
];
const replacedResp2 = [
  [
    'slots',
    [0, 5460],
    'nodes',
    [
      [
        'id',
        'f77fc50cb8b2a0cf097749e0fa21efdd015f588f',
        'port',
        31056,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'online',
      ],
      [
        'id',
        '0b7729a80e0fad684fbe9f08b38c49b491749549',
        'port',
        21675,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'replica',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
  [
    'slots',
    [5461, 10922],
    'nodes',
    [
      [
        'id',
        '97ca58c8f205f69278ac4cab64d6852eca097d04',
        'port',
        10503,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
  [
    'slots',
    [10923, 16383],
    'nodes',
    [
      [
        'id',
        '5d8a8bc88793d96a44c99f36135b82bc6e2b5653',
        'port',
        31898,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'online',
      ],
      [
        'id',
        '275a1cc3ba062d7bf1b7d985943e58dfd0b79468',
        'port',
        26921,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'replica',
        'replication-offset',
        14,
        'health',
        'online',
      ],
    ],
  ],
  [
    'slots',
    [],
    'nodes',
    [
      [
        'id',
        'ed5b44799a25dcd71a38aea27f70cf5ff06c3cd0',
        'port',
        25824,
        'ip',
        '127.0.0.1',
        'endpoint',
        '127.0.0.1',
        'role',
        'master',
        'replication-offset',
        14,
        'health',
        'fail',
      ],
    ],
  ],
];
const replacedResp3 = [
  {
    slots: [0, 5460],
    nodes: [
      {
        id: 'f77fc50cb8b2a0cf097749e0fa21efdd015f588f',
        port: 31056,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 14,
        health: 'online',
      },
      {
        id: '0b7729a80e0fad684fbe9f08b38c49b491749549',
        port: 21675,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'replica',
        'replication-offset': 14,
        health: 'online',
      },
    ],
  },
  {
    slots: [5461, 10922],
    nodes: [
      {
        id: '97ca58c8f205f69278ac4cab64d6852eca097d04',
        port: 10503,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 14,
        health: 'online',
      },
    ],
  },
  {
    slots: [10923, 16383],
    nodes: [
      {
        id: '5d8a8bc88793d96a44c99f36135b82bc6e2b5653',
        port: 31898,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 14,
        health: 'online',
      },
      {
        id: '275a1cc3ba062d7bf1b7d985943e58dfd0b79468',
        port: 26921,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'replica',
        'replication-offset': 14,
        health: 'online',
      },
    ],
  },
  {
    slots: [],
    nodes: [
      {
        id: 'ed5b44799a25dcd71a38aea27f70cf5ff06c3cd0',
        port: 25824,
        ip: '127.0.0.1',
        endpoint: '127.0.0.1',
        role: 'master',
        'replication-offset': 14,
        health: 'fail',
      },
    ],
  },
];

test('slotMapFromShards (real 7.0 reply): a killed primary not replaced yet still owns its slots (commands wait for it)', () => {
  const m = slotMapFromShards(killedResp2, { reporter });
  assert.equal(m.primaryFor(6000)!.port, 25824);
  assert.equal(m.primaryFor(6000)!.health, 'fail');
  assert.deepEqual(
    m.shardFor(6000)!.replicas.map((r) => r.port),
    [10503],
  );
  assert.equal(m.shards.length, 3);
});

for (const [protocol, reply] of [
  ['RESP2', replacedResp2],
  ['RESP3', replacedResp3],
] as const) {
  test(`slotMapFromShards (real 7.0 reply, ${protocol}): the failed old primary left with no slots is not a primary of the map`, () => {
    const m = slotMapFromShards(reply, { reporter });
    assert.equal(m.primaryFor(6000)!.port, 10503);
    assert.deepEqual(
      m.shards.map((s) => s.primary.port).sort(),
      [10503, 31056, 31898],
      'three primaries: the dead node would otherwise get a connection and keep the cluster from ready',
    );
    assert.equal(m.coveredSlots, SLOT_COUNT);
    assert.ok(!m.nodes.some((n) => n.port === 25824), 'the dead node is no node of the map');
  });
}

test('slotMapFromShards: a shard listing a failed or loading master and an online one (Redis 7.2 groups by shard id): the online one is the primary', () => {
  const node = (id: string, port: number, role: string, health: string) => ({
    id,
    port,
    ip: '127.0.0.1',
    endpoint: '127.0.0.1',
    role,
    'replication-offset': 14,
    health,
  });
  for (const health of ['fail', 'failed', 'loading']) {
    const m = slotMapFromShards(
      [
        {
          slots: [0, 16383],
          nodes: [
            node('old', 7001, 'master', health),
            node('new', 7004, 'master', 'online'),
            node('r', 7005, 'replica', 'online'),
          ],
        },
      ],
      { reporter },
    );
    assert.equal(m.primaryFor(0)!.id, 'new', health);
    assert.deepEqual(
      m.shardFor(0)!.replicas.map((r) => r.id),
      ['r'],
      `${health}: the old master is neither the primary nor a replica`,
    );
  }
  // No master online: the first one listed keeps the slots (commands wait for the cluster).
  const m = slotMapFromShards(
    [{ slots: [0, 16383], nodes: [node('old', 7001, 'master', 'fail'), node('r', 7005, 'replica', 'online')] }],
    { reporter },
  );
  assert.equal(m.primaryFor(0)!.id, 'old');
});
