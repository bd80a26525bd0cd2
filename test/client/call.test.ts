// client.call() from the user's side, without a server: what a plain-JavaScript caller (or an
// ioredis / node-redis habit) passes, and the commands that would change the connection behind
// the client's back. Every refusal happens before anything is sent or any connection is opened.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, InvalidArgumentError, type RedisClient } from '../../src/index';

/** A client pointed at a closed port: nothing may ever be sent, so nothing needs to listen. */
function offlineClient(): RedisClient {
  return createClient({ port: 1, reconnect: false, offlineQueue: false });
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    (v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`),
    (e: unknown) => e as Error,
  );
}

describe('call() without a command name', () => {
  const cases: [string, (c: any) => Promise<unknown>, RegExp][] = [
    ['call()', (c) => c.call(), /call\(\) needs the command name \(a string\).*got nothing/],
    ['call(undefined)', (c) => c.call(undefined), /got nothing/],
    ['call(null)', (c) => c.call(null, 'k'), /got null/],
    ['call(123)', (c) => c.call(123), /got a number/],
    ["call('')", (c) => c.call(''), /the command name is empty/],
    [
      "call(['GET', 'k']) (node-redis' sendCommand form)",
      (c) => c.call(['GET', 'k']),
      /separate arguments: client\.call\('GET', 'key'\).*node-redis/,
    ],
    ["callBuffer(['GET', 'k'])", (c) => c.callBuffer(['GET', 'k']), /callBuffer\(\) takes the command name/],
  ];
  for (const [title, run, message] of cases) {
    test(`${title} rejects with InvalidArgumentError and a hint, not a TypeError from inside`, async () => {
      const client = offlineClient();
      try {
        const err = await rejection(run(client));
        assert.ok(err instanceof InvalidArgumentError, `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        assert.equal(client.state, 'idle', 'nothing was sent, no connection was opened');
      } finally {
        client.destroy();
      }
    });
  }

  test("pipeline().call(['GET', 'k']).exec() rejects the same way, and nothing is sent", async () => {
    const client = offlineClient();
    try {
      const err = await rejection((client.pipeline() as any).call(['GET', 'k']).get('x').exec());
      assert.ok(err instanceof InvalidArgumentError, String(err));
      assert.match(err.message, /separate arguments/);
      assert.equal(client.state, 'idle');
    } finally {
      client.destroy();
    }
  });
});

describe('commands that would change the connection behind the client’s back are refused', () => {
  const cases: [string, unknown[], RegExp][] = [
    ['MULTI', [], /MULTI cannot be sent with call\(\).*QUEUED.*client\.multi\(\).*client\.isolated/],
    ['exec', [], /EXEC cannot be sent with call\(\).*client\.multi\(\)/],
    ['Discard', [], /DISCARD cannot be sent with call\(\).*client\.multi\(\)/],
    ['MONITOR', [], /MONITOR cannot be sent with call\(\).*client\.monitor\(\)/],
    ['RESET', [], /RESET cannot be sent with call\(\).*subscriptions.*selected database/],
    ['HELLO', [2], /HELLO cannot be sent with call\(\).*`protocol` option/],
    ['AUTH', ['hunter2'], /AUTH cannot be sent with call\(\).*`username`\/`password`.*`credentials`/],
    ['auth', ['alice', 'hunter2'], /AUTH cannot be sent with call\(\)/],
    ['CLIENT', ['REPLY', 'OFF'], /CLIENT REPLY OFF cannot be sent with call\(\).*do not await/],
    ['client', ['reply', 'skip'], /CLIENT REPLY SKIP cannot be sent/],
    ['CLIENT', ['TRACKING', 'ON'], /CLIENT TRACKING cannot be sent with call\(\).*`cache` option/],
    ['SUBSCRIBE', ['news'], /client\.subscribe\(/],
    ['QUIT', [], /client\.close\(\)/],
  ];
  for (const [name, args, message] of cases) {
    test(`call('${name}'${args.map((a) => `, '${String(a)}'`).join('')}) -> InvalidArgumentError naming the API to use`, async () => {
      const client = offlineClient();
      try {
        const err = await rejection((client as any).call(name, ...args));
        assert.ok(err instanceof InvalidArgumentError, `${err.name}: ${err.message}`);
        assert.match(err.message, message);
        assert.ok(!err.message.includes('hunter2'), 'no secret in the message');
        assert.equal(client.state, 'idle', 'nothing was sent');
        // The same through a pipeline and a transaction: exec() rejects, nothing is sent.
        for (const batch of [client.pipeline(), client.multi()]) {
          const viaBatch = await rejection(
            (batch as any)
              .call(name, ...args)
              .ping()
              .exec(),
          );
          assert.ok(viaBatch instanceof InvalidArgumentError, String(viaBatch));
          assert.match(viaBatch.message, message);
        }
        assert.equal(client.state, 'idle');
      } finally {
        client.destroy();
      }
    });
  }

  test('CLIENT REPLY ON and other CLIENT subcommands are not refused', async () => {
    const client = offlineClient();
    try {
      // offlineQueue: false and never connected: an ordinary command is rejected by the queue, not by call().
      for (const args of [['REPLY', 'ON'], ['LIST'], ['SETNAME', 'x']]) {
        const err = await rejection(client.call('CLIENT', ...args));
        assert.ok(!(err instanceof InvalidArgumentError), `CLIENT ${args.join(' ')}: ${err.message}`);
      }
    } finally {
      client.destroy();
    }
  });
});

describe('internal methods are not part of the client', () => {
  const INTERNAL = [
    'sendCommand',
    'dispatch',
    'submit',
    'ownSubscriptions',
    'connectionEpoch',
    'watchEpoch',
    'isolatedConnection',
    'callWith',
    'trackState',
  ];
  test('neither on the client nor on its prototype chain, so plain JavaScript cannot reach them by name', () => {
    const client = offlineClient();
    try {
      for (const name of INTERNAL) assert.ok(!(name in client), `client.${name} is reachable`);
      for (const name of INTERNAL) assert.ok(!(name in client.buffers), `client.buffers.${name} is reachable`);
    } finally {
      client.destroy();
    }
  });

  test("a node-redis user's client.sendCommand(['PING']) fails as 'not a function', before anything is sent", () => {
    const client = offlineClient();
    try {
      assert.throws(() => (client as any).sendCommand(['PING']), /sendCommand is not a function/);
      assert.equal(client.state, 'idle');
    } finally {
      client.destroy();
    }
  });

  test('not on the public type either', () => {
    const client = offlineClient();
    try {
      const check = (c: RedisClient): void => {
        // @ts-expect-error internal
        void c.sendCommand;
        // @ts-expect-error internal
        void c.dispatch;
        // @ts-expect-error internal
        void c.submit;
        // @ts-expect-error internal
        void c.ownSubscriptions;
        // @ts-expect-error internal
        void c.connectionEpoch;
        // @ts-expect-error internal
        void c.watchEpoch;
        // @ts-expect-error internal
        void c.isolatedConnection;
      };
      assert.equal(typeof check, 'function'); // the guard is the typecheck of this file
    } finally {
      client.destroy();
    }
  });
});
