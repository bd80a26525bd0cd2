/**
 * What `call()` (and a pipeline's `call()`) must know about a raw command before sending it:
 * whether it blocks (and so runs where the typed method would run it), whether it changes the
 * connection's state in a way the client keeps (SELECT, CLIENT SETNAME, WATCH, UNWATCH), or whether
 * it changes it behind the client's back and is refused with a pointer to the API that does it
 * right. An ordinary command has no rule and costs one Map lookup.
 */
import * as metadata from '@ioredis/commands';
import { InvalidArgumentError } from '../errors';
import type { Arg } from '../protocol/types';
import type { CommandDef } from './command-def';
import { COMMANDS } from './commands';
import { millisecondsAt, type BlockingTime } from './commands/blocking';

/** How a blocking command runs: the same figure the typed method uses, from the built arguments. */
export interface Blocking {
  /** How long (ms) the server may hold the reply; 0 = not blocking with these arguments; Infinity = forever. */
  readonly blockingMs: BlockingTime;
  /** Must stay on the caller's connection (WAIT, WAITAOF count that connection's writes). */
  readonly sameConnection: boolean;
}

/** What the client does with a raw command. */
export interface CallRule {
  readonly blocking?: Blocking;
  /** Remembered by the client: SELECT, CLIENT SETNAME, WATCH, UNWATCH (see session.ts, Session.track). */
  readonly tracked?: 'SELECT' | 'CLIENT' | 'WATCH' | 'UNWATCH' | 'READONLY' | 'READWRITE';
  /** Refused: returns the error for these arguments, or undefined when these arguments are fine. */
  readonly refuse?: (name: string, args: readonly Arg[], method: string) => InvalidArgumentError | undefined;
}

const refuse =
  (why: string) =>
  (name: string, _args: readonly Arg[], method: string): InvalidArgumentError =>
    new InvalidArgumentError(`${name.toUpperCase()} cannot be sent with ${method}(): ${why}`);

const transaction = refuse(
  'the client would not know that the commands after it are queued (they would answer QUEUED) nor how to replay the block after a reconnect. ' +
    'Use client.multi().set(...).incr(...).exec(); with WATCH, on a connection of your own: ' +
    'client.isolated(async (conn) => { await conn.watch(key); ...; return conn.multi()...exec(); })',
);

function subscribeRefusal(name: string, _args: readonly Arg[], method: string): InvalidArgumentError {
  return new InvalidArgumentError(
    `${name.toUpperCase()} cannot be sent with ${method}(): use client.${name.toLowerCase()}(...), which keeps the subscriptions across reconnects`,
  );
}

/** CLIENT: REPLY OFF|SKIP and TRACKING are refused, SETNAME is remembered, the rest are ordinary. */
function clientRefusal(_name: string, args: readonly Arg[], method: string): InvalidArgumentError | undefined {
  const sub = typeof args[0] === 'string' ? args[0].toUpperCase() : String(args[0]).toUpperCase();
  if (sub === 'REPLY') {
    const mode = String(args[1]).toUpperCase();
    if (mode === 'ON') return undefined;
    return new InvalidArgumentError(
      `CLIENT REPLY ${mode} cannot be sent with ${method}(): romaine pairs each reply with its command in order, so a command the server does not answer would receive the next command's reply. ` +
        'To not wait for a reply, do not await the promise (add .catch() to it)',
    );
  }
  if (sub === 'TRACKING') {
    return new InvalidArgumentError(
      `CLIENT TRACKING cannot be sent with ${method}(): client-side caching turns tracking on, restores it after each reconnect and drops the cache when invalidations may have been missed. ` +
        "Use the `cache` option: createClient(url, { cache: { mode: 'default' } }) (or { mode: 'bcast', prefixes: [...] })",
    );
  }
  return undefined;
}

const REFUSED: Readonly<Record<string, CallRule['refuse']>> = {
  MULTI: transaction,
  EXEC: transaction,
  DISCARD: transaction,
  SUBSCRIBE: subscribeRefusal,
  PSUBSCRIBE: subscribeRefusal,
  SSUBSCRIBE: subscribeRefusal,
  UNSUBSCRIBE: subscribeRefusal,
  PUNSUBSCRIBE: subscribeRefusal,
  SUNSUBSCRIBE: subscribeRefusal,
  MONITOR: refuse(
    'it turns the connection into a feed of every command the server runs, and no other command would get its reply. ' +
      'Use client.monitor(), which runs it on a connection of its own: for await (const event of client.monitor()) { ... }',
  ),
  RESET: refuse(
    'it silently drops the subscriptions, the selected database, the client name, tracking and the authentication that the client restores and counts. ' +
      'Undo one thing with its own method (unsubscribe(), select(), ...), or close() the client and create a new one',
  ),
  HELLO: refuse(
    'the handshake already sent it: choose the protocol with the `protocol` option (2 or 3) and the user with `username`/`password` or `credentials`; client.server holds what HELLO answered',
  ),
  AUTH: refuse(
    'credentials sent this way would apply to this one connection only: the connections made after a reconnect, for blocking commands, isolated() and RESP2 pub/sub would keep the old ones. ' +
      'Use the `username`/`password` options, or a `credentials` function (asked again at every reconnect, for rotation)',
  ),
  QUIT: refuse('the server would close the connection and the client would reconnect at once. Use client.close()'),
  CLIENT: clientRefusal,
};

