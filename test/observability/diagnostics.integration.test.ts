import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { internals } from '../../src/client/internals';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createClient, ReplyError, type CommandMessage } from '../../src/index';
import { RedisServer } from '../support/redis-server';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(async () => {
  await server?.destroy();
});

function record(name: string): { messages: any[]; stop: () => void } {
  const messages: any[] = [];
  const fn = (m: unknown): void => void messages.push({ ...(m as object), same: m });
  subscribe(name, fn);
  return { messages, stop: () => unsubscribe(name, fn) };
}

test('command start, end and error are published with one shared message per command', async () => {
  const start = record('romaine:command:start');
  const end = record('romaine:command:end');
  const error = record('romaine:command:error');
  const client = createClient({ port: server.port });
  try {
    await client.set('dc', 'v');
    await assert.rejects(client.call('INCR', 'dc'), ReplyError);
    const starts = start.messages.filter((m) => m.client === client);
    assert.deepEqual(
      starts.map((m) => `${m.command} ${m.args.join(' ')}`),
      ['SET dc v', 'INCR dc'],
    );
    const ends = end.messages.filter((m) => m.client === client);
    assert.equal(ends.length, 1);
    assert.equal(ends[0].same, starts[0].same, 'end carries the start message');
    assert.equal(ends[0].reply, 'OK');
    assert.ok(typeof ends[0].startTime === 'number');
    const errors = error.messages.filter((m) => m.client === client);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].same, starts[1].same);
    assert.ok(errors[0].error instanceof ReplyError);
  } finally {
    start.stop();
    end.stop();
    error.stop();
    client.destroy();
  }
});

test('credentials never reach a subscriber', async () => {
  const start = record('romaine:command:start');
  const client = createClient({ port: server.port });
  try {
    await client.call('AUTH', 'default', 'hunter2').catch(() => undefined);
    await client.call('CONFIG', 'SET', 'requirepass', '').catch(() => undefined);
    const text = JSON.stringify(start.messages.filter((m) => m.client === client).map((m) => m.args));
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /\?/);
  } finally {
    start.stop();
    client.destroy();
  }
});

test('lifecycle transitions and reconnect attempts are published', async () => {
  const states = record('romaine:state');
  const reconnecting = record('romaine:reconnecting');
  const client = createClient({ port: server.port, reconnect: { baseDelayMs: 10, maxDelayMs: 20 } });
  const admin = createClient({ port: server.port });
  try {
    await client.connect();
    const ready = new Promise<void>((r) => client.once('ready', () => r()));
    await admin.call('CLIENT', 'KILL', 'ID', String(await client.call('CLIENT', 'ID')));
    await ready;
    const mine = states.messages.filter((m) => m.client === client).map((m) => `${m.from}->${m.to}`);
    assert.deepEqual(mine, ['idle->connecting', 'connecting->ready', 'ready->reconnecting', 'reconnecting->ready']);
    const attempts = reconnecting.messages.filter((m) => m.client === client);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0].reason.kind, 'network');
  } finally {
    states.stop();
    reconnecting.stop();
    client.destroy();
    admin.destroy();
  }
});

test('with no subscriber, commands carry no trace message', async () => {
  const client = createClient({ port: server.port });
  try {
    const seen: unknown[] = [];
    const inner = internals(client);
    const original = inner.submit.bind(inner);
    inner.submit = (cmd) => {
      original(cmd);
      seen.push(cmd.trace);
    };
    await client.pipeline().ping().exec();
    assert.deepEqual(seen, [undefined]);
    const unused: CommandMessage | undefined = undefined;
    assert.equal(unused, undefined);
  } finally {
    client.destroy();
  }
});
