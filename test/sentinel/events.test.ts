// The sentinels' event payloads as Redis 7.0 publishes them (copied from a real failover on this
// machine), parsed into the master they concern and the instance they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvent } from '../../src/sentinel/follower';

test('a master event: master <name> <ip> <port>', () => {
  assert.deepEqual(parseEvent('+try-failover', 'master mymaster 127.0.0.1 25078'), {
    name: 'mymaster',
    master: { host: '127.0.0.1', port: 25078 },
    instance: undefined,
  });
});

test('an instance event: slave <ip:port> <ip> <port> @ <name> <master-ip> <master-port>', () => {
  assert.deepEqual(parseEvent('+selected-slave', 'slave 127.0.0.1:15855 127.0.0.1 15855 @ mymaster 127.0.0.1 25078'), {
    name: 'mymaster',
    master: { host: '127.0.0.1', port: 25078 },
    instance: { host: '127.0.0.1', port: 15855 },
  });
});

test('+switch-master: <name> <old-ip> <old-port> <new-ip> <new-port>', () => {
  assert.deepEqual(parseEvent('+switch-master', 'mymaster 127.0.0.1 25078 127.0.0.1 15855'), {
    name: 'mymaster',
    master: { host: '127.0.0.1', port: 25078 },
    instance: { host: '127.0.0.1', port: 15855 },
  });
});

test('anything else is not an event about a master', () => {
  assert.equal(parseEvent('+switch-master', 'mymaster 127.0.0.1'), undefined);
  assert.equal(parseEvent('+selected-slave', 'garbage'), undefined);
});