const TRACKED: Readonly<Record<string, NonNullable<CallRule['tracked']>>> = {
  SELECT: 'SELECT',
  CLIENT: 'CLIENT',
  WATCH: 'WATCH',
  UNWATCH: 'UNWATCH',
  READONLY: 'READONLY',
  READWRITE: 'READWRITE',
};
const TRACKED_NAMES: ReadonlySet<string> = new Set(Object.keys(TRACKED));

/**
 * Whether a command (its name as a typed definition spells it, upper case) may change what the
 * session restores after a reconnect (Session.track): the typed methods' one check per call.
 */
export function tracksState(name: string): boolean {
  return TRACKED_NAMES.has(name);
}

/**
 * Blocking commands, by name: taken from the typed definitions, so that `client.blpop()` and
 * `client.call('BLPOP', ...)` read the same timeout the same way. Commands without a typed method
 * are added by hand (WAITAOF), and anything else the command metadata flags as blocking is taken
 * to block forever: it runs on a dedicated connection and the health check never times it out.
 */
function blockingTable(): Map<string, Blocking> {
  const table = new Map<string, Blocking>();
  for (const d of Object.values(COMMANDS as Record<string, CommandDef>)) {
    if (d.blockingMs === undefined) continue;
    const known = table.get(d.name);
    if (known !== undefined && known.blockingMs !== d.blockingMs)
      throw new Error(`two typed definitions of ${d.name} read its blocking time differently`);
    table.set(d.name, {
      blockingMs: d.blockingMs,
      sameConnection: d.sameConnection === true,
    });
  }
  // WAITAOF numlocal numreplicas timeout (Redis 7.2): like WAIT, it counts this connection's writes.
  if (!table.has('WAITAOF')) table.set('WAITAOF', { blockingMs: millisecondsAt(2), sameConnection: true });
  const forever: Blocking = { blockingMs: () => Infinity, sameConnection: false };
  for (const name of metadata.list) {
    if (metadata.hasFlag(name, 'blocking') && !table.has(name.toUpperCase())) table.set(name.toUpperCase(), forever);
  }
  return table;
}

const RULES = new Map<string, CallRule>();
for (const [name, blocking] of blockingTable()) RULES.set(name, { blocking });
for (const [name, tracked] of Object.entries(TRACKED)) RULES.set(name, { tracked });
for (const [name, check] of Object.entries(REFUSED)) RULES.set(name, { ...RULES.get(name), refuse: check });
// Looked up as written first: names come upper- or lower-case far more often than mixed.
for (const [name, rule] of [...RULES]) RULES.set(name.toLowerCase(), rule);
const LONGEST = Math.max(...[...RULES.keys()].map((n) => n.length));

/** The rule for a raw command name, or undefined for an ordinary command. */
export function callRule(name: string): CallRule | undefined {
  const rule = RULES.get(name);
  if (rule !== undefined || name.length > LONGEST) return rule;
  return RULES.get(name.toUpperCase());
}

/**
 * For a blocking command that can be unblocked on one server and sent again to another (its
 * timeout answer is a null, and it does not count its own connection's writes as WAIT does): its
 * arguments with the wait set to `ms`. Undefined for every other command.
 */
export function resendWait(name: string): ((args: readonly Arg[], ms: number) => Arg[]) | undefined {
  const blocking = callRule(name)?.blocking;
  return blocking === undefined || blocking.sameConnection ? undefined : blocking.blockingMs.withWait;
}

/** The blocking rule a typed definition would have (exported for tests: every typed blocking command is in the table). */
export function blockingOf(name: string): Blocking | undefined {
  return callRule(name)?.blocking;
}

/**
 * A first argument to `call()` that is not a command name: the error that says how to call it.
 * Plain-JavaScript callers pass what other clients take: node-redis' `sendCommand(['GET', 'k'])`.
 */
export function callNameError(method: string, name: unknown): InvalidArgumentError | undefined {
  if (typeof name === 'string') {
    return name === ''
      ? new InvalidArgumentError(
          `${method}(): the command name is empty; pass it first: client.${method}('GET', 'key')`,
        )
      : undefined;
  }
  if (Array.isArray(name)) {
    return new InvalidArgumentError(
      `${method}() takes the command name and its arguments as separate arguments: client.${method}('GET', 'key'), not client.${method}(['GET', 'key']) (node-redis' sendCommand form)`,
    );
  }
  const what = name === undefined ? 'nothing' : name === null ? 'null' : `a ${typeof name}`;
  return new InvalidArgumentError(
    `${method}() needs the command name (a string) as its first argument, got ${what}: client.${method}('GET', 'key')`,
  );
}
