/**
 * `db.query.text` for a Redis command, in the syntax of redis-cli, as the OpenTelemetry Redis
 * conventions ask: "HMSET myhash field1 ? field2 ?". Values can hold anything a user stores
 * (tokens, e-mail addresses, whole documents), so by default only what describes the shape of a
 * command is kept: its name, the names of the keys it touches, and the subcommand of a container
 * command (`CONFIG GET`, `CLIENT LIST`). Everything else becomes `?`.
 */
import * as commands from '@ioredis/commands';
import type { Arg } from '../protocol/types';

/** Builds `db.query.text` from a command's name and arguments; undefined leaves the attribute out. */
export type QueryTextSerializer = (command: string, args: readonly Arg[]) => string | undefined;

/** Longer texts are cut here (with a trailing `…`): an MSET of 10,000 keys is not a span attribute. */
export const MAX_QUERY_TEXT_LENGTH = 1024;

/** Commands whose first argument is a subcommand, which says what the command does and holds no data. */
const CONTAINERS = new Set([
  'ACL',
  'CLIENT',
  'CLUSTER',
  'COMMAND',
  'CONFIG',
  'FUNCTION',
  'LATENCY',
  'MEMORY',
  'MODULE',
  'OBJECT',
  'PUBSUB',
  'SCRIPT',
  'SLOWLOG',
  'XGROUP',
  'XINFO',
]);

/**
 * The default `db.query.text`: the command name, key names and the subcommand of container
 * commands as they are, every other argument as `?`. `SET user:1 secret EX 60` gives
 * `SET user:1 ? ? ?`; `CONFIG SET maxmemory 1gb` gives `CONFIG SET ? ?`.
 */
export function sanitizedQueryText(command: string, args: readonly Arg[]): string {
  if (args.length === 0) return command;
  const upper = command.toUpperCase();
  let keys: readonly number[] = [];
  try {
    keys = commands.getKeyIndexes(command.toLowerCase(), args.map(forKeyIndexes));
  } catch {
    // A command @ioredis/commands does not know (a module's, a newer server's): no key is shown.
  }
  const shown = new Set(keys);
  const parts = [command];
  for (let i = 0; i < args.length; i++) {
    const keep = shown.has(i) || (i === 0 && CONTAINERS.has(upper));
    parts.push(keep ? cliWord(args[i]) : '?');
  }
  return cap(parts.join(' '));
}

/**
 * Every argument as it is (quoted as redis-cli would where needed). Opt-in: values reach your
 * tracing backend. Arguments that carry credentials (AUTH, HELLO, MIGRATE, ACL SETUSER,
 * CONFIG SET ...) are already replaced by `?` before any subscriber sees them.
 */
export function fullQueryText(command: string, args: readonly Arg[]): string {
  let text = command;
  for (const arg of args) {
    text += ` ${cliWord(arg)}`;
    if (text.length > MAX_QUERY_TEXT_LENGTH) break;
  }
  return cap(text);
}

function forKeyIndexes(arg: Arg): string | Buffer | number {
  if (typeof arg === 'bigint') return arg.toString();
  if (arg instanceof Uint8Array && !Buffer.isBuffer(arg)) return Buffer.from(arg.buffer, arg.byteOffset, arg.length);
  return arg;
}

/** An argument as redis-cli shows it: bare when it is one printable word, double-quoted otherwise. */
function cliWord(arg: Arg | undefined): string {
  let text: string;
  if (arg === undefined) return '""';
  if (typeof arg === 'string') text = arg;
  else if (typeof arg === 'number' || typeof arg === 'bigint') return String(arg);
  else text = Buffer.from(arg.buffer, arg.byteOffset, arg.length).toString('utf8');
  return /^[\x21-\x7e]+$/.test(text) && !/["'\\]/.test(text) ? text : JSON.stringify(text);
}

function cap(text: string): string {
  return text.length <= MAX_QUERY_TEXT_LENGTH ? text : `${text.slice(0, MAX_QUERY_TEXT_LENGTH - 1)}…`;
}
