// The keyless-command table (src/cluster/command-tips.ts) against the tips a real server gives
// in COMMAND INFO: a server that adds, drops or changes an all_shards/all_nodes tip fails here,
// so the table is regenerated from evidence rather than drifting from it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/index';
import { COMMAND_TIPS } from '../../src/cluster/command-tips';
import { RedisServer } from '../support';

let server: RedisServer;
before(async () => {
  server = await RedisServer.start();
});
after(() => server?.stop());

/** Left out of the table on purpose (see command-tips.ts), with why. */
const LEFT_OUT: Record<string, string> = {
  wait: 'counts the sending connection',
};

test("COMMAND_TIPS is exactly the server's all_shards/all_nodes tips whose response policy is not special", async () => {
  await using c = createClient({ port: server.port });
  const info = (await c.call('COMMAND', 'INFO')) as unknown[][];
  const fromServer: Record<string, { request: string; response: string | undefined }> = {};
  const visit = (entry: unknown[], container?: string): void => {
    const name = String(entry[0]).toLowerCase(); // subcommands are named 'container|sub' already
    const tips = ((entry[7] as unknown[] | undefined) ?? []).map(String);
    const request = tips.find((t) => t.startsWith('request_policy:'))?.slice('request_policy:'.length);
    const response = tips.find((t) => t.startsWith('response_policy:'))?.slice('response_policy:'.length);
    if ((request === 'all_shards' || request === 'all_nodes') && response !== 'special' && LEFT_OUT[name] === undefined)
      fromServer[name] = { request, response };
    for (const sub of (entry[9] as unknown[][] | undefined) ?? []) visit(sub, container ?? name);
  };
  for (const entry of info) visit(entry);
  const table = Object.fromEntries(
    Object.entries(COMMAND_TIPS).map(([k, v]) => [k, { request: v.request, response: v.response }]),
  );
  assert.deepEqual(table, fromServer);
});
