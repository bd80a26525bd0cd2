// The runtime phase against a real redis-server that goes away: a restart on the same port, a
// CLIENT KILL of our connection, and a server that never comes back (reconnect.maxAttempts).
// The client must recover by itself, run a command issued during the outage exactly once, and,
// when it does give up, say so to every command with ClientFailedError.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, ClientFailedError, ConnectionError } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { sleep, waitFor, settleWithin } from '../support/wait';

const fast = { baseDelayMs: 20, maxDelayMs: 200 };

describe('server restart, CLIENT KILL, a server that never comes back', () => {
  test('restart on the same port: ready -> reconnecting -> ready by itself; a command issued during the outage runs once', async () => {
    const server = await RedisServer.start();
    const client = createClient({ host: server.host, port: server.port, reconnect: fast });
    const states: string[] = [];
    const readies: boolean[] = [];
    client.on('stateChange', (e) => states.push(`${e.from}->${e.to}`));
    client.on('ready', (e) => readies.push(e.reconnected));
    try {
      await client.connect();
      assert.equal(await client.set('restart:before', 'x'), 'OK');

      await server.stop();
      await waitFor('the client to notice the restart', () => client.state === 'reconnecting');
      // Issued during the outage: it waits in the offline queue, never written to a dead socket.
      const during = client.incr('restart:counter');
      await sleep(300);
      assert.equal(client.state, 'reconnecting', 'still retrying while the server is down');
      assert.equal(client.offlineQueueLength, 1);

      let readyAt: number | undefined;
      client.once('ready', () => (readyAt = performance.now()));
      const spawnedAt = performance.now();
      await server.restart();
      const serverReadyAt = performance.now();
      await waitFor('the client to be ready again', () => readyAt !== undefined, 10_000);

      assert.equal(await during, 1, 'the INCR issued during the outage ran on the new server');
      assert.equal(await server.cli('GET', 'restart:counter'), '1', 'and it ran exactly once');
      assert.equal(await client.get('restart:counter'), '1');
      assert.deepEqual(readies, [false, true], 'ready events: first connect, then reconnected: true');
      assert.ok(states.includes('ready->reconnecting'), states.join(' | '));
      assert.equal(states[states.length - 1], 'reconnecting->ready', states.join(' | '));
      assert.ok(!states.some((s) => s.endsWith('->failed')), states.join(' | '));
      const fromSpawn = (readyAt as number) - spawnedAt;
      const fromServerReady = (readyAt as number) - serverReadyAt;
      console.log(
        `# restart: client ready ${fromSpawn.toFixed(0)} ms after redis-server was spawned again ` +
          `(${fromServerReady.toFixed(0)} ms after the test saw "Ready to accept connections" in its log; ` +
          `negative = the client got there first)`,
      );
    } finally {
      client.destroy();
      await server.destroy();
    }
  });

  test('CLIENT KILL of our connection: the first attempt goes at once (delay 0) and commands keep working', async () => {
    const server = await RedisServer.start();
    // resetAfterMs: a connection ready this long counts as stable; only then is the first attempt immediate.
    const client = createClient({ host: server.host, port: server.port, reconnect: { ...fast, resetAfterMs: 1000 } });
    // Kills come from another client (faster and steadier than spawning redis-cli under load).
    const admin = createClient({ host: server.host, port: server.port, reconnect: fast });
    const reconnecting: Array<{ attempt: number; delayMs: number; kind: string }> = [];
    const noticedAt: number[] = [];
    client.on('reconnecting', (e) => {
      noticedAt.push(performance.now());
      reconnecting.push({ attempt: e.attempt, delayMs: e.delayMs, kind: e.reason.kind });
    });
    const readies: boolean[] = [];
    client.on('ready', (e) => readies.push(e.reconnected));
    try {
      await client.connect();
      await admin.connect();
      const id1 = Number(await client.call('CLIENT', 'ID'));
      assert.equal(client.server?.id, id1, 'HELLO told us our CLIENT ID');
      await sleep(1100); // stable: past resetAfterMs

      const killedAt = performance.now();
      let readyAt: number | undefined;
      client.once('ready', () => (readyAt = performance.now()));
      assert.equal(await admin.call('CLIENT', 'KILL', 'ID', id1), 1);
      await waitFor('the client to reconnect after CLIENT KILL', () => readyAt !== undefined);
      assert.deepEqual(reconnecting[0], { attempt: 1, delayMs: 0, kind: 'network' });
      assert.equal(reconnecting.length, 1, 'one attempt was enough');
      assert.deepEqual(readies, [false, true]);
      const id2 = Number(await client.call('CLIENT', 'ID'));
      assert.notEqual(id2, id1, 'a new connection');
      assert.equal(await client.set('kill:k', 'v'), 'OK');
      assert.equal(await client.get('kill:k'), 'v');
      console.log(
        `# CLIENT KILL: ready again ${((readyAt as number) - noticedAt[0]).toFixed(1)} ms after the client saw its connection die ` +
          `(${((readyAt as number) - killedAt).toFixed(1)} ms after the kill was issued)`,
      );

      // Killed again right away: the connection was not stable, so this time it backs off.
      const secondReadyAt = readyAt as number;
      readyAt = undefined;
      client.once('ready', () => (readyAt = performance.now()));
      assert.equal(await admin.call('CLIENT', 'KILL', 'ID', id2), 1);
      await waitFor('the client to reconnect after the second kill', () => readyAt !== undefined);
      assert.equal(reconnecting.length, 2);
      assert.equal(reconnecting[1].attempt, 1);
      const lived = noticedAt[1] - secondReadyAt;
      if (lived < 1000) {
        assert.ok(
          reconnecting[1].delayMs > 0,
          `a connection that lived ${lived.toFixed(0)} ms backs off (delay ${reconnecting[1].delayMs} ms)`,
        );
      } else {
        console.log(
          `# CLIENT KILL: the second kill came ${lived.toFixed(0)} ms after ready (machine under load): flapping backoff not checked`,
        );
      }
      assert.equal(await client.get('kill:k'), 'v');
    } finally {
      client.destroy();
      admin.destroy();
      await server.destroy();
    }
  });

  test('a server that never comes back: after maxAttempts (5) the client is failed, every command says so; connect() later works', async () => {
    const server = await RedisServer.start();
    const client = createClient({ host: server.host, port: server.port, reconnect: { ...fast, maxAttempts: 5 } });
    const attempts: number[] = [];
    const errors: ConnectionError[] = [];
    const states: string[] = [];
    client.on('reconnecting', (e) => attempts.push(e.attempt));
    client.on('error', (e) => errors.push(e));
    client.on('stateChange', (e) => states.push(`${e.from}->${e.to}`));
    try {
      await client.connect();
      const stoppedAt = performance.now();
      await server.stop();
      await waitFor('reconnecting', () => client.state === 'reconnecting');
      const queued = client.get('gone:k');
      const queuedOutcome = queued.then(
        () => 'resolved',
        (e: unknown) => e,
      );
      await waitFor('the client to give up', () => client.state === 'failed', 15_000);
      const failedAt = performance.now();

      const err = await queuedOutcome;
      assert.ok(err instanceof ClientFailedError, `queued command: ${String(err)}`);
      assert.equal(err.code, 'EFAILED');
      assert.ok(err.cause instanceof ConnectionError && err.cause.kind === 'network', String(err.cause));
      assert.deepEqual(attempts, [1, 2, 3, 4, 5], 'five attempts announced');
      // One error for the death of the ready connection, then one per failed attempt.
      assert.equal(errors.length, 6, errors.map((e) => e.message).join(' | '));
      assert.equal(states[states.length - 1], 'reconnecting->failed');
      assert.ok(client.lastError instanceof ConnectionError);

      // A new command rejects at once: no queueing on a failed client.
      const outcome = await settleWithin(client.get('gone:k'), 0);
      assert.equal(outcome.status, 'rejected', 'rejected before any timer could run');
      assert.ok(outcome.status === 'rejected' && outcome.reason instanceof ClientFailedError);
      assert.equal(client.state, 'failed');
      console.log(
        `# never comes back: failed ${(failedAt - stoppedAt).toFixed(0)} ms after the server was stopped (5 attempts, backoff 20..200 ms)`,
      );

      await server.restart();
      const readyEvents: boolean[] = [];
      client.on('ready', (e) => readyEvents.push(e.reconnected));
      await client.connect();
      assert.equal(client.state, 'ready');
      assert.equal(await client.ping(), 'PONG');
      assert.deepEqual(readyEvents, [true]);
    } finally {
      client.destroy();
      await server.destroy();
    }
  });
});
