// Where a node the cluster announced is reached, and the name its certificate is checked against
// (node-endpoint.ts, docs/cluster.md "TLS").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeerCertificate } from 'node:tls';
import { endpointFor, seedNameOf, type EndpointRules } from '../../src/cluster/node-endpoint';
import { resolveAddressMap } from '../../src/cluster/address-map';
import { resolveClusterOptions } from '../../src/cluster/options';

const rules = (over: Partial<EndpointRules> = {}): EndpointRules => ({
  mapAddress: resolveAddressMap(undefined),
  tls: {},
  seedName: undefined,
  ...over,
});

test('plain TCP: no TLS options; nodeAddressMap moves the connection, not the name', () => {
  const r = rules({ tls: undefined, mapAddress: resolveAddressMap({ '10.0.0.5:6379': { host: 'gw', port: 16379 } }) });
  assert.deepEqual(endpointFor({ host: '10.0.0.5', port: 6379 }, r), { host: 'gw', port: 16379, tls: undefined });
  assert.deepEqual(endpointFor({ host: '10.0.0.6', port: 6379 }, r), { host: '10.0.0.6', port: 6379, tls: undefined });
});

test('a tls.servername given by the user applies to every node', () => {
  const r = rules({ tls: { servername: 'redis.example.com' }, seedName: 'seed.example.com' });
  assert.equal(endpointFor({ host: 'node-1.example.com', port: 6379 }, r).tls?.servername, 'redis.example.com');
  assert.equal(endpointFor({ host: '10.0.0.5', port: 6379 }, r).tls?.servername, 'redis.example.com');
});

test('a node announced by host name is checked against that name, also when mapped elsewhere', () => {
  const r = rules({
    tls: true,
    mapAddress: resolveAddressMap((a: { host: string }) =>
      a.host === 'node-1.internal' ? { host: '127.0.0.1', port: 7001 } : undefined,
    ),
  });
  const e = endpointFor({ host: 'node-1.internal', port: 6380 }, r);
  assert.deepEqual([e.host, e.port, e.tls?.servername], ['127.0.0.1', 7001, 'node-1.internal']);
});

test('a node announced by IP: the name of a seed given by name, else the announced IP itself', () => {
  assert.equal(
    seedNameOf([
      { host: '10.1.1.1', port: 1 },
      { host: 'redis.example.com', port: 1 },
    ]),
    'redis.example.com',
  );
  assert.equal(
    seedNameOf([
      { host: '10.1.1.1', port: 1 },
      { host: '::1', port: 1 },
    ]),
    undefined,
  );
  const byName = endpointFor({ host: '10.0.0.5', port: 6379 }, rules({ seedName: 'redis.example.com' }));
  assert.equal(byName.tls?.servername, 'redis.example.com');

  // Not mapped: Node's own check against the IP connected to is right; nothing is added.
  const direct = endpointFor({ host: '10.0.0.5', port: 6379 }, rules());
  assert.deepEqual(direct.tls, {});
  // Mapped: the certificate is checked against the announced IP, not the NAT address.
  const mapped = endpointFor(
    { host: '10.0.0.5', port: 6379 },
    rules({ mapAddress: resolveAddressMap({ '10.0.0.5:6379': { host: '127.0.0.1', port: 16379 } }) }),
  );
  assert.equal(mapped.host, '127.0.0.1');
  assert.equal(mapped.tls?.servername, undefined);
  const cert = { subject: { CN: 'x' }, subjectaltname: 'IP Address:10.0.0.5' } as unknown as PeerCertificate;
  assert.equal(mapped.tls?.checkServerIdentity?.('127.0.0.1', cert), undefined, 'the announced IP is in the cert');
  const other = { subject: { CN: 'x' }, subjectaltname: 'IP Address:127.0.0.1' } as unknown as PeerCertificate;
  assert.ok(mapped.tls?.checkServerIdentity?.('127.0.0.1', other) instanceof Error, 'the NAT address is not');
});

test('rediss:// seeds turn TLS on for every node and name the seed (rule 3)', () => {
  const o = resolveClusterOptions({ nodes: ['rediss://redis.example.com:6380'] });
  assert.equal(o.tls, true);
  assert.equal(o.endpoint.seedName, 'redis.example.com');
  assert.equal(endpointFor({ host: '10.0.0.5', port: 6380 }, o.endpoint).tls?.servername, 'redis.example.com');
});
