// Reconnection never hangs (issue 9, item 4): a server that goes silent after the handshake, while
// the subscriptions are being restored, must not leave the client in 'reconnecting' for good. The
// attempt's one deadline (connectTimeoutMs) covers the restore; the next attempt follows, and the
// client is ready (subscriptions restored) once the server answers again.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';
import { FaultProxy } from '../support/fault-proxy';
import { sleep, waitFor } from '../support/wait';

describe('attempt deadline covers the restore', () => {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.destroy();
  });

  test('silent after the handshake, before the resubscription is answered: the client keeps trying and is ready once the server answers', async () => {
    const proxy = await FaultProxy.start({ host: server.host, port: server.port });
    const client = createClient({
      host: '127.0.0.1',
      port: proxy.port,
      connectTimeoutMs: 1000,
      reconnect: { baseDelayMs: 20, maxDelayMs: 200 },
    });
    const reasons: string[] = [];
    client.on('reconnecting', (e) => reasons.push(e.reason.message));
    let resubscribed = 0;
    client.on('resubscribed', () => resubscribed++);
    const received: string[] = [];
    try {
      await client.connect();
      await client.subscribe('deadline:ch', (m) => received.push(m));
      // On the next connection: pass the handshake, then go silent the moment SUBSCRIBE is sent.
      let armed = true;
      proxy.onConnection(({ client: socket }) => {
        socket.on('data', (chunk: Buffer) => {
          if (armed && chunk.toString('latin1').toUpperCase().includes('SUBSCRIBE')) {
            armed = false;
            proxy.setMode('blackhole');
          }
        });
      });
      proxy.resetAll();
      await waitFor('the restore to be cut off by the attempt deadline', () =>
        reasons.some((r) => /did not answer the restore/.test(r)),
      ).catch((err: Error) => {
        throw new Error(`${err.message}; state ${client.state}; reasons: ${reasons.join(' | ')}`);
      });
      console.log(`# reasons so far: ${reasons.join(' | ')}`);
      assert.equal(client.state, 'reconnecting');
      await sleep(1500); // more attempts, each cut by its deadline while the server stays silent
      assert.equal(client.state, 'reconnecting');
      proxy.setMode('pass');
      await waitFor('ready again', () => client.state === 'ready', 15_000).catch((err: Error) => {
        throw new Error(`${err.message}; state ${client.state}; reasons: ${reasons.join(' | ')}`);
      });
      await waitFor('resubscribed', () => resubscribed > 0);
      await server.cli('PUBLISH', 'deadline:ch', 'hello');
      await waitFor('the message on the restored subscription', () => received.includes('hello'));
      console.log(`# ${reasons.length} reconnect attempts before the server answered again`);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
