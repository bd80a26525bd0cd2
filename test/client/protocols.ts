// The setup the command-family tests (test/client/<family>.integration.test.ts) share. Every family
// runs under RESP3 and RESP2 (each in its own database, so key names and hence values match);
// `same()` records what each protocol returned and the last test compares them:
//
//   const resp = protocolSuites();
//   for (const protocol of [3, 2] as const) {
//     describe(`strings over RESP${protocol}`, () => {
//       let c: RedisClient;
//       const same = resp.connect(protocol, (client) => (c = client));
//       test('...', async () => assert.equal(same(await c.get('k')), null));
//     });
//   }
//   resp.compare();
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, type ClientOptions, type RedisClient } from '../../src/index';
import { RedisServer } from '../support/redis-server';

export interface ProtocolSuites {
  /** The file's server (set once the top-level before hook ran). */
  readonly server: RedisServer;
  /**
   * Call inside a describe(). Before its tests: a client over `protocol` on database `protocol`
   * (handed to `use` as soon as it is created), connected, its protocol checked, the database
   * flushed, then `setup` run; after them: the client closed. Returns `same()`.
   */
  connect(
    protocol: 2 | 3,
    use: (client: RedisClient) => void,
    options?: { client?: ClientOptions; setup?: (client: RedisClient) => Promise<void> },
  ): <T>(value: T) => T;
  /** Call last: the test that RESP2 and RESP3 recorded identical values (and RESP3 more than `minRecorded`). */
  compare(minRecorded?: number): void;
}

/** Call at the top level of the test file: starts its RedisServer before its tests, destroys it after. */
export function protocolSuites(): ProtocolSuites {
  let server: RedisServer;
  before(async () => {
    server = await RedisServer.start();
  });
  after(async () => {
    await server?.destroy();
  });
  const seen = new Map<number, unknown[]>();

  return {
    get server() {
      return server;
    },

    connect(protocol, use, options = {}) {
      let c: RedisClient;
      const same = <T>(value: T): T => {
        seen.get(protocol)!.push(value);
        return value;
      };
      before(async () => {
        seen.set(protocol, []);
        c = createClient({ ...options.client, port: server.port, protocol, database: protocol });
        use(c);
        await c.connect();
        assert.equal(c.server?.protocol, protocol);
        await c.flushdb();
        await options.setup?.(c);
      });
      after(async () => {
        await c?.close();
      });
      return same;
    },

    compare(minRecorded = 10) {
      test('RESP2 and RESP3 gave identical typed values', () => {
        assert.ok(seen.get(3)!.length > minRecorded);
        assert.deepStrictEqual(seen.get(2), seen.get(3));
      });
    },
  };
}
