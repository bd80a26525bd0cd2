// The whole command surface: a real redis-server lists its commands and subcommands (COMMAND
// DOCS, through the typed commandDocs()), and every one of them must have a typed method (named
// after its words in camelCase, on the command table or the client: subscribe(), watch(),
// monitor(), ...) or a line in the documented exclusion list (src/client/commands/exclusions.ts,
// docs/commands.md). A Redis upgrade that adds a command fails here until it is typed or excluded.
//
// The coverage figures are printed as test diagnostics:
//   ROMAINE_TEST_CONCURRENCY=1 npm test -- test/client/command-coverage
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, RedisClient, type CommandDoc } from '../../src/index';
import { COMMANDS } from '../../src/client/commands';
import { EXCLUDED_COMMANDS } from '../../src/client/commands/exclusions';
import type { CommandDef } from '../../src/client/command-def';
import { RedisServer } from '../support/redis-server';

const table = COMMANDS as Record<string, CommandDef>;
let server: RedisServer;
let client: RedisClient;
let docs: Record<string, CommandDoc>;

before(async () => {
  server = await RedisServer.start();
  client = createClient(server.url);
  await client.connect();
  docs = await client.commandDocs();
});

after(async () => {
  await client?.close();
  await server?.stop();
});

/** 'client|no-evict' -> 'clientNoEvict', 'georadius_ro' -> 'georadiusRo'. */
function methodName(command: string): string {
  return command.toLowerCase().replace(/[|_ -]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** 'client|no-evict' -> 'CLIENT NO-EVICT', as the exclusion list spells it. */
function spelled(command: string): string {
  return command.toUpperCase().replace('|', ' ');
}

/** The typed method for a command or subcommand ('get', 'client|list'), if there is one. */
function typedMethod(command: string): string | undefined {
  const method = methodName(command);
  const d = table[method];
  if (d !== undefined) {
    const top = command.split('|')[0].toUpperCase();
    assert.equal(d.name, top, `${method}() is named after ${spelled(command)} but sends ${d.name}`);
    return method;
  }
  const own = (RedisClient.prototype as unknown as Record<string, unknown>)[method];
  return typeof own === 'function' ? method : undefined;
}

function exclusionOf(command: string): string | undefined {
  const name = spelled(command);
  if (name in EXCLUDED_COMMANDS) return name;
  if (name.endsWith(' HELP')) return '* HELP';
  return undefined;
}

/** Every command and subcommand the server has: 'get', 'client|list', ... (a container counts through its subcommands). */
function serverCommands(): { top: string; entries: string[] }[] {
  return Object.entries(docs).map(([top, doc]) => ({
    top,
    entries:
      doc.subcommands !== undefined && Object.keys(doc.subcommands).length > 0 ? Object.keys(doc.subcommands) : [top],
  }));
}

test('every command and subcommand of the server has a typed method or a line in the exclusion list', (t) => {
  const missing: string[] = [];
  let typedTop = 0;
  let typedEntries = 0;
  let excludedEntries = 0;
  let entries = 0;
  for (const { entries: list } of serverCommands()) {
    let anyTyped = false;
    for (const command of list) {
      entries++;
      if (typedMethod(command) !== undefined) {
        typedEntries++;
        anyTyped = true;
      } else if (exclusionOf(command) !== undefined) excludedEntries++;
      else missing.push(`${spelled(command)} (as ${methodName(command)}())`);
    }
    if (anyTyped) typedTop++;
  }
  const total = Object.keys(docs).length;
  t.diagnostic(`server: ${client.server?.version}`);
  t.diagnostic(`top-level commands with a typed method: ${typedTop} / ${total}`);
  t.diagnostic(
    `commands and subcommands: ${typedEntries} typed, ${excludedEntries} excluded (documented), of ${entries}`,
  );
  assert.deepEqual(missing, [], `no typed method and no exclusion: ${missing.join(', ')}`);
  assert.ok(total >= 200, `COMMAND DOCS listed only ${total} commands`);
});

test('the exclusion list names only commands the server has and that have no typed method', () => {
  const known = new Set<string>();
  for (const { top, entries } of serverCommands()) {
    known.add(spelled(top));
    for (const e of entries) known.add(spelled(e));
  }
  for (const name of Object.keys(EXCLUDED_COMMANDS)) {
    if (name === '* HELP') continue;
    assert.ok(known.has(name), `${name} is excluded but the server has no such command`);
    const command = name.toLowerCase().replace(' ', '|');
    assert.equal(
      typedMethod(command),
      undefined,
      `${name} is excluded but has the typed method ${methodName(command)}()`,
    );
  }
});

test('every deprecated command of the server is typed or excluded as deprecated with its replacement', () => {
  const deprecatedUntyped: string[] = [];
  const visit = (name: string, doc: CommandDoc): void => {
    if (doc.docFlags?.includes('deprecated') !== true || typedMethod(name) !== undefined) return;
    const ex = EXCLUDED_COMMANDS[spelled(name)];
    if (ex?.reason !== 'deprecated' || ex.use === '') deprecatedUntyped.push(spelled(name));
  };
  for (const [name, doc] of Object.entries(docs)) {
    visit(name, doc);
    for (const [sub, subDoc] of Object.entries(doc.subcommands ?? {})) visit(sub, subDoc);
  }
  assert.deepEqual(deprecatedUntyped, []);
});

test('docs/commands.md lists every exclusion with its reason', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'commands.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Commands without a typed method'));
  assert.ok(section.length > 0, 'docs/commands.md has no "Commands without a typed method" section');
  for (const [name, ex] of Object.entries(EXCLUDED_COMMANDS)) {
    const row = section.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
    assert.ok(row !== undefined, `docs/commands.md has no row for ${name}`);
    assert.ok(row.includes(ex.reason), `the row for ${name} does not say '${ex.reason}'`);
  }
});
