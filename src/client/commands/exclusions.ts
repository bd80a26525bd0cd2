/**
 * The Redis commands that have no typed method, each with the reason and what to use instead.
 * docs/commands.md lists them ("Commands without a typed method"), and a test asks a real server
 * for COMMAND DOCS and fails when a command has neither a typed method nor a line here. Every one
 * of them can still be sent with `client.call()`, except those call() refuses (marked so).
 */
export interface Exclusion {
  /**
   * - `connection`: it changes the connection behind the client's back; call() refuses it too.
   * - `batch`: it belongs to a transaction, which `client.multi()` builds.
   * - `deprecated`: Redis deprecated it; `use` is the replacement.
   * - `server`: it is spoken between servers or by Redis' own tools, not by an application.
   * - `help`: a subcommand's help text, for humans at a prompt.
   */
  readonly reason: 'connection' | 'batch' | 'deprecated' | 'server' | 'help';
  /** The romaine way to do it. */
  readonly use: string;
  readonly why: string;
}

const deprecated = (use: string, why = 'deprecated by Redis'): Exclusion => ({ reason: 'deprecated', use, why });
const server = (use: string, why: string): Exclusion => ({ reason: 'server', use, why });

/** By command name in upper case, subcommands after a space ('CLIENT REPLY'); '* HELP' stands for every X HELP. */
export const EXCLUDED_COMMANDS: Readonly<Record<string, Exclusion>> = {
  RESET: {
    reason: 'connection',
    use: 'the method that undoes one thing (unsubscribe(), select(), ...), or close() and a new client',
    why: 'it drops subscriptions, database, name, tracking and authentication that the client restores and counts',
  },
  HELLO: {
    reason: 'connection',
    use: 'the `protocol`, `username`/`password` or `credentials` options; client.server holds what HELLO answered',
    why: 'the handshake sends it on every new connection',
  },
  AUTH: {
    reason: 'connection',
    use: 'the `username`/`password` options, or a `credentials` function (asked again at each reconnect)',
    why: 'it would reach one connection only: reconnects and dedicated connections would keep the old credentials',
  },
  QUIT: {
    reason: 'connection',
    use: 'client.close()',
    why: 'the client would see a lost connection and reconnect',
  },
  'CLIENT REPLY': {
    reason: 'connection',
    use: 'not awaiting the promise (add .catch())',
    why: 'replies are paired with commands in order: an unanswered command would take the next reply (ON is let through by call())',
  },
  'CLIENT TRACKING': {
    reason: 'connection',
    use: 'the `cache` option, which turns tracking on after every reconnect',
    why: 'tracking set by hand is lost on reconnect, and its invalidations would reach no cache',
  },
  'CLIENT CACHING': {
    reason: 'connection',
    use: "the `cache` option ({ mode: 'default' } or 'bcast')",
    why: 'it applies to the next command of the connection, which on a shared connection may be anyone’s; only meaningful with tracking OPTIN/OPTOUT',
  },
  EXEC: { reason: 'batch', use: 'client.multi()...exec()', why: 'the block is built and sent as one unit' },
  DISCARD: {
    reason: 'batch',
    use: 'not calling exec() on the client.multi() builder',
    why: 'nothing is sent before exec()',
  },
  'SCRIPT DEBUG': {
    reason: 'connection',
    use: '`redis-cli --ldb --eval script.lua`',
    why: "it turns the connection into the Lua debugger's session",
  },
  '* HELP': {
    reason: 'help',
    use: '`redis-cli <command> HELP`, or client.call(command, "HELP")',
    why: 'text for a person at a prompt',
  },
  SYNC: server('nothing: replication is configured with replicaof()', 'the replication protocol between servers'),
  PSYNC: server('nothing: replication is configured with replicaof()', 'the replication protocol between servers'),
  REPLCONF: server('nothing: replication is configured with replicaof()', 'the replication protocol between servers'),
  'RESTORE-ASKING': server('restore() and migrate()', 'sent by redis-cli --cluster while resharding'),
  DEBUG: server('client.call("DEBUG", ...) on a server with enable-debug-command', "Redis' own tests; off by default"),
  PFDEBUG: server('client.call("PFDEBUG", ...)', "internal HyperLogLog debugging, for Redis' own tests"),
  PFSELFTEST: server('client.call("PFSELFTEST")', "internal HyperLogLog self-test, for Redis' own tests"),
  SUBSTR: deprecated('getrange(key, start, end)'),
  HMSET: deprecated('hset(key, { field: value, ... })'),
  RPOPLPUSH: deprecated("lmove(source, destination, 'RIGHT', 'LEFT')"),
  ZREVRANGE: deprecated('zrange(key, start, stop, { REV: true })'),
  ZRANGEBYSCORE: deprecated("zrange(key, min, max, { BY: 'SCORE', LIMIT })"),
  ZREVRANGEBYSCORE: deprecated("zrange(key, max, min, { BY: 'SCORE', REV: true, LIMIT })"),
  ZRANGEBYLEX: deprecated("zrange(key, min, max, { BY: 'LEX', LIMIT })"),
  ZREVRANGEBYLEX: deprecated("zrange(key, max, min, { BY: 'LEX', REV: true, LIMIT })"),
  GEORADIUS: deprecated('geosearch(key, { longitude, latitude }, { radius, unit }) / geosearchstore()'),
  GEORADIUS_RO: deprecated('geosearch(key, { longitude, latitude }, { radius, unit })'),
  GEORADIUSBYMEMBER: deprecated('geosearch(key, { member }, { radius, unit }) / geosearchstore()'),
  GEORADIUSBYMEMBER_RO: deprecated('geosearch(key, { member }, { radius, unit })'),
  SLAVEOF: deprecated('replicaof(host, port) / replicaofNoOne()'),
  'CLUSTER SLOTS': deprecated('clusterShards()'),
  'CLUSTER SLAVES': deprecated('clusterReplicas(nodeId)'),
};
